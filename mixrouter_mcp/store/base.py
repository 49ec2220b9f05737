"""Conversations: what a thread holds, and the interface every store backend implements."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Literal, Protocol

TurnRole = Literal["user", "assistant"]
ID_PREFIX = "conv_"


def new_conversation_id() -> str:
    """Unguessable: possession of the id is what lets a caller continue a thread."""
    return ID_PREFIX + secrets.token_urlsafe(16)


@dataclass(frozen=True)
class Turn:
    role: TurnRole
    content: str
    model: str | None = None  # who answered, on assistant turns
    tool: str = ""  # the tool that produced the turn
    at: float = 0.0  # unix time


@dataclass
class Conversation:
    id: str
    title: str
    system: str | None
    models: list[str]
    turns: list[Turn] = field(default_factory=list)
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass(frozen=True)
class ConversationSummary:
    id: str
    title: str
    models: list[str]
    turns: int
    updated_at: float


class ConversationError(Exception):
    """A conversation cannot be used; the message says why and what to do."""


class ConversationNotFound(ConversationError):
    pass


class ConversationCorrupt(ConversationError):
    pass


@dataclass(frozen=True)
class Limits:
    """Every store bounds turns per thread, threads in total, and age."""

    max_turns: int = 200
    max_threads: int = 1000
    ttl_s: float = 30 * 86400.0


class ConversationStore(Protocol):
    """Async, safe to share across concurrent calls; each backend also safe across processes."""

    async def get(self, conversation_id: str) -> Conversation:
        """The thread, oldest turn first; `ConversationNotFound` or `ConversationCorrupt` otherwise."""
        ...

    async def append(
        self, conversation_id: str, turns: list[Turn], *, new: bool, title: str, system: str | None, models: list[str]
    ) -> str:
        """Add turns to the thread (created under `conversation_id` when `new`) and apply the limits; return the id
        kept, or "" when the store keeps nothing."""
        ...

    async def list(self, limit: int) -> list[ConversationSummary]:
        """Most recently updated first."""
        ...

    async def delete(self, conversation_id: str) -> bool:
        """True if it existed."""
        ...

    async def aclose(self) -> None: ...
