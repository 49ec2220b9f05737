"""A model-calling tool's body run as a job: the request waits for it up to its deadline (or not at all, with
`background`), and a call still going then is handed back as a job id with its text so far."""

from __future__ import annotations

from collections.abc import Callable

import anyio
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult

from ...jobs import Job, Work
from ...state import AppState
from .calls import deadline_for

RunningResult = Callable[[Job, str], CallToolResult]


def next_step(job_id: str) -> str:
    return (
        f'Still running as job {job_id}: call get_job(job_id="{job_id}", wait_s=30) for the rest (again until '
        f'its state is done); cancel_job(job_id="{job_id}") stops it.'
    )


async def run_as_job(
    ctx: Context[AppState], tool: str, model: str, work: Work, running: RunningResult, background: bool
) -> CallToolResult:
    """`work`'s result when it ends within the call's deadline; else `running(job, note)`, the tool's own result
    shape holding the text so far, while the call goes on. A caller that goes away before that cancels it."""
    state = ctx.request_context.lifespan_context
    waits = deadline_for(ctx)
    job = state.jobs.start(tool, model, work, None if background else waits)
    if not background:
        try:
            with anyio.move_on_after(waits):
                await _wait_beating(job, state.settings.progress_interval_s)
        except anyio.get_cancelled_exc_class():
            job.cancel()  # the caller has gone: close the upstream stream, as without jobs
            raise
    if job.finished.is_set():
        return _ended(job)
    await state.jobs.detach(job)
    started = "started in the background" if background else "past this call's deadline, it goes on in the background"
    return running(job, f"{started}. {next_step(job.id)}")


async def _wait_beating(job: Job, every_s: float) -> None:
    """Wait for `job` to end, sending its heartbeat every `every_s` seconds of the wait: the waiting task does it,
    so a call needs no timer task of its own."""
    while True:
        with anyio.move_on_after(every_s):
            await job.finished.wait()
        if job.finished.is_set():
            return
        if job.beat is not None:
            await job.beat()


def _ended(job: Job) -> CallToolResult:
    if job.failure is not None:
        raise job.failure
    if job.outcome is None:
        raise ToolError("the call was stopped: the server is shutting down. Try again.")
    return job.outcome
