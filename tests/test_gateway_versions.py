"""Against stock new-api as read at two commits (emulator `gateway=2025-12` and `2026-06`), through the MCP client:
video end to end with default settings, Claude thinking over the chat wire with a caller's temperature, adaptive
thinking for Opus 4.7, Qwen's budget reported honestly, and a used-up or expired key told apart from a wrong one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.server import build_server

from .conftest import TEST_KEY, make_settings, text_of

pytestmark = pytest.mark.anyio
SEEDANCE = "doubao-seedance-1-0-lite-i2v-250428"


@pytest.fixture(params=["2025-12", "2026-06"])
def gateway(request: pytest.FixtureRequest) -> Iterator[BackgroundEmulator]:
    with BackgroundEmulator(api_key=TEST_KEY, gateway=request.param) as running:
        yield running


def settings_for(emulator: BackgroundEmulator, tmp_path: Path, **overrides: Any) -> Any:
    values = {"video_poll_s": 0.05, "mcp_allowed_dirs": str(tmp_path), "mcp_store": "none", **overrides}
    return make_settings(emulator, **values)


async def test_video_completes_with_default_settings(gateway: BackgroundEmulator, tmp_path: Path) -> None:
    async with Client(build_server(settings_for(gateway, tmp_path))) as client:
        args = {"prompt": "a paper boat", "model": f"{SEEDANCE}~videotime=0.3", "ratio": "16:9", "save": True}
        result = await client.call_tool("video", args)
        data = result.structured_content or {}
        assert not result.is_error, text_of(result)
        assert data["status"] == "succeeded" and data["video_url"] and data["bytes"] > 1000
        again = await client.call_tool("video", {"prompt": "a second boat", "model": f"{SEEDANCE}~videotime=0.2"})
        assert not again.is_error, text_of(again)
    posts = [e for e in gateway.recorder.exchanges() if e.method == "POST" and "video" in e.path]
    polls = [e.path for e in gateway.recorder.exchanges() if e.method == "GET" and "video" in e.path]
    if gateway.gateway == "2026-06":
        # the legacy body is refused once, then Ark's content[] is sent and kept; the options are top-level fields
        assert "prompt" in posts[0].body and "content" in posts[1].body and "content" in posts[2].body
        assert posts[1].body["ratio"] == "16:9" and len(posts) == 3 and data["notes"] == []
        assert all(p.startswith("/v1/videos/") for p in polls)
    else:
        # /v1/videos/{id} answers 501 once; the generations route is used from then on
        assert len(posts) == 2 and all("prompt" in p.body for p in posts)
        assert polls[0].startswith("/v1/videos/") and all(p.startswith("/v1/video/generations/") for p in polls[1:])
        assert "ratio" in data["notes"][0]


async def test_a_failed_video_names_its_reason(gateway: BackgroundEmulator, tmp_path: Path) -> None:
    async with Client(build_server(settings_for(gateway, tmp_path))) as client:
        args = {"prompt": "x", "model": f"{SEEDANCE}~videotime=0.1~videofail=sensitive"}
        failed = await client.call_tool("video", args)
        assert failed.is_error and "sensitive information" in text_of(failed), text_of(failed)


async def test_claude_thinking_over_chat_with_a_temperature(gateway: BackgroundEmulator, tmp_path: Path) -> None:
    async with Client(build_server(settings_for(gateway, tmp_path))) as client:
        args = {"prompt": "Why is the sky blue?", "model": "claude-sonnet-4-5-20250929", "api": "chat"}
        result = await client.call_tool("extended_thinking", {**args, "temperature": 0.2, "max_tokens": 1000})
        data = result.structured_content or {}
        assert not result.is_error, text_of(result)
        assert data["reasoning"] and "<budget:thinking>" not in data["answer"]
        assert any("temperature" in n for n in data["notes"]), data["notes"]
        inline = await client.call_tool("extended_thinking", {**args, "model": f"{args['model']}~inline"})
        assert not inline.is_error and (inline.structured_content or {})["reasoning"]
    body = next(e.body for e in gateway.recorder.exchanges() if e.path == "/v1/chat/completions")
    assert "temperature" not in body and body["max_tokens"] > body["reasoning"]["max_tokens"]


async def test_the_emulator_refuses_what_anthropic_refuses_over_chat(gateway: BackgroundEmulator) -> None:
    import httpx2

    headers = {"Authorization": f"Bearer {TEST_KEY}"}
    body = {
        "model": "claude-sonnet-4-5-20250929",
        "messages": [{"role": "user", "content": "hi"}],
        "reasoning_effort": "high",
        "temperature": 0.2,
    }
    async with httpx2.AsyncClient(base_url=gateway.url) as http:
        refused = await http.post("/v1/chat/completions", json=body, headers=headers)
        assert refused.status_code == 400 and "temperature" in refused.text
        short = await http.post(
            "/v1/chat/completions", json={**body, "temperature": 1, "max_tokens": 1000}, headers=headers
        )
        assert short.status_code == 400 and "budget_tokens" in short.text


async def test_opus_4_7_gets_adaptive_thinking(gateway: BackgroundEmulator, tmp_path: Path) -> None:
    async with Client(build_server(settings_for(gateway, tmp_path))) as client:
        args = {"prompt": "Plan a trip", "model": "claude-opus-4-7", "api": "chat", "temperature": 0.5}
        result = await client.call_tool("extended_thinking", {**args, "budget_tokens": 4000})
        data = result.structured_content or {}
        assert not result.is_error, text_of(result)
        assert data["applied"]["wire"] == "messages" and data["applied"]["value"] == "high"
    body = next(e.body for e in gateway.recorder.exchanges() if e.path == "/v1/messages")
    assert body["thinking"] == {"type": "adaptive", "display": "summarized"} and body["output_config"]["effort"]
    assert "temperature" not in body and "budget_tokens" not in body["thinking"]


async def test_qwen_reports_only_the_switch_that_arrives(gateway: BackgroundEmulator, tmp_path: Path) -> None:
    async with Client(build_server(settings_for(gateway, tmp_path))) as client:
        result = await client.call_tool("extended_thinking", {"prompt": "2+2?", "model": "qwen3-max"})
        data = result.structured_content or {}
        assert not result.is_error, text_of(result)
        assert data["applied"]["switch"] == "enable_thinking"
        assert any("may not be honoured" in n for n in data["notes"])


@pytest.mark.parametrize(
    ("state", "said", "wrong"),
    [("exhausted", "quota is used up", "does not accept"), ("expired", "has expired", "does not accept")],
)
async def test_a_used_up_or_expired_key_is_not_a_wrong_key(
    gateway: BackgroundEmulator, tmp_path: Path, state: str, said: str, wrong: str
) -> None:
    async with Client(build_server(settings_for(gateway, tmp_path))) as client:
        result = await client.call_tool("ask_model", {"prompt": "hi", "model": f"gpt-4o~token={state}"})
        text = text_of(result)
        assert result.is_error and said in text and wrong not in text, text
        assert TEST_KEY not in text
    asked = [e for e in gateway.recorder.exchanges() if e.path == "/v1/chat/completions"]
    assert len(asked) == 1  # not retried, not fallen over: another try cannot help


async def test_models_list_has_new_api_shape(gateway: BackgroundEmulator, tmp_path: Path) -> None:
    async with Client(build_server(settings_for(gateway, tmp_path))) as client:
        result = await client.call_tool("list_models", {})
        assert not result.is_error, text_of(result)
        assert "claude-opus-4-7" in text_of(result)
