"""`video`: start a video, wait for it with progress, come back later with its task id, save the MP4.

A video takes minutes, longer than most clients wait for one call: each call waits at most `wait_s`, then returns
the task id and status so the caller can come back with `video(task_id=...)` (the start-and-poll pattern).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Literal

import anyio
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import AfterValidator, BaseModel, Field, StrictInt

from ..costs import UNKNOWN, Cost
from ..schemas import CostSourceName
from ..state import AppState
from ..upstream import UpstreamError, VideoRequest, VideoStatus, VideoSubmission, VideoTask, is_task_id
from ..vocabulary import VIDEO_FAILED
from .support.calls import check_prompt_size, deadline_for
from .support.failures import failure_text, tool_error
from .support.images import load_images
from .support.inputs import TASK_PATTERN, ModelName, NoBool, Prompt
from .support.output import cost_text, tool_result
from .support.progress import ProgressReporter, wants_progress
from .support.saving import inside, save
from .support.spending import budgeted, hold, video_estimate

PROGRESS_WAIT_S = 240.0  # with a progress token clients keep waiting; Claude Desktop stops at 4 minutes anyway
TaskId = Annotated[
    str | None,
    Field(min_length=1, max_length=128, pattern=TASK_PATTERN),
]
WaitS = Annotated[float | None, Field(ge=0, le=600, description="Most seconds to wait here."), NoBool]
VideoPrompt = Prompt | None  # the same check as every prompt: not empty, not only whitespace


def _seed_range(value: int | None) -> int | None:
    if value is not None and not -1 <= value <= 2**32 - 1:
        raise ValueError("Input should be from -1 (random) to 4294967295")
    return value


# Checked, not published: a bound on a random seed tells a calling model nothing it can use.
VideoSeed = Annotated[StrictInt | None, AfterValidator(_seed_range)]


class VideoResult(BaseModel):
    """Where a video task stands."""

    task_id: str
    status: VideoStatus
    done: bool = Field(description="True once the task has ended (succeeded, failed, cancelled or expired).")
    progress: int | None = Field(description="Percent, when mixrouter reports it.")
    video_url: str | None = Field(description="The video, once succeeded (a signed URL that expires: download it).")
    error: str | None = Field(description="mixrouter's failure reason, word for word.")
    model: str | None = None
    waited_s: float = Field(description="How long this call waited.")
    next_step: str = Field(description="What to do now.")
    path: str | None = Field(default=None, description="The saved MP4, with save=true once succeeded.")
    bytes: int | None = None
    notes: list[str] = Field(default=[], description="What the gateway may not have honoured.")
    # What this call cost: the submit's per-call price; checking a task is free.
    cost_usd: float | None = None
    cost_source: CostSourceName = "unknown"


def _next_step(task: VideoTask, saved: bool) -> str:
    if task.status == "succeeded":
        if saved:
            return "Saved."
        return f'Save it with video(task_id="{task.task_id}", save=true) before the URL expires.'
    if task.done:
        return "The task ended without a video; change the prompt or options and start another."
    return f'Still {task.status}: call video(task_id="{task.task_id}") to keep waiting.'


async def _poll(state: AppState, task_id: str) -> VideoTask:
    if not is_task_id(task_id):
        raise ToolError(f"'{task_id[:40]}' is not a video task id: use the task_id a video call returned")
    try:
        return await state.client.poll_video(task_id)
    except UpstreamError as error:
        if (error.code and "not_exist" in error.code) or error.status == 404:
            raise ToolError(f"no video task '{task_id}' at mixrouter (HTTP {error.status}: {error.message})") from error
        raise tool_error(error, model=None, settings=state.settings) from error


async def _wait(ctx: Context[AppState], task_id: str, wait_s: float | None) -> tuple[VideoTask, float]:
    """Poll with growing intervals until the task ends or `wait_s` passes; report progress meanwhile."""
    state = ctx.request_context.lifespan_context
    budget = wait_s if wait_s is not None else (PROGRESS_WAIT_S if wants_progress(ctx) else state.settings.video_wait_s)
    reporter = ProgressReporter(ctx)
    started = time.monotonic()
    interval = state.settings.video_poll_s
    while True:
        task = await _poll(state, task_id)
        waited = time.monotonic() - started
        percent = f" {task.progress}%" if task.progress is not None else ""
        await reporter.send(f"video {task_id}: {task.status}{percent} · {waited:.0f} s")
        if task.done or waited + interval > budget:
            return task, waited
        await anyio.sleep(interval)
        interval = min(interval * 1.5, state.settings.video_poll_s * 3)


def _result(
    task: VideoTask,
    waited: float,
    cost: Cost,
    unpriced: str,
    saved: tuple[Path, int] | None = None,
    notes: tuple[str, ...] = (),
) -> CallToolResult:
    """The result of a video call; `unpriced` says why, when its cost is unknown."""
    result = VideoResult(
        task_id=task.task_id,
        status=task.status,
        done=task.done,
        progress=task.progress,
        video_url=task.video_url,
        error=task.error,
        model=task.model,
        waited_s=round(waited, 1),
        next_step=_next_step(task, saved is not None),
        path=str(saved[0]) if saved else None,
        bytes=saved[1] if saved else None,
        notes=list(notes),
        cost_usd=cost.usd,
        cost_source=cost.source,
    )
    lines = [
        f"Video task {task.task_id}: {task.status}" + (f" ({task.progress}%)" if task.progress is not None else "")
    ]
    if task.video_url:
        lines.append(f"Video: {task.video_url}")
    if saved:
        lines.append(f"Saved {saved[1]:,} bytes to {saved[0]}")
    if task.error:
        lines.append(f"Reason given by mixrouter: {task.error}")
    lines += [f"Note: {note}" for note in notes]
    if cost.usd is None:
        lines.append(f"Cost: unknown ({unpriced})")
    elif cost.usd:
        lines.append(f"Cost: {cost_text(cost.usd, cost.source)}")
    lines.append(result.next_step)
    return tool_result("\n".join(lines), result, is_error=task.status in VIDEO_FAILED)


async def video(
    ctx: Context[AppState],
    prompt: VideoPrompt = None,
    task_id: TaskId = None,
    model: ModelName | None = None,
    image: Annotated[str | None, Field(description="First frame: URL or allowed local file.")] = None,
    duration: Annotated[StrictInt | None, Field(ge=1, le=30, description="Seconds.")] = None,
    ratio: Literal["16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "adaptive"] | None = None,
    resolution: Literal["480p", "720p", "1080p"] | None = None,
    seed: VideoSeed = None,
    watermark: bool | None = None,
    wait_s: WaitS = None,
    save: Annotated[bool, Field(description="Once succeeded, save the MP4.")] = False,
    directory: Annotated[str | None, Field(description="Default: the first allowed dir.")] = None,
) -> Annotated[CallToolResult, VideoResult]:
    """Make a video (Doubao Seedance): `prompt` starts a task, `task_id` checks one; not ready by wait_s, call again."""
    state = ctx.request_context.lifespan_context
    if (prompt is None) == (task_id is None):
        raise ToolError("give a prompt to start a video, or the task_id of one to check (not both)")
    if prompt is not None:
        options = VideoRequest(
            model=model or state.settings.default_video_model,
            prompt=prompt,
            duration=duration,
            ratio=ratio,
            resolution=resolution,
            seed=seed,
            watermark=watermark,
        )
        submission, cost = await _submit(state, options, image)
        task_id = submission.task_id
    else:
        submission, cost = VideoSubmission(task_id or ""), Cost.nothing()
    assert task_id is not None
    try:
        task, waited = await _wait(ctx, task_id, wait_s)
        saved = await _download(ctx, task.task_id, task.video_url or "", directory) if _to_save(task, save) else None
    except ToolError as error:
        if prompt is None:
            raise
        # The task exists and is billed: never let the caller lose its id and pay for another.
        raise ToolError(
            f"{error} The video task {task_id} was started (and is billed): check it with "
            f'video(task_id="{task_id}") rather than starting another.'
        ) from error
    return _result(task, waited, cost, state.prices.why_unpriced(), saved, submission.notes_for(task))


def _to_save(task: VideoTask, save: bool) -> bool:
    return save and task.status == "succeeded" and bool(task.video_url)


async def _submit(state: AppState, options: VideoRequest, image: str | None) -> tuple[VideoSubmission, Cost]:
    """Start the task: `options` with the first frame `image` (a URL or an allowed file) loaded; its id and price.
    Under the daily cap the price is held first, as for every model call."""
    check_prompt_size(options.prompt, None, state.settings)
    first_frame = (await load_images([image], state.settings))[0] if image else None
    request = replace(options, image=first_frame)
    # The price is read before the submit only when a cap needs it, after it otherwise (as for model calls).
    before = [await video_estimate(state, request.model)] if budgeted(state, None) else []
    held = await hold(state, [], None, extra=before)
    try:
        submission = await state.client.submit_video(request)
    except UpstreamError as error:
        await held.settle([Cost.nothing()])
        raise ToolError(await failure_text(state, error, request.model)) from error
    priced = before[0] if before else await video_estimate(state, request.model)
    cost = UNKNOWN if priced.usd is None else Cost(priced.usd, "computed")
    await held.settle([cost])
    return submission, cost


async def _download(ctx: Context[AppState], task_id: str, url: str, directory: str | None) -> tuple[Path, int]:
    """The task's MP4 saved in an allowed directory: only a URL mixrouter gave for this task, never with the key."""
    state = ctx.request_context.lifespan_context
    allowed = state.settings.allowed_dirs()
    target_dir = await anyio.to_thread.run_sync(inside, Path(directory) if directory else allowed[0], allowed)
    head = bytearray()

    async def fill(write: Callable[[bytes], Awaitable[object]]) -> None:
        async def sink(chunk: bytes) -> None:
            if len(head) < 12:
                head.extend(chunk[: 12 - len(head)])
            await write(chunk)

        try:
            await state.client.download(url, sink, state.settings.max_video_bytes, deadline_s=deadline_for(ctx))
        except UpstreamError as error:
            raise tool_error(error, model=None, settings=state.settings) from error
        if head[4:8] != b"ftyp":
            raise ToolError(f"what {url} served is not an MP4 video; nothing was saved")

    path = await save(target_dir, task_id, ".mp4", allowed, fill)
    return path, (await anyio.Path(path).stat()).st_size
