"""Saving an exchange without keeping its answer waiting: once the SQLite store has confirmed a write, the next ones
run in the server's task group (a worker-thread hop and a commit, about 0.4 ms), while the answer, whose
conversation id is chosen before the write, goes back at once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from anyio.abc import TaskGroup

from ..behind_answers import BehindAnswers
from .base import Conversation, ConversationError, ConversationStore, ConversationSummary, Turn

logger = logging.getLogger(__name__)

_WRITE_S = 10.0  # a write still running at shutdown gets this long (shielded), then is given up and logged
_MAX_PENDING = 64  # beyond this many writes in flight, the next one is waited for: a slow store slows calls down


class WritingBehind:
    """`store` (guarded: its failures are `ConversationError`s) with writes run behind the answer while the store
    is trusted. It is trusted once a write has been confirmed and until one fails: the first write, and every
    write after a failure, is waited for, so a store that is down or full is a note in that very answer.

    A write that fails behind an answer is logged and remembered: the next read of that conversation in this
    process says which exchange was lost. Reads, lists and deletes wait for the writes started before them, and
    writes land in the order they were started, so this process always sees its own conversations whole."""

    def __init__(self, store: ConversationStore, group: TaskGroup) -> None:
        self._store = store
        self._writes = BehindAnswers(group, _WRITE_S, in_order=True)  # a thread's exchanges never swap places
        self._trusted = False
        self._lost: dict[str, str] = {}  # conversation id -> why its last exchange was not saved

    async def append(
        self, conversation_id: str, turns: list[Turn], *, new: bool, title: str, system: str | None, models: list[str]
    ) -> str:
        def write() -> Awaitable[str]:
            return self._store.append(conversation_id, turns, new=new, title=title, system=system, models=models)

        if not self._trusted or self._writes.pending >= _MAX_PENDING:
            await self._writes.settled()
            self._trusted = False
            kept = await write()
            self._trusted = True
            return kept

        async def write_behind() -> None:
            try:
                await write()
            except ConversationError as error:
                self._lose(conversation_id, str(error))

        self._writes.start(write_behind, lambda: self._lose(conversation_id, f"the store took over {_WRITE_S:g} s"))
        return conversation_id

    def _lose(self, conversation_id: str, why: str) -> None:
        logger.warning("an exchange was not saved behind its answer: %s", why)  # the id is a capability: not logged
        self._trusted = False
        self._lost[conversation_id] = why

    async def get(self, conversation_id: str) -> Conversation:
        await self._writes.settled()
        why = self._lost.pop(conversation_id, None)
        if why is not None:
            raise ConversationError(
                f"the last exchange of conversation '{conversation_id}' was answered but could not be saved ({why}), "
                "so the conversation lacks it; call again to continue it without that exchange, or omit "
                "conversation_id to start a new one"
            )
        return await self._store.get(conversation_id)

    async def list(self, limit: int) -> list[ConversationSummary]:
        await self._writes.settled()
        return await self._store.list(limit)

    async def delete(self, conversation_id: str) -> bool:
        await self._writes.settled()
        self._lost.pop(conversation_id, None)
        return await self._store.delete(conversation_id)

    async def aclose(self) -> None:
        await self._writes.settled()
        await self._store.aclose()
