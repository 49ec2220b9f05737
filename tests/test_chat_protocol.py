"""Table-driven: exact JSON from the seeds and protocols.md in, normalised Completion out."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from mixrouter_mcp.upstream import errors
from mixrouter_mcp.upstream.protocols import chat
from mixrouter_mcp.upstream.sse import parse_sse
from mixrouter_mcp.upstream.types import Completion, Message, Query

FIXTURES = Path(__file__).parent / "fixtures" / "chat"
PLAIN = sorted((FIXTURES / "plain").glob("*.json"))
STREAMS = json.loads((FIXTURES / "stream" / "expect.json").read_text())


def summary(completion: Completion) -> dict[str, Any]:
    return {
        "text": completion.text,
        "reasoning": completion.reasoning,
        "model": completion.model,
        "finish_reason": completion.finish_reason,
        "usage": asdict(completion.usage),
    }


@pytest.mark.parametrize("path", PLAIN, ids=[p.stem for p in PLAIN])
def test_plain_bodies(path: Path) -> None:
    case = json.loads(path.read_text())
    completion = chat.parse(case["body"])
    expected = dict(case["expect"])
    assert completion.response_id == expected.pop("response_id")
    assert summary(completion) == expected


def run_stream(text: str) -> chat.Stream:
    stream = chat.Stream("requested")
    for event in parse_sse(text):
        stream.feed(event)
        if stream.done:
            break
    return stream


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_streams(name: str) -> None:
    expected = STREAMS[name]
    text = (FIXTURES / "stream" / name).read_bytes().decode()
    if "error" in expected:
        with pytest.raises(errors.StreamBroken) as raised:
            run_stream(text).finish()
        assert expected["message_contains"] in str(raised.value)
        assert raised.value.partial_text == expected["partial_text"]
        return
    assert summary(run_stream(text).finish()) == expected


def test_stream_deltas_never_contain_inline_tags() -> None:
    text = (FIXTURES / "stream" / "claude_inline_thinking_split_tags.sse").read_text()
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
