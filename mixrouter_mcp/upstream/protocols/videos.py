"""Video generation tasks (Doubao Seedance through mixrouter): submit, poll, normalise. Pure.

Two path shapes exist (protocols.md §7.3): `POST /v1/videos` + `GET /v1/videos/{id}` (mixrouter's doc, OpenAI video
objects) and `POST /v1/video/generations` + `GET /v1/video/generations/{id}` (new-api task objects, `{code, data}`).

Two submit bodies exist, by new-api version (read in QuantumNous/new-api, relay/channel/task/doubao/adaptor.go):
`legacy` `{model, prompt, images, metadata}` (mixrouter's doc; new-api of Dec 2025 passes on only prompt and
images), and `seedance`, Ark's own `{model, content[], ratio, ...}` (the only one new-api of Jun 2026 accepts).
On new-api of Dec 2025 `GET /v1/videos/{id}` answers 501 `not_implemented` for Doubao; the generations route works.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ...vocabulary import VideoApi, VideoBody, VideoStatus
from ..errors import BadRequest, InvalidResponse, NotFound, NotImplementedByGateway, UpstreamError, error_from_payload
from ..types import HttpRequest, Options, VideoRequest, VideoTask, is_task_id
from .common import as_dict

_STATUSES: dict[str, VideoStatus] = {
    **dict.fromkeys(("queued", "pending", "submitted", "not_start", "created"), "queued"),
    **dict.fromkeys(("running", "processing", "in_progress", "generating"), "running"),
    **dict.fromkeys(("succeeded", "success", "completed", "complete", "done"), "succeeded"),
    **dict.fromkeys(("failed", "failure", "error"), "failed"),
    **dict.fromkeys(("cancelled", "canceled"), "cancelled"),
    "expired": "expired",
}


def _base(api: VideoApi) -> str:
    return "/v1/videos" if api == "videos" else "/v1/video/generations"


OPTION_NAMES = ("resolution", "ratio", "seed", "watermark", "duration")


def _options_given(request: VideoRequest) -> dict[str, Any]:
    """The options the caller set, by name, in `OPTION_NAMES` order."""
    return {name: value for name in OPTION_NAMES if (value := getattr(request, name)) is not None}


def build_submit(request: VideoRequest, api: VideoApi, shape: VideoBody = "legacy") -> HttpRequest:
    """The submit request in body `shape`."""
    if shape == "seedance":
        return HttpRequest("POST", _base(api), json=_seedance_body(request))
    return HttpRequest("POST", _base(api), json=_legacy_body(request, api))


def _seedance_body(request: VideoRequest) -> dict[str, Any]:
    """Ark's `content[]` body (dto.SeedanceVideoRequest): the prompt as a text item, the first frame as an
    image_url item with its role, the options as top-level fields."""
    content: list[dict[str, Any]] = [{"type": "text", "text": request.prompt}]
    if request.image is not None:
        content.append({"type": "image_url", "image_url": {"url": request.image.as_data_url()}, "role": "first_frame"})
    return {"model": request.model, "content": content, **_options_given(request)}


def unconfirmed_options(request: VideoRequest, shape: VideoBody) -> Options:
    """The options given, as text, when the body's shape may lose them (the legacy one: see `submit_notes`)."""
    if shape != "legacy":
        return ()
    return tuple((name, _as_text(value)) for name, value in _options_given(request).items())


def _as_text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


_REPORTED = ("resolution", "ratio", "seed", "duration")  # what Ark's task reports (doubao adaptor's responseTask)


def _made_with(task: dict[str, Any]) -> Options:
    """What the finished video was made with, as Ark reports it under a TaskDto's `data` (or at the top)."""
    inner = as_dict(task.get("data"))
    found = ((name, inner.get(name, task.get(name))) for name in _REPORTED)
    return tuple((name, _as_text(value)) for name, value in found if isinstance(value, str | int) and value != "")


def submit_notes(request: VideoRequest, shape: VideoBody) -> tuple[str, ...]:
    """What the gateway cannot be shown to honour: in the legacy body the options ride in `metadata`, which
    mixrouter's doc maps onto Ark but new-api of Dec 2025 drops (its doubao adaptor sends only prompt and images)."""
    given = [name for name, _ in unconfirmed_options(request, shape)]
    if not given:
        return ()
    return (
        f"{', '.join(given)} sent as mixrouter documents them; some new-api versions pass on only the prompt and "
        "image, so check the video: it may have the model's defaults instead",
    )


def other_body(error: UpstreamError, shape: VideoBody) -> VideoBody | None:
    """The other body shape, when `error` is this gateway refusing the shape sent (not the request itself)."""
    if not isinstance(error, BadRequest):
        return None
    message = error.message.lower()
    if shape == "legacy" and "seedance request requires" in message:
        return "seedance"
    if shape == "seedance" and "prompt is required" in message:
        return "legacy"
    return None


