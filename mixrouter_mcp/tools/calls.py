"""What every model-calling tool does around one upstream call: progress, timing and error mapping."""

from __future__ import annotations

import time

from mcp.server.mcpserver import Context

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
            completion = await state.client.complete(query, on_delta=watch.on_delta)
    except UpstreamError as error:
        raise tool_error(error, model=query.model, settings=state.settings) from error
    return completion, round((time.perf_counter() - started) * 1000)
