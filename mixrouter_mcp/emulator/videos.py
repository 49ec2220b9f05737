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


async def submit(call: Call, tasks: dict[str, VideoTask], shape: str) -> Response:
    body = call.body
    if "openai-video" not in call.model.endpoints:
        return error_bodies.error_response(400, message=f"model {call.model.id} does not support video generation")
    if not isinstance(body.get("prompt"), str) or not body["prompt"].strip():
        return error_bodies.error_response(400, message="prompt is required")
    images = body.get("images") or ([body["image"]] if body.get("image") else [])
    if not all(isinstance(i, str) and valid_image_url(i) for i in images):
        return error_bodies.error_response(400, message="images must be http(s) URLs or base64 data URLs")
    task = VideoTask(
        id=f"cgt-emu-{secrets.token_hex(6)}",
        model=call.switches.served or call.model.id,
        prompt=body["prompt"],
        created=time.monotonic(),
        run_s=call.switches.videotime,
        fail_reason=FAILURE_REASONS.get(call.switches.videofail, call.switches.videofail),
    )
    tasks[task.id] = task
    if shape == "generations":
        return JSONResponse({"task_id": task.id})
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


def _task_object(task: VideoTask, base_url: str) -> dict[str, Any]:
    state, percent = task.state()
    data: dict[str, Any] = {
        "task_id": task.id,
        "platform": "doubao",
        "action": "generate",
        "status": _TASK_STATUS[state],
        "progress": f"{percent}%",
        "fail_reason": task.fail_reason if state == "failed" else "",
        "result_url": f"{base_url}_emulator/files/{task.id}.mp4" if state == "succeeded" else "",
    }
    return {"code": "success", "message": "", "data": data}


def poll(request: Request, tasks: dict[str, VideoTask], shape: str) -> Response:
    task = tasks.get(request.path_params["task_id"])
    if task is None:
        return task_not_exist()
    base_url = str(request.base_url)
    body = _task_object(task, base_url) if shape == "generations" else _openai_object(task, base_url)
    return JSONResponse(body)


def file(request: Request, tasks: dict[str, VideoTask]) -> Response:
    """The finished video: served without the key, like a signed CDN URL."""
    task = tasks.get(request.path_params["name"].removesuffix(".mp4"))
    if task is None or task.state()[0] != "succeeded":
        return Response("not found", status_code=404)
    return Response(sample_mp4(), media_type="video/mp4")
