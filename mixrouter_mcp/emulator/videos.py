"""Emulated video tasks (Doubao Seedance through new-api): `/v1/videos` and `/v1/video/generations`, a task that
goes queued → running → succeeded (or failed) over `videotime` seconds, and a tiny real MP4 to download."""

from __future__ import annotations

import functools
import secrets
import time
from dataclasses import dataclass
from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import error_bodies
from .call import Call
from .gateway import Gateway
from .images import valid_image_url


@functools.cache
def sample_mp4() -> bytes:
    """The 1.7 KB H.264 MP4 every succeeded task serves, read on first use (importing reads nothing)."""
    return resources.files("mixrouter_mcp.emulator").joinpath("assets/sample.mp4").read_bytes()


def __getattr__(name: str) -> bytes:
    if name == "SAMPLE_MP4":  # the bytes themselves, for tests: `from ...videos import SAMPLE_MP4`
        return sample_mp4()
    raise AttributeError(name)


QUEUED_SHARE = 0.2  # the first fifth of a task's time is spent queued
# `videofail=<code>` switches (model ids take no spaces) → the reasons Ark gives, word for word.
FAILURE_REASONS = {
    "sensitive": "The request failed because the output video may contain sensitive information.",
    "quota": "The request failed because you have exceeded the concurrent task quota (max 120 queued tasks).",
    "timeout": "The task timed out in the queue.",
}


@dataclass
class VideoTask:
    id: str
    model: str
    prompt: str
    created: float
    run_s: float
    fail_reason: str
    options: dict[str, Any]  # the Ark options this gateway version passed on (ratio, resolution, ...)
    first_frame: bool = False

    def state(self) -> tuple[str, int]:
        """(queued | running | succeeded | failed, percent) at this moment."""
        share = (time.monotonic() - self.created) / self.run_s if self.run_s > 0 else 1.0
        if share >= 1:
            return ("failed", 100) if self.fail_reason else ("succeeded", 100)
        return ("queued", 0) if share < QUEUED_SHARE else ("running", round(share * 100))


_OPENAI_STATUS = {"queued": "queued", "running": "in_progress", "succeeded": "completed", "failed": "failed"}
_TASK_STATUS = {"queued": "NOT_START", "running": "IN_PROGRESS", "succeeded": "SUCCESS", "failed": "FAILURE"}


def task_not_exist() -> Response:
    return JSONResponse({"code": "task_not_exist", "message": "task_not_exist", "data": None}, status_code=400)


def task_error(status: int, code: str, message: str) -> Response:
    """new-api's task error body (dto.TaskError): `{"code", "message", "data": null}`."""
    return JSONResponse({"code": code, "message": message, "data": None}, status_code=status)


_ARK_OPTIONS = ("resolution", "ratio", "duration", "seed", "watermark", "camera_fixed")


def _inbound(body: dict[str, Any], gateway: Gateway) -> tuple[str, list[Any], dict[str, Any]] | Response:
    """(prompt, images, options passed on) as this gateway version reads the submit body, or its 400.

    docs: mixrouter's page (`prompt`, `images`, options in `metadata`). 2025-12: relay_utils.go
    ValidateBasicTaskRequest reads `prompt`/`images`/`image`; the doubao adaptor sends only prompt and images
    to Ark (its metadata mapping is a TODO). 2026-06: the doubao adaptor binds dto.SeedanceVideoRequest, Ark's own
    `content[]` body, options as top-level fields; a body without text or image is refused."""
    if gateway == "2026-06":
        content: Any = body.get("content")
        items = [c for c in content if isinstance(c, dict)] if isinstance(content, list) else []
        prompt = "\n".join(
            str(c.get("text")) for c in items if c.get("type") == "text" and str(c.get("text") or "").strip()
        )
        images = [(c.get("image_url") or {}).get("url") for c in items if c.get("type") == "image_url"]
        if not prompt and not images:
            message = "seedance request requires a text prompt or at least one image/video"
            return task_error(400, "invalid_request", message)
        return prompt, images, {k: body[k] for k in _ARK_OPTIONS if k in body}
    raw_prompt: Any = body.get("prompt")
    if not isinstance(raw_prompt, str) or not raw_prompt.strip():
        if gateway == "docs":
            return error_bodies.error_response(400, message="prompt is required")
        return task_error(400, "invalid_request", "prompt is required")
    images = body.get("images") or ([body["image"]] if body.get("image") else [])
    metadata: Any = body.get("metadata")
    options = {k: metadata[k] for k in _ARK_OPTIONS if k in metadata} if isinstance(metadata, dict) else {}
    return raw_prompt, list(images), options if gateway == "docs" else {}


