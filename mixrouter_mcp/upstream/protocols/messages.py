"""Anthropic Messages, `POST /v1/messages`: content blocks (text, thinking, redacted_thinking), every stop_reason,
cache usage, and the whole event sequence (thinking/signature deltas, ping, error). Pure."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidResponse, StreamBroken, error_from_payload
from ..jsontext import loads
from ..sse import SseEvent
from ..types import Completion, Delta, HttpRequest, Image, Message, Query, Usage
from .common import StreamAccumulator, as_cost, as_dict, as_int, deep_merge, stream_failure

PATH = "/v1/messages"
ANTHROPIC_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 4096  # Anthropic requires max_tokens
REDACTED = "[redacted thinking: the provider encrypted this part of the reasoning]"
STOP_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
    "pause_turn": "pause_turn",
}


def _image_block(image: Image) -> dict[str, Any]:
    if image.url:
        return {"type": "image", "source": {"type": "url", "url": image.url}}
    source = {"type": "base64", "media_type": image.media_type, "data": image.data_base64}
    return {"type": "image", "source": source}


def _message(message: Message) -> dict[str, Any]:
    if not message.images:
        return {"role": message.role, "content": message.content}
    blocks = [_image_block(image) for image in message.images]
    return {"role": message.role, "content": [*blocks, {"type": "text", "text": message.content}]}


def build(query: Query) -> HttpRequest:
    """The Messages request for `query`; `cache_system` marks the system prompt for prompt caching."""
    body: dict[str, Any] = {
        "model": query.model,
        "max_tokens": query.max_tokens or DEFAULT_MAX_TOKENS,
        "messages": [_message(m) for m in query.messages if m.role != "system"],
        "stream": query.stream,
    }
    if query.system:
        block = {"type": "text", "text": query.system, "cache_control": {"type": "ephemeral"}}
        body["system"] = [block] if query.cache_system else query.system
    if query.temperature is not None:
        body["temperature"] = query.temperature
    if query.top_p is not None:
        body["top_p"] = query.top_p
    headers = {"anthropic-version": ANTHROPIC_VERSION}
    return HttpRequest("POST", PATH, json=deep_merge(body, query.extra), headers=headers, stream=query.stream)


def parse_usage(raw: Any, into: Usage | None = None) -> Usage:
    """Anthropic usage; input counts cache writes and reads, which Anthropic reports apart."""
    usage = as_dict(raw)
    result = into or Usage()
    if "input_tokens" in usage:
        cache_write = as_int(usage.get("cache_creation_input_tokens"))
        cache_read = as_int(usage.get("cache_read_input_tokens"))
        result.input_tokens = as_int(usage.get("input_tokens")) + cache_write + cache_read
        result.cached_tokens = cache_read
        result.cache_write_tokens = cache_write
    if as_cost(usage.get("cost")) is not None:
        result.cost_usd = as_cost(usage.get("cost"))
    if "output_tokens" in usage:
        result.output_tokens = as_int(usage.get("output_tokens"))  # cumulative in message_delta
    result.total_tokens = result.input_tokens + result.output_tokens
    return result


def _block_texts(blocks: Any) -> tuple[str, str]:
    answer: list[str] = []
    reasoning: list[str] = []
    for block in blocks if isinstance(blocks, list) else []:
        block = as_dict(block)
        if block.get("type") == "text":
            answer.append(str(block.get("text", "")))
        elif block.get("type") == "thinking":
            reasoning.append(str(block.get("thinking", "")))
        elif block.get("type") == "redacted_thinking":
            reasoning.append(REDACTED)
    return "".join(answer), "\n\n".join(r for r in reasoning if r)


def parse(body: Any, requested_model: str = "") -> Completion:
    """A non-streamed Messages body."""
    error = error_from_payload(body)
    if error is not None:
        raise error
    if not isinstance(body, dict) or not isinstance(body.get("content"), list):
        raise InvalidResponse("mixrouter returned a message without `content`", status=200)
    answer, reasoning = _block_texts(body["content"])
    stop = body.get("stop_reason")
    return Completion(
        text=answer.strip(),
        model=str(body.get("model") or requested_model),
        finish_reason=STOP_REASONS.get(stop, stop) if stop else None,
        usage=parse_usage(body.get("usage")),
        reasoning=reasoning.strip(),
        response_id=body.get("id"),
        wire="messages",
    )


class Stream(StreamAccumulator):
    """Assembles a streamed message from its events; unknown event types are ignored, as the spec asks."""

    wire = "messages"

    def __init__(self, requested_model: str = "") -> None:
        super().__init__(requested_model)
        self._stop: str | None = None

    def feed(self, event: SseEvent) -> Delta:
        try:
            payload = as_dict(loads(event.data))
        except ValueError as exc:
            raise StreamBroken(f"mixrouter sent a stream event that is not JSON: {event.data[:200]!r}") from exc
        kind = payload.get("type") or event.event
        if kind == "error" or (kind != "message_start" and "error" in payload):
            raise stream_failure(error_from_payload(payload), self.partial_text)
        handler = {
            "message_start": self._message_start,
            "content_block_start": self._block_start,
            "content_block_delta": self._block_delta,
            "message_delta": self._message_delta,
        }.get(kind)
        if kind == "message_stop":
            self.done = True
        return handler(payload) if handler else Delta()

    def _message_start(self, payload: dict[str, Any]) -> Delta:
        message = as_dict(payload.get("message"))
        self.model = str(message.get("model") or self.model)
        self.response_id = message.get("id")
        parse_usage(message.get("usage"), into=self.usage)
        return Delta()

    def _block_start(self, payload: dict[str, Any]) -> Delta:
        block = as_dict(payload.get("content_block"))
        if block.get("type") == "redacted_thinking":
            return self.add(Delta(reasoning=REDACTED))
        if block.get("type") == "thinking" and self._reasoning:
            return self.add(Delta(reasoning="\n\n"))
        return Delta()

    def _block_delta(self, payload: dict[str, Any]) -> Delta:
        delta = as_dict(payload.get("delta"))
        kind = delta.get("type")
        if kind == "text_delta":
            return self.add(Delta(text=str(delta.get("text", ""))))
        if kind == "thinking_delta":
            return self.add(Delta(reasoning=str(delta.get("thinking", ""))))
        return Delta()  # signature_delta, input_json_delta, citations_delta

    def _message_delta(self, payload: dict[str, Any]) -> Delta:
        stop = as_dict(payload.get("delta")).get("stop_reason")
        if stop:
            self._stop = STOP_REASONS.get(stop, stop)
        parse_usage(payload.get("usage"), into=self.usage)
        return Delta()

    def finish(self) -> Completion:
        if not self.done:
            raise StreamBroken("the stream ended before message_stop", partial_text=self.partial_text)
        return self.completion(self._stop)
