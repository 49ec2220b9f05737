"""`ask_model`: one model, one answer."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult

from ..schemas import Answer, TokenUsage
from ..state import AppState
from .support.calls import converse
from .support.inputs import (
    ApiChoice,
    ConversationId,
    FallbackModels,
    Images,
    MaxCost,
    MaxTokens,
    ModelId,
    Prompt,
    System,
    Temperature,
    TopP,
)
from .support.output import answer_text, cap_text, tool_result


async def ask_model(
    prompt: Prompt,
    ctx: Context[AppState],
    model: ModelId = None,
    system: System = None,
    temperature: Temperature = None,
    top_p: TopP = None,
    max_tokens: MaxTokens = None,
    images: Images = None,
    api: ApiChoice = "auto",
    conversation_id: ConversationId = None,
    max_cost_usd: MaxCost = None,
    fallback_models: FallbackModels = None,
) -> Annotated[CallToolResult, Answer]:
    """Ask one model (GPT, Claude, Gemini, DeepSeek, Qwen, Doubao, ...) for a second opinion or a sub-task.

    Returns the answer, who served it, usage and cost; continue by conversation_id with any model."""
    state = ctx.request_context.lifespan_context
    chosen = model or state.settings.default_model
    exchange = await converse(
        ctx,
        tool="ask_model",
        prompt=prompt,
        images=images,
        model=chosen,
        system=system,
        max_tokens=max_tokens,
        conversation_id=conversation_id,
        temperature=temperature,
        top_p=top_p,
        api=api,
        max_cost_usd=max_cost_usd,
        fallback_models=fallback_models,
    )
    completion = exchange.completion
    text, truncated, result_id = cap_text(completion.text, state.settings.max_output_tokens, state.results)
    answer = Answer(
        text=text,
        model=completion.model or exchange.model,
        requested_model=chosen,
        finish_reason=completion.finish_reason,
        usage=TokenUsage.of(completion),
        latency_ms=exchange.latency_ms,
        truncated=truncated,
        result_id=result_id,
        conversation_id=exchange.conversation_id,
        wire=completion.wire,
        cost_usd=exchange.cost.usd,
        cost_source=exchange.cost.source,
        attempts=[str(a) for a in exchange.attempts],
        notes=exchange.notes,
    )
    return tool_result(answer_text(answer), answer)
