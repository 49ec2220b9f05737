"""OpenAI Responses, `POST /v1/responses`: output items (message, reasoning), summaries, and its stream events. Pure."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidResponse, StreamBroken, error_from_payload
from ..jsontext import loads
from ..sse import SseEvent
from ..types import Completion, Delta, HttpRequest, Message, Query, Usage
from .common import StreamAccumulator, as_cost, as_dict, as_int, deep_merge, stream_failure

PATH = "/v1/responses"
_TERMINAL = {"response.completed", "response.incomplete", "response.failed"}


def _input_item(message: Message) -> dict[str, Any]:
    if message.role == "assistant":
        return {"role": "assistant", "content": [{"type": "output_text", "text": message.content}]}
    parts: list[dict[str, Any]] = [{"type": "input_text", "text": message.content}]
    parts += [{"type": "input_image", "image_url": image.as_data_url()} for image in message.images]
    return {"role": message.role, "content": parts}


def build(query: Query) -> HttpRequest:
    """The Responses request for `query`; nothing is stored upstream (`store: false`)."""
    body: dict[str, Any] = {
        "model": query.model,
        "input": [_input_item(m) for m in query.messages],
        "stream": query.stream,
        "store": False,
    }
    if query.system:
        body["instructions"] = query.system
    if query.max_tokens is not None:
        body["max_output_tokens"] = query.max_tokens
    if query.temperature is not None:
        body["temperature"] = query.temperature
    if query.top_p is not None:
        body["top_p"] = query.top_p
    return HttpRequest("POST", PATH, json=deep_merge(body, query.extra), stream=query.stream)


def parse_usage(raw: Any) -> Usage:
    usage = as_dict(raw)
    return Usage(
        input_tokens=as_int(usage.get("input_tokens")),
        output_tokens=as_int(usage.get("output_tokens")),
        reasoning_tokens=as_int(as_dict(usage.get("output_tokens_details")).get("reasoning_tokens")),
        cached_tokens=as_int(as_dict(usage.get("input_tokens_details")).get("cached_tokens")),
        total_tokens=as_int(usage.get("total_tokens")),
        cost_usd=as_cost(usage.get("cost")),
    )


def _finish_reason(response: dict[str, Any]) -> str:
    status = response.get("status")
    if status == "incomplete":
        reason = as_dict(response.get("incomplete_details")).get("reason")
        return "length" if reason in (None, "max_output_tokens") else str(reason)
    return "stop" if status in (None, "completed") else str(status)


def _texts(items: Any) -> tuple[str, str]:
    """(answer, reasoning) from `output` items: message output_text, reasoning summaries and reasoning text."""
    answer: list[str] = []
    reasoning: list[str] = []
    for item in items if isinstance(items, list) else []:
        item = as_dict(item)
        if item.get("type") == "message":
            answer += [p.get("text", "") for p in item.get("content") or [] if as_dict(p).get("type") == "output_text"]
        elif item.get("type") == "reasoning":
            summaries = [as_dict(p).get("text", "") for p in item.get("summary") or []]
            details = [as_dict(p).get("text", "") for p in item.get("content") or []]
            reasoning.append("\n\n".join(t for t in summaries + details if t))
    return "".join(answer), "\n\n".join(r for r in reasoning if r)


def parse(body: Any, requested_model: str = "") -> Completion:
    """A non-streamed Responses body."""
    if not isinstance(body, dict):
        raise InvalidResponse("mixrouter returned JSON that is not an object", status=200)
    error = error_from_payload(body) if body.get("error") else None
    if error is not None or body.get("status") == "failed":
        raise error or InvalidResponse("the response failed without an error message", status=200)
    if "output" not in body:
        raise InvalidResponse("mixrouter returned a response without `output`", status=200)
    answer, reasoning = _texts(body.get("output"))
    return Completion(
        text=answer.strip(),
        model=str(body.get("model") or requested_model),
        finish_reason=_finish_reason(body),
        usage=parse_usage(body.get("usage")),
        reasoning=reasoning.strip(),
        response_id=body.get("id"),
        wire="responses",
    )


class Stream(StreamAccumulator):
    """Assembles a streamed response from its typed events."""

    wire = "responses"

    def __init__(self, requested_model: str = "") -> None:
        super().__init__(requested_model)
        self._final: dict[str, Any] | None = None

    def feed(self, event: SseEvent) -> Delta:
        if event.data.strip() == "[DONE]":
            return Delta()
        try:
            payload = as_dict(loads(event.data))
        except ValueError as exc:
            raise StreamBroken(f"mixrouter sent a stream event that is not JSON: {event.data[:200]!r}") from exc
        kind = payload.get("type") or event.event
        if kind == "error" or (kind != "response.failed" and "error" in payload and not kind.startswith("response.")):
            raise stream_failure(error_from_payload({"error": payload.get("error") or payload}), self.partial_text)
        return self._take(kind, payload)

    def _take(self, kind: str, payload: dict[str, Any]) -> Delta:
        if kind == "response.output_text.delta":
            return self.add(Delta(text=str(payload.get("delta", ""))))
        if kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
            return self.add(Delta(reasoning=str(payload.get("delta", ""))))
        if kind == "response.reasoning_summary_part.added" and self._reasoning:
            return self.add(Delta(reasoning="\n\n"))
        if kind in ("response.created", "response.in_progress"):
            self.model = str(as_dict(payload.get("response")).get("model") or self.model)
        if kind in _TERMINAL:
            self._final = as_dict(payload.get("response"))
            self.done = True
            if kind == "response.failed":
                error = error_from_payload({"error": self._final.get("error") or {"message": "the response failed"}})
                raise stream_failure(error, self.partial_text)
        return Delta()

    def finish(self) -> Completion:
        if self._final is None:
            raise StreamBroken("the stream ended before the response completed", partial_text=self.partial_text)
        final = self._final
        if not self._text and not self._reasoning:  # some relays send only the terminal event
            answer, reasoning = _texts(final.get("output"))
            self.add(Delta(text=answer, reasoning=reasoning))
        self.model = str(final.get("model") or self.model)
        self.response_id = final.get("id") or self.response_id
        self.usage = parse_usage(final.get("usage"))
        return self.completion(_finish_reason(final))
