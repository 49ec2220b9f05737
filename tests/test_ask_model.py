"""ask_model end to end: MCP client (both protocol eras) → server → real emulator on loopback."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.emulator.app import key_fingerprint
from mixrouter_mcp.server import build_server

from .conftest import ALL_TOOLS, TEST_KEY, make_settings, text_of

pytestmark = pytest.mark.anyio


async def test_tools_have_input_and_output_schemas_and_annotations(client: Client) -> None:
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == ALL_TOOLS
    for tool in tools.values():
        assert tool.input_schema["type"] == "object"
        assert tool.output_schema is not None and tool.output_schema["type"] == "object"
        assert tool.annotations is not None
        # Every tool that calls a model reaches the outside world; the others only read or change our own stores.
        reaches_out = tool.name in (
            "ask_model",
            "extended_thinking",
            "compare_models",
            "list_models",
            "video",
        )
        assert tool.annotations.open_world_hint is reaches_out
        changes_something = tool.name in ("delete_conversation", "video", "cancel_job")
        assert tool.annotations.read_only_hint is not changes_something
    assert tools["ask_model"].input_schema["required"] == ["prompt"]
    assert set(tools["ask_model"].output_schema["properties"]) >= {
        "text",
        "model",
        "finish_reason",
        "usage",
        "latency_ms",
    }


async def test_answer_model_and_usage(client: Client) -> None:
    result = await client.call_tool("ask_model", {"prompt": "What is MCP?", "model": "gpt-4o-mini"})
    assert not result.is_error
    data: dict[str, Any] = result.structured_content or {}
    assert data["text"] == "[gpt-4o-mini] You asked: What is MCP?"
    assert data["model"] == "gpt-4o-mini" and data["finish_reason"] == "stop"
    usage = data["usage"]
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert data["latency_ms"] >= 0
    # What a client shows: the answer, then a one-line footer; not a JSON dump.
    text = text_of(result)
    assert text.startswith("[gpt-4o-mini] You asked: What is MCP?\n\n— gpt-4o-mini · ")
    assert "tokens" in text.splitlines()[-1] and not text.lstrip().startswith("{")


async def test_default_model_comes_from_settings(emulator: BackgroundEmulator) -> None:
    settings = make_settings(emulator, default_model="deepseek-chat")
    async with Client(build_server(settings)) as client:
        result = await client.call_tool("ask_model", {"prompt": "hi"})
    assert (result.structured_content or {})["model"] == "deepseek-chat"


@pytest.mark.parametrize("model", ["gpt-4o", "claude-opus-4-5-20251101", "doubao-seed-1-6-thinking-250715"])
async def test_streamed_answer_equals_plain(emulator: BackgroundEmulator, mode: str, model: str) -> None:
    answers = []
    for stream in (True, False):
        async with Client(build_server(make_settings(emulator, stream=stream)), mode=mode) as client:
            result = await client.call_tool("ask_model", {"prompt": "1+2+3+4+...+100=?", "model": model})
        data = dict(result.structured_content or {})
        data.pop("latency_ms")
        data.pop("conversation_id")  # each call starts its own thread
        answers.append(data)
    assert answers[0] == answers[1]
    assert answers[0]["usage"]["output_tokens"] > 0


async def test_claude_inline_thinking_never_reaches_the_answer(client: Client) -> None:
    result = await client.call_tool("ask_model", {"prompt": "1+2+3+4+...+100=?", "model": "claude-opus-4-5-20251101"})
    data = result.structured_content or {}
    assert data["text"].startswith("Using the formula") and data["text"].endswith("**5050**")
    assert "budget:thinking" not in text_of(result)


async def test_parameters_reach_mixrouter(client: Client, emulator: BackgroundEmulator) -> None:
    args = {
        "prompt": "p-123",
        "model": "gpt-4.1",
        "system": "be terse",
        "temperature": 0.3,
        "top_p": 0.9,
        "max_tokens": 50,
    }
    result = await client.call_tool("ask_model", args)
    assert not result.is_error
    sent = next(e for e in reversed(emulator.recorder.exchanges()) if e.model == "gpt-4.1").body
    assert sent["messages"] == [{"role": "system", "content": "be terse"}, {"role": "user", "content": "p-123"}]
    assert (sent["temperature"], sent["top_p"], sent["max_tokens"]) == (0.3, 0.9, 50)
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}


async def test_max_tokens_cut_reports_length(client: Client) -> None:
    result = await client.call_tool("ask_model", {"prompt": "long", "model": "gpt-4o~words=50", "max_tokens": 5})
    data = result.structured_content or {}
    assert data["finish_reason"] == "length" and data["usage"]["output_tokens"] == 5
    assert "finish: length" in text_of(result)


async def test_fallback_model_is_reported(client: Client) -> None:
    result = await client.call_tool("ask_model", {"prompt": "x", "model": "gpt-4o~served=gpt-4o-mini"})
    data = result.structured_content or {}
    assert data["model"] == "gpt-4o-mini" and data["requested_model"] == "gpt-4o~served=gpt-4o-mini"
    assert "(asked gpt-4o~served=gpt-4o-mini)" in text_of(result)


async def test_long_answer_is_capped_and_readable_in_pages(emulator: BackgroundEmulator, mode: str) -> None:
    settings = make_settings(emulator, max_output_tokens=500)
    async with Client(build_server(settings), mode=mode) as client:
        result = await client.call_tool("ask_model", {"prompt": "x", "model": "gpt-4o~words=3000"})
        data = result.structured_content or {}
        assert data["truncated"] is True and data["result_id"].startswith("res_")
        shown = data["text"].split("\n\n[truncated by mixrouter-mcp")[0]
        assert len(shown) == 2000  # 500 tokens of Latin text, about 4 characters each
        assert f'read_result(result_id="{data["result_id"]}", offset=2000)' in data["text"]
        pages, offset = [shown], 2000
        while offset is not None:
            page = await client.call_tool("read_result", {"result_id": data["result_id"], "offset": offset})
            assert not page.is_error
            body = page.structured_content or {}
            pages.append(body["text"])
            offset = body["next_offset"]
        full = "".join(pages)
        assert full.count(" ") == 2999 and body["total_chars"] == len(full)
        unknown = await client.call_tool("read_result", {"result_id": "res_nope"})
        assert unknown.is_error and "no kept result" in text_of(unknown)


async def test_cjk_answers_are_capped_by_tokens_not_characters(emulator: BackgroundEmulator) -> None:
    settings = make_settings(emulator, max_output_tokens=500)
    async with Client(build_server(settings)) as client:
        result = await client.call_tool("ask_model", {"prompt": "汉" * 3000, "model": "qwen3-max"})
    shown = (result.structured_content or {})["text"].split("\n\n[truncated")[0]
    assert (result.structured_content or {})["truncated"] and shown.count("汉") <= 500


async def test_prompt_size_cap(emulator: BackgroundEmulator) -> None:
    before = emulator.recorder.count()
    async with Client(build_server(make_settings(emulator, max_prompt_chars=1000))) as client:
        for tool, extra in (("ask_model", {}), ("extended_thinking", {}), ("compare_models", {"models": ["a", "b"]})):
            result = await client.call_tool(tool, {"prompt": "x" * 1001, **extra})
            assert result.is_error and "the limit is 1,000 (MIXROUTER_MAX_PROMPT_CHARS)" in text_of(result)
    assert emulator.recorder.count() == before


async def test_keepalives_crlf_and_multiline_streams_parse(client: Client) -> None:
    result = await client.call_tool("ask_model", {"prompt": "frames", "model": "qwen3-max~pings=2~crlf"})
    assert not result.is_error
    assert (result.structured_content or {})["text"] == "[qwen3-max] You asked: frames"


async def test_progress_only_when_asked(client: Client) -> None:
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    await client.call_tool("ask_model", {"prompt": "x", "model": "gpt-4o"}, progress_callback=on_progress)
    assert seen and seen[0][2] == "asking gpt-4o"
    assert [p for p, _, _ in seen] == sorted({p for p, _, _ in seen})


async def test_key_is_sent_as_bearer_and_never_returned(client: Client, emulator: BackgroundEmulator) -> None:
    result = await client.call_tool("ask_model", {"prompt": "what is my key?", "model": "gpt-4o"})
    assert TEST_KEY not in text_of(result) and TEST_KEY not in str(result.structured_content)
    assert emulator.recorder.exchanges()[-1].headers["authorization"] == key_fingerprint(TEST_KEY)
