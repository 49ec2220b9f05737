"""`generate_video`, `get_video_task`, `download_video`: start a video, wait with progress, come back later, save it.

A video takes minutes, longer than most clients wait for one call: each call waits at most `wait_s`, then returns
the task id and status so the caller can come back with `get_video_task` (the start-and-poll pattern).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Literal

import anyio
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, Field, StrictInt

from ..state import AppState
from ..upstream import UpstreamError
from ..upstream.protocols import videos
from .calls import check_prompt_size, deadline_for, wants_progress
from .errors import tool_error
from .images import load_images
from .inputs import ModelId, NoBool, Prompt
from .progress import ProgressReporter
from .saving import inside, save

PROGRESS_WAIT_S = 240.0  # with a progress token clients keep waiting; Claude Desktop stops at 4 minutes anyway
TaskId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$", description="The task id.")]
WaitS = Annotated[
    float | None,
    Field(ge=0, le=600, description="Seconds to wait for the result in this call; 0 returns at once."),
    NoBool,
]


class VideoResult(BaseModel):
    """Where a video task stands."""

    task_id: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled", "expired", "unknown"]
    done: bool = Field(description="True once the task has ended (succeeded, failed, cancelled or expired).")
    progress: int | None = Field(description="Percent, when mixrouter reports it.")
    video_url: str | None = Field(description="The video, once succeeded (a signed URL that expires: download it).")
    error: str | None = Field(description="mixrouter's failure reason, word for word.")
    model: str | None = None
    waited_s: float = Field(description="How long this call waited.")
    next_step: str = Field(description="What to do now.")


class SavedVideo(BaseModel):
    path: str = Field(description="Absolute path of the saved MP4.")
    bytes: int
    task_id: str | None
    video_url: str


def _next_step(task: videos.VideoTask) -> str:
    if task.status == "succeeded":
        return f'Save it with download_video(task_id="{task.task_id}") before the URL expires.'
    if task.done:
        return "The task ended without a video; change the prompt or options and call generate_video again."
    return f'Still {task.status}: call get_video_task(task_id="{task.task_id}", wait_s=...) to keep waiting.'


def _remember(state: AppState, url: str | None) -> None:
    """download_video fetches only URLs mixrouter gave us: never an arbitrary address a caller names (SSRF)."""
    if url:
        state.video_urls[url] = None
        while len(state.video_urls) > 1000:
            state.video_urls.pop(next(iter(state.video_urls)))


async def _poll(state: AppState, task_id: str) -> videos.VideoTask:
    if not videos.is_task_id(task_id):
        raise ToolError(f"'{task_id[:40]}' is not a video task id: use the task_id generate_video returned")
    request = videos.build_poll(task_id, state.settings.video_api)
    try:
        task = videos.parse_task(await state.client.call_json(request), task_id)
    except UpstreamError as error:
        if (error.code and "not_exist" in error.code) or error.status == 404:
            raise ToolError(f"no video task '{task_id}' at mixrouter (HTTP {error.status}: {error.message})") from error
        raise tool_error(error, model=None, settings=state.settings) from error
    _remember(state, task.video_url)
    return task


async def _wait(ctx: Context[AppState], task_id: str, wait_s: float | None) -> CallToolResult:
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
            return _result(task, waited)
        await anyio.sleep(interval)
        interval = min(interval * 1.5, state.settings.video_poll_s * 3)


def _result(task: videos.VideoTask, waited: float) -> CallToolResult:
    result = VideoResult(
        task_id=task.task_id,
        status=task.status,
        done=task.done,
        progress=task.progress,
        video_url=task.video_url,
        error=task.error,
        model=task.model,
        waited_s=round(waited, 1),
        next_step=_next_step(task),
    )
    lines = [
        f"Video task {task.task_id}: {task.status}" + (f" ({task.progress}%)" if task.progress is not None else "")
    ]
    if task.video_url:
        lines.append(f"Video: {task.video_url}")
    if task.error:
        lines.append(f"Reason given by mixrouter: {task.error}")
    lines.append(result.next_step)
    return CallToolResult(
        content=[TextContent(type="text", text="\n".join(lines))],
        structured_content=result.model_dump(mode="json"),
        is_error=task.status in ("failed", "cancelled", "expired"),
    )


async def generate_video(
    prompt: Prompt,
    ctx: Context[AppState],
    model: ModelId = None,
    image: Annotated[
        str | None, Field(description="First frame: an http(s) URL, a data URL, or a local file in the allowed dirs.")
    ] = None,
    duration: Annotated[
        StrictInt | None, Field(ge=1, le=30, description="Length in seconds (model-dependent).")
    ] = None,
    ratio: Literal["16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "adaptive"] | None = None,
    resolution: Literal["480p", "720p", "1080p"] | None = None,
    seed: Annotated[StrictInt | None, Field(ge=-1, le=2**32 - 1, description="-1 for random.")] = None,
    watermark: bool | None = None,
    wait_s: WaitS = None,
) -> Annotated[CallToolResult, VideoResult]:
    """Generate a video (Doubao Seedance through mixrouter): submit the task and wait up to wait_s for it.

    If it is not ready by then, the result gives the task id: call get_video_task to keep waiting, then
    download_video to save the MP4."""
    state = ctx.request_context.lifespan_context
    check_prompt_size(prompt, None, state.settings)
    first_frame = (await load_images([image], state.settings))[0] if image else None
    request = videos.VideoRequest(
        model=model or state.settings.default_video_model,
        prompt=prompt,
        image=first_frame,
        duration=duration,
        ratio=ratio,
        resolution=resolution,
        seed=seed,
        watermark=watermark,
    )
    try:
        task_id = videos.parse_submit(
            await state.client.call_json(videos.build_submit(request, state.settings.video_api))
        )
    except UpstreamError as error:
        raise tool_error(error, model=request.model, settings=state.settings) from error
    return await _wait(ctx, task_id, wait_s)


async def get_video_task(
    task_id: TaskId, ctx: Context[AppState], wait_s: WaitS = None
) -> Annotated[CallToolResult, VideoResult]:
    """Check a video task started by generate_video, waiting up to wait_s for it to finish."""
    return await _wait(ctx, task_id, wait_s)


async def download_video(
    ctx: Context[AppState],
    task_id: Annotated[str | None, Field(max_length=128, description="A succeeded task (preferred).")] = None,
    url: Annotated[str | None, Field(max_length=4096, description="A video URL mixrouter returned.")] = None,
    directory: Annotated[
        str | None, Field(description="Where to save it; default: the first allowed directory.")
    ] = None,
) -> Annotated[CallToolResult, SavedVideo]:
    """Save a generated video as an MP4 file in an allowed directory and return its path."""
    state = ctx.request_context.lifespan_context
    if (task_id is None) == (url is None):
        raise ToolError("give exactly one of task_id or url")
    if task_id is not None:
        task = await _poll(state, task_id)
        if task.status != "succeeded" or not task.video_url:
            raise ToolError(f"video task {task_id} is {task.status}, not ready to download. {_next_step(task)}")
        url = task.video_url
    assert url is not None
    if url not in state.video_urls:
        raise ToolError("download_video fetches only video URLs mixrouter returned in this session: pass the task_id")
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

    stem = task_id or Path(url.split("?")[0]).stem
    path = await save(target_dir, stem, ".mp4", allowed, fill)
    size = (await anyio.Path(path).stat()).st_size
    saved = SavedVideo(path=str(path), bytes=size, task_id=task_id, video_url=url)
    return CallToolResult(
        content=[TextContent(type="text", text=f"Saved {size:,} bytes to {path}")],
        structured_content=saved.model_dump(mode="json"),
    )
