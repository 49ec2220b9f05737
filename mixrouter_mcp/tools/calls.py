"""What every model-calling tool does around one upstream call: progress, timing and error mapping."""

from __future__ import annotations

import time

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError

from ..config import Settings
from ..state import AppState
from ..upstream import Completion, Query, UpstreamError
from .errors import tool_error
from .progress import ProgressReporter, StreamWatch, heartbeat


async def call_model(ctx: Context[AppState], query: Query, verb: str = "asking") -> tuple[Completion, int]:
    """Run `query`, reporting progress; return the completion and its latency in ms, or raise a `ToolError`."""
    state = ctx.request_context.lifespan_context
    reporter = ProgressReporter(ctx)
    watch = StreamWatch(query.model)
    await reporter.send(f"{verb} {query.model}")
    started = time.perf_counter()
    try:
        async with heartbeat(reporter, watch.status, state.settings.progress_interval_s):
            completion = await state.client.complete(query, on_delta=watch.on_delta, deadline_s=deadline_for(ctx))
    except UpstreamError as error:
        raise tool_error(error, model=query.model, settings=state.settings) from error
    return completion, round((time.perf_counter() - started) * 1000)


def wants_progress(ctx: Context[AppState]) -> bool:
    """Whether the caller sent a progressToken (so it can reset its own timeout on our heartbeats)."""
    meta = ctx.request_context.meta
    return bool(meta) and (meta.get("progress_token") is not None or meta.get("progressToken") is not None)  # type: ignore[union-attr]


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
