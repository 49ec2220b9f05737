"""`list_models`: what mixrouter serves to this key."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from ..schemas import ModelEntry, ModelList
from ..state import AppState
from ..upstream import UpstreamError
from .support.failures import tool_error
from .support.output import tool_result


async def list_models(
    ctx: Context[AppState],
    contains: Annotated[
        str | None,
        Field(max_length=100, description="Substring, e.g. 'claude'."),
    ] = None,
) -> Annotated[CallToolResult, ModelList]:
    """The model ids mixrouter serves to this key, optionally filtered."""
    state = ctx.request_context.lifespan_context
    try:
        served = await state.client.list_models()
    except UpstreamError as error:
        raise tool_error(error, model=None, settings=state.settings) from error
    needle = (contains or "").strip().lower()
    entries = [ModelEntry.of(m) for m in served if needle in m.id.lower()]
    result = ModelList(models=entries, count=len(entries), total=len(served))
    if entries:
        lines = [f"- {e.id} ({e.owner})" for e in entries]
        text = f"{len(entries)} of {len(served)} models" + (f" matching '{contains}'" if needle else "") + ":\n"
        text += "\n".join(lines)
    else:
        text = f"No model id contains '{contains}'. {len(served)} models are served; call list_models without a filter."
    policy = state.settings.model_policy()
    if policy.active:
        text += f"\n(Only the models this server's policy allows are listed: {policy.describe()}.)"
    return tool_result(text, result)
