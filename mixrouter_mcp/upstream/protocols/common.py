"""Small helpers shared by the wire formats."""

from __future__ import annotations

from typing import Any

from ..errors import StreamBroken, UpstreamError
from ..types import Completion, Delta, Usage


def as_int(value: Any) -> int:
    """An int field, or 0 for anything else (null, strings, booleans)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def as_cost(value: Any) -> float | None:
    """A gateway-reported cost in USD (`usage.cost`, as OpenRouter-style gateways send it), or None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1e6:
        return float(value)
    return None


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """`base` with `extra` merged in, nested objects merged key by key."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def stream_failure(error: UpstreamError | None, partial_text: str) -> UpstreamError:
    """An error met mid-stream. Before any output a retryable one (overloaded, 5xx) stays retryable;
    after output it is a broken stream carrying the partial text, never retried."""
    if error is not None and error.retryable and not partial_text:
        return error
    message = error.message if error else "the stream reported an error"
    return StreamBroken(
        f"mixrouter stream failed mid-answer: {message}",
        status=error.status if error else None,
        code=error.code if error else None,
        request_id=error.request_id if error else None,
        partial_text=partial_text,
    )


class StreamAccumulator:
    """What every wire format's stream keeps: the answering model, response id, usage, and the answer and
    reasoning pieces so far. Subclasses parse their events and call `add`; `completion` builds the result."""

    wire = ""

    def __init__(self, requested_model: str = "") -> None:
        self.model = requested_model
        self.done = False
        self.response_id: str | None = None
        self.usage = Usage()
        self._text: list[str] = []
        self._reasoning: list[str] = []

    @property
    def partial_text(self) -> str:
        return "".join(self._text)

    def add(self, delta: Delta) -> Delta:
        if delta.text:
            self._text.append(delta.text)
        if delta.reasoning:
            self._reasoning.append(delta.reasoning)
        return delta

    def completion(self, finish_reason: str | None) -> Completion:
        return Completion(
            text="".join(self._text).strip(),
            model=self.model,
            finish_reason=finish_reason,
            usage=self.usage,
            reasoning="".join(self._reasoning).strip(),
            response_id=self.response_id,
            wire=self.wire,
        )
