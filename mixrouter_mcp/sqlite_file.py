"""A SQLite file used from worker threads: the conversations, the spend ledger and the job records each keep one
connection to the same file, opened on first use, and never block the event loop with it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio


class SqliteFile:
    """One connection to `path`, used by one worker thread at a time. WAL lets several processes share the file
    (a 10 s busy timeout between writers); `synchronous=NORMAL` makes a commit durable against a crash of the
    process without an fsync per commit (the WAL is synced at checkpoints), which is what kept every answer
    waiting on the disk: a power loss may lose the last commits, never corrupt the file."""

    def __init__(self, path: Path, schema: str, setup: Callable[[sqlite3.Connection], None] | None = None) -> None:
        self.path = path
        self._schema = schema
        self._setup = setup
        self._db: sqlite3.Connection | None = None
        self._one_at_a_time = anyio.CapacityLimiter(1)

    async def run(self, work: Callable[..., Any], *args: Any) -> Any:
        """`work(connection, *args)` in a worker thread; sqlite3 errors propagate."""
        return await anyio.to_thread.run_sync(self._with_db, work, *args, limiter=self._one_at_a_time)

    def _with_db(self, work: Callable[..., Any], *args: Any) -> Any:
        if self._db is None:
            self._db = self._open()
        return work(self._db, *args)

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        if self._setup is not None:
            self._setup(db)
        db.executescript(self._schema)
        return db

    async def aclose(self) -> None:
        if self._db is not None:
            db, self._db = self._db, None
            await anyio.to_thread.run_sync(db.close, limiter=self._one_at_a_time)
