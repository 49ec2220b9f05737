"""The default store: one SQLite file (WAL), used from a worker thread so the event loop never blocks."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any, TypeVar

from ..sqlite_file import SqliteFile
from .base import (
    Conversation,
    ConversationCorrupt,
    ConversationNotFound,
    ConversationSummary,
    Limits,
    Turn,
)

T = TypeVar("T")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, system TEXT, models TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL);
CREATE INDEX IF NOT EXISTS conversations_updated ON conversations (updated);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, role TEXT NOT NULL, content TEXT NOT NULL, model TEXT, tool TEXT NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (conversation_id, seq));
"""


class SqliteStore:
    """Conversations in a local file; several processes may share it (WAL, busy timeout)."""

    def __init__(self, path: Path, limits: Limits, max_mb: float = 1024.0) -> None:
        self.path = path
        self._limits = limits
        self._max_bytes = int(max_mb * 1024 * 1024)
        self._file = SqliteFile(path, _SCHEMA, self._setup)

    def _setup(self, db: sqlite3.Connection) -> None:
        db.execute("PRAGMA foreign_keys=ON")
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        db.execute(f"PRAGMA max_page_count={max(1, self._max_bytes // page_size)}")  # a bound on the file

    async def _run(self, work: Any, *args: Any) -> Any:
        return await self._file.run(work, *args)

    async def get(self, conversation_id: str) -> Conversation:
        conversation: Conversation = await self._run(_read, conversation_id, self._limits)
        return conversation

    async def append(
        self, conversation_id: str, turns: list[Turn], *, new: bool, title: str, system: str | None, models: list[str]
    ) -> str:
        await self._run(_write, conversation_id, new, turns, title, system, models, self._limits)
        return conversation_id

    async def list(self, limit: int) -> list[ConversationSummary]:
        summaries: list[ConversationSummary] = await self._run(_summaries, limit, self._limits)
        return summaries

    async def delete(self, conversation_id: str) -> bool:
        deleted: bool = await self._run(_delete, conversation_id)
        return deleted

    async def aclose(self) -> None:
        await self._file.aclose()


def _read(db: sqlite3.Connection, conversation_id: str, limits: Limits) -> Conversation:
    row = db.execute(
        "SELECT title, system, models, created, updated FROM conversations WHERE id = ? AND updated >= ?",
        (conversation_id, time.time() - limits.ttl_s),
    ).fetchone()
    if row is None:
        raise ConversationNotFound(f"no conversation '{conversation_id}' (it may have expired or been deleted)")
    try:
        models = json.loads(row[2])
        turns = [
            Turn(role=_role(r[0]), content=r[1], model=r[2], tool=r[3], at=r[4])
            for r in db.execute(
                "SELECT role, content, model, tool, at FROM turns WHERE conversation_id = ? ORDER BY seq",
                (conversation_id,),
            )
        ]
    except (ValueError, TypeError) as exc:
        raise ConversationCorrupt(f"conversation '{conversation_id}' is damaged ({exc}); start a new one") from exc
    return Conversation(conversation_id, row[0], row[1], list(models), turns, row[3], row[4])


def _role(value: Any) -> Any:
    if value not in ("user", "assistant"):
        raise ValueError(f"unknown role {value!r}")
    return value


def _write(
    db: sqlite3.Connection,
    conversation_id: str,
    is_new: bool,
    turns: list[Turn],
    title: str,
    system: str | None,
    models: list[str],
    limits: Limits,
) -> None:
    now = time.time()
    db.execute("BEGIN IMMEDIATE")
    try:
        row = db.execute("SELECT models FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        if row is None and not is_new:
            raise ConversationNotFound(f"no conversation '{conversation_id}' (it may have expired or been deleted)")
        known = json.loads(row[0]) if row else []
        merged = json.dumps(list(dict.fromkeys([*known, *models])))
        db.execute(
            "INSERT INTO conversations (id, title, system, models, created, updated) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET system = COALESCE(excluded.system, system), models = excluded.models, "
            "updated = excluded.updated",
            (conversation_id, title, system, merged, now, now),
        )
        last = db.execute("SELECT COALESCE(MAX(seq), 0) FROM turns WHERE conversation_id = ?", (conversation_id,))
        seq = last.fetchone()[0]
        db.executemany(
            "INSERT INTO turns (conversation_id, seq, role, content, model, tool, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (conversation_id, seq + i, t.role, t.content, t.model, t.tool, t.at or now)
                for i, t in enumerate(turns, 1)
            ],
        )
        _apply_limits(db, conversation_id, seq + len(turns), limits, now)
        db.execute("COMMIT")
    except BaseException:
        # SQLite may already have rolled back (disk full does): a ROLLBACK then fails and would mask the cause.
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _apply_limits(db: sqlite3.Connection, conversation_id: str, last_seq: int, limits: Limits, now: float) -> None:
    db.execute(
        "DELETE FROM turns WHERE conversation_id = ? AND seq <= ?", (conversation_id, last_seq - limits.max_turns)
    )
    db.execute("DELETE FROM conversations WHERE updated < ?", (now - limits.ttl_s,))
    # Evict beyond the limit through the `updated` index: find the oldest thread still kept, drop the older ones.
    oldest_kept = db.execute(
        "SELECT updated FROM conversations ORDER BY updated DESC LIMIT 1 OFFSET ?", (limits.max_threads - 1,)
    ).fetchone()
    if oldest_kept is not None:
        db.execute("DELETE FROM conversations WHERE updated < ?", (oldest_kept[0],))


def _summaries(db: sqlite3.Connection, limit: int, limits: Limits) -> list[ConversationSummary]:
    rows = db.execute(
        "SELECT c.id, c.title, c.models, COUNT(t.seq), c.updated FROM conversations c "
        "LEFT JOIN turns t ON t.conversation_id = c.id WHERE c.updated >= ? "
        "GROUP BY c.id ORDER BY c.updated DESC LIMIT ?",
        (time.time() - limits.ttl_s, limit),
    ).fetchall()
    summaries = []
    for row in rows:
        try:
            models = list(json.loads(row[2]))
        except (ValueError, TypeError):
            models = []  # listed anyway; reading it reports the damage
        summaries.append(ConversationSummary(row[0], row[1], models, row[3], row[4]))
    return summaries


def _delete(db: sqlite3.Connection, conversation_id: str) -> bool:
    return db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)).rowcount > 0
