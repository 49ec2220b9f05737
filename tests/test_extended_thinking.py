"""extended_thinking through the MCP client against the emulator: every family thinks by its own switch, and the
reasoning always comes back apart from the answer."""

from __future__ import annotations

import pytest
from mcp import Client

from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.server import build_server

from .conftest import make_settings, text_of

pytestmark = pytest.mark.anyio

FAMILIES = [
    ("claude-sonnet-4-5-20250929", "auto", "messages", "thinking.budget_tokens", "/v1/messages"),
    ("claude-opus-4-5-20251101", "chat", "chat", "reasoning.max_tokens", "/v1/chat/completions"),
    (
        "gemini-2.5-pro",
        "auto",
        "gemini",
        "thinkingConfig.thinkingBudget",
        "/v1beta/models/gemini-2.5-pro:streamGenerateContent",
    ),
    ("gemini-2.5-flash", "chat", "chat", "extra_body.google.thinking_config.thinking_budget", "/v1/chat/completions"),
    ("qwen3-max", "auto", "chat", "enable_thinking", "/v1/chat/completions"),
    ("deepseek-chat", "auto", "chat", "thinking.type", "/v1/chat/completions"),
    ("deepseek-reasoner", "auto", "chat", "model", "/v1/chat/completions"),
    ("doubao-seed-1-6-thinking-250715", "auto", "chat", "thinking.type", "/v1/chat/completions"),
    ("gpt-5", "auto", "responses", "reasoning.effort", "/v1/responses"),
    ("o3", "auto", "responses", "reasoning.effort", "/v1/responses"),
    ("gpt-5.2-pro", "auto", "responses", "reasoning.effort", "/v1/responses"),
]


@pytest.mark.parametrize(("model", "api", "wire", "switch", "path"), FAMILIES)
async def test_every_family_returns_reasoning_apart(
    client: Client, emulator: BackgroundEmulator, model: str, api: str, wire: str, switch: str, path: str
) -> None:
    result = await client.call_tool("extended_thinking", {"prompt": "Why is the sky blue?", "model": model, "api": api})
    assert not result.is_error, text_of(result)
    data = result.structured_content or {}
    assert data["answer"] == f"[{model}] You asked: Why is the sky blue?"
    assert data["reasoning"].startswith("Thinking about the question")
    assert data["reasoning"] not in data["answer"] and "budget:thinking" not in data["answer"]
    assert data["applied"]["wire"] == wire and data["applied"]["switch"] == switch
    assert data["thinking_supported"] is True and data["reasoning_tokens"] > 0
    assert emulator.recorder.exchanges()[-1].path.split("?")[0] == path.split("?")[0]
    text = text_of(result)
    assert "── reasoning of" in text and f"{wire} {switch}=" in text and "budget:thinking" not in text


async def test_the_switch_reaches_the_wire(client: Client, emulator: BackgroundEmulator) -> None:
    args = {"prompt": "x", "model": "claude-sonnet-4-5-20250929", "effort": "low", "max_tokens": 500}
    data = (await client.call_tool("extended_thinking", args)).structured_content or {}
    body = emulator.recorder.exchanges()[-1].body
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048} and body["max_tokens"] == 2048 + 4096
    assert any("max_tokens raised from 500" in n for n in data["notes"])


async def test_explicit_budget(client: Client, emulator: BackgroundEmulator) -> None:
    args = {"prompt": "x", "model": "gemini-2.5-pro", "budget_tokens": 3000}
    data = (await client.call_tool("extended_thinking", args)).structured_content or {}
    assert data["applied"]["value"] == 3000
    assert emulator.recorder.exchanges()[-1].body["generationConfig"]["thinkingConfig"]["thinkingBudget"] == 3000


async def test_reasoning_can_be_left_out(client: Client) -> None:
    args = {"prompt": "x", "model": "deepseek-reasoner", "include_reasoning": False}
    result = await client.call_tool("extended_thinking", args)
    data = result.structured_content or {}
    assert data["reasoning"] is None and data["reasoning_tokens"] > 0
    assert "── reasoning" not in text_of(result)


async def test_a_model_that_cannot_think_says_so(client: Client) -> None:
    result = await client.call_tool("extended_thinking", {"prompt": "x", "model": "gpt-4o"})
    data = result.structured_content or {}
    assert not result.is_error and data["thinking_supported"] is False and data["applied"] is None
    assert "no thinking mode" in data["notes"][0] and "no thinking mode" in text_of(result)


async def test_qwen_thinks_although_the_wire_refuses_it_unstreamed(emulator: BackgroundEmulator, mode: str) -> None:
    async with Client(build_server(make_settings(emulator, stream=False)), mode=mode) as client:
        result = await client.call_tool("extended_thinking", {"prompt": "x", "model": "qwen3-max"})
    data = result.structured_content or {}
    assert not result.is_error and data["reasoning"]
    assert emulator.recorder.exchanges()[-1].body["stream"] is True
    assert any("streamed upstream" in n for n in data["notes"])


async def test_claude_inline_tags_never_reach_any_answer(client: Client) -> None:
    for tool, key in (("ask_model", "text"), ("extended_thinking", "answer")):
        result = await client.call_tool(
            tool, {"prompt": "1+2+3+4+...+100=?", "model": "claude-opus-4-5-20251101", "api": "chat"}
        )
        assert "<budget:thinking>" not in (result.structured_content or {})[key]
        assert "<budget:thinking>" not in text_of(result)


async def test_bad_effort_and_budget_are_refused(client: Client) -> None:
    for args, must_say in (({"effort": "extreme"}, "low"), ({"budget_tokens": 10}, "greater than or equal to 1024")):
        result = await client.call_tool("extended_thinking", {"prompt": "x", **args})
        assert result.is_error and must_say in text_of(result)
