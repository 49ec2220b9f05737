"""Conversation stores: SQLite by default (embedded, one file), Redis for several server processes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from anyio.abc import TaskGroup

from ..config import Settings
from .base import (
    Conversation,
    ConversationCorrupt,
    ConversationError,
    ConversationNotFound,
    ConversationStore,
    ConversationSummary,
    Limits,
    Turn,
    new_conversation_id,
)
from .disabled import DisabledStore
from .guarded import GuardedStore, StoreUnavailable, WriteUnconfirmed
from .sqlite import SqliteStore
from .writing_behind import WritingBehind

__all__ = [
    "Conversation",
    "ConversationCorrupt",
    "ConversationError",
    "ConversationNotFound",
    "ConversationStore",
    "ConversationSummary",
    "Limits",
    "StoreUnavailable",
    "Turn",
    "WriteUnconfirmed",
    "default_sqlite_path",
    "new_conversation_id",
    "open_store",
    "writing_behind",
]


def default_sqlite_path() -> Path:
    """The user's data directory: XDG on Linux, Application Support on macOS, LOCALAPPDATA on Windows."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "mixrouter-mcp" / "conversations.sqlite3"


def open_store(settings: Settings) -> ConversationStore:
    """The store `MIXROUTER_MCP_STORE` names (`redis://...`, `sqlite:///path`, `none`, or empty for the default),
    behind the one wrapper that makes every backend failure the same clear `StoreUnavailable`."""
    return GuardedStore(_backend(settings))


def writing_behind(store: ConversationStore, group: TaskGroup) -> ConversationStore:
    """A SQLite `store` with its writes run behind the answers, in `group`. Others are left as they are: Redis is
    shared by several server processes, where a follow-up may reach another process before a write behind the
    answer lands (and a write Redis does not confirm in time is a note in the answer); `none` keeps nothing."""
    if isinstance(store, GuardedStore) and isinstance(store.inner, SqliteStore):
        return WritingBehind(store, group)
    return store


def _backend(settings: Settings) -> ConversationStore:
    limits = Limits(
        max_turns=settings.conversation_max_turns,
        max_threads=settings.conversation_max_threads,
        ttl_s=settings.conversation_ttl_days * 86400,
    )
    url = settings.mcp_store.strip()
    if url.lower() == "none":
        return DisabledStore()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from .redis import RedisStore

        return RedisStore(url, limits)
    if url.startswith("sqlite://"):
        return SqliteStore(Path(url.removeprefix("sqlite://")).expanduser(), limits, settings.conversation_max_db_mb)
    if url:
        raise ValueError(f"MIXROUTER_MCP_STORE must be redis://..., sqlite:///path, none or empty; got {url!r}")
    return SqliteStore(default_sqlite_path(), limits, settings.conversation_max_db_mb)
