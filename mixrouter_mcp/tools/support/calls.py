"""What every model-calling tool does around one upstream call: progress, timing and error mapping."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import anyio
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError

from ...config import Settings
from ...costs import UNKNOWN, Cost, cost_of
from ...jobs import Job
from ...schemas import FileManifest
from ...state import AppState
from ...upstream import Api, Completion, Delta, Query, ThinkingRequest, UpstreamError
from ...upstream.errors import DeadlineExceeded
from . import threads
from .attachments import attach
from .failures import failure_text
from .fallbacks import Attempt, chain_of, fallback_note, falls_over, outcome_of
from .images import load_images
from .progress import ProgressReporter, StreamWatch, wants_progress
from .spending import affordable_chain, hold, output_ceiling


class CallFailed(ToolError):
    """A model call that failed (after any fallbacks), with what it cost: nothing, unless output had streamed."""

    def __init__(self, message: str, cost: Cost) -> None:
        super().__init__(message)
        self.cost = cost


@dataclass(frozen=True)
class Called:
    """An answered call: the completion, its wall time (every attempt), the model id that answered, the attempts
    (when fallbacks were in play) and the cost."""

    completion: Completion
    latency_ms: int
    model: str
    attempts: list[Attempt]
    cost: Cost


_LEAST_ATTEMPT_S = 1.0  # a fallback with less time than this left is not worth starting


async def call_model(
    ctx: Context[AppState],
    query: Query,
    verb: str = "asking",
    reporter: ProgressReporter | None = None,
    chain: list[str] | None = None,
    *,
    job: Job,
) -> Called:
    """Run `query` under the `job`'s deadline, reporting progress (on `reporter` when the tool has one already),
    on each model of `chain` in turn while a failure allows it; raise `CallFailed` when none answers. The streamed
    text is kept in the job as it arrives."""
    state = ctx.request_context.lifespan_context
    reporter = reporter or ProgressReporter(ctx)
    job.on_detach.append(reporter.mute)
    models = chain or [query.model]
    started = time.perf_counter()
    deadline = job.deadline_s
    # What the caller waits: fallback windows and retry waits must fit in it, even when a job may run longer.
    patience_ends = anyio.current_time() + job.patience_s
    ends = anyio.current_time() + deadline
    attempts: list[Attempt] = []
    for index, model in enumerate(models):
        attempt = query if index == 0 else replace(query, model=model, api="auto")
        left = len(models) - index
        remaining = deadline if index == 0 else ends - anyio.current_time()
        tried = time.perf_counter()
        try:
            # With models still to try, this one gets its share of the time to show its first output.
            patience = max(patience_ends - anyio.current_time(), 0.0)
            window = patience / left if left > 1 else None
            completion = await _attempt(ctx, attempt, verb, reporter, (remaining, patience), window, job)
        except UpstreamError as error:
            attempts.append(Attempt(model, outcome_of(error), _ms(tried)))
            if left > 1 and falls_over(error) and ends - anyio.current_time() > _LEAST_ATTEMPT_S:
                await reporter.send(f"{model} failed ({attempts[-1].outcome}); trying {models[index + 1]}")
                continue
            raise await _failure(state, error, model, attempts) from error
        attempts.append(Attempt(model, "ok", _ms(tried)))
        cost = cost_of(model, completion.usage, await state.prices.current())
        return Called(completion, _ms(started), model, attempts if len(models) > 1 else [], cost)
    raise AssertionError("unreachable: the last model either answers or raises")


async def _attempt(
    ctx: Context[AppState],
    query: Query,
    verb: str,
    reporter: ProgressReporter,
    budget_s: tuple[float, float],
    window: float | None,
    job: Job,
) -> Completion:
    """One model, under the call's remaining deadline, retries only within the caller's patience (`budget_s`);
    with a `window`, abandoned if no output starts in it."""
    deadline_s, patience_s = budget_s
    state = ctx.request_context.lifespan_context
    watch = StreamWatch(query.model)
    job.restart()
    await reporter.send(f"{verb} {query.model}")
    with anyio.CancelScope(deadline=anyio.current_time() + window if window else math.inf) as first_output:

        async def on_delta(delta: Delta) -> None:
            if first_output.deadline != math.inf:
                first_output.deadline = math.inf  # output has started: only the call's deadline applies now
            job.feed(delta)
            await watch.on_delta(delta)

        job.beat = lambda: reporter.send(watch.status())  # its waiting caller sends it (run_as_job)
        return await state.client.complete(query, on_delta=on_delta, deadline_s=deadline_s, retry_within_s=patience_s)
    raise DeadlineExceeded(f"no output within {window or 0:.1f} s, its share of the deadline")


async def _failure(state: AppState, error: UpstreamError, model: str, attempts: list[Attempt]) -> CallFailed:
    message = await failure_text(state, error, model)
    if len(attempts) > 1:
        message += "\nTried in order: " + "; ".join(str(a) for a in attempts)
    return CallFailed(message, UNKNOWN if error.partial_text else Cost.nothing())


def unknown_cost_note(state: AppState, called: Called) -> str | None:
    """Why a call's cost is unknown, when it is."""
    if called.cost.usd is not None:
        return None
    return f"cost unknown: {state.prices.why_unpriced(called.model)}"


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def deadline_for(ctx: Context[AppState]) -> float:
    """The per-call deadline: short by default, longer when the client follows progress."""
    settings = ctx.request_context.lifespan_context.settings
    return settings.progress_deadline_s if wants_progress(ctx) else settings.call_deadline_s


