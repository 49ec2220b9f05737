"""Minimal, valid bodies of each wire format built from given pieces, for the scripted upstream.

Pieces are Python strings and may hold lone surrogates: `json.dumps` writes them as `\\udXXX` escapes, exactly as
an upstream that splits an emoji between two events does.
"""

from __future__ import annotations

import json
from typing import Any

# (tool arguments that route a call to the wire) per wire format
WIRES: dict[str, dict[str, Any]] = {
    "chat": {"model": "deepseek-reasoner"},
    "responses": {"model": "gpt-5", "api": "responses"},
    "messages": {"model": "claude-sonnet-4-5-20250929"},
    "gemini": {"model": "gemini-2.5-flash"},
}
Piece = tuple[str, str]  # ("text" | "reasoning", the piece)


def _frame(payload: dict[str, Any], event: str | None = None) -> str:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(payload)}\n\n"


def _chat(pieces: list[Piece]) -> list[str]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return _frame({"id": "c1", "object": "chat.completion.chunk", "model": "gpt-4o", "choices": [choice]})

    frames = [chunk({"content" if kind == "text" else "reasoning_content": piece}) for kind, piece in pieces]
    return [*frames, chunk({}, "stop"), "data: [DONE]\n\n"]


def _responses(pieces: list[Piece]) -> list[str]:
    frames = [_frame({"type": "response.created", "response": {"id": "r1", "model": "gpt-4o", "output": []}})]
    for kind, piece in pieces:
        name = "response.output_text.delta" if kind == "text" else "response.reasoning_summary_text.delta"
        frames.append(_frame({"type": name, "delta": piece}, name))
    done = {"id": "r1", "model": "gpt-4o", "status": "completed", "output": [], "usage": {}}
    return [*frames, _frame({"type": "response.completed", "response": done}, "response.completed")]


def _messages(pieces: list[Piece]) -> list[str]:
    """Consecutive pieces of one kind are deltas of one content block, as Anthropic streams them."""
    start = {"id": "m1", "type": "message", "role": "assistant", "model": "claude", "content": [], "usage": {}}
    frames = [_frame({"type": "message_start", "message": start}, "message_start")]
    index, kind_open = -1, ""
    for kind, piece in pieces:
        if kind != kind_open:
            if kind_open:
                frames.append(_frame({"type": "content_block_stop", "index": index}, "content_block_stop"))
            index, kind_open = index + 1, kind
            block = {"type": "text", "text": ""} if kind == "text" else {"type": "thinking", "thinking": ""}
            opened = {"type": "content_block_start", "index": index, "content_block": block}
            frames.append(_frame(opened, "content_block_start"))
        field = "text" if kind == "text" else "thinking"
        delta = {"type": f"{field}_delta", field: piece}
        frames.append(_frame({"type": "content_block_delta", "index": index, "delta": delta}, "content_block_delta"))
    if kind_open:
        frames.append(_frame({"type": "content_block_stop", "index": index}, "content_block_stop"))
    stop = {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 3}}
    return [*frames, _frame(stop, "message_delta"), _frame({"type": "message_stop"}, "message_stop")]


def _gemini(pieces: list[Piece]) -> list[str]:
    frames = []
    for number, (kind, piece) in enumerate(pieces, 1):
        part = {"text": piece} if kind == "text" else {"text": piece, "thought": True}
        candidate: dict[str, Any] = {"content": {"role": "model", "parts": [part]}, "index": 0}
        if number == len(pieces):
            candidate["finishReason"] = "STOP"
        frames.append(_frame({"candidates": [candidate], "modelVersion": "gemini-2.5-flash"}))
    return frames


STREAMS = {"chat": _chat, "responses": _responses, "messages": _messages, "gemini": _gemini}


def stream(wire: str, pieces: list[Piece]) -> bytes:
    """A whole SSE body of `wire` carrying `pieces` in order, with the wire's terminator."""
    return "".join(STREAMS[wire](pieces)).encode()


def plain(wire: str, text: str, model: str = "gpt-4o") -> bytes:
    """A whole non-streamed body of `wire` answering `text` (served as `model`)."""
    bodies: dict[str, dict[str, Any]] = {
        "chat": {
            "id": "c1",
            "object": "chat.completion",
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        },
        "responses": {
            "id": "r1",
            "model": model,
            "status": "completed",
            "output": [{"type": "message", "content": [{"type": "output_text", "text": text}]}],
        },
        "messages": {
            "id": "m1",
            "type": "message",
            "model": model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
        },
        "gemini": {
            "candidates": [{"content": {"parts": [{"text": text}]}, "finishReason": "STOP"}],
            "modelVersion": model,
        },
    }
    return json.dumps(bodies[wire]).encode()


SSE = {"content-type": "text/event-stream"}
