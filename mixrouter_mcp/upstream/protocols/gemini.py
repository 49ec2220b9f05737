"""Google-native Gemini: `:generateContent` and `:streamGenerateContent?alt=sse`, thought parts, usageMetadata. Pure."""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import quote

from ..errors import InvalidResponse, PermissionDenied, StreamBroken, error_from_payload
from ..jsontext import loads
from ..sse import SseEvent
from ..types import Completion, Delta, HttpRequest, Image, Message, Query, Usage
from .common import StreamAccumulator, as_dict, as_int, deep_merge, stream_failure

FINISH_REASONS = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
    "MALFORMED_FUNCTION_CALL": "error",
}


def path(model: str, stream: bool) -> str:
    method = "streamGenerateContent?alt=sse" if stream else "generateContent"
    return f"/v1beta/models/{quote(model, safe='~._-')}:{method}"


def _image_part(image: Image) -> dict[str, Any]:
    if image.url:
        guessed = mimetypes.guess_type(image.url.split("?", 1)[0])[0]
        return {"fileData": {"mimeType": guessed or image.media_type, "fileUri": image.url}}
    return {"inlineData": {"mimeType": image.media_type, "data": image.data_base64}}


def _content(message: Message) -> dict[str, Any]:
    role = "model" if message.role == "assistant" else "user"
    return {"role": role, "parts": [{"text": message.content}, *(_image_part(i) for i in message.images)]}


def build(query: Query) -> HttpRequest:
    """The native request; sampling and length go in `generationConfig`."""
    body: dict[str, Any] = {"contents": [_content(m) for m in query.messages if m.role != "system"]}
    if query.system:
        body["systemInstruction"] = {"parts": [{"text": query.system}]}
    config: dict[str, Any] = {}
    if query.temperature is not None:
        config["temperature"] = query.temperature
    if query.top_p is not None:
        config["topP"] = query.top_p
    if query.max_tokens is not None:
        config["maxOutputTokens"] = query.max_tokens
    if config:
        body["generationConfig"] = config
    return HttpRequest("POST", path(query.model, query.stream), json=deep_merge(body, query.extra), stream=query.stream)


def parse_usage(raw: Any) -> Usage:
    """`candidatesTokenCount` excludes thoughts: output is candidates plus `thoughtsTokenCount`."""
    usage = as_dict(raw)
    thoughts = as_int(usage.get("thoughtsTokenCount"))
    prompt = as_int(usage.get("promptTokenCount"))
    output = as_int(usage.get("candidatesTokenCount")) + thoughts
    return Usage(
        input_tokens=prompt,
        output_tokens=output,
        reasoning_tokens=thoughts,
        cached_tokens=as_int(usage.get("cachedContentTokenCount")),
        total_tokens=as_int(usage.get("totalTokenCount")) or prompt + output,
    )


def _parts(body: dict[str, Any]) -> tuple[str, str, str | None]:
    """(answer, thoughts, finish reason) of the first candidate."""
    candidates = body.get("candidates")
    if not isinstance(candidates, list) or not candidates:
        return "", "", None
    candidate = as_dict(candidates[0])
    answer: list[str] = []
    thoughts: list[str] = []
    for part in as_dict(candidate.get("content")).get("parts") or []:
        part = as_dict(part)
        text = part.get("text")
        if isinstance(text, str):
            (thoughts if part.get("thought") is True else answer).append(text)
    raw = candidate.get("finishReason")
    finish = FINISH_REASONS.get(raw, str(raw).lower()) if raw else None
    return "".join(answer), "".join(thoughts), finish


def _check(body: Any) -> dict[str, Any]:
    error = error_from_payload(body)
    if error is not None:
        raise error
    if not isinstance(body, dict):
        raise InvalidResponse("mixrouter returned JSON that is not an object", status=200)
    blocked = as_dict(body.get("promptFeedback")).get("blockReason")
    if blocked and not body.get("candidates"):
        raise PermissionDenied(f"Gemini blocked the prompt ({blocked})", status=200, code=str(blocked))
    return body


def parse(body: Any, requested_model: str = "") -> Completion:
    """A non-streamed GenerateContentResponse."""
    body = _check(body)
    if not body.get("candidates"):
        raise InvalidResponse("mixrouter returned no candidates (empty answer)", status=200)
    answer, thoughts, finish = _parts(body)
    return Completion(
        text=answer.strip(),
        model=str(body.get("modelVersion") or requested_model),
        finish_reason=finish,
        usage=parse_usage(body.get("usageMetadata")),
        reasoning=thoughts.strip(),
        response_id=body.get("responseId"),
        wire="gemini",
    )


class Stream(StreamAccumulator):
    """Each SSE event is a partial GenerateContentResponse; the one carrying `finishReason` ends the answer.
    There is no terminator event, so the client reads to EOF and `finish` checks a finish reason arrived."""

    wire = "gemini"

    def __init__(self, requested_model: str = "") -> None:
        super().__init__(requested_model)
        self._finish: str | None = None

    def feed(self, event: SseEvent) -> Delta:
        try:
            payload = loads(event.data)
        except ValueError as exc:
            raise StreamBroken(f"mixrouter sent a stream event that is not JSON: {event.data[:200]!r}") from exc
        error = error_from_payload(payload)
        if error is not None:
            raise stream_failure(error, self.partial_text)
        chunk = _check(payload)
        self.model = str(chunk.get("modelVersion") or self.model)
        self.response_id = self.response_id or chunk.get("responseId")
        if chunk.get("usageMetadata"):
            self.usage = parse_usage(chunk["usageMetadata"])
        answer, thoughts, finish = _parts(chunk)
        if finish:
            self._finish = finish
        return self.add(Delta(text=answer, reasoning=thoughts))

    def finish(self) -> Completion:
        if self._finish is None:
            raise StreamBroken("the stream ended before a finishReason", partial_text=self.partial_text)
        return self.completion(self._finish)
