"""Emulated `POST /v1/chat/completions`, plain and streamed, with each family's reasoning quirks."""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.responses import JSONResponse, Response

from . import anthropic_rules, error_bodies
from .answers import Reply, count_tokens, limit_reply, pieces_of, prompt_tokens, tokens
from .call import Call
from .catalogue import EmulatedModel
from .images import valid_image_url
from .streaming import data_frame, sse_response


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


_REASONING_OPENAI = ("o1", "o3", "o4", "gpt-5")


def _refusal(model: EmulatedModel, body: dict[str, Any]) -> Response | None:
    """What OpenAI itself refuses on chat completions, relayed by mixrouter as a 400."""
    if "openai" not in model.endpoints:
        message = "This model is only supported in v1/responses and not in v1/chat/completions."
        return error_bodies.error_response(400, message=message, code="unsupported_model")
    if model.owned_by == "openai" and model.id.startswith(_REASONING_OPENAI):
        if "max_tokens" in body:
            message = (
                "Unsupported parameter: 'max_tokens' is not supported with this model. "
                "Use 'max_completion_tokens' instead."
            )
            return error_bodies.error_response(400, message=message, code="unsupported_parameter")
        if body.get("temperature", 1) != 1 or "top_p" in body:
            message = (
                "Unsupported value: 'temperature' does not support this value with this model. "
                "Only the default (1) value is supported."
            )
            return error_bodies.error_response(400, message=message, code="unsupported_value")
    return None


def _image_count(messages: list[Any]) -> int:
    """Images in the last user message; -1 when one is malformed."""
    last = next((m for m in reversed(messages) if isinstance(m, dict) and m.get("role") == "user"), {})
    content = last.get("content")
    parts: list[Any] = content if isinstance(content, list) else []
    urls = [as_url(p) for p in parts if isinstance(p, dict) and p.get("type") == "image_url"]
    return -1 if any(not valid_image_url(u) for u in urls) else len(urls)


def as_url(part: dict[str, Any]) -> str:
    image = part.get("image_url")
    return str(image.get("url", "")) if isinstance(image, dict) else ""


def wants_thinking(model: EmulatedModel, body: dict[str, Any]) -> bool:
    """Whether this request switches thinking on, by any family's own switch."""
    if model.reasoning in ("inline", "always"):
        return True
    if model.reasoning != "optional":
        return False
    thinking = body.get("thinking")
    google = ((body.get("extra_body") or {}).get("google") or {}).get("thinking_config")
    return bool(
        body.get("enable_thinking") is True
        or (isinstance(thinking, dict) and thinking.get("type") == "enabled")
        or body.get("reasoning_effort") not in (None, "none", "minimal")
        or (isinstance(google, dict) and google.get("include_thoughts"))
    )


def _usage(prompt: int, content: str, reasoning: str, hidden_reasoning: int) -> dict[str, Any]:
    completion = count_tokens(content) + count_tokens(reasoning) + hidden_reasoning
    reasoning_tokens = count_tokens(reasoning) + hidden_reasoning
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "text_tokens": 0, "audio_tokens": 0, "image_tokens": 0},
        "completion_tokens_details": {"text_tokens": 0, "audio_tokens": 0, "reasoning_tokens": reasoning_tokens},
        "input_tokens": 0,
        "output_tokens": 0,
        "input_tokens_details": None,
        "claude_cache_creation_5_m_tokens": 0,
        "claude_cache_creation_1_h_tokens": 0,
    }


