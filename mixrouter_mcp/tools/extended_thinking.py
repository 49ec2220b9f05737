"""`extended_thinking`: one effort knob for every family's reasoning mode, answer and reasoning kept apart."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field, StrictInt

from ..jobs import Job
from ..result_store import ResultStore
from ..schemas import ThinkingAnswer, ThinkingSwitch, TokenUsage
from ..state import AppState
from ..upstream import ThinkingRequest
from .support.answer_file import output_path, preview, saved
from .support.background import run_as_job
from .support.calls import Answered, Plan, converse, plan_call
from .support.dry_run import preview_calls, preview_text
from .support.inputs import (
    ApiChoice,
    Background,
    ConversationId,
    DryRun,
    Effort,
    FallbackModels,
    Files,
    Images,
    MaxCost,
    MaxTokens,
    ModelId,
    OutputFile,
    Prompt,
    System,
    Temperature,
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
    temperature: Temperature = None,
    system: System = None,
    max_tokens: MaxTokens = None,
    images: Images = None,
    files: Files = None,
    api: ApiChoice = "auto",
    conversation_id: ConversationId = None,
    max_cost_usd: MaxCost = None,
    fallback_models: FallbackModels = None,
    output_file: OutputFile = None,
    dry_run: DryRun = False,
    background: Background = False,
) -> Annotated[CallToolResult, ThinkingAnswer]:
    """Have a model reason before answering: one effort knob for every family's thinking mode; the answer and the
    reasoning come back apart."""
    state = ctx.request_context.lifespan_context
    chosen = model or state.settings.default_thinking_model
    target = output_path(output_file, state.settings) if output_file else None
    plan = await plan_call(
        ctx,
        prompt=prompt,
        images=images,
        files=files,
        model=chosen,
        system=system,
        max_tokens=max_tokens,
        conversation_id=conversation_id,
        api=api,
        temperature=temperature,
        thinking=ThinkingRequest(effort=effort, budget_tokens=budget_tokens),
    )
    if dry_run:
        return await _dry_run(state, plan, max_cost_usd)

    async def work(job: Job) -> CallToolResult:
        exchange = await converse(
            ctx,
            plan,
            tool="extended_thinking",
            verb="thinking with",
            max_cost_usd=max_cost_usd,
            fallback_models=fallback_models,
            job=job,
        )
        return await _answered(state, exchange, chosen, include_reasoning, target)

    def running(job: Job, note: str) -> CallToolResult:
        return _running(state, job, plan, include_reasoning, note)

    return await run_as_job(ctx, "extended_thinking", chosen, work, running, background)


async def _answered(
    state: AppState, exchange: Answered, chosen: str, include_reasoning: bool, target: Path | None
) -> CallToolResult:
    completion = exchange.completion
    markdown = completion.text
    if include_reasoning and completion.reasoning:
        markdown += f"\n\n## Reasoning of {completion.model or exchange.model}\n\n{completion.reasoning}"
    path, link, note = await saved(target, markdown + "\n", state.settings, f"the answer of {exchange.model}")
    result = _result(
        exchange, chosen, include_reasoning and path is None, state.settings.max_output_tokens, state.results
    )
    if path is not None:
        result.answer, result.output_file = preview(markdown, path), str(path)
        result.truncated = False
        result.result_id = None
    if note:
        result.notes.append(note)
    return tool_result(thinking_text(result), result, extra=[link])


def _running(state: AppState, job: Job, plan: Plan, include_reasoning: bool, note: str) -> CallToolResult:
    budget = state.settings.max_output_tokens
    answer, answer_cut, answer_id = cap_text(job.text, budget, state.results)
    reasoning, _, _ = cap_text(job.reasoning, max(budget // 2, _MIN_REASONING_TOKENS), state.results)
    result = ThinkingAnswer(
        answer=answer,
        reasoning=reasoning if include_reasoning and reasoning else None,
        reasoning_tokens=0,
        thinking_supported=True,
        applied=None,
        model=plan.query.model,
        requested_model=plan.query.model,
        finish_reason="running",
        usage=TokenUsage(input_tokens=0, output_tokens=0, reasoning_tokens=0, cached_tokens=0, total_tokens=0),
        latency_ms=round((time.time() - job.record.created_at) * 1000),
        truncated=answer_cut,
        result_id=answer_id,
        notes=[*plan.notes, note],
        files=plan.manifest,
        job_id=job.id,
    )
    return tool_result(thinking_text(result), result)


async def _dry_run(state: AppState, plan: Plan, max_cost_usd: float | None) -> CallToolResult:
    figures = await preview_calls(state, [plan.query], max_cost_usd)
    result = ThinkingAnswer(
        answer="",
        reasoning=None,
        reasoning_tokens=0,
        thinking_supported=False,
        applied=None,
        model=plan.query.model,
        requested_model=plan.query.model,
        finish_reason="dry_run",
        usage=TokenUsage(
            input_tokens=figures.input_tokens,
            output_tokens=0,
            reasoning_tokens=0,
            cached_tokens=0,
            total_tokens=figures.input_tokens,
        ),
        latency_ms=0,
        cost_usd=figures.cost_usd,
        cost_source="estimate",
        notes=[*plan.notes, *figures.notes],
        files=plan.manifest,
    )
    return tool_result(preview_text([plan.query.model], plan.manifest, figures, result.notes), result)


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
        files=exchange.manifest,
    )
