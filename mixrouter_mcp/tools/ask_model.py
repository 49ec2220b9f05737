"""`ask_model`: one model, one answer."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult

from ..jobs import Job
from ..schemas import Answer, TokenUsage
from ..state import AppState
from .support.answer_file import output_path, preview, saved
from .support.background import run_as_job
from .support.calls import Answered, Plan, converse, plan_call
from .support.dry_run import preview_calls, preview_text
from .support.inputs import (
    ApiChoice,
    Background,
    ConversationId,
    DryRun,
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
    TopP,
)
from .support.output import answer_text, cap_text, footer, tool_result


async def ask_model(
    prompt: Prompt,
    ctx: Context[AppState],
    model: ModelId = None,
    system: System = None,
    temperature: Temperature = None,
    top_p: TopP = None,
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
) -> Annotated[CallToolResult, Answer]:
    """Ask one model (GPT, Claude, Gemini, DeepSeek, Qwen, Doubao, ...) for a second opinion or a sub-task, on
    files too; continue by conversation_id with any model."""
    state = ctx.request_context.lifespan_context
    chosen = model or state.settings.default_model
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
        temperature=temperature,
        top_p=top_p,
        api=api,
    )
    if dry_run:
        return await _dry_run(state, plan, max_cost_usd)

    async def work(job: Job) -> CallToolResult:
        exchange = await converse(
            ctx, plan, tool="ask_model", max_cost_usd=max_cost_usd, fallback_models=fallback_models, job=job
        )
        return await _answered(state, exchange, chosen, target)

    def running(job: Job, note: str) -> CallToolResult:
        return _running(state, job, plan, note)

    return await run_as_job(ctx, "ask_model", chosen, work, running, background)


async def _answered(state: AppState, exchange: Answered, chosen: str, target: Path | None) -> CallToolResult:
    completion = exchange.completion
    answer = Answer(
        text=completion.text,
        model=completion.model or exchange.model,
        requested_model=chosen,
        finish_reason=completion.finish_reason,
        usage=TokenUsage.of(completion),
        latency_ms=exchange.latency_ms,
        conversation_id=exchange.conversation_id,
        wire=completion.wire,
        cost_usd=exchange.cost.usd,
        cost_source=exchange.cost.source,
        attempts=[str(a) for a in exchange.attempts],
        notes=exchange.notes,
        files=exchange.manifest,
    )
    whole = f"{completion.text}\n\n{_footer(answer)}\n"
    path, link, note = await saved(target, whole, state.settings, f"the answer of {answer.model}")
    if path is not None:
        answer.text, answer.output_file = preview(completion.text, path), str(path)
    else:
        answer.text, answer.truncated, answer.result_id = cap_text(
            completion.text, state.settings.max_output_tokens, state.results
        )
    answer.notes += [note] if note else []
    return tool_result(answer_text(answer), answer, extra=[link])


def _running(state: AppState, job: Job, plan: Plan, note: str) -> CallToolResult:
    text, truncated, result_id = cap_text(job.text, state.settings.max_output_tokens, state.results)
    answer = Answer(
        text=text,
        model=plan.query.model,
        requested_model=plan.query.model,
        finish_reason="running",
        usage=TokenUsage(input_tokens=0, output_tokens=0, reasoning_tokens=0, cached_tokens=0, total_tokens=0),
        latency_ms=round((time.time() - job.record.created_at) * 1000),
        truncated=truncated,
        result_id=result_id,
        notes=[*plan.notes, note],
        files=plan.manifest,
        job_id=job.id,
    )
    return tool_result(f"{text}\n\n[{note}]" if text else f"[{note}]", answer)


def _footer(answer: Answer) -> str:
    return footer(answer.model, answer.requested_model, answer.usage, answer.latency_ms, answer.finish_reason)


async def _dry_run(state: AppState, plan: Plan, max_cost_usd: float | None) -> CallToolResult:
    figures = await preview_calls(state, [plan.query], max_cost_usd)
    answer = Answer(
        text="",
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
    return tool_result(preview_text([plan.query.model], plan.manifest, figures, answer.notes), answer)
