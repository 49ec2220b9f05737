"""Conversations as the tools use them: earlier turns sent as history, fitted to the model's context, and each
new exchange recorded. A store failure after an answer never loses the answer: it becomes a note."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from mcp.server.mcpserver.exceptions import ToolError

from ...state import AppState
from ...store import Conversation, ConversationError, StoreUnavailable, Turn, WriteUnconfirmed, new_conversation_id
from ...tokens import estimate_tokens
from ...upstream import Image, Message
from ...upstream.routing import context_window

logger = logging.getLogger(__name__)
ANSWER_RESERVE_TOKENS = 8192  # room left for the answer when the call sets no max_tokens
_PER_MESSAGE_TOKENS = 4


@dataclass
class Thread:
    """What one call sends: history plus the new prompt, the system prompt in force, and notes."""

    messages: tuple[Message, ...]
    system: str | None
    notes: list[str] = field(default_factory=list)


async def load(state: AppState, conversation_id: str | None) -> Conversation | None:
    """The conversation to continue, or a `ToolError` saying why it cannot be."""
    if not conversation_id:
        return None
    try:
        return await state.store.get(conversation_id)
    except StoreUnavailable as error:
        raise ToolError(str(error)) from error
    except ConversationError as error:
        raise ToolError(f"{error}. Call conversations() for the ids kept, or omit conversation_id.") from error


def _exchanges(turns: Sequence[Turn]) -> list[tuple[Turn, ...]]:
    """Turns grouped as (user, assistant) exchanges, newest last; a lone leading turn is left out."""
    grouped: list[tuple[Turn, ...]] = []
    index = len(turns) - 1
    while index >= 1:
        if turns[index].role == "assistant" and turns[index - 1].role == "user":
            grouped.append((turns[index - 1], turns[index]))
            index -= 2
        else:
            index -= 1
    return grouped[::-1]


def fit(
    conversation: Conversation | None,
    prompt: str,
    images: tuple[Image, ...],
    model: str,
    system: str | None,
    room: int,
) -> Thread:
    """History that fits `model`'s context with the new prompt and `room` tokens for the answer, dropping the
    oldest exchanges first."""
    system = system or (conversation.system if conversation else None)
    exchanges = _exchanges(conversation.turns) if conversation else []
    budget = prompt_room(model, room, system, prompt) - estimate_tokens(prompt)
    kept: list[tuple[Turn, ...]] = []
    for exchange in reversed(exchanges):
        cost = sum(estimate_tokens(turn.content) + _PER_MESSAGE_TOKENS for turn in exchange)
        if cost > budget:
            break
        kept.insert(0, exchange)
        budget -= cost
    notes = []
    if len(kept) < len(exchanges):
        dropped = len(exchanges) - len(kept)
        notes.append(f"the {dropped} oldest exchange(s) of the conversation were left out to fit {model}'s context")
    history = [Message(turn.role, turn.content) for exchange in kept for turn in exchange]
    return Thread((*history, Message("user", prompt, images)), system, notes)


def prompt_room(model: str, room: int, system: str | None, prompt: str) -> int:
    """Tokens `model`'s context leaves for the prompt and history, after the answer's `room` and the system."""
    return context_window(model) - room - estimate_tokens(system or "") - _PER_MESSAGE_TOKENS * 2


def history_tokens(thread: Thread) -> int:
    """What the history of `thread` (every message but the new one) costs in context."""
    return sum(estimate_tokens(m.content) + _PER_MESSAGE_TOKENS for m in thread.messages[:-1])


def title_of(prompt: str) -> str:
    first = prompt.strip().splitlines()[0] if prompt.strip() else ""
    return first if len(first) <= 80 else first[:79] + "…"


async def record(
    state: AppState,
    conversation_id: str | None,
    *,
    tool: str,
    prompt: str,
    answer: str,
    answered_by: str,
    system: str | None,
    models: list[str],
    title: str | None = None,
) -> tuple[str | None, list[str]]:
    """Append the exchange (`prompt` as sent, files included; `title` from the caller's own words); (conversation
    id, notes). A failing store is a note, not a lost answer."""
    now = time.time()
    title = title_of(title or prompt)
    limit = state.settings.conversation_max_turn_chars
    (prompt, prompt_cut), (answer, answer_cut) = _capped(prompt, limit), _capped(answer, limit)
    turns = [Turn("user", prompt, None, tool, now), Turn("assistant", answer, answered_by, tool, now)]
    cut = [
        f"the {name} was stored cut to {limit:,} characters (MIXROUTER_CONVERSATION_MAX_TURN_CHARS)"
        for name, was_cut in (("prompt", prompt_cut), ("answer", answer_cut))
        if was_cut
    ]
    kept_as = conversation_id or new_conversation_id()
    try:
        new_id = await state.store.append(
            kept_as, turns, new=conversation_id is None, title=title, system=system, models=models
        )
    except WriteUnconfirmed as error:
        note = f"{error}: continue with this conversation_id; if it is not found, start a new conversation"
        return error.conversation_id, [*cut, note]
    except StoreUnavailable as error:
        return conversation_id, [*cut, f"the exchange could not be saved to the conversation: {error}"]
    except ConversationError as error:
        return conversation_id, [*cut, f"the exchange was not saved: {error}"]
    return new_id or None, cut


def _capped(text: str, limit: int) -> tuple[str, bool]:
    """`text` as stored: at most `limit` characters, then a marker saying how long it was."""
    if len(text) <= limit:
        return text, False
    return f"{text[:limit]}\n\n[cut by mixrouter-mcp: {len(text):,} characters in all, {limit:,} stored]", True
