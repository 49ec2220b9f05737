"""Runs model calls as jobs in the server's lifespan task group, so a call can outlive the request that started
it: the request waits up to its deadline, and if the call is still going it is detached (its record written to
the store and refreshed as it streams) and the request returns the text so far with the job id."""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable

import anyio
from anyio.abc import TaskGroup
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent

from ..upstream import Delta
from ..vocabulary import JobState
from .record import JobLimits, JobNotFound, JobRecord, JobStore, new_job_id, owner_gone, this_host

log = logging.getLogger(__name__)

FLUSH_S = 1.0  # a detached job's text reaches the store this often while it streams
HEARTBEAT_S = 5.0  # ... and its record is touched this often when nothing new arrived
STALE_S = 30.0  # a running record untouched this long belongs to a worker that died (on another host)
_FINAL_SAVE_S = 2.0  # the last write of a job ending at shutdown: bounded, so exit stays prompt
_LIVE_RUNNERS: set[str] = set()  # the runners of this process, to tell a restarted server's jobs from live ones

Work = Callable[["Job"], Awaitable[CallToolResult]]


class Job:
    """A call running in the background: its text as it streams, its cancel scope, and its outcome."""

    def __init__(self, record: JobRecord, deadline_s: float, patience_s: float, max_chars: int) -> None:
        self.record = record
        self.deadline_s = deadline_s
        self.patience_s = min(patience_s, deadline_s)  # how long its caller waits (fallback windows, retries)
        self._max_chars = max_chars
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._chars = 0
        self.version = 0  # bumped on every change, so the flusher writes only when something is new
        self.detached = False
        self.finished = anyio.Event()
        self.scope = anyio.CancelScope()
        self.outcome: CallToolResult | None = None
        self.failure: BaseException | None = None
        self.cancel_as: JobState = "interrupted"  # what a cancelled job is called: a shutdown, unless cancel_job asked
        self.on_detach: list[Callable[[], None]] = []
        self.live_text: Callable[[], str] | None = None  # a panel's text so far is made, not streamed
        # The progress heartbeat of what runs now, sent by the waiting caller's task (no timer task per call).
        self.beat: Callable[[], Awaitable[None]] | None = None

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def text(self) -> str:
        if self.live_text is not None:
            return self.live_text()[: self._max_chars]
        return "".join(self._text)

    @property
    def reasoning(self) -> str:
        return "".join(self._reasoning)

    def feed(self, delta: Delta) -> None:
        """Keep a streamed piece (up to the job's character bound)."""
        room = self._max_chars - self._chars
        if room <= 0:
            return
        for part, into in ((delta.text, self._text), (delta.reasoning, self._reasoning)):
            if part:
                into.append(part[:room])
                self._chars += min(len(part), room)
        self.version += 1

    def restart(self) -> None:
        """A new attempt (a fallback model) starts from nothing."""
        self._text.clear()
        self._reasoning.clear()
        self._chars = 0
        self.version += 1

    def cancel(self, state: JobState = "cancelled") -> None:
        self.cancel_as = state
        self.scope.cancel()

    def snapshot(self) -> JobRecord:
        """The record as it stands now."""
        record = self.record.updated(text=self.text, reasoning=self.reasoning)
        if self.finished.is_set():
            record = with_outcome(record, self)
        return record


def with_outcome(record: JobRecord, job: Job) -> JobRecord:
    """`record` carrying how `job` ended."""
    if job.outcome is not None:
        text = "".join(b.text for b in job.outcome.content if isinstance(b, TextContent))
        return record.updated(
            state="failed" if job.outcome.is_error else "done",
            display=text,
            result=job.outcome.structured_content,
            is_error=bool(job.outcome.is_error),
        )
    if job.failure is not None:
        return record.updated(state="failed", error=_message(job.failure), is_error=True)
    return record.updated(state=job.cancel_as)


def _message(failure: BaseException) -> str:
    if isinstance(failure, ToolError):
        return str(failure)
    return f"the call failed inside the server ({type(failure).__name__}); see the server's log"


