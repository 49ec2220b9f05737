"""Emulated Google-native Gemini: `:generateContent` and `:streamGenerateContent` (SSE with `alt=sse`, else JSON)."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse, Response

from . import error_bodies
from .answers import Reply, count_tokens, limit_reply, pieces_of, prompt_tokens
from .call import Call, obj
from .images import valid_base64
from .streaming import data_frame, sse_response


def _parts_text(parts: Any) -> str:
    items = parts if isinstance(parts, list) else []
    return "".join(str(p.get("text", "")) for p in items if isinstance(p, dict) and not p.get("thought"))


def _images(parts: Any) -> tuple[int, bool]:
    items = [p for p in parts if isinstance(p, dict)] if isinstance(parts, list) else []
    inline = [obj(_field(p, "inlineData")) for p in items if _field(p, "inlineData")]
    files = [obj(_field(p, "fileData")) for p in items if _field(p, "fileData")]
    ok = all(str(_field(i, "mimeType")).startswith("image/") and valid_base64(str(i.get("data", ""))) for i in inline)
    ok = ok and all(str(_field(f, "fileUri")).startswith("http") for f in files)
    return len(inline) + len(files), ok


def _field(holder: dict[str, Any], camel: str) -> Any:
    """Google's JSON accepts a field in camelCase or snake_case (the official SDK sends the latter)."""
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in camel)
    return holder.get(camel, holder.get(snake))


def _thinking(call: Call, config: dict[str, Any]) -> tuple[bool, bool, Response | None]:
    """(thinks, shows thoughts, refusal). 2.5+ models think by default; thoughts are shown with includeThoughts."""
    thinking = obj(_field(config, "thinkingConfig"))
    budget, level = _field(thinking, "thinkingBudget"), _field(thinking, "thinkingLevel")
    if budget is not None and level is not None:
        message = "thinking_budget and thinking_level are not supported together."
        return False, False, error_bodies.error_response(400, message=message)
    if call.model.reasoning == "none":
        return False, False, None
    thinks = budget != 0
    return thinks, thinks and _field(thinking, "includeThoughts") is True, None


async def generate(call: Call, stream: bool) -> Response:
    contents = call.body.get("contents")
    if not isinstance(contents, list) or not contents:
        return error_bodies.error_response(400, message="* GenerateContentRequest.contents: contents is not specified")
    config = obj(_field(call.body, "generationConfig"))
    thinks, shows, refusal = _thinking(call, config)
    if refusal is not None:
        return refusal
    last = obj(next((c for c in reversed(contents) if isinstance(c, dict) and c.get("role", "user") == "user"), {}))
    images, images_ok = _images(last.get("parts"))
    if not images_ok:
        return error_bodies.error_response(400, message="inlineData must carry base64 image data; fileData an http URI")
    reply = call.reply(_parts_text(last.get("parts")), thinking=thinks, images=images)
    reply, cut = limit_reply(reply, _field(config, "maxOutputTokens"))
    system = obj(_field(call.body, "systemInstruction"))
    texts = [_parts_text(c.get("parts")) for c in contents if isinstance(c, dict)] + [_parts_text(system.get("parts"))]
    usage = {
        "promptTokenCount": prompt_tokens(texts),
        "candidatesTokenCount": count_tokens(reply.answer),
        "thoughtsTokenCount": count_tokens(reply.reasoning),
        "totalTokenCount": prompt_tokens(texts) + count_tokens(reply.answer) + count_tokens(reply.reasoning),
    }
    if not usage["thoughtsTokenCount"]:
        del usage["thoughtsTokenCount"]
    if call.switches.cached:
        usage["cachedContentTokenCount"] = min(call.switches.cached, usage["promptTokenCount"])
    chunks = _chunks(call, reply if shows else Reply("", reply.answer), cut, usage, stream)
    if not stream:
        return JSONResponse(chunks[0])
    if call.request.query_params.get("alt") != "sse":
        return JSONResponse(chunks)
    frames = [data_frame(json.dumps(c, ensure_ascii=False)) for c in chunks]
    if call.switches.error200:
        frames = [
            *frames[:2],
            data_frame(json.dumps(error_bodies.openai_error(500, "upstream error: do_request_failed"))),
        ]
    return sse_response(frames, call.switches, call.exchange)


def _chunks(call: Call, reply: Reply, cut: bool, usage: dict[str, Any], stream: bool) -> list[dict[str, Any]]:
    """One whole response, or the streamed pieces: thoughts, then text, the last with finishReason and usage."""
    response_id = f"emu-gemini-{call.next_id():08d}"
    model = call.switches.served or call.model.id
    thought_parts = [
        {"text": t, "thought": True} for t in (pieces_of(reply.reasoning) if stream else [reply.reasoning]) if t
    ]
    text_parts = [{"text": t} for t in (pieces_of(reply.answer) if stream else [reply.answer])]
    parts = thought_parts + text_parts
    finish = "MAX_TOKENS" if cut else "STOP"
    if not stream:
        return [_response(response_id, model, parts, finish, usage)]
    chunks = [_response(response_id, model, [part], None, None) for part in parts[:-1]]
    chunks.append(_response(response_id, model, parts[-1:], finish, usage))
    return chunks


def _response(
    rid: str, model: str, parts: list[dict[str, Any]], finish: str | None, usage: dict[str, Any] | None
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    body: dict[str, Any] = {"candidates": [candidate], "modelVersion": model, "responseId": rid}
    if usage:
        body["usageMetadata"] = usage
    return body
