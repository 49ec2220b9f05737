"""A job: a model call that outlived its caller's deadline (or was asked to run in the background), kept as a
record so any worker can report it, and how a record is stored. One JSON document a job; the cancel request is
kept apart from it so the worker writing the text never overwrites a cancel another worker asked for."""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from ..vocabulary import JOB_ENDED, JobState


class JobNotFound(LookupError):
    """No job has this id here (never started, expired, or evicted)."""


class JobsUnavailable(Exception):
    """The job store failed; the message says where and why."""


def new_job_id() -> str:
    return "job_" + secrets.token_hex(8)


def this_host() -> str:
    return socket.gethostname()


@dataclass(frozen=True)
class JobRecord:
    """What is known of a job: its state, the text so far (answer and reasoning), and once done the tool's whole
    result (`result`: the structured content, `display`: the text a person reads)."""

    id: str
    tool: str
    model: str
    state: JobState
    owner: str  # host:pid:runner of the worker running it, to tell a dead worker from a slow one
    created_at: float
    updated_at: float
    text: str = ""
    reasoning: str = ""
    display: str | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    is_error: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def ended(self) -> bool:
        return self.state in JOB_ENDED

    def updated(self, **changes: Any) -> JobRecord:
        return replace(self, updated_at=time.time(), **changes)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> JobRecord:
        data = json.loads(raw)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class JobLimits:
    max_jobs: int
    ttl_s: float
    max_chars: int  # of the text kept while a job runs (the final result is already under the output cap)


class JobStore(Protocol):
    """Where job records live: this process's memory, the conversations' SQLite file, or Redis."""

    where: str

    async def save(self, record: JobRecord) -> bool:
        """Write `record`; True when another worker has asked for the job to be cancelled."""
        ...

    async def get(self, job_id: str) -> JobRecord: ...

    async def request_cancel(self, job_id: str) -> None: ...

    async def aclose(self) -> None: ...


class MemoryJobStore:
    """Jobs in this process only (MIXROUTER_MCP_STORE=none): lost on restart, not shared."""

    where = "this process's memory (MIXROUTER_MCP_STORE=none: lost on restart, not shared)"

    def __init__(self, limits: JobLimits) -> None:
        self._limits = limits
        self._records: dict[str, JobRecord] = {}
        self._cancel: set[str] = set()

    async def save(self, record: JobRecord) -> bool:
        self._records.pop(record.id, None)
        self._records[record.id] = record  # newest last
        oldest = time.time() - self._limits.ttl_s
        for job_id in [k for k, r in self._records.items() if r.updated_at < oldest]:
            self._records.pop(job_id)
        while len(self._records) > self._limits.max_jobs:
            self._records.pop(next(iter(self._records)))
        return record.id in self._cancel

    async def get(self, job_id: str) -> JobRecord:
        record = self._records.get(job_id)
        if record is None or record.updated_at < time.time() - self._limits.ttl_s:
            raise JobNotFound(job_id)
        return record

    async def request_cancel(self, job_id: str) -> None:
        await self.get(job_id)
        self._cancel.add(job_id)

    async def aclose(self) -> None:
        self._records.clear()


def owner_gone(owner: str, live_runners: set[str]) -> bool:
    """Whether the worker `owner` names is known to be dead: this process and not a live runner, or another
    process of this host that no longer runs. A worker on another host is judged by its heartbeat instead."""
    host, _, rest = owner.partition(":")
    pid_text, _, runner = rest.partition(":")
    if host != this_host() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return runner not in live_runners
    return not _process_runs(pid)


def _process_runs(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child not yet reaped by its parent is a zombie: it no longer runs
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True
