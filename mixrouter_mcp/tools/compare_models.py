"""`compare_models`: one prompt, many models at once, side by side; optionally judged."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Annotated

import anyio
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, ResourceLink
from pydantic import Field

from ..config import Settings
from ..costs import UNKNOWN, Cost, Estimate, cost_of, dollars, total_of
from ..costs.meter import DEFAULT_OUTPUT_TOKENS
from ..jobs import Job
from ..schemas import Comparison, FileManifest, ModelAnswer, TokenUsage, Verdict
from ..state import AppState
from ..store import Conversation
from ..upstream import Completion, Delta, Message, Query, ThinkingRequest, UpstreamError
from .support import threads
from .support.answer_file import output_path, preview, saved
from .support.attachments import Attached, attach
from .support.background import run_as_job
from .support.calls import CallFailed, answer_room, call_model, check_prompt_size
from .support.dry_run import preview_calls, preview_text
from .support.failures import failure_text
from .support.fallbacks import chain_of
from .support.inputs import (
    Background,
    ConversationId,
    DryRun,
    Effort,
    Files,
    MaxCost,
    MaxTokens,
    ModelName,
    NoBool,
    OutputFile,
    Prompt,
    System,
    Temperature,
)
from .support.judge import assign_labels, judge_prompt, parse_verdict
from .support.output import cap_text, comparison_text, tool_result
from .support.progress import ProgressReporter, StreamWatch
from .support.spending import Hold, estimate_call, hold, output_ceiling


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
    max_cost_usd: MaxCost = None,
    files: Files = None,
    output_file: OutputFile = None,
    dry_run: DryRun = False,
    background: Background = False,
) -> Annotated[CallToolResult, Comparison]:
    """Ask several models the same prompt in parallel, answers side by side; one failing never fails the rest.

    `judge_model` ranks the anonymised answers and writes the best one."""
    state = ctx.request_context.lifespan_context
    check_prompt_size(prompt, system, state.settings)
    panel = _panel(models, state.settings)
    target = output_path(output_file, state.settings) if output_file else None
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
    attached, fitted = await _fit_panel(state, base, panel, files, prompt, conversation)
    queries = [replace(base, model=m, messages=t.messages, system=t.system) for m, t in fitted.items()]
    judging = [await _judge_estimate(state, prompt, queries, judge_model)] if judge_model else []
    fit_notes = [*dict.fromkeys(n for t in fitted.values() for n in t.notes), *attached.notes]
    if dry_run:
        return await _dry_run(state, queries, max_cost_usd, judging, attached.manifest, fit_notes)
    held = await hold(state, queries, max_cost_usd, judging)  # refused here, before any model is asked
    shared = _Shared(attached, fit_notes, target)

    async def work(job: Job) -> CallToolResult:
        return await _compare(ctx, prompt, system, conversation_id, queries, timeout_s, judge_model, held, shared, job)

    def running(job: Job, note: str) -> CallToolResult:
        return _running(job, note, shared, len(queries))

    return await run_as_job(ctx, "compare_models", ", ".join(panel), work, running, background)


@dataclass
class _Shared:
    """What the request prepared and the panel's job reports: files, fit notes, output file, answers so far."""

    attached: Attached
    notes: list[str]
    target: Path | None
    answers: list[ModelAnswer] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)


async def _compare(
    ctx: Context[AppState],
    prompt: str,
    system: str | None,
    conversation_id: str | None,
    queries: list[Query],
    timeout_s: float | None,
    judge_model: str | None,
    held: Hold,
    shared: _Shared,
    job: Job,
) -> CallToolResult:
    state = ctx.request_context.lifespan_context
    panel = [query.model for query in queries]
    reporter = ProgressReporter(ctx)
    job.on_detach.append(reporter.mute)
    await reporter.send(f"asking {len(panel)} models at once: {', '.join(panel)}")
    capped = shared.target is None
    results, costs = await _run_panel(ctx, queries, timeout_s, reporter, capped, job, shared.answers)
    verdict = await _judge(ctx, prompt, results, judge_model, reporter, costs, job) if judge_model else None
    await held.settle(costs)
    total = total_of(costs)
    attached = shared.attached
    saved_id, notes = await _record(ctx, conversation_id, attached.message, prompt, system, results, verdict)
    if total.usd is None:
        notes.append(_unknown_cost_note(panel, costs, judge_model, state.prices.why_unpriced()))
    comparison = Comparison(
        results=results,
        succeeded=sum(r.ok for r in results),
        failed=sum(not r.ok for r in results),
        wall_ms=_ms(shared.started),
        judge=verdict,
        conversation_id=saved_id,
        cost_usd=total.usd,
        cost_source=total.source,
        notes=[*shared.notes, *notes],
        files=attached.manifest,
    )
    link = None
    if shared.target is not None:
        link = await _save(comparison, shared.target, state)
    return tool_result(comparison_text(comparison), comparison, is_error=comparison.succeeded == 0, extra=[link])


