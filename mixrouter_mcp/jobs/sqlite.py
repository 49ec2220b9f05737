"""Job records in the conversations' SQLite file: one row a job (its JSON, and a cancel flag apart from it)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from ..sqlite_file import SqliteFile
from .record import JobLimits, JobNotFound, JobRecord, JobsUnavailable

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, updated_at REAL NOT NULL, data TEXT NOT NULL, "
    "cancel INTEGER NOT NULL DEFAULT 0)"
)


class SqliteJobStore:
    def __init__(self, path: Path, limits: JobLimits) -> None:
        self.path = path
        self.where = f"SQLite ({path})"
        self._limits = limits
        self._file = SqliteFile(path, _SCHEMA)

    async def _run(self, work: Any, *args: Any) -> Any:
        try:
            return await self._file.run(work, *args)
        except sqlite3.Error as error:
            raise JobsUnavailable(f"the job store in {self.path} failed ({type(error).__name__}: {error})") from error

    async def save(self, record: JobRecord) -> bool:
        cancel: bool = await self._run(_save, record, self._limits)
        return cancel

    async def get(self, job_id: str) -> JobRecord:
        row = await self._run(
            lambda db: db.execute(
                "SELECT data FROM jobs WHERE id = ? AND updated_at >= ?", (job_id, time.time() - self._limits.ttl_s)
            ).fetchone()
        )
        if row is None:
            raise JobNotFound(job_id)
        return JobRecord.from_json(row[0])

    async def request_cancel(self, job_id: str) -> None:
        changed = await self._run(lambda db: db.execute("UPDATE jobs SET cancel = 1 WHERE id = ?", (job_id,)).rowcount)
        if not changed:
            raise JobNotFound(job_id)

    async def aclose(self) -> None:
        await self._file.aclose()


def _save(db: sqlite3.Connection, record: JobRecord, limits: JobLimits) -> bool:
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(
            "INSERT INTO jobs (id, updated_at, data) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, data = excluded.data",
            (record.id, record.updated_at, record.to_json()),
        )
        cancel = bool(db.execute("SELECT cancel FROM jobs WHERE id = ?", (record.id,)).fetchone()[0])
        db.execute("DELETE FROM jobs WHERE updated_at < ?", (time.time() - limits.ttl_s,))
        db.execute(
            "DELETE FROM jobs WHERE id NOT IN (SELECT id FROM jobs ORDER BY updated_at DESC LIMIT ?)",
            (limits.max_jobs,),
        )
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return cancel
