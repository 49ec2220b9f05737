"""`list_conversations`, `get_conversation`, `delete_conversation`, and the `mixrouter://conversations/{id}`
resource: the threads kept by the store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.types import CallToolResult, TextContent
from pydantic import Field

from ..schemas import ConversationItem, ConversationList, ConversationView, Deleted, TurnView
from ..state import AppState
from ..store import Conversation, ConversationError, ConversationNotFound

ConversationRef = Annotated[
    str, Field(pattern=r"^conv_[A-Za-z0-9_-]{8,64}$", description="A conversation_id returned by a model call.")
]


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def view(conversation: Conversation) -> ConversationView:
    turns = [
        TurnView(role=t.role, content=t.content, model=t.model, tool=t.tool, at=_iso(t.at)) for t in conversation.turns
    ]
    return ConversationView(
        id=conversation.id,
        title=conversation.title,
        system=conversation.system,
        models=conversation.models,
        turns=turns,
        created_at=_iso(conversation.created_at),
        updated_at=_iso(conversation.updated_at),
    )


async def list_conversations(
    ctx: Context[AppState],
    limit: Annotated[int, Field(ge=1, le=200, description="How many, most recent first.")] = 20,
) -> Annotated[CallToolResult, ConversationList]:
    """List the conversations kept (id, title, models, turns, last update), most recent first."""
    state = ctx.request_context.lifespan_context
    try:
        summaries = await state.store.list(limit)
    except Exception as error:
        raise ToolError(f"the conversation store is unavailable ({type(error).__name__}); try again later") from error
    items = [
        ConversationItem(id=s.id, title=s.title, models=s.models, turns=s.turns, updated_at=_iso(s.updated_at))
        for s in summaries
    ]
    result = ConversationList(conversations=items, count=len(items))
    lines = [f"- {i.id} · {i.title!r} · {', '.join(i.models)} · {i.turns} turns · {i.updated_at}" for i in items]
    text = "\n".join(lines) if lines else "No conversations yet: every model call starts one and returns its id."
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=result.model_dump(mode="json")
    )


async def get_conversation(
    conversation_id: ConversationRef, ctx: Context[AppState]
) -> Annotated[CallToolResult, ConversationView]:
    """Read a whole conversation: every turn, which model answered it and when."""
    state = ctx.request_context.lifespan_context
    try:
        conversation = await state.store.get(conversation_id)
    except ConversationError as error:
        raise ToolError(f"{error}. Call list_conversations for the ids kept.") from error
    result = view(conversation)
    lines = [f"# {result.title}"] + [
        f"\n[{t.role}{' · ' + t.model if t.model else ''} · {t.at}]\n{t.content}" for t in result.turns
    ]
    return CallToolResult(
        content=[TextContent(type="text", text="\n".join(lines))], structured_content=result.model_dump(mode="json")
    )


async def delete_conversation(
    conversation_id: ConversationRef, ctx: Context[AppState]
) -> Annotated[CallToolResult, Deleted]:
    """Delete a conversation and all its turns."""
    state = ctx.request_context.lifespan_context
    deleted = await state.store.delete(conversation_id)
    result = Deleted(conversation_id=conversation_id, deleted=deleted)
    text = f"Deleted {conversation_id}." if deleted else f"No conversation {conversation_id}: nothing deleted."
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=result.model_dump(mode="json")
    )


async def conversation_resource(conversation_id: str, ctx: Context[AppState]) -> str:
    """A conversation as JSON."""
    state = ctx.request_context.lifespan_context
    try:
        conversation = await state.store.get(conversation_id)
    except ConversationNotFound as error:
        raise ResourceNotFoundError(str(error)) from error
    return json.dumps(view(conversation).model_dump(mode="json"), ensure_ascii=False)