async def chat_completions(call: Call) -> Response:
    body = call.body
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return error_bodies.error_response(400, message="messages is required and must be a non-empty array")
    stream = body.get("stream") is True
    model = call.model
    refusal = _refusal(model, body)
    if refusal is not None:
        return refusal
    claude_stock = model.owned_by == "anthropic" and call.gateway != "docs"
    thinking = _claude_thinks(call) if claude_stock else wants_thinking(model, body)
    if isinstance(thinking, Response):
        return thinking
    if model.owned_by == "qwen" and body.get("enable_thinking") is True and not stream:
        return error_bodies.error_response(
            400, message="parameter.enable_thinking must be set to false for non-streaming calls"
        )
    prompt = next((_text_of(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
    images = _image_count(messages)
    if images < 0:
        return error_bodies.error_response(400, message="image_url.url must be an http(s) URL or a base64 data URL")
    reply = call.reply(prompt, thinking=thinking, images=images)
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    reply, cut = limit_reply(reply, limit)
    finish = "length" if cut else "stop"
    inline = model.reasoning == "inline" and (not claude_stock or (thinking and call.switches.inline))
    content, reasoning_field, hidden = _shape(model, reply, thinking, inline)
    usage = _usage(prompt_tokens([_text_of(m.get("content")) for m in messages]), content, reasoning_field, hidden)
    usage["prompt_tokens_details"]["cached_tokens"] = min(call.switches.cached, usage["prompt_tokens"])
    # new-api's Claude-over-chat usage: cache writes in their own fields, inside prompt_tokens.
    usage["claude_cache_creation_5_m_tokens"] = min(call.switches.cachewrite, usage["prompt_tokens"])
    if call.switches.cost >= 0:
        usage["cost"] = call.switches.cost
    served = call.switches.served or model.id
    serial = call.next_id()
    response_id = f"msg_emu{serial:08d}" if model.reasoning == "inline" else f"chatcmpl-emu{serial:08d}"
    if call.switches.error200 and not stream:
        return JSONResponse(error_bodies.openai_error(500, "upstream error: do_request_failed"), status_code=200)
    if call.switches.nochoices:
        return JSONResponse({"id": response_id, "object": "chat.completion", "model": served, "choices": []})
    if not stream:
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if reasoning_field:
            message["reasoning_content"] = reasoning_field
        return JSONResponse(
            {
                "id": response_id,
                "model": served,
                "object": "chat.completion",
                "created": int(time.time()),
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": usage,
            }
        )
    include_usage = (body.get("stream_options") or {}).get("include_usage") is not False
    frames = _stream_frames(response_id, served, content, reasoning_field, finish, usage if include_usage else None)
    if call.switches.error200:
        frames = [*frames[:2], data_frame(json.dumps(error_bodies.openai_error(500)))]
    return sse_response(frames, call.switches, call.exchange)


def _claude_thinks(call: Call) -> bool | Response:
    """Stock new-api converts the body for Anthropic, which then applies its own thinking rules: whether Claude
    thinks, or Anthropic's 400 as new-api relays it."""
    converted = anthropic_rules.claude_body_from_chat(call.body)
    broken = anthropic_rules.violation(call.model.id, converted)
    if broken:
        return error_bodies.error_response(400, message=broken, code="invalid_request_error")
    return "thinking" in converted


def _shape(model: EmulatedModel, reply: Reply, thinking: bool, inline: bool) -> tuple[str, str, int]:
    """(content, reasoning_content, hidden reasoning tokens) the way this family's chat endpoint returns them."""
    if inline:
        # mixrouter's Claude-through-chat puts thinking inline, whether asked or not (seed M2); on stock new-api
        # only a Bedrock-style channel does (the `inline` switch). Stock new-api sends reasoning_content.
        return f"<budget:thinking>\n{reply.reasoning}\n</budget:thinking>\n\n{reply.answer}", "", 0
    if not thinking:
        return reply.answer, "", 0
    if model.owned_by == "openai":
        # OpenAI's chat endpoint never returns reasoning text, only its token count.
        return reply.answer, "", count_tokens(reply.reasoning)
    return reply.answer, reply.reasoning, 0


def _chunk(response_id: str, model: str, delta: dict[str, Any], finish: str | None = None) -> str:
    payload = {
        "id": response_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return data_frame(json.dumps(payload, ensure_ascii=False))


def _stream_frames(
    response_id: str, model: str, content: str, reasoning: str, finish: str, usage: dict[str, Any] | None
) -> list[str]:
    frames = [_chunk(response_id, model, {"role": "assistant", "content": ""})]
    frames += [_chunk(response_id, model, {"reasoning_content": piece}) for piece in tokens(reasoning)]
    frames += [_chunk(response_id, model, {"content": piece}) for piece in pieces_of(content)]
    frames.append(_chunk(response_id, model, {}, finish))
    if usage is not None:
        final = {"id": response_id, "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
        frames.append(data_frame(json.dumps({**final, "choices": [], "usage": usage})))
    frames.append(data_frame("[DONE]"))
    return frames