def _running(job: Job, note: str, shared: _Shared, members: int) -> CallToolResult:
    """The members that have answered so far; the rest go on in the job."""
    answers = list(shared.answers)
    comparison = Comparison(
        results=answers,
        succeeded=sum(r.ok for r in answers),
        failed=sum(not r.ok for r in answers),
        wall_ms=_ms(shared.started),
        notes=[*shared.notes, f"{len(answers)} of {members} models have answered so far", note],
        files=shared.attached.manifest,
        job_id=job.id,
    )
    return tool_result(comparison_text(comparison), comparison)


async def _fit_panel(
    state: AppState,
    base: Query,
    panel: list[str],
    files: list[str] | None,
    prompt: str,
    conversation: Conversation | None,
) -> tuple[Attached, dict[str, threads.Thread]]:
    """Every member gets the same files: those that fit the member with the least room; then each member's history
    is fitted to its own context."""
    rooms = {model: answer_room(state, replace(base, model=model)) for model in panel}
    system = base.system or (conversation.system if conversation else None)
    narrowest = min(panel, key=lambda m: threads.prompt_room(m, rooms[m], system, prompt))
    attached = await attach(state.settings, files, prompt, conversation, narrowest, base.system, rooms[narrowest])
    if attached.manifest is not None and len(panel) > 1:
        attached.notes.append(f"files fitted to {narrowest}, the member with the least context left")
    fitted = {m: threads.fit(conversation, attached.message, (), m, base.system, rooms[m]) for m in panel}
    return attached, fitted


async def _dry_run(
    state: AppState,
    queries: list[Query],
    max_cost_usd: float | None,
    judging: list[Estimate],
    manifest: FileManifest | None,
    notes: list[str],
) -> CallToolResult:
    figures = await preview_calls(state, queries, max_cost_usd, judging)
    comparison = Comparison(
        results=[],
        succeeded=0,
        failed=0,
        wall_ms=0,
        cost_usd=figures.cost_usd,
        cost_source="estimate",
        notes=[*notes, *figures.notes],
        files=manifest,
    )
    return tool_result(preview_text([q.model for q in queries], manifest, figures, comparison.notes), comparison)


async def _save(comparison: Comparison, target: Path, state: AppState) -> ResourceLink | None:
    """Write the whole comparison to `target`; the result then keeps each answer's first lines only."""
    path, link, note = await saved(target, comparison_text(comparison) + "\n", state.settings, "the comparison")
    if path is None:
        comparison.notes.append(note or "output_file was not written")
        for result in comparison.results:
            result.text, result.truncated, result.result_id = cap_text(
                result.text, _member_budget(state, len(comparison.results)), state.results
            )
        return None
    comparison.output_file = str(path)
    comparison.notes += [note] if note else []
    for result in comparison.results:
        result.text = preview(result.text, path) if result.text else ""
        result.reasoning = None
    if comparison.judge is not None and comparison.judge.best_answer:
        comparison.judge.best_answer = preview(comparison.judge.best_answer, path)
    return link


