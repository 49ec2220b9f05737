"""Table-driven, every wire format: exact JSON from the seeds and protocols.md in, normalised Completion out."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from mixrouter_mcp.upstream import errors
from mixrouter_mcp.upstream.protocols import WIRE_FORMATS, StreamAssembler, chat
from mixrouter_mcp.upstream.routing import Wire
from mixrouter_mcp.upstream.sse import parse_sse
from mixrouter_mcp.upstream.types import Completion, Message, Query

FIXTURES = Path(__file__).parent / "fixtures"
PLAIN = sorted(FIXTURES.glob("*/plain/*.json"))
STREAMS = [
    (wire, name, expected)
    for wire in Wire
    for name, expected in sorted(json.loads((FIXTURES / wire.value / "stream" / "expect.json").read_text()).items())
]


def summary(completion: Completion) -> dict[str, Any]:
    return {
        "text": completion.text,
        "reasoning": completion.reasoning,
        "model": completion.model,
        "finish_reason": completion.finish_reason,
        "usage": usage_of(completion),
    }


def usage_of(completion: Completion) -> dict[str, Any]:
    """Usage as the fixtures spell it: cache writes and a gateway cost only where a fixture's body has them."""
    usage = asdict(completion.usage)
    if not usage["cache_write_tokens"]:
        del usage["cache_write_tokens"]
    if usage["cost_usd"] is None:
        del usage["cost_usd"]
    return usage


@pytest.mark.parametrize("path", PLAIN, ids=[f"{p.parent.parent.name}-{p.stem}" for p in PLAIN])
def test_plain_bodies(path: Path) -> None:
    case = json.loads(path.read_text())
    completion = WIRE_FORMATS[Wire(path.parent.parent.name)].parse(case["body"], "")
    expected = dict(case["expect"])
    assert completion.response_id == expected.pop("response_id")
    assert summary(completion) == expected


def run_stream(wire: Wire, text: str) -> StreamAssembler:
    stream = WIRE_FORMATS[wire].stream("requested")
    for event in parse_sse(text):
        stream.feed(event)
        if stream.done:
            break
    return stream


@pytest.mark.parametrize(("wire", "name", "expected"), STREAMS, ids=[f"{w.value}-{n}" for w, n, _ in STREAMS])
def test_streams(wire: Wire, name: str, expected: dict[str, Any]) -> None:
    text = (FIXTURES / wire.value / "stream" / name).read_bytes().decode()
    if "error" in expected:
        with pytest.raises(errors.UpstreamError) as raised:
            run_stream(wire, text).finish()
        assert type(raised.value).__name__ == expected["error"]
        assert expected["message_contains"] in str(raised.value)
        assert raised.value.partial_text == expected["partial_text"]
        return
    assert summary(run_stream(wire, text).finish()) == expected


def test_stream_deltas_never_contain_inline_tags() -> None:
    text = (FIXTURES / "chat" / "stream" / "claude_inline_thinking_split_tags.sse").read_text()
    stream = chat.Stream()
    pieces = [stream.feed(event).text for event in parse_sse(text)]
    assert "budget" not in "".join(pieces)


def test_build_plain_and_streamed() -> None:
    query = Query("gpt-4o", (Message("user", "hi"),), system="terse", temperature=0.2, max_tokens=9, stream=True)
    request = chat.build(query)
    assert request.method == "POST" and request.path == "/v1/chat/completions" and request.stream
    assert request.json == {
        "model": "gpt-4o",
        "messages": [{"role": "system", "content": "terse"}, {"role": "user", "content": "hi"}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": 0.2,
        "max_tokens": 9,
    }
    plain = chat.build(Query("gpt-4o", (Message("user", "hi"),), stream=False)).json
    assert plain is not None and "stream_options" not in plain and plain["stream"] is False


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"id": "x", "choices": []}, errors.InvalidResponse),
        ({"error": {"message": "boom (request id: r1)", "type": "new_api_error", "code": ""}}, errors.UpstreamError),
        ([1, 2], errors.InvalidResponse),
    ],
)
def test_bad_plain_bodies(body: Any, kind: type[Exception]) -> None:
    with pytest.raises(kind):
        chat.parse(body)


def test_null_content_is_an_empty_answer() -> None:
    body = {
        "model": "m",
        "choices": [{"message": {"role": "assistant", "content": None}, "finish_reason": "tool_calls"}],
    }
    completion = chat.parse(body)
    assert completion.text == "" and completion.finish_reason == "tool_calls"


def test_messages_build_headers_system_cache_and_images() -> None:
    from mixrouter_mcp.upstream.protocols import messages
    from mixrouter_mcp.upstream.types import Image

    image = Image("image/png", data_base64="aGk=")
    query = Query("claude-x", (Message("user", "look", (image,)),), system="sys", cache_system=True, stream=False)
    request = messages.build(query)
    assert request.headers == {"anthropic-version": "2023-06-01"}
    body = request.json or {}
    assert body["max_tokens"] == 4096  # required by Anthropic, defaulted
    assert body["system"] == [{"type": "text", "text": "sys", "cache_control": {"type": "ephemeral"}}]
    assert body["messages"][0]["content"][0] == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "aGk="},
    }


def test_gemini_build_path_and_config() -> None:
    from mixrouter_mcp.upstream.protocols import gemini
    from mixrouter_mcp.upstream.types import Image

    image = Image("image/jpeg", url="https://example.invalid/cat.png")
    query = Query("gemini-2.5-pro", (Message("user", "hi", (image,)),), system="s", temperature=0.5, max_tokens=7)
    request = gemini.build(query)
    assert request.path == "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse"
    body = request.json or {}
    assert body["systemInstruction"] == {"parts": [{"text": "s"}]}
    assert body["generationConfig"] == {"temperature": 0.5, "maxOutputTokens": 7}
    assert body["contents"][0]["parts"][1] == {
        "fileData": {"mimeType": "image/png", "fileUri": "https://example.invalid/cat.png"}
    }


def test_responses_build() -> None:
    from mixrouter_mcp.upstream.protocols import responses

    query = Query("gpt-5.2-pro", (Message("user", "q"),), system="s", max_tokens=9, stream=False)
    body = responses.build(query).json or {}
    assert body == {
        "model": "gpt-5.2-pro",
        "input": [{"role": "user", "content": [{"type": "input_text", "text": "q"}]}],
        "stream": False,
        "store": False,
        "instructions": "s",
        "max_output_tokens": 9,
    }


def test_gemini_blocked_prompt() -> None:
    from mixrouter_mcp.upstream.protocols import gemini

    with pytest.raises(errors.PermissionDenied, match="SAFETY"):
        gemini.parse({"promptFeedback": {"blockReason": "SAFETY"}})
