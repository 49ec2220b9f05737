"""Emulated `POST /v1/responses`: output items, reasoning summaries, and the typed stream events."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from starlette.responses import JSONResponse, Response

from . import error_bodies
from .answers import Reply, count_tokens, limit_reply, pieces_of, prompt_tokens
from .call import Call, obj
from .images import valid_image_url
from .streaming import data_frame, sse_response


def _user_text_and_images(raw_input: Any) -> tuple[str, int, bool]:
    """(last user text, its image count, all images valid) from `input`, a string or a list of items."""
    if isinstance(raw_input, str):
        return raw_input, 0, True
    items = [i for i in raw_input if isinstance(i, dict)] if isinstance(raw_input, list) else []
    last = next((i for i in reversed(items) if i.get("role") == "user"), {})
    content = last.get("content")
    if isinstance(content, str):
        return content, 0, True
    parts = [p for p in content if isinstance(p, dict)] if isinstance(content, list) else []
    text = "".join(str(p.get("text", "")) for p in parts if p.get("type") == "input_text")
    urls = [str(p.get("image_url", "")) for p in parts if p.get("type") == "input_image"]
    return text, len(urls), all(valid_image_url(u) for u in urls)


def _texts_of(raw_input: Any) -> list[str]:
    if isinstance(raw_input, str):
        return [raw_input]
    texts = []
    for item in raw_input if isinstance(raw_input, list) else []:
        content = item.get("content") if isinstance(item, dict) else None
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            texts.append("".join(str(p.get("text", "")) for p in content if isinstance(p, dict)))
    return texts


def _response(call: Call, reply: Reply, summary: bool, cut: bool, usage: dict[str, Any]) -> dict[str, Any]:
    rid = f"resp_emu{call.next_id():08d}"
    output: list[dict[str, Any]] = []
    if reply.reasoning:
        summary_parts = [{"type": "summary_text", "text": reply.reasoning}] if summary else []
        output.append({"id": f"rs_{rid}", "type": "reasoning", "summary": summary_parts, "status": "completed"})
    text_part = {"type": "output_text", "text": reply.answer, "annotations": [], "logprobs": []}
    message = {
        "id": f"msg_{rid}",
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [text_part],
    }
    output.append(message)
    return {
        "id": rid,
        "object": "response",
        "created_at": int(time.time()),
        "model": call.switches.served or call.model.id,
        "status": "incomplete" if cut else "completed",
        "incomplete_details": {"reason": "max_output_tokens"} if cut else None,
        "error": None,
        "instructions": call.body.get("instructions"),
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": usage,
    }


async def responses(call: Call) -> Response:
    body = call.body
    if "input" not in body:
        return error_bodies.error_response(400, message="Missing required parameter: 'input'.")
    prompt, images, images_ok = _user_text_and_images(body.get("input"))
    if not images_ok:
        return error_bodies.error_response(400, message="input_image.image_url must be a URL or a base64 data URL")
    reasoning_request = obj(body.get("reasoning"))
    thinking = call.model.reasoning != "none" and bool(reasoning_request.get("effort"))
    reply = call.reply(prompt, thinking=thinking, images=images)
    reply, cut = limit_reply(reply, body.get("max_output_tokens"))
    texts = _texts_of(body.get("input")) + ([str(body["instructions"])] if body.get("instructions") else [])
    reasoning_tokens = count_tokens(reply.reasoning)
    output_tokens = count_tokens(reply.answer) + reasoning_tokens
    usage = {
        "input_tokens": prompt_tokens(texts),
        "input_tokens_details": {"cached_tokens": min(call.switches.cached, prompt_tokens(texts))},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
        "total_tokens": prompt_tokens(texts) + output_tokens,
    }
    if call.switches.cost >= 0:
        usage["cost"] = call.switches.cost
    final = _response(call, reply, bool(reasoning_request.get("summary")), cut, usage)
    if body.get("stream") is not True:
        return JSONResponse(final)
    return sse_response(_events(final, call.switches.error200), call.switches, call.exchange)


def _events(final: dict[str, Any], fail_midway: bool) -> list[str]:
    """The event sequence OpenAI streams for `final`, each with a sequence number."""
    sequence = itertools.count(0)
    frames: list[str] = []

    def emit(kind: str, **fields: Any) -> None:
        payload = {"type": kind, "sequence_number": next(sequence), **fields}
        frames.append(data_frame(json.dumps(payload, ensure_ascii=False), event=kind))

    opening = {**final, "status": "in_progress", "output": [], "usage": None, "incomplete_details": None}
    emit("response.created", response=opening)
    emit("response.in_progress", response=opening)
    for index, item in enumerate(final["output"]):
        if item["type"] == "reasoning":
            _reasoning_events(emit, index, item)
        else:
            _message_events(emit, index, item, fail_midway)
            if fail_midway:
                return frames
    emit("response.incomplete" if final["status"] == "incomplete" else "response.completed", response=final)
    return frames


def _reasoning_events(emit: Any, index: int, item: dict[str, Any]) -> None:
    emit("response.output_item.added", output_index=index, item={**item, "summary": [], "status": "in_progress"})
    for summary_index, part in enumerate(item["summary"]):
        common = {"item_id": item["id"], "output_index": index, "summary_index": summary_index}
        emit("response.reasoning_summary_part.added", **common, part={"type": "summary_text", "text": ""})
        for piece in pieces_of(part["text"]):
            emit("response.reasoning_summary_text.delta", **common, delta=piece)
        emit("response.reasoning_summary_text.done", **common, text=part["text"])
        emit("response.reasoning_summary_part.done", **common, part=part)
    emit("response.output_item.done", output_index=index, item=item)


def _message_events(emit: Any, index: int, item: dict[str, Any], fail_midway: bool) -> None:
    text = item["content"][0]["text"]
    common = {"item_id": item["id"], "output_index": index, "content_index": 0}
    emit("response.output_item.added", output_index=index, item={**item, "content": [], "status": "in_progress"})
    emit("response.content_part.added", **common, part={"type": "output_text", "text": "", "annotations": []})
    for number, piece in enumerate(pieces_of(text)):
        if fail_midway and number == 2:
            emit(
                "error",
                code="server_error",
                message="The server had an error while processing your request.",
                param=None,
            )
            return
        emit("response.output_text.delta", **common, delta=piece, logprobs=[])
    emit("response.output_text.done", **common, text=text, logprobs=[])
    emit("response.content_part.done", **common, part=item["content"][0])
    emit("response.output_item.done", output_index=index, item=item)