async def submit(call: Call, tasks: dict[str, VideoTask], shape: str, gateway: Gateway = "docs") -> Response:
    if "openai-video" not in call.model.endpoints:
        return error_bodies.error_response(400, message=f"model {call.model.id} does not support video generation")
    inbound = _inbound(call.body, gateway)
    if isinstance(inbound, Response):
        return inbound
    prompt, images, options = inbound
    if not all(isinstance(i, str) and valid_image_url(i) for i in images):
        return error_bodies.error_response(400, message="images must be http(s) URLs or base64 data URLs")
    # 2026-06 hands out its own public ids (model.GenerateTaskID: "task_" + random); before, Ark's id went out.
    prefix = "task_" if gateway == "2026-06" else "cgt-emu-"
    task = VideoTask(
        id=f"{prefix}{secrets.token_hex(6)}",
        model=call.switches.served or call.model.id,
        prompt=prompt,
        created=time.monotonic(),
        run_s=call.switches.videotime,
        fail_reason=FAILURE_REASONS.get(call.switches.videofail, call.switches.videofail),
        options=options,
        first_frame=bool(images),
    )
    tasks[task.id] = task
    if gateway == "2025-12" or (gateway == "docs" and shape == "generations"):
        return JSONResponse({"task_id": task.id})  # the doubao adaptor's DoResponse: gin.H{"task_id": id}
    return JSONResponse(_openai_object(task, None))


def _openai_object(task: VideoTask, base_url: str | None) -> dict[str, Any]:
    state, percent = task.state()
    video: dict[str, Any] = {
        "id": task.id,
        "task_id": task.id,
        "object": "video",
        "model": task.model,
        "status": _OPENAI_STATUS[state],
        "progress": percent,
        "created_at": int(time.time() - (time.monotonic() - task.created)),
    }
    if state == "succeeded" and base_url:
        video["completed_at"] = int(time.time())
        video["metadata"] = {"url": f"{base_url}_emulator/files/{task.id}.mp4"}
    if state == "failed":
        video["error"] = {"message": task.fail_reason, "code": "OutputVideoSensitiveContentDetected"}
    return video


def _ark_task(task: VideoTask, base_url: str) -> dict[str, Any]:
    """The raw Ark task JSON new-api keeps under the TaskDto's `data`."""
    state, _ = task.state()
    ark = {"pending": "queued", "queued": "queued", "running": "running"}.get(state, state)
    # Ark reports what the video was made with (doubao adaptor's responseTask: seed, resolution, duration, ratio,
    # framespersecond), its defaults where an option did not reach it; a watermark is not reported back.
    made = {"resolution": "720p", "ratio": "adaptive" if task.first_frame else "16:9", "duration": 5}
    made |= {"seed": int(task.id.encode().hex()[-6:], 16), "framespersecond": 24}
    made |= {k: v for k, v in task.options.items() if k in made}
    raw: dict[str, Any] = {"id": task.id, "model": task.model, "status": ark, **made}
    if state == "succeeded":
        raw["content"] = {"video_url": f"{base_url}_emulator/files/{task.id}.mp4"}
        raw["usage"] = {"completion_tokens": 108900, "total_tokens": 108900}
    if state == "failed":
        raw["error"] = {"code": "OutputVideoSensitiveContentDetected", "message": task.fail_reason}
    return raw


def _task_object(task: VideoTask, base_url: str, gateway: Gateway) -> dict[str, Any]:
    """GET /v1/video/generations/{id}: `{code, message, data: TaskDto}` (relay_task.go TaskModel2Dto)."""
    state, percent = task.state()
    url = f"{base_url}_emulator/files/{task.id}.mp4" if state == "succeeded" else ""
    if gateway == "docs":
        data: dict[str, Any] = {
            "task_id": task.id,
            "platform": "doubao",
            "action": "generate",
            "status": _TASK_STATUS[state],
            "progress": f"{percent}%",
            "fail_reason": task.fail_reason if state == "failed" else "",
            "result_url": url,
        }
        return {"code": "success", "message": "", "data": data}
    # Stock new-api: the poller's progress steps; on success the URL in `fail_reason` (task_video.go, 2025-12),
    # on failure "task failed" there and Ark's own reason only inside `data` (the doubao ParseTaskResult).
    status = {"queued": "QUEUED", "running": "IN_PROGRESS", "succeeded": "SUCCESS", "failed": "FAILURE"}[state]
    progress = {"queued": "20%", "running": "30%"}.get(state, "100%")
    reason = url if state == "succeeded" else ("task failed" if state == "failed" else "")
    if gateway == "2026-06" and state == "failed":
        reason = task.fail_reason
    data = {
        "task_id": task.id,
        "action": "generate",
        "status": status,
        "fail_reason": reason,
        "submit_time": int(time.time() - (time.monotonic() - task.created)),
        "start_time": 0,
        "finish_time": 0,
        "progress": progress,
        "data": _ark_task(task, base_url),
    }
    if gateway == "2026-06":
        data["result_url"] = url
    return {"code": "success", "message": "", "data": data}


def poll(request: Request, tasks: dict[str, VideoTask], shape: str, gateway: Gateway = "docs") -> Response:
    task = tasks.get(request.path_params["task_id"])
    if task is None:
        return task_not_exist()
    base_url = str(request.base_url)
    if shape == "generations":
        return JSONResponse(_task_object(task, base_url, gateway))
    if gateway == "2025-12":
        # relay_task.go videoFetchByIDRespBodyBuilder: the doubao adaptor has no ConvertToOpenAIVideo yet.
        return task_error(501, "not_implemented", "not_implemented:doubao")
    return JSONResponse(_openai_object(task, base_url))


def file(request: Request, tasks: dict[str, VideoTask]) -> Response:
    """The finished video: served without the key, like a signed CDN URL."""
    task = tasks.get(request.path_params["name"].removesuffix(".mp4"))
    if task is None or task.state()[0] != "succeeded":
        return Response("not found", status_code=404)
    return Response(sample_mp4(), media_type="video/mp4")
