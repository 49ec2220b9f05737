"""OpenAI chat completions, `POST /v1/chat/completions`, plain and streamed, with mixrouter's quirks.

Pure: builds the request, parses a body or a stream of SSE events. No I/O.
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidResponse, StreamBroken, error_from_payload
from ..inline_reasoning import InlineReasoningSplitter
from ..jsontext import loads
from ..sse import SseEvent
from ..types import Completion, Delta, HttpRequest, Message, Query, Usage
from .common import StreamAccumulator, as_cost, as_dict, as_int, deep_merge, stream_failure

PATH = "/v1/chat/completions"


def _message(message: Message) -> dict[str, Any]:
    if not message.images:
        return {"role": message.role, "content": message.content}
    parts: list[dict[str, Any]] = [{"type": "text", "text": message.content}]
    parts += [{"type": "image_url", "image_url": {"url": image.as_data_url()}} for image in message.images]
    return {"role": message.role, "content": parts}


def build(query: Query) -> HttpRequest:
    """The chat-completions request for `query`."""
    messages: list[dict[str, Any]] = []
    if query.system:
        messages.append({"role": "system", "content": query.system})
    messages.extend(_message(m) for m in query.messages)
    body: dict[str, Any] = {"model": query.model, "messages": messages, "stream": query.stream}
    if query.stream:
        body["stream_options"] = {"include_usage": True}
    if query.temperature is not None:
        body["temperature"] = query.temperature
    if query.top_p is not None:
        body["top_p"] = query.top_p
    if query.max_tokens is not None:
        body["max_tokens"] = query.max_tokens
    return HttpRequest("POST", PATH, json=deep_merge(body, query.extra), stream=query.stream)


def parse_usage(raw: Any) -> Usage:
    """Chat usage, reading `prompt_tokens`/`completion_tokens` first and new-api's zeroed extras as a fallback."""
    if not isinstance(raw, dict):
        return Usage()
    prompt = as_int(raw.get("prompt_tokens")) or as_int(raw.get("input_tokens"))
    completion = as_int(raw.get("completion_tokens")) or as_int(raw.get("output_tokens"))
    details = raw.get("completion_tokens_details") or raw.get("output_tokens_details") or {}
    prompt_details = raw.get("prompt_tokens_details") or {}
    reasoning = as_int(details.get("reasoning_tokens")) if isinstance(details, dict) else 0
    cached = as_int(prompt_details.get("cached_tokens")) if isinstance(prompt_details, dict) else 0
    cached = cached or as_int(raw.get("prompt_cache_hit_tokens"))
    # new-api's Claude-over-chat usage counts cache writes apart (dto/openai_response.go `Usage`).
    writes = as_int(raw.get("claude_cache_creation_5_m_tokens")) + as_int(raw.get("claude_cache_creation_1_h_tokens"))
    writes = writes or as_int(as_dict(prompt_details).get("cached_creation_tokens"))
    return Usage(
        input_tokens=prompt,
        output_tokens=completion,
        reasoning_tokens=reasoning,
        cached_tokens=cached,
        total_tokens=as_int(raw.get("total_tokens")) or prompt + completion,
        cache_write_tokens=writes,
        cost_usd=as_cost(raw.get("cost")),
    )


def _content_text(content: Any) -> str:
    """`content` may be a string, null (tool calls) or an array of parts (image models)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def _reasoning_field(holder: dict[str, Any]) -> str:
    value = holder.get("reasoning_content") or holder.get("reasoning")
    return value if isinstance(value, str) else ""


def parse(body: Any, requested_model: str = "") -> Completion:
    """A non-streamed chat-completions body."""
    error = error_from_payload(body, status=200)
    if error is not None:
        raise error
    if not isinstance(body, dict):
        raise InvalidResponse("mixrouter returned JSON that is not an object", status=200)
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise InvalidResponse("mixrouter returned no choices (empty answer)", status=200)
    choice = choices[0]
    message = as_dict(choice.get("message"))
    splitter = InlineReasoningSplitter()
    first, last = splitter.feed(_content_text(message.get("content"))), splitter.flush()
    reasoning = _reasoning_field(message) + first.reasoning + last.reasoning
    return Completion(
        text=(first.text + last.text).strip(),
        model=str(body.get("model") or requested_model),
        finish_reason=choice.get("finish_reason"),
        usage=parse_usage(body.get("usage")),
        reasoning=reasoning.strip(),
        response_id=body.get("id"),
        wire="chat",
    )


class Stream(StreamAccumulator):
    """Assembles a streamed chat completion from SSE events."""

    wire = "chat"

    def __init__(self, requested_model: str = "") -> None:
        super().__init__(requested_model)
        self.finish_reason: str | None = None
        self._splitter = InlineReasoningSplitter()

    def feed(self, event: SseEvent) -> Delta:
        """One SSE event in; the answer and reasoning text it adds out."""
        if event.data.strip() == "[DONE]":
            self.done = True
            return self.add(self._splitter.flush())
        try:
            chunk = loads(event.data)
        except ValueError as exc:
            raise StreamBroken(f"mixrouter sent a stream event that is not JSON: {event.data[:200]!r}") from exc
        error = error_from_payload(chunk)
        if error is not None or event.event == "error":
            raise stream_failure(error, self.partial_text)
        if not isinstance(chunk, dict):
            return Delta()
        return self._take_chunk(chunk)

    def _take_chunk(self, chunk: dict[str, Any]) -> Delta:
        self.model = str(chunk.get("model") or self.model)
        self.response_id = self.response_id or chunk.get("id")
        if chunk.get("usage"):
            self.usage = parse_usage(chunk["usage"])
        choices = chunk.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            return Delta()  # the usage chunk, with `choices: []`
        choice = choices[0]
        if choice.get("finish_reason"):
            self.finish_reason = choice["finish_reason"]
        if self.finish_reason == "error":
            raise stream_failure(None, self.partial_text)
        delta = as_dict(choice.get("delta"))
        split = self._splitter.feed(_content_text(delta.get("content")))
        return self.add(Delta(text=split.text, reasoning=_reasoning_field(delta) + split.reasoning))

    def finish(self) -> Completion:
        """The whole answer; raises `StreamBroken` if the stream ended before its terminator."""
        if not self.done and self.finish_reason is None:
            raise StreamBroken("the stream ended before the answer was complete", partial_text=self.partial_text)
        self.add(self._splitter.flush())
        return self.completion(self.finish_reason)
