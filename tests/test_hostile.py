"""Hostile upstream bytes (issue 11): whatever mixrouter sends, the server answers with a result or a clear
`isError`, never crashes, never bloats, never leaks the key. Driven through the MCP client against a scripted
upstream that sends exactly the bytes each test gives it."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator, Iterator
from itertools import count
from typing import Any

import pytest
from mcp import Client

from mixrouter_mcp.emulator.scripted import Reply, ScriptedUpstream
from mixrouter_mcp.server import build_server

from .conftest import TEST_KEY, scripted_settings, text_of
from .processes import raw_session, tool_call
from .wires import SSE, WIRES, plain, stream

pytestmark = pytest.mark.anyio
EMOJI_SPLIT = [("reasoning", "think \ud83d"), ("reasoning", "\ude00 done"), ("text", "A\ud83d"), ("text", "\ude00B")]


@pytest.fixture
async def client(scripted: ScriptedUpstream) -> AsyncIterator[Client]:
    async with Client(build_server(scripted_settings(scripted))) as connected:
        yield connected


async def ask(client: Client, wire: str = "chat", **arguments: Any) -> tuple[bool, dict[str, Any], str]:
    result = await client.call_tool("ask_model", {"prompt": "hostile", **WIRES[wire], **arguments})
    return bool(result.is_error), dict(result.structured_content or {}), text_of(result)


# --------------------------------------------------------------------------------- 1: surrogates, in every wire


@pytest.mark.parametrize("wire", sorted(WIRES))
async def test_an_emoji_split_across_events_is_joined_and_a_lone_surrogate_replaced(
    client: Client, scripted: ScriptedUpstream, wire: str
) -> None:
    scripted.script(Reply(headers=SSE, body=stream(wire, [*EMOJI_SPLIT, ("text", " \udc00!")])))
    result = await client.call_tool("extended_thinking", {"prompt": "hostile", "effort": "low", **WIRES[wire]})
    data = result.structured_content or {}
    assert not result.is_error, text_of(result)
    assert data["answer"] == "A😀B \ufffd!"
    assert "😀" in (data["reasoning"] or "")
    json.dumps(data, ensure_ascii=False).encode("utf-8")  # strict: fails on any surrogate left
    conversation = await client.call_tool("conversations", {"conversation_id": data["conversation_id"]})
    assert "A😀B" in text_of(conversation)  # the SQLite write went through


@pytest.mark.parametrize("wire", sorted(WIRES))
async def test_lone_surrogates_in_plain_bodies_and_errors(
    client: Client, scripted: ScriptedUpstream, wire: str
) -> None:
    scripted.script(Reply(body=plain(wire, "x\ud800y", model="m\udfff")))
    is_error, data, text = await ask(client, wire)
    assert not is_error and data["text"] == "x\ufffdy" and data["model"] == "m\ufffd", text
    scripted.script(Reply(status=400, body=json.dumps({"error": {"message": "bad \ud83d input"}}).encode()))
    is_error, _, text = await ask(client, wire)
    assert is_error and "bad \ufffd input" in text


async def test_stdio_survives_a_split_emoji_and_keeps_serving(scripted: ScriptedUpstream) -> None:
    """The defect killed the stdio server: the SDK's writer could not encode the lone surrogate."""
    scripted.script(Reply(headers=SSE, body=stream("chat", EMOJI_SPLIT)))
    requests: list[dict[str, object] | str] = [
        tool_call(2, "ask_model", {"prompt": "emoji", "model": "gpt-4o"}),
        tool_call(3, "list_models", {}),
    ]
    messages, stdout, _ = await raw_session(scripted, requests)  # type: ignore[arg-type]
    by_id = {m.get("id"): m for m in messages}
    assert by_id[2]["result"]["structuredContent"]["text"] == "A😀B"  # type: ignore[index]
    assert 3 in by_id  # the next request is answered too
    stdout.encode("utf-8")


# ------------------------------------------------------------------------------------------------ 3: byte caps


