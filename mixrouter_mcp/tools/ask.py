"""`ask_model`: one model, one answer."""

from __future__ import annotations

import time
from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, TextContent

from ..schemas import Answer, TokenUsage
from ..state import AppState
from ..upstream import Message, Query, UpstreamError
from .errors import tool_error
from .inputs import MaxTokens, ModelId, Prompt, System, Temperature, TopP
from .output import answer_text, cap_text
from .progress import CallProgress


async def ask_model(
    prompt: Prompt,
    ctx: Context[AppState],
    model: ModelId = None,
    system: System = None,
    temperature: Temperature = None,
    top_p: TopP = None,
    max_tokens: MaxTokens = None,
) -> Annotated[CallToolResult, Answer]:
    """Ask one model behind mixrouter (GPT, Claude, Gemini, DeepSeek, Qwen, Doubao, ...) and return its answer.

    The result names the model that actually answered, token usage and latency. Use it for a second opinion or
    to hand off a sub-task."""
    state = ctx.request_context.lifespan_context
    chosen = model or state.settings.default_model
    query = Query(
        model=chosen,
        messages=(Message("user", prompt),),
        system=system,
        temperature=temperature,
        top_p=top_p,
        max_tokens=max_tokens,
        stream=state.settings.stream,
    )
    progress = CallProgress(ctx, chosen)
    await progress.note(f"asking {chosen}")
    started = time.perf_counter()
    try:
        completion = await state.client.complete(query, on_delta=progress.on_delta)
    except UpstreamError as error:
        raise tool_error(error, model=chosen, settings=state.settings) from error
    text, truncated = cap_text(completion.text, state.settings.max_output_chars)
    answer = Answer(
        text=text,
        model=completion.model or chosen,
        requested_model=chosen,
        finish_reason=completion.finish_reason,
        usage=TokenUsage.of(completion),
        latency_ms=round((time.perf_counter() - started) * 1000),
        truncated=truncated,
    )
    return CallToolResult(
        content=[TextContent(type="text", text=answer_text(answer))],
        structured_content=answer.model_dump(mode="json"),
    )