class JobRunner:
    """Starts calls as jobs in `group`, detaches them on request, and reads any job back, here or from the store."""

    def __init__(self, store: JobStore, group: TaskGroup, limits: JobLimits, deadline_s: float) -> None:
        self.store = store
        self._group = group
        self._limits = limits
        self._deadline_s = deadline_s
        self._token = secrets.token_hex(4)
        self.owner = f"{this_host()}:{os.getpid()}:{self._token}"
        self._live: dict[str, Job] = {}
        _LIVE_RUNNERS.add(self._token)

    def close(self) -> None:
        _LIVE_RUNNERS.discard(self._token)

    def start(self, tool: str, model: str, work: Work, patience_s: float | None = None) -> Job:
        """Run `work` as a job; the caller awaits `job.finished` (for `patience_s`) or detaches it."""
        now = time.time()
        record = JobRecord(new_job_id(), tool, model, "running", self.owner, now, now)
        job = Job(record, self._deadline_s, patience_s or self._deadline_s, self._limits.max_chars)
        self._live[job.id] = job
        self._group.start_soon(self._run, job, work)
        return job

    async def _run(self, job: Job, work: Work) -> None:
        try:
            with job.scope:
                job.outcome = await work(job)
        except Exception as failure:  # kept for the caller or the record: a job never takes the server down
            job.failure = failure
            if not isinstance(failure, ToolError):
                log.exception("job %s failed", job.id)
        finally:
            job.finished.set()
            self._live.pop(job.id, None)
            if job.detached:
                with anyio.move_on_after(_FINAL_SAVE_S, shield=True):
                    await self._save(job.snapshot())

    async def detach(self, job: Job) -> None:
        """Let `job` outlive its request: write its record and keep it current while it runs."""
        job.detached = True
        for mute in job.on_detach:
            mute()
        await self._save(job.snapshot())
        if job.finished.is_set():  # it ended while the record was written: make sure the last write is the end
            await self._save(job.snapshot())
            return
        self._group.start_soon(self._flush, job)

    async def _flush(self, job: Job) -> None:
        written, touched = job.version, anyio.current_time()
        while not job.finished.is_set():
            with anyio.move_on_after(FLUSH_S):
                await job.finished.wait()
            if job.finished.is_set():
                return
            if job.version == written and anyio.current_time() - touched < HEARTBEAT_S:
                continue
            written, touched = job.version, anyio.current_time()
            if await self._save(job.snapshot()):
                job.cancel()  # another worker asked: this one runs the stream, so this one closes it

    async def _save(self, record: JobRecord) -> bool:
        try:
            return await self.store.save(record)
        except Exception as error:  # a store outage must not end the call: its answer may still be read here
            log.warning("job %s: could not write its record: %s", record.id, error)
            return False

    async def read(self, job_id: str) -> JobRecord:
        """The job's record: live from this process when it runs here, else from the store, where a running
        record whose worker is gone is marked `interrupted` (its text so far kept)."""
        live = self._live.get(job_id)
        if live is not None:
            return live.snapshot()
        record = await self.store.get(job_id)
        if record.state == "running" and await _worker_gone(record):
            note = "the server running it stopped before the answer was complete; the text so far is kept"
            record = record.updated(state="interrupted", notes=[*record.notes, note])
            await self.store.save(record)
        return record

    async def wait(self, job_id: str, wait_s: float) -> JobRecord:
        """The record once the job has ended, or as it stands after `wait_s` seconds."""
        ends = anyio.current_time() + wait_s
        while True:
            live = self._live.get(job_id)
            if live is not None:
                with anyio.move_on_after(max(0.0, ends - anyio.current_time())):
                    await live.finished.wait()
            record = await self.read(job_id)
            left = ends - anyio.current_time()
            if record.ended or left <= 0:
                return record
            await anyio.sleep(min(0.5, left))

    async def cancel(self, job_id: str) -> JobRecord:
        """Stop the job: at once when it runs here (its upstream stream is closed), else through the store."""
        live = self._live.get(job_id)
        if live is not None:
            live.cancel()
            await live.finished.wait()
            return await self.read(job_id)
        record = await self.read(job_id)
        if record.ended:
            return record
        await self.store.request_cancel(job_id)
        # The worker running it reads the request within a flush interval; wait that long for it to say so.
        return await self.wait(job_id, FLUSH_S * 3)


async def _worker_gone(record: JobRecord) -> bool:
    if time.time() - record.updated_at > STALE_S:
        return True
    live = set(_LIVE_RUNNERS)
    gone: bool = await anyio.to_thread.run_sync(owner_gone, record.owner, live)
    return gone


__all__ = ["Job", "JobNotFound", "JobRunner", "Work"]
