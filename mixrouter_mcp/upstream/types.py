"""The wire-neutral core: what we ask a model (Query), what came back (Completion), one streamed piece (Delta)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from ..vocabulary import VIDEO_ENDED, Api, Effort, VideoStatus

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Image:
    """An image for the model: a remote URL, or inline bytes (base64) with their media type."""

    media_type: str
    url: str | None = None
    data_base64: str | None = None

    def as_data_url(self) -> str:
        """A URL every wire format accepts: the remote URL, or a `data:` URL of the inline bytes."""
        return self.url or f"data:{self.media_type};base64,{self.data_base64}"


@dataclass(frozen=True)
class Message:
    """One turn of a conversation: text, and for user turns optionally images."""

    role: Role
    content: str
    images: tuple[Image, ...] = ()


@dataclass(frozen=True)
class ThinkingRequest:
    """Ask the model to think: one effort knob, optionally an explicit token budget."""

    effort: Effort = "high"
    budget_tokens: int | None = None


@dataclass(frozen=True)
class Query:
    """One request to one model, independent of the wire format that will carry it."""

    model: str
    messages: tuple[Message, ...]
    system: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    stream: bool = True
    api: Api = "auto"
    thinking: ThinkingRequest | None = None
    cache_system: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HttpRequest:
    """What a protocol module asks the client to send; the client adds the base URL and auth."""

    method: str
    path: str
    json: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    stream: bool = False


@dataclass
class Usage:
    """Token counts, normalised across wire formats."""

    input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cached_tokens: int = 0  # of the input, read from the prompt cache
    total_tokens: int = 0
    cache_write_tokens: int = 0  # of the input, written to the prompt cache (Anthropic bills them apart)
    cost_usd: float | None = None  # what the gateway says the call cost, when its response carries it

    def __post_init__(self) -> None:
        if not self.total_tokens:
            self.total_tokens = self.input_tokens + self.output_tokens


@dataclass(frozen=True)
class Applied:
    """The thinking switch sent upstream: on which wire, which request field, what value."""

    wire: str
    switch: str
    value: str | int


@dataclass(frozen=True)
class Completion:
    """A finished answer: text and reasoning kept apart, the model that actually answered, usage.

    Frozen: a later stage (the client adding its notes, the sanitizer) makes a new one with `dataclasses.replace`.
    """

    text: str
    model: str
    finish_reason: str | None
    usage: Usage
    reasoning: str = ""
    response_id: str | None = None
    wire: str = ""
    notes: tuple[str, ...] = ()
    applied: Applied | None = None


@dataclass(frozen=True)
class Delta:
    """One streamed piece: answer text and/or reasoning text."""

    text: str = ""
    reasoning: str = ""


@dataclass(frozen=True)
class ModelInfo:
    """One entry of mixrouter's model list."""

    id: str
    owned_by: str
    endpoints: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyQuota:
    """What the key may still spend, as mixrouter reports it (None: unlimited)."""

    name: str
    unlimited: bool
    granted_usd: float | None
    used_usd: float
    available_usd: float | None
    expires_at: int | None  # unix seconds; None: never


# A task id becomes a path segment: "." or ".." would turn `GET /v1/videos/..` into `GET /v1`, with the key.
_TASK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def is_task_id(value: str) -> bool:
    """Whether `value` can be a task id: a letter or digit, then letters, digits and `._:-`, 128 at most."""
    return _TASK_ID.fullmatch(value) is not None


@dataclass(frozen=True)
class VideoRequest:
    """A video to generate (Doubao Seedance): the prompt, an optional first frame, and the options."""

    model: str
    prompt: str
    image: Image | None = None  # the first frame
    duration: int | None = None
    ratio: str | None = None
    resolution: str | None = None
    seed: int | None = None
    watermark: bool | None = None


Options = tuple[tuple[str, str], ...]  # (name, value as text) pairs, e.g. (("ratio", "16:9"),)


@dataclass(frozen=True)
class VideoSubmission:
    """A started video task: its id, what the gateway may not have honoured, and the options sent in a way it
    may have dropped (checked against what the finished video reports, `notes_for`)."""

    task_id: str
    notes: tuple[str, ...] = ()
    unconfirmed: Options = ()

    def notes_for(self, task: VideoTask) -> tuple[str, ...]:
        """The notes once `task` is known: an option the video reports is confirmed or shown as it came out; only
        what it does not report keeps the submit-time warning."""
        if not self.unconfirmed or task.status != "succeeded" or not task.made_with:
            return self.notes
        reported = dict(task.made_with)
        differed = [
            f"{name} {asked} asked, the video has {reported[name]}"
            for name, asked in self.unconfirmed
            if name in reported and reported[name] != asked
        ]
        unreported = [name for name, _ in self.unconfirmed if name not in reported]
        notes = [f"{'; '.join(differed)}: this gateway passed on only the prompt and image"] if differed else []
        if unreported:
            notes.append(f"{', '.join(unreported)} not reported back by the gateway: check the video")
        return tuple(notes)


@dataclass(frozen=True)
class VideoTask:
    """Where a video task stands, normalised across the two task shapes."""

    task_id: str
    status: VideoStatus
    raw_status: str
    progress: int | None = None
    video_url: str | None = None
    error: str | None = None
    model: str | None = None
    made_with: Options = ()  # what the task reports the video was made with (Ark: ratio, resolution, ...)

    @property
    def done(self) -> bool:
        return self.status in VIDEO_ENDED
