"""Emulated `POST /v1/messages`: Anthropic's content blocks, thinking with signatures, caching, the event stream."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from starlette.responses import JSONResponse, Response

from . import anthropic_rules, error_bodies
from .answers import Reply, count_tokens, limit_reply, pieces_of, prompt_tokens
from .call import Call
from .images import valid_base64
from .streaming import data_frame, sse_response

REDACTED_DATA = "EmwKAhgBEgy3va3pzix0LHeAHRSJr2ycRUhQ"


def _invalid(message: str) -> Response:
    return error_bodies.error_response(400, message=message, shape="anthropic")


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    blocks = content if isinstance(content, list) else []
    return "".join(str(b.get("text", "")) for b in blocks if isinstance(b, dict) and b.get("type") == "text")


def _images_ok(content: Any) -> tuple[int, bool]:
    blocks = [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []
    sources = [b.get("source") or {} for b in blocks if b.get("type") == "image"]
    ok = all(
        (s.get("type") == "url" and str(s.get("url", "")).startswith("http"))
        or (
            s.get("type") == "base64"
            and str(s.get("media_type", "")).startswith("image/")
            and valid_base64(str(s.get("data", "")))
        )
        for s in sources
    )
    return len(sources), ok


def _check(call: Call) -> Response | None:
    """Anthropic's own validation: max_tokens required, thinking budget rules, sampling with thinking."""
    body = call.body
    max_tokens = body.get("max_tokens")
    if not isinstance(max_tokens, int) or max_tokens < 1:
        return _invalid("max_tokens: Field required")
    if not isinstance(body.get("messages"), list) or not body["messages"]:
        return _invalid("messages: at least one message is required")
    broken = anthropic_rules.violation(call.model.id, body)
    if broken:
        return _invalid(broken)
    return None


def _system_usage(call: Call, system: Any) -> tuple[int, int, str]:
    """(cache writes, cache reads, system text): a system block marked for caching is written once, then read."""
    text = _text_of(system)
    cached = isinstance(system, list) and any(isinstance(b, dict) and b.get("cache_control") for b in system)
    if not cached:
        return 0, 0, text
    digest = hashlib.sha256(text.encode()).hexdigest()
    seen = call.request.app.state.emulator.prompt_cache
    if digest in seen:
        return 0, prompt_tokens([text]), text
    seen.add(digest)
    return prompt_tokens([text]), 0, text


def _switched_cache(usage: dict[str, Any], reads: int, writes: int) -> None:
    """Move prompt tokens from `input_tokens` to the cache fields, as Anthropic counts them (apart)."""
    reads = min(reads, usage["input_tokens"])
    writes = min(writes, usage["input_tokens"] - reads)
    usage["input_tokens"] -= reads + writes
    usage["cache_read_input_tokens"] += reads
    usage["cache_creation_input_tokens"] += writes
    usage["claude_cache_creation_5_m_tokens"] += writes


async def messages(call: Call) -> Response:
    refusal = _check(call)
    if refusal is not None:
        return refusal
    body = call.body
    last_user = next((m for m in reversed(body["messages"]) if isinstance(m, dict) and m.get("role") == "user"), {})
    images, images_ok = _images_ok(last_user.get("content"))
    if not images_ok:
        return _invalid("messages: image source must be a url or base64 data with an image media_type")
    thinking = isinstance(body.get("thinking"), dict) and body["thinking"].get("type") in ("enabled", "adaptive")
    reply = call.reply(_text_of(last_user.get("content")), thinking=thinking, images=images)
    reply, cut = limit_reply(reply, body["max_tokens"])
    writes, reads, system_text = _system_usage(call, body.get("system"))
    cached = bool(writes or reads)
    texts = [_text_of(m.get("content")) for m in body["messages"] if isinstance(m, dict)]
    output_tokens = count_tokens(reply.answer) + count_tokens(reply.reasoning)
    usage: dict[str, Any] = {
        "input_tokens": prompt_tokens(texts) + (prompt_tokens([system_text]) if system_text and not cached else 0),
        "cache_creation_input_tokens": writes,
        "cache_read_input_tokens": reads,
        "output_tokens": output_tokens,
        "claude_cache_creation_5_m_tokens": writes,
        "claude_cache_creation_1_h_tokens": 0,
    }
    _switched_cache(usage, call.switches.cached, call.switches.cachewrite)
    if call.switches.cost >= 0:
        usage["cost"] = call.switches.cost
    message = _message(call, reply, cut, usage)
    if body.get("stream") is not True:
        return JSONResponse(message)
    return sse_response(_events(message, call.switches.error200), call.switches, call.exchange)


def _signature(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def _message(call: Call, reply: Reply, cut: bool, usage: dict[str, Any]) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if reply.reasoning:
        content.append({"type": "thinking", "thinking": reply.reasoning, "signature": _signature(reply.reasoning)})
        if call.switches.redacted:
            content.append({"type": "redacted_thinking", "data": REDACTED_DATA})
    content.append({"type": "text", "text": reply.answer})
    return {
        "id": f"msg_emu{call.next_id():08d}",
        "type": "message",
        "role": "assistant",
        "model": call.switches.served or call.model.id,
        "content": content,
        "stop_reason": "max_tokens" if cut else "end_turn",
        "stop_sequence": None,
        "usage": usage,
    }


def _events(message: dict[str, Any], fail_midway: bool) -> list[str]:
    """message_start, one start/delta/stop run per block, message_delta, message_stop; a ping in between."""
    frames: list[str] = []

    def emit(kind: str, **fields: Any) -> None:
        frames.append(data_frame(json.dumps({"type": kind, **fields}, ensure_ascii=False), event=kind))

    usage = message["usage"]
    start_usage = {**usage, "output_tokens": 1}
    emit("message_start", message={**message, "content": [], "stop_reason": None, "usage": start_usage})
    for index, block in enumerate(message["content"]):
        if block["type"] == "redacted_thinking":
            emit("content_block_start", index=index, content_block=block)
        elif block["type"] == "thinking":
            emit(
                "content_block_start", index=index, content_block={"type": "thinking", "thinking": "", "signature": ""}
            )
            for piece in pieces_of(block["thinking"]):
                emit("content_block_delta", index=index, delta={"type": "thinking_delta", "thinking": piece})
            emit("content_block_delta", index=index, delta={"type": "signature_delta", "signature": block["signature"]})
        else:
            emit("content_block_start", index=index, content_block={"type": "text", "text": ""})
            emit("ping")
            for number, piece in enumerate(pieces_of(block["text"])):
                if fail_midway and number == 2:
                    emit("error", error={"type": "overloaded_error", "message": "Overloaded"})
                    return frames
                emit("content_block_delta", index=index, delta={"type": "text_delta", "text": piece})
        emit("content_block_stop", index=index)
    final_usage = {"output_tokens": usage["output_tokens"]}
    emit("message_delta", delta={"stop_reason": message["stop_reason"], "stop_sequence": None}, usage=final_usage)
    emit("message_stop")
    return frames
