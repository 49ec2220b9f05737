"""`extended_thinking`: one effort knob for every family's reasoning mode, answer and reasoning kept apart."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field, StrictInt

from ..result_store import ResultStore
from ..schemas import ThinkingAnswer, ThinkingSwitch, TokenUsage
from ..state import AppState
from ..upstream import ThinkingRequest
from .support.calls import Answered, converse
from .support.inputs import (
    ApiChoice,
    ConversationId,
    Effort,
    FallbackModels,
    Images,
    MaxCost,
    MaxTokens,
    ModelId,
    Prompt,
    System,
)
from .support.output import cap_text, thinking_text, tool_result

_MIN_REASONING_TOKENS = 1_000


async def extended_thinking(
    prompt: Prompt,
    ctx: Context[AppState],
    model: ModelId = None,
    effort: Effort = "high",
    budget_tokens: Annotated[
        StrictInt | None, Field(ge=1024, le=128_000, description="Thinking tokens, where the model takes a budget.")
    ] = None,
    include_reasoning: bool = True,
    system: System = None,
    max_tokens: MaxTokens = None,
    images: Images = None,
    api: ApiChoice = "auto",
    conversation_id: ConversationId = None,
    max_cost_usd: MaxCost = None,
    fallback_models: FallbackModels = None,
) -> Annotated[CallToolResult, ThinkingAnswer]:
    """Have a model reason before answering: one effort knob mapped to each family's thinking switch.

    Returns the answer and the reasoning apart, and the switch applied."""
    state = ctx.request_context.lifespan_context
    chosen = model or state.settings.default_thinking_model
    exchange = await converse(
        ctx,
        tool="extended_thinking",
        prompt=prompt,
        images=images,
        model=chosen,
        system=system,
        max_tokens=max_tokens,
        conversation_id=conversation_id,
        verb="thinking with",
        api=api,
        thinking=ThinkingRequest(effort=effort, budget_tokens=budget_tokens),
        max_cost_usd=max_cost_usd,
        fallback_models=fallback_models,
    )
    result = _result(exchange, chosen, include_reasoning, state.settings.max_output_tokens, state.results)
    return tool_result(thinking_text(result), result)


def _result(exchange: Answered, chosen: str, include: bool, budget: int, results: ResultStore) -> ThinkingAnswer:
    completion = exchange.completion
    notes = list(exchange.notes)
    answer, answer_cut, answer_id = cap_text(completion.text, budget, results)
    reasoning, reasoning_cut, reasoning_id = cap_text(
        completion.reasoning, max(budget // 2, _MIN_REASONING_TOKENS), results
    )
    reasoning_tokens = completion.usage.reasoning_tokens
    if not reasoning_tokens and completion.reasoning:
        reasoning_tokens = max(1, len(completion.reasoning) // 4)
        notes.append("reasoning_tokens estimated from the reasoning text: the provider reported none")
    applied = completion.applied
    return ThinkingAnswer(
        answer=answer,
        reasoning=reasoning if include else None,
        reasoning_tokens=reasoning_tokens,
        thinking_supported=applied is not None,
        applied=ThinkingSwitch(wire=applied.wire, switch=applied.switch, value=applied.value) if applied else None,
        model=completion.model or exchange.model,
        requested_model=chosen,
        finish_reason=completion.finish_reason,
        usage=TokenUsage.of(completion),
        latency_ms=exchange.latency_ms,
        truncated=answer_cut or (include and reasoning_cut),
        result_id=answer_id,
        reasoning_result_id=reasoning_id if include else None,
        conversation_id=exchange.conversation_id,
        cost_usd=exchange.cost.usd,
        cost_source=exchange.cost.source,
        attempts=[str(a) for a in exchange.attempts],
        notes=notes,
    )