def _zeros(total: int, piece: int = 1 << 20) -> Iterator[bytes]:
    for _ in range(total // piece):
        yield b"0" * piece


async def test_a_huge_plain_body_is_refused_at_the_cap(scripted: ScriptedUpstream) -> None:
    body = (b'{"choices": [{"message": {"content": "', *_zeros(20 << 20), b'"}}]}')
    scripted.script(Reply(body=body))
    async with Client(build_server(scripted_settings(scripted, max_response_bytes=1 << 20))) as client:
        is_error, _, text = await ask(client)
        assert is_error and "larger than 1,048,576 bytes" in text and "MIXROUTER_MAX_RESPONSE_BYTES" in text
        assert len(scripted.requests) == 1  # not retried: the same body would come again


async def test_a_gzip_bomb_is_refused_after_the_cap_not_after_inflating(scripted: ScriptedUpstream) -> None:
    bomb = gzip.compress(b'{"choices": [{"message": {"content": "' + b"0" * (200 << 20) + b'"}}]}', 9)
    assert len(bomb) < 300_000
    scripted.script(Reply(headers={"content-type": "application/json", "content-encoding": "gzip"}, body=bomb))
    async with Client(build_server(scripted_settings(scripted, max_response_bytes=1 << 20))) as client:
        is_error, _, text = await ask(client)
        assert is_error and "larger than 1,048,576 bytes" in text


async def test_gzip_and_deflate_bodies_still_decode(client: Client, scripted: ScriptedUpstream) -> None:
    import zlib

    for encoding, packed in (
        ("gzip", gzip.compress(plain("chat", "zipped"))),
        ("deflate", zlib.compress(plain("chat", "deflated"))),
    ):
        scripted.script(Reply(headers={"content-type": "application/json", "content-encoding": encoding}, body=packed))
        is_error, data, text = await ask(client)
        assert not is_error and data["text"] in ("zipped", "deflated"), text
    scripted.script(Reply(headers={"content-type": "application/json", "content-encoding": "br"}, body=b"??"))
    is_error, _, text = await ask(client)
    assert is_error and "encoding we did not ask for: br" in text


async def test_a_huge_error_body_is_read_only_in_part(scripted: ScriptedUpstream) -> None:
    message = json.dumps({"error": {"message": "overloaded " + "x" * (30 << 20)}}).encode()
    scripted.script(Reply(status=503, body=message))
    async with Client(build_server(scripted_settings(scripted, max_response_bytes=1 << 20))) as client:
        is_error, _, text = await ask(client)
    assert is_error and "HTTP 503" in text and len(text) < 11_000
    assert len(scripted.requests) == 3  # retried as a 503, each time reading only the start


async def test_an_endless_stream_stops_at_the_cap_keeping_the_partial_answer(scripted: ScriptedUpstream) -> None:
    def endless() -> Iterator[bytes]:
        for number in count():
            yield stream("chat", [("text", f"w{number} ")]).split(b"\n\n")[0] + b"\n\n"

    scripted.script(Reply(headers=SSE, body=endless))
    async with Client(build_server(scripted_settings(scripted, max_response_bytes=1 << 20))) as client:
        is_error, _, text = await ask(client)
    assert is_error and "larger than 1,048,576 bytes" in text
    assert "[PARTIAL ANSWER, incomplete]\nw0 w1 w2" in text


async def test_a_stored_turn_is_capped(scripted: ScriptedUpstream) -> None:
    scripted.script(Reply(body=plain("chat", "y" * 5_000)))
    async with Client(build_server(scripted_settings(scripted, conversation_max_turn_chars=1_000))) as client:
        is_error, data, _ = await ask(client)
        assert not is_error and data["text"] == "y" * 5_000  # the caller still gets it all
        assert any("stored cut to 1,000 characters" in note for note in data["notes"]), data["notes"]
        stored = await client.call_tool("conversations", {"conversation_id": data["conversation_id"]})
        turn = stored.structured_content["turns"][1]["content"]  # type: ignore[index]
        assert turn.startswith("y" * 1_000) and len(turn) < 1_200 and "cut by mixrouter-mcp" in turn


# ---------------------------------------------------------------------------------------------- 4: key leaks


async def test_a_served_model_id_that_echoes_the_key_is_scrubbed_everywhere(scripted: ScriptedUpstream) -> None:
    scripted.script(Reply(body=plain("chat", "fine", model=f"gpt-4o-{TEST_KEY}")))
    async with Client(build_server(scripted_settings(scripted))) as client:
        result = await client.call_tool("ask_model", {"prompt": "x", "model": "gpt-4o"})
        data = result.structured_content or {}
        listed = await client.call_tool("conversations", {})
        stored = await client.call_tool("conversations", {"conversation_id": data["conversation_id"]})
    everything = json.dumps([r.model_dump(mode="json") for r in (result, listed, stored)])
    assert "[REDACTED]" in data["model"] and TEST_KEY not in everything


async def test_video_reasons_and_404_messages_are_scrubbed(client: Client, scripted: ScriptedUpstream) -> None:
    failed = {"id": "task-1", "status": "failed", "error": {"message": f"upstream credential {TEST_KEY} refused"}}
    scripted.script(Reply(body=json.dumps(failed).encode()), "/v1/videos/task-1")
    scripted.script(Reply(status=404, body=json.dumps({"error": {"message": f"no task for {TEST_KEY}"}}).encode()))
    results = [
        await client.call_tool("video", {"task_id": "task-1", "wait_s": 0}),
        await client.call_tool("video", {"task_id": "task-2", "wait_s": 0}),
        await client.call_tool("video", {"task_id": "task-2", "save": True}),
    ]
    everything = json.dumps([r.model_dump(mode="json") for r in results])
    assert all(r.is_error for r in results) and TEST_KEY not in everything and everything.count("[REDACTED]") >= 3


# ------------------------------------------------------------------------------------- 8: parse failures


@pytest.mark.parametrize("wire", sorted(WIRES))
async def test_json_nested_100k_deep_is_an_upstream_error_with_a_reason(
    client: Client, scripted: ScriptedUpstream, wire: str
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    scripted.script(Reply(body=deep))
    is_error, _, text = await ask(client, wire)
    assert is_error and "invalid response from mixrouter" in text, text
    scripted.script(Reply(headers=SSE, body=b"data: " + deep + b"\n\n"))
    is_error, _, text = await ask(client, wire)
    assert is_error and "not JSON" in text, text
    scripted.script(Reply(status=400, body=deep))
    is_error, _, text = await ask(client, wire)
    assert is_error and "HTTP 400" in text, text


async def test_the_server_logs_no_traceback_for_hostile_bodies(scripted: ScriptedUpstream) -> None:
    scripted.script(Reply(body=b"[" * 100_000))
    _, _, stderr = await raw_session(scripted, [tool_call(2, "ask_model", {"prompt": "x"})])  # type: ignore[arg-type]
    assert "Traceback" not in stderr and "RecursionError" not in stderr
