"""`MIXROUTER_MCP_STORE=none`: conversations switched off, so no prompt or answer is ever written anywhere."""

from __future__ import annotations

from .base import Conversation, ConversationNotFound, ConversationSummary, Turn

DISABLED = "conversations are switched off on this server (MIXROUTER_MCP_STORE=none)"


class DisabledStore:
    async def get(self, conversation_id: str) -> Conversation:
        raise ConversationNotFound(DISABLED)

    async def append(
        self, conversation_id: str, turns: list[Turn], *, new: bool, title: str, system: str | None, models: list[str]
    ) -> str:
        if not new:
            raise ConversationNotFound(DISABLED)
        return ""

    async def list(self, limit: int) -> list[ConversationSummary]:
        return []

    async def delete(self, conversation_id: str) -> bool:
        return False

    async def aclose(self) -> None:
        return None
