"""What every model-calling tool does around one upstream call: progress, timing and error mapping."""

from __future__ import annotations

import time
from dataclasses import dataclass

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError

from ...config import Settings
from ...state import AppState
from ...upstream import Api, Completion, Query, ThinkingRequest, UpstreamError
from . import threads
from .failures import tool_error
from .images import load_images
from .progress import ProgressReporter, StreamWatch, heartbeat, wants_progress


async def call_model(
    ctx: Context[AppState], query: Query, verb: str = "asking", reporter: ProgressReporter | None = None
) -> tuple[Completion, int]:
    """Run `query` under the call's deadline, reporting progress (on `reporter` when the tool has one already);
    return the completion and its latency in ms, or raise a `ToolError`."""
    state = ctx.request_context.lifespan_context
    reporter = reporter or ProgressReporter(ctx)
    watch = StreamWatch(query.model)
    await reporter.send(f"{verb} {query.model}")
    started = time.perf_counter()
    try:
        async with heartbeat(reporter, watch.status, state.settings.progress_interval_s):
            completion = await state.client.complete(query, on_delta=watch.on_delta, deadline_s=deadline_for(ctx))
    except UpstreamError as error:
        raise tool_error(error, model=query.model, settings=state.settings) from error
    return completion, round((time.perf_counter() - started) * 1000)


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
class Answered:
    """One answered call inside a conversation."""

    completion: Completion
    latency_ms: int
    conversation_id: str | None
    notes: list[str]  # history trimmed, parameters adapted, exchange not saved


async def converse(
    ctx: Context[AppState],
    *,
    tool: str,
    prompt: str,
    images: list[str] | None,
    model: str,
    system: str | None,
    max_tokens: int | None,
    conversation_id: str | None,
    api: Api,
    temperature: float | None = None,
    top_p: float | None = None,
    thinking: ThinkingRequest | None = None,
    verb: str = "asking",
) -> Answered:
    """Continue (or start) a conversation with one model: history in, the call, the exchange recorded."""
    state = ctx.request_context.lifespan_context
    check_prompt_size(prompt, system, state.settings)
    conversation = await threads.load(state, conversation_id)
    thread = threads.fit(conversation, prompt, await load_images(images, state.settings), model, system, max_tokens)
    query = Query(
        model=model,
        messages=thread.messages,
        system=thread.system,
        max_tokens=max_tokens,
        stream=state.settings.stream,
        api=api,
        temperature=temperature,
        top_p=top_p,
        thinking=thinking,
    )
    completion, latency_ms = await call_model(ctx, query, verb)
    served = completion.model or model
    saved_id, saved_notes = await threads.record(
        state,
        conversation_id,
        tool=tool,
        prompt=prompt,
        answer=completion.text,
        answered_by=served,
        system=system,
        models=[served],
    )
    return Answered(completion, latency_ms, saved_id, [*thread.notes, *completion.notes, *saved_notes])
