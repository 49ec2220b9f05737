"""`compare_models`: one prompt, many models at once, side by side; optionally judged."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Annotated

import anyio
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import Field

from ..config import Settings
from ..schemas import Comparison, ModelAnswer, TokenUsage, Verdict
from ..state import AppState
from ..upstream import Message, Query, ThinkingRequest, UpstreamError
from .support import threads
from .support.calls import call_model, check_prompt_size, deadline_for
from .support.failures import error_text
from .support.inputs import ConversationId, Effort, MaxTokens, ModelName, NoBool, Prompt, System, Temperature
from .support.judge import assign_labels, judge_prompt, parse_verdict
from .support.output import cap_text, comparison_text, tool_result
from .support.progress import ProgressReporter, StreamWatch, heartbeat


async def compare_models(
    prompt: Prompt,
    models: Annotated[
        list[ModelName],
        Field(min_length=1, max_length=64),
    ],
    ctx: Context[AppState],
    system: System = None,
    temperature: Temperature = None,
    max_tokens: MaxTokens = None,
    effort: Effort | None = None,
    timeout_s: Annotated[float | None, Field(gt=0, le=600, description="Seconds per model."), NoBool] = None,
    judge_model: Annotated[ModelName | None, Field(description="Ranks the answers.")] = None,
    conversation_id: ConversationId = None,
) -> Annotated[CallToolResult, Comparison]:
    """Ask several models the same prompt in parallel, answers side by side; one failing never fails the rest.

    `judge_model` ranks the anonymised answers and writes the best one."""
    state = ctx.request_context.lifespan_context
    check_prompt_size(prompt, system, state.settings)
    panel = _panel(models, state.settings)
    conversation = await threads.load(state, conversation_id)
    base = Query(
        model=panel[0],
        messages=(),
        system=system,
        temperature=temperature,
        max_tokens=max_tokens,
        stream=state.settings.stream,
        thinking=ThinkingRequest(effort=effort) if effort else None,
    )
    started = time.perf_counter()
    reporter = ProgressReporter(ctx)
    await reporter.send(f"asking {len(panel)} models at once: {', '.join(panel)}")
    fitted = {model: threads.fit(conversation, prompt, (), model, system, max_tokens) for model in panel}
    results = await _run_panel(ctx, base, fitted, timeout_s, reporter)
    verdict = await _judge(ctx, prompt, results, judge_model, reporter) if judge_model else None
    saved_id, notes = await _record(ctx, conversation_id, prompt, system, results, verdict)
    comparison = Comparison(
        results=results,
        succeeded=sum(r.ok for r in results),
        failed=sum(not r.ok for r in results),
        wall_ms=round((time.perf_counter() - started) * 1000),
        judge=verdict,
        conversation_id=saved_id,
        notes=[*dict.fromkeys(n for t in fitted.values() for n in t.notes), *notes],
    )
    return tool_result(comparison_text(comparison), comparison, is_error=comparison.succeeded == 0)


async def _record(
    ctx: Context[AppState],
    conversation_id: str | None,
    prompt: str,
    system: str | None,
    results: list[ModelAnswer],
    verdict: Verdict | None,
) -> tuple[str | None, list[str]]:
    """The panel goes into the thread as one exchange: every answer, labelled, then the judge's synthesis."""
    answered = [r for r in results if r.ok]
    if not answered:
        return conversation_id, []
    sections = [f"[{r.served_model or r.model}]\n{r.text}" for r in answered]
    if verdict is not None and verdict.ok and verdict.best_answer:
        sections.append(f"[judge {verdict.judge_model}: best answer]\n{verdict.best_answer}")
    models = [r.served_model or r.model for r in answered]
    return await threads.record(
        ctx.request_context.lifespan_context,
        conversation_id,
        tool="compare_models",
        prompt=prompt,
        answer="\n\n".join(sections),
        answered_by="panel: " + ", ".join(models),
        system=system,
        models=models,
    )


def _panel(models: list[str], settings: Settings) -> list[str]:
    panel = list(dict.fromkeys(m.strip() for m in models))
    if len(panel) < 2:
        raise ToolError(f"compare_models needs at least 2 different models; got {panel}. Use ask_model for one.")
    if len(panel) > settings.max_compare_models:
        raise ToolError(
            f"compare_models takes at most {settings.max_compare_models} models (MIXROUTER_MAX_COMPARE_MODELS); "
            f"got {len(panel)}"
        )
    return panel


async def _run_panel(
    ctx: Context[AppState],
    base: Query,
    fitted: dict[str, threads.Thread],
    timeout_s: float | None,
    reporter: ProgressReporter,
) -> list[ModelAnswer]:
    """Every model at once, under one task group: cancelling the call cancels every upstream request."""
    state = ctx.request_context.lifespan_context
    panel = list(fitted)
    watches = [StreamWatch(model) for model in panel]
    results: list[ModelAnswer | None] = [None] * len(panel)
    budget = max(state.settings.max_output_tokens // len(panel), 500)

    async def one(index: int) -> None:
        thread = fitted[panel[index]]
        query = replace(base, model=panel[index], messages=thread.messages, system=thread.system)
        started = time.perf_counter()
        try:
            deadline = timeout_s or deadline_for(ctx)
            completion = await state.client.complete(query, on_delta=watches[index].on_delta, deadline_s=deadline)
        except UpstreamError as error:
            message = error_text(error, model=panel[index], settings=state.settings)
            results[index] = ModelAnswer(model=panel[index], ok=False, error=message, latency_ms=_ms(started))
        else:
            text, cut, result_id = cap_text(completion.text, budget, state.results)
            reasoning = cap_text(completion.reasoning, budget // 2, state.results)[0] if completion.reasoning else None
            results[index] = ModelAnswer(
                model=panel[index],
                ok=True,
                text=text,
                reasoning=reasoning,
                served_model=completion.model,
                finish_reason=completion.finish_reason,
                usage=TokenUsage.of(completion),
                latency_ms=_ms(started),
                truncated=cut,
                result_id=result_id,
                notes=list(completion.notes),
            )
        done = sum(r is not None for r in results)
        status = "ok" if results[index].ok else "failed"  # type: ignore[union-attr]
        await reporter.send(f"{done}/{len(panel)} done: {panel[index]} {status} in {_ms(started) / 1000:.1f} s")

    def waiting() -> str:
        pending = [watches[i].status() for i, r in enumerate(results) if r is None]
        return f"{len(panel) - len(pending)}/{len(panel)} done; " + "; ".join(pending)

    async with heartbeat(reporter, waiting, state.settings.progress_interval_s), anyio.create_task_group() as group:
        for index in range(len(panel)):
            group.start_soon(one, index)
    return [r for r in results if r is not None]


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


async def _judge(
    ctx: Context[AppState], question: str, results: list[ModelAnswer], judge_model: str, reporter: ProgressReporter
) -> Verdict:
    state = ctx.request_context.lifespan_context
    labelled = assign_labels(results)
    if not labelled:
        return Verdict(judge_model=judge_model, ok=False, error="no model answered, so there is nothing to judge")
    messages = (Message("user", judge_prompt(question, labelled)),)
    query = Query(model=judge_model, messages=messages, stream=state.settings.stream)
    try:
        completion, _ = await call_model(ctx, query, f"judging {len(labelled)} anonymised answers with", reporter)
    except ToolError as error:
        labels = {label: answer.model for label, answer in labelled.items()}
        return Verdict(judge_model=judge_model, ok=False, labels=labels, error=str(error))
    return parse_verdict(judge_model, completion.text, labelled)
