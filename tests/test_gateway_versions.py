"""Against stock new-api as read at two commits (emulator `gateway=2025-12` and `2026-06`), through the MCP client:
video end to end with default settings, Claude thinking over the chat wire with a caller's temperature, adaptive
thinking for Opus 4.7, Qwen's budget reported honestly, and a used-up or expired key told apart from a wrong one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
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
        args = {"prompt": "a paper boat", "model": f"{SEEDANCE}~videotime=0.3", "ratio": "1:1", "save": True}
        result = await client.call_tool("video", args)
        data = result.structured_content or {}
        assert not result.is_error, text_of(result)
        assert data["status"] == "succeeded" and data["video_url"] and data["bytes"] > 1000
        # options that come out as asked (here Ark's own defaults) need no note, even where the gateway drops them
        args = {"prompt": "a second boat", "model": f"{SEEDANCE}~videotime=0.2", "ratio": "16:9", "duration": 5}
        again = await client.call_tool("video", args)
        assert not again.is_error and (again.structured_content or {})["notes"] == [], text_of(again)
    posts = [e for e in gateway.recorder.exchanges() if e.method == "POST" and "video" in e.path]
    polls = [e.path for e in gateway.recorder.exchanges() if e.method == "GET" and "video" in e.path]
    if gateway.gateway == "2026-06":
        # the legacy body is refused once, then Ark's content[] is sent and kept; the options are top-level fields
        assert "prompt" in posts[0].body and "content" in posts[1].body and "content" in posts[2].body
        assert posts[1].body["ratio"] == "1:1" and len(posts) == 3 and data["notes"] == []
        assert all(p.startswith("/v1/videos/") for p in polls)
    else:
        # /v1/videos/{id} answers 501 once; the generations route is used from then on
        assert len(posts) == 2 and all("prompt" in p.body for p in posts)
        assert polls[0].startswith("/v1/videos/") and all(p.startswith("/v1/video/generations/") for p in polls[1:])
        # 2025-12 passed on only the prompt: the finished task (Ark's JSON under `data`) shows what came out
        assert data["notes"] == [
            "ratio 1:1 asked, the video has 16:9: this gateway passed on only the prompt and image"
        ]


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
    owners = {m["id"]: m["owner"] for m in (result.structured_content or {})["models"]}
    # owned_by is new-api's adaptor or channel name, or "custom" for an id no static list holds (2025-12)
    if gateway.gateway == "2025-12":
        expected = {"gpt-4o": "openai", "claude-opus-4-5-20251101": "vertex-ai", "claude-opus-4-7": "custom"}
        expected |= {"qwen3-max": "custom", "doubao-seed-1-6-thinking-250715": "volcengine"}
    else:
        expected = {"gpt-4o": "openai", "claude-opus-4-5-20251101": "claude", "claude-opus-4-7": "claude"}
        expected |= {"qwen3-max": "ali", "gemini-2.5-pro": "google gemini", SEEDANCE: "doubaovideo"}
    assert {m: owners[m] for m in expected} == expected
    headers = {"Authorization": f"Bearer {TEST_KEY}"}
    async with httpx2.AsyncClient() as http:
        body = (await http.get(f"{gateway.url}/v1/models", headers=headers)).json()
    assert body["success"] is True and all(m["supported_endpoint_types"] for m in body["data"])


async def test_a_model_no_channel_serves(gateway: BackgroundEmulator, tmp_path: Path) -> None:
    async with Client(build_server(settings_for(gateway, tmp_path))) as client:
        result = await client.call_tool("ask_model", {"prompt": "hi", "model": "gpt-9-turbo"})
    text = text_of(result)
    # each version's distributor wording (2026-06 answers in English by default), then our remedy
    worded = (
        "No available channel for model gpt-9-turbo"
        if gateway.gateway == "2026-06"
        else "下模型 gpt-9-turbo 无可用渠道"
    )
    assert result.is_error and worded in text and "call list_models" in text, text
    assert len([e for e in gateway.recorder.exchanges() if e.path == "/v1/chat/completions"]) == 1  # a 503 not retried


async def test_an_option_the_video_does_not_report_keeps_its_warning(tmp_path: Path) -> None:
    # Ark reports ratio, resolution, duration and seed back, never the watermark: that one stays unconfirmed.
    with BackgroundEmulator(api_key=TEST_KEY, gateway="2025-12") as stock:
        async with Client(build_server(settings_for(stock, tmp_path))) as client:
            args = {"prompt": "x", "model": f"{SEEDANCE}~videotime=0.1", "watermark": True, "resolution": "1080p"}
            result = await client.call_tool("video", args)
    notes = (result.structured_content or {})["notes"]
    assert not result.is_error and len(notes) == 2, notes
    assert notes[0].startswith("resolution 1080p asked, the video has 720p")
    assert notes[1] == "watermark not reported back by the gateway: check the video"