async def _record(
    ctx: Context[AppState],
    conversation_id: str | None,
    message: str,
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
        prompt=message,
        answer="\n\n".join(sections),
        answered_by="panel: " + ", ".join(models),
        system=system,
        models=models,
        title=prompt,
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


def _member_budget(state: AppState, members: int) -> int:
    return max(state.settings.max_output_tokens // members, 500)


async def _run_panel(
    ctx: Context[AppState],
    queries: list[Query],
    timeout_s: float | None,
    reporter: ProgressReporter,
    capped: bool,
    job: Job,
    answered: list[ModelAnswer],
) -> tuple[list[ModelAnswer], list[Cost]]:
    """Every model at once, under one task group: cancelling the job cancels every upstream request. Unless
    `capped` is False (the answers go to a file), each answer is cut to its share of the output cap. Each answer
    joins `answered` as it comes, and the job's text so far shows them and what the others are doing."""
    state = ctx.request_context.lifespan_context
    panel = [query.model for query in queries]
    watches = [StreamWatch(model) for model in panel]
    results: list[ModelAnswer | None] = [None] * len(panel)
    costs: list[Cost] = [Cost.nothing()] * len(panel)
    budget = _member_budget(state, len(panel)) if capped else 10**12
    prices = await state.prices.current()

    async def on_delta(index: int, delta: Delta) -> None:
        await watches[index].on_delta(delta)
        job.version += 1  # the flusher writes the panel's progress when something moved

    def so_far() -> str:
        done = "\n\n".join(f"[{r.model}]\n{r.text if r.ok else r.error}" for r in answered)
        pending = "; ".join(watches[i].status() for i, r in enumerate(results) if r is None)
        return f"{done}\n\n[still running: {pending}]" if pending else done

    job.live_text = so_far

    async def one(index: int) -> None:
        started = time.perf_counter()
        try:
            completion = await state.client.complete(
                queries[index], on_delta=partial(on_delta, index), deadline_s=timeout_s or job.deadline_s
            )
        except UpstreamError as error:
            message = await failure_text(state, error, panel[index])
            costs[index] = UNKNOWN if error.partial_text else Cost.nothing()
            results[index] = ModelAnswer(
                model=panel[index],
                ok=False,
                error=message,
                latency_ms=_ms(started),
                cost_usd=costs[index].usd,
                cost_source=costs[index].source,
            )
        else:
            costs[index] = cost_of(panel[index], completion.usage, prices)
            results[index] = _member(panel[index], completion, budget, _ms(started), costs[index], state)
        answered.append(results[index])  # type: ignore[arg-type]
        job.version += 1
        done = sum(r is not None for r in results)
        status = "ok" if results[index].ok else "failed"  # type: ignore[union-attr]
        await reporter.send(f"{done}/{len(panel)} done: {panel[index]} {status} in {_ms(started) / 1000:.1f} s")

    def waiting() -> str:
        pending = [watches[i].status() for i, r in enumerate(results) if r is None]
        return f"{len(panel) - len(pending)}/{len(panel)} done; " + "; ".join(pending)

    job.beat = lambda: reporter.send(waiting())  # sent by the waiting caller (run_as_job)
    async with anyio.create_task_group() as group:
        for index in range(len(panel)):
            group.start_soon(one, index)
    return [r for r in results if r is not None], costs


def _member(
    model: str, completion: Completion, budget: int, latency_ms: int, cost: Cost, state: AppState
) -> ModelAnswer:
    text, cut, result_id = cap_text(completion.text, budget, state.results)
    reasoning = cap_text(completion.reasoning, budget // 2, state.results)[0] if completion.reasoning else None
    return ModelAnswer(
        model=model,
        ok=True,
        text=text,
        reasoning=reasoning,
        served_model=completion.model,
        finish_reason=completion.finish_reason,
        usage=TokenUsage.of(completion),
        latency_ms=latency_ms,
        truncated=cut,
        result_id=result_id,
        cost_usd=cost.usd,
        cost_source=cost.source,
        notes=list(completion.notes),
    )


def _unknown_cost_note(panel: list[str], costs: list[Cost], judge: str | None, why: str) -> str:
    named = [*panel, *([judge] if judge else [])]
    unknown = [model for model, cost in zip(named, costs, strict=False) if cost.usd is None]
    known = sum(c.usd or 0.0 for c in costs)
    return f"cost unknown for {', '.join(unknown)} ({why}); the rest came to {dollars(known)}"


async def _judge_estimate(state: AppState, question: str, queries: list[Query], judge_model: str) -> Estimate:
    """The judge reads the question and every answer: the panel's output ceilings are its extra input."""
    answers = sum(output_ceiling(state, q) or DEFAULT_OUTPUT_TOKENS for q in queries)
    shown = min(answers, state.settings.max_output_tokens)  # answers reach the judge cut to the output cap
    query = Query(model=judge_model, messages=(Message("user", question),), stream=state.settings.stream)
    return await estimate_call(state, query, extra_input=shown)


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


async def _judge(
    ctx: Context[AppState],
    question: str,
    results: list[ModelAnswer],
    judge_model: str,
    reporter: ProgressReporter,
    costs: list[Cost],
    job: Job,
) -> Verdict:
    """Rank the anonymised answers (on the judge's configured fallbacks if it is down); its cost joins `costs`."""
    state = ctx.request_context.lifespan_context
    labelled = assign_labels(results)
    if not labelled:
        return Verdict(judge_model=judge_model, ok=False, error="no model answered, so there is nothing to judge")
    messages = (Message("user", judge_prompt(question, labelled)),)
    query = Query(model=judge_model, messages=messages, stream=state.settings.stream)
    chain = chain_of(judge_model, None, state.settings)
    try:
        verb = f"judging {len(labelled)} anonymised answers with"
        called = await call_model(ctx, query, verb, reporter, chain, job=job)
    except CallFailed as error:
        costs.append(error.cost)
        labels = {label: answer.model for label, answer in labelled.items()}
        return Verdict(judge_model=judge_model, ok=False, labels=labels, error=str(error))
    costs.append(called.cost)
    return parse_verdict(called.model, called.completion.text, labelled)
