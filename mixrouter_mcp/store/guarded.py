"""One wrapper around every store backend, so a failing store reads the same from every tool and resource."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TypeVar

from .base import Conversation, ConversationError, ConversationStore, ConversationSummary, Turn

logger = logging.getLogger(__name__)
T = TypeVar("T")


class StoreUnavailable(ConversationError):
    """The backend failed (Redis down, disk full, database locked): nothing was read or written."""


class WriteUnconfirmed(ConversationError):
    """The write was sent but not confirmed (a timeout): it may or may not have happened. The id is kept, so a
    caller can continue with it if it exists."""

    def __init__(self, message: str, conversation_id: str) -> None:
        super().__init__(message)
        self.conversation_id = conversation_id


def unavailable(error: BaseException) -> StoreUnavailable:
    detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    what = f"{type(error).__name__}: {detail}" if detail else type(error).__name__
    return StoreUnavailable(
        f"the conversation store is unavailable ({what}); try again later, or call without conversation_id"
    )


class GuardedStore:
    """Passes `ConversationError`s through and turns any other failure into `StoreUnavailable`, logged once."""

    def __init__(self, inner: ConversationStore) -> None:
        self.inner = inner

    async def _guard(self, work: Awaitable[T], action: str) -> T:
        try:
            return await work
        except ConversationError:
            raise
        except Exception as error:
            logger.warning("conversation store failed to %s: %s", action, error)
            raise unavailable(error) from error

    async def get(self, conversation_id: str) -> Conversation:
        return await self._guard(self.inner.get(conversation_id), "read")

    async def append(
        self, conversation_id: str, turns: list[Turn], *, new: bool, title: str, system: str | None, models: list[str]
    ) -> str:
        work = self.inner.append(conversation_id, turns, new=new, title=title, system=system, models=models)
        return await self._guard(work, "write")

    async def list(self, limit: int) -> list[ConversationSummary]:
        return await self._guard(self.inner.list(limit), "list")

    async def delete(self, conversation_id: str) -> bool:
        return await self._guard(self.inner.delete(conversation_id), "delete")

    async def aclose(self) -> None:
        await self._guard(self.inner.aclose(), "close")
