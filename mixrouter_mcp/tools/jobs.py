"""`get_job` and `cancel_job`: calls that outlived their request (see jobs/runner.py), read or stopped from any
worker that shares the store."""

from __future__ import annotations

import time
from collections.abc import Awaitable
from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult

from ..jobs import JobNotFound, JobRecord, JobsUnavailable
from ..schemas import JobView
from ..state import AppState
from .support.background import next_step
from .support.inputs import JobId, WaitS
from .support.output import cap_text, tool_result

_ENDED_NOTES = {
    "cancelled": "cancelled: the upstream stream was closed; the text so far is kept",
    "interrupted": "interrupted: the server running it stopped; the text so far is kept. Ask again to redo it.",
}


async def get_job(job_id: JobId, ctx: Context[AppState], wait_s: WaitS = 0) -> Annotated[CallToolResult, JobView]:
    """A job's state, its text so far, or once done the whole result."""
    state = ctx.request_context.lifespan_context
    record = await _guarded(state.jobs.wait(job_id.strip(), wait_s), job_id)
    return _result(state, record)


async def cancel_job(job_id: JobId, ctx: Context[AppState]) -> Annotated[CallToolResult, JobView]:
    """Stop a running job now; returns what get_job does."""
    state = ctx.request_context.lifespan_context
    record = await _guarded(state.jobs.cancel(job_id.strip()), job_id)
    return _result(state, record)


async def _guarded(pending: Awaitable[JobRecord], job_id: str) -> JobRecord:
    try:
        record = await pending
    except JobNotFound as missing:
        raise ToolError(
            f"no job '{job_id}' here: it never started, or expired (MIXROUTER_JOB_TTL_S), or was evicted "
            "(MIXROUTER_MAX_JOBS). Jobs are shared only by servers with the same MIXROUTER_MCP_STORE."
        ) from missing
    except JobsUnavailable as error:
        raise ToolError(f"{error}. Try again shortly.") from error
    return record


def _result(state: AppState, record: JobRecord) -> CallToolResult:
    elapsed = round((record.updated_at if record.ended else time.time()) - record.created_at, 1)
    view = JobView(
        job_id=record.id,
        state=record.state,
        tool=record.tool,
        model=record.model,
        text="",
        elapsed_s=elapsed,
        notes=list(record.notes),
    )
    head = f"Job {record.id} ({record.tool}, {record.model}): {record.state} after {elapsed:g} s."
    if record.state == "done" and record.display is not None:
        view.text, view.result = record.display, record.result
        return tool_result(record.display, view)
    if record.state == "failed":
        view.text, view.result = record.error or record.display or "", record.result
        return tool_result(f"{head}\n{view.text}", view, is_error=True)
    budget = state.settings.max_output_tokens
    view.text, _, _ = cap_text(record.text, budget, state.results)
    if record.reasoning:
        view.reasoning, _, _ = cap_text(record.reasoning, max(budget // 2, 500), state.results)
    view.notes.append(_ENDED_NOTES.get(record.state) or next_step(record.id))
    body = f"\n\n{view.text}" if view.text else "\n\n(no answer text yet)"
    return tool_result(f"{head}{body}\n\n[{view.notes[-1]}]", view)
