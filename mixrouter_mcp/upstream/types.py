"""The wire-neutral core: what we ask a model (Query), what came back (Completion), one streamed piece (Delta)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    """One turn of a conversation, as plain text."""

    role: Role
    content: str


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
    cached_tokens: int = 0
    total_tokens: int = 0

    def __post_init__(self) -> None:
        if not self.total_tokens:
            self.total_tokens = self.input_tokens + self.output_tokens


@dataclass
class Completion:
    """A finished answer: text and reasoning kept apart, the model that actually answered, usage."""

    text: str
    model: str
    finish_reason: str | None
    usage: Usage
    reasoning: str = ""
    response_id: str | None = None


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
