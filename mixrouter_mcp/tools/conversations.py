"""`conversations` (list them, or read one a page at a time), `delete_conversation`, and the
`mixrouter://conversations/{id}` resource: the threads kept by the store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp.types import CallToolResult
from pydantic import Field, StrictInt

from ..schemas import ConversationItem, Conversations, ConversationView, Deleted, TurnView
from ..state import AppState
from ..store import Conversation, ConversationError, ConversationNotFound, StoreUnavailable
from ..tokens import cut_index, estimate_tokens
from .support.inputs import CONVERSATION_PATTERN
from .support.output import tool_result

ConversationRef = Annotated[str, Field(pattern=CONVERSATION_PATTERN, description="A conversation_id.")]


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def view(conversation: Conversation, from_turn: int = 0, max_tokens: int | None = None) -> ConversationView:
    """The conversation with the turns from `from_turn` that fit `max_tokens` (estimated; all when None). A first
    turn larger than the page is shown cut, with a marker."""
    turns: list[TurnView] = []
    budget = max_tokens
    for turn in conversation.turns[from_turn:]:
        content = turn.content
        if budget is not None:
            cost = estimate_tokens(content)
            if cost > budget and turns:
                break
            if cost > budget:
                cut = cut_index(content, budget) or len(content)
                content = f"{content[:cut]}\n\n[turn cut for display: {len(turn.content):,} characters in all]"
            budget -= cost
        turns.append(TurnView(role=turn.role, content=content, model=turn.model, tool=turn.tool, at=_iso(turn.at)))
    end = from_turn + len(turns)
    return ConversationView(
        id=conversation.id,
        title=conversation.title,
        system=conversation.system,
        models=conversation.models,
        turns=turns,
        created_at=_iso(conversation.created_at),
        updated_at=_iso(conversation.updated_at),
        total_turns=len(conversation.turns),
        next_turn=end if end < len(conversation.turns) else None,
    )


async def _read(ctx: Context[AppState], conversation_id: str) -> Conversation:
    try:
        return await ctx.request_context.lifespan_context.store.get(conversation_id)
    except StoreUnavailable as error:
        raise ToolError(str(error)) from error
    except ConversationError as error:
        raise ToolError(f"{error}. Call conversations() for the ids kept.") from error


async def conversations(
    ctx: Context[AppState],
    conversation_id: Annotated[ConversationRef | None, Field(description="Read this one.")] = None,
    from_turn: Annotated[StrictInt, Field(ge=0, description="next_turn of a page.")] = 0,
    limit: Annotated[StrictInt, Field(ge=1, le=200)] = 20,
) -> Annotated[CallToolResult, Conversations]:
    """The conversations kept, newest first; with an id, a page of its turns (who answered, when)."""
    if conversation_id is None:
        return await _listing(ctx, limit)
    return await _reading(ctx, conversation_id, from_turn)


async def _listing(ctx: Context[AppState], limit: int) -> CallToolResult:
    try:
        summaries = await ctx.request_context.lifespan_context.store.list(limit)
    except ConversationError as error:
        raise ToolError(str(error)) from error
    items = [
        ConversationItem(id=s.id, title=s.title, models=s.models, turns=s.turns, updated_at=_iso(s.updated_at))
        for s in summaries
    ]
    lines = [f"- {i.id} · {i.title!r} · {', '.join(i.models)} · {i.turns} turns · {i.updated_at}" for i in items]
    text = "\n".join(lines) if lines else "No conversations yet: every model call starts one and returns its id."
    return tool_result(text, Conversations(conversations=items, count=len(items)), only_set=True)


async def _reading(ctx: Context[AppState], conversation_id: str, from_turn: int) -> CallToolResult:
    conversation = await _read(ctx, conversation_id)
    result = view(conversation, from_turn, ctx.request_context.lifespan_context.settings.max_output_tokens)
    lines = [f"# {result.title}"] + [
        f"\n[{t.role}{' · ' + t.model if t.model else ''} · {t.at}]\n{t.content}" for t in result.turns
    ]
    if result.next_turn is not None:
        shown = f"turns {from_turn}-{result.next_turn - 1} of {result.total_turns}"
        lines.append(f'\n[{shown}: conversations(conversation_id="{conversation_id}", from_turn={result.next_turn})]')
    return tool_result("\n".join(lines), Conversations(**dict(result)), only_set=True)


async def delete_conversation(
    conversation_id: ConversationRef, ctx: Context[AppState]
) -> Annotated[CallToolResult, Deleted]:
    """Delete a conversation and all its turns."""
    try:
        deleted = await ctx.request_context.lifespan_context.store.delete(conversation_id)
    except ConversationError as error:
        raise ToolError(str(error)) from error
    text = f"Deleted {conversation_id}." if deleted else f"No conversation {conversation_id}: nothing deleted."
    return tool_result(text, Deleted(conversation_id=conversation_id, deleted=deleted))


async def conversation_resource(conversation_id: str, ctx: Context[AppState]) -> str:
    """A conversation as JSON."""
    try:
        conversation = await ctx.request_context.lifespan_context.store.get(conversation_id)
    except ConversationNotFound as error:
        raise ResourceNotFoundError(str(error)) from error
    except ConversationError as error:
        raise ResourceError(str(error)) from error
    return json.dumps(view(conversation).model_dump(mode="json"), ensure_ascii=False)