def other_route(error: UpstreamError, api: VideoApi) -> VideoApi | None:
    """The other poll route, when this one does not exist (404) or cannot convert this task (501)."""
    if isinstance(error, NotImplementedByGateway) or (isinstance(error, NotFound) and error.status == 404):
        return "generations" if api == "videos" else "videos"
    return None


def _legacy_body(request: VideoRequest, api: VideoApi) -> dict[str, Any]:
    """mixrouter's documented body: options in `metadata` (new-api maps them onto Ark's fields), the first frame
    in `images`. The generations route also reads `image`, so it gets both."""
    metadata: dict[str, Any] = {"image_role": "first_frame"} if request.image else {}
    metadata.update(_options_given(request))
    body: dict[str, Any] = {"model": request.model, "prompt": request.prompt}
    if request.duration is not None:
        body["duration"] = request.duration
    if request.image is not None:
        body["images"] = [request.image.as_data_url()]
        if api == "generations":
            body["image"] = request.image.as_data_url()
    if metadata:
        body["metadata"] = metadata
    return body


def build_poll(task_id: str, api: VideoApi) -> HttpRequest:
    if not is_task_id(task_id):
        raise ValueError(f"not a video task id: {task_id[:40]!r}")
    return HttpRequest("GET", f"{_base(api)}/{quote(task_id, safe='')}")


def normalise_status(raw: Any) -> VideoStatus:
    return _STATUSES.get(str(raw or "").strip().lower(), "unknown")


def _progress(raw: Any) -> int | None:
    text = str(raw).strip().rstrip("%") if raw not in (None, "") else ""
    try:
        return max(0, min(100, round(float(text))))
    except ValueError:
        return None


def _url(task: dict[str, Any], status: VideoStatus) -> str | None:
    """The video URL wherever this shape keeps it (new-api of Dec 2025 puts it in a succeeded task's
    `fail_reason`: controller/task_video.go)."""
    inner = as_dict(task.get("data"))
    reason = task.get("fail_reason")
    in_reason = reason if status == "succeeded" and isinstance(reason, str) and reason.startswith("http") else None
    candidates = [
        in_reason,
        as_dict(task.get("metadata")).get("url"),
        task.get("url"),
        task.get("video_url"),
        task.get("result_url"),
        as_dict(task.get("content")).get("video_url"),
        as_dict(inner.get("content")).get("video_url"),
    ]
    return next((str(c) for c in candidates if isinstance(c, str) and c), None)


def _error(task: dict[str, Any]) -> str | None:
    """The failure reason; Ark's own one (kept under a TaskDto's `data`) before new-api's stock "task failed"."""
    ark_error = as_dict(as_dict(task.get("data")).get("error")).get("message")
    if isinstance(ark_error, str) and ark_error:
        return ark_error
    error = task.get("error")
    if isinstance(error, dict):
        message = error.get("message") or error.get("code")
        return str(message) if message else None
    reason = task.get("fail_reason") or (error if isinstance(error, str) else None)
    return str(reason) if reason else None


def _unwrap(body: Any) -> dict[str, Any]:
    """The task object: bare (videos route) or inside `{code, message, data}` (task routes)."""
    if not isinstance(body, dict):
        raise InvalidResponse("mixrouter returned a video task that is not a JSON object", status=200)
    code = body.get("code")
    if code not in (None, "success", 0, 200) and "data" in body and not isinstance(body.get("data"), dict):
        raise task_error(body)
    error = error_from_payload(body) if isinstance(body.get("error"), dict) and "status" not in body else None
    if error is not None:
        raise error
    data = body.get("data")
    return data if isinstance(data, dict) and ("task_id" in data or "status" in data) else body


def task_error(body: dict[str, Any]) -> UpstreamError:
    """new-api's task error body `{"code": "task_not_exist", "message": ..., "data": null}`."""
    code = str(body.get("code") or "")
    message = str(body.get("message") or code or "video task error")
    kind = NotFound if "not_exist" in code or "not found" in message.lower() else UpstreamError
    return kind(message, status=400, code=code or None)


def parse_submit(body: Any) -> str:
    """The new task's id (`id`, `task_id`, or `data.task_id`)."""
    task = _unwrap(body)
    task_id = task.get("task_id") or task.get("id")
    if not task_id:
        raise InvalidResponse("mixrouter accepted the video task but returned no task id", status=200)
    if not is_task_id(str(task_id)):
        raise InvalidResponse(f"mixrouter returned a video task id we cannot use: {str(task_id)[:40]!r}", status=200)
    return str(task_id)


def parse_task(body: Any, task_id: str) -> VideoTask:
    task = _unwrap(body)
    raw = str(task.get("status") or "")
    status = normalise_status(raw)
    return VideoTask(
        task_id=str(task.get("task_id") or task.get("id") or task_id),
        status=status,
        raw_status=raw,
        progress=100 if status == "succeeded" else _progress(task.get("progress")),
        video_url=_url(task, status),
        error=_error(task) if status in ("failed", "cancelled", "expired") else None,
        model=str(task["model"]) if task.get("model") else None,
        made_with=_made_with(task),
    )