def check_prompt_size(prompt: str, system: str | None, settings: Settings) -> None:
    size = len(prompt) + len(system or "")
    if size > settings.max_prompt_chars:
        raise ToolError(
            f"the prompt is {size:,} characters; the limit is {settings.max_prompt_chars:,} "
            "(MIXROUTER_MAX_PROMPT_CHARS). Shorten it or send the relevant part only."
        )


@dataclass(frozen=True)
class Plan:
    """A call ready to send: the query (history and files in), the conversation it continues, the user message as
    it will be stored, and what the files came to."""

    query: Query
    prompt: str  # the caller's own words, for the conversation's title
    conversation_id: str | None
    message: str
    manifest: FileManifest | None
    notes: list[str]


def answer_room(state: AppState, query: Query) -> int:
    """Context kept free for the answer: max_tokens, or what a thinking call may spend, or a default reserve."""
    return max(query.max_tokens or threads.ANSWER_RESERVE_TOKENS, output_ceiling(state, query) or 0)


async def plan_call(
    ctx: Context[AppState],
    *,
    prompt: str,
    images: list[str] | None,
    files: list[str] | None,
    model: str,
    system: str | None,
    max_tokens: int | None,
    conversation_id: str | None,
    api: Api,
    temperature: float | None = None,
    top_p: float | None = None,
    thinking: ThinkingRequest | None = None,
) -> Plan:
    """Check the inputs, load the conversation, images and files, and fit them all into `model`'s context."""
    state = ctx.request_context.lifespan_context
    check_prompt_size(prompt, system, state.settings)
    conversation = await threads.load(state, conversation_id)
    loaded = await load_images(images, state.settings)
    bare = Query(
        model=model,
        messages=(),
        system=system,
        max_tokens=max_tokens,
        stream=state.settings.stream,
        api=api,
        temperature=temperature,
        top_p=top_p,
        thinking=thinking,
    )
    room = answer_room(state, bare)
    attached = await attach(state.settings, files, prompt, conversation, model, system, room, loaded)
    query = replace(bare, messages=attached.thread.messages, system=attached.thread.system)
    notes = [*attached.thread.notes, *attached.notes]
    return Plan(query, prompt, conversation_id, attached.message, attached.manifest, notes)


@dataclass(frozen=True)
class Answered:
    """One answered call inside a conversation."""

    completion: Completion
    latency_ms: int
    conversation_id: str | None
    notes: list[str]  # history trimmed, parameters adapted, exchange not saved, fallback used
    model: str  # the model id that answered (a fallback may differ from the one asked)
    attempts: list[Attempt]
    cost: Cost
    manifest: FileManifest | None


async def converse(
    ctx: Context[AppState],
    plan: Plan,
    *,
    tool: str,
    verb: str = "asking",
    max_cost_usd: float | None = None,
    fallback_models: list[str] | None = None,
    job: Job,
) -> Answered:
    """Make the planned call (on its fallbacks, within its budget) and record the exchange in its conversation."""
    state = ctx.request_context.lifespan_context
    query = plan.query
    chain = chain_of(query.model, fallback_models, state.settings)
    chain, costliest, chain_notes = await affordable_chain(state, query, chain, max_cost_usd)
    held = await hold(state, [costliest], max_cost_usd)
    try:
        called = await call_model(ctx, query, verb, chain=chain, job=job)
    except CallFailed as failure:
        await held.settle([failure.cost])
        if chain_notes:
            raise CallFailed("\n".join([str(failure), *chain_notes]), failure.cost) from failure
        raise
    completion = called.completion
    served = completion.model or called.model
    saved_id, saved_notes = await threads.record(
        state,
        plan.conversation_id,
        tool=tool,
        prompt=plan.message,
        answer=completion.text,
        answered_by=served,
        system=query.system,
        models=[served],
        title=plan.prompt,
    )
    await held.settle([called.cost])  # after the conversation's write: both go to one file, one writer at a time
    extra = [note for note in (fallback_note(called.attempts), unknown_cost_note(state, called)) if note]
    notes = [*plan.notes, *chain_notes, *completion.notes, *extra, *saved_notes]
    return Answered(
        completion, called.latency_ms, saved_id, notes, called.model, called.attempts, called.cost, plan.manifest
    )
