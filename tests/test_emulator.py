"""The emulator itself: auth, model list shape, deterministic answers, switches and what it records."""

from __future__ import annotations

import json

import httpx2
import pytest

from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.emulator.switches import parse_switches
from mixrouter_mcp.upstream.sse import parse_sse

from .conftest import TEST_KEY

AUTH = {"Authorization": f"Bearer {TEST_KEY}"}


def post(emulator: BackgroundEmulator, body: dict[str, object], **headers: str) -> httpx2.Response:
    return httpx2.post(f"{emulator.url}/v1/chat/completions", json=body, headers={**AUTH, **headers}, timeout=10)


def test_models_list_has_new_api_shape(emulator: BackgroundEmulator) -> None:
    body = httpx2.get(f"{emulator.url}/v1/models", headers=AUTH).json()
    assert body["success"] is True and body["object"] == "list"
    entry = body["data"][0]
    assert set(entry) == {"id", "object", "created", "owned_by", "supported_endpoint_types"}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}])
def test_key_is_checked(emulator: BackgroundEmulator, headers: dict[str, str]) -> None:
    response = httpx2.post(f"{emulator.url}/v1/chat/completions", json={"model": "gpt-4o"}, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["message"].startswith("无效的令牌 (request id: ")


def test_seed_reply_is_replayed_verbatim(emulator: BackgroundEmulator) -> None:
    body = {"model": "claude-opus-4-5-20251101", "messages": [{"role": "user", "content": "1+2+3+4+...+100=?"}]}
    content = post(emulator, body).json()["choices"][0]["message"]["content"]
    assert content.startswith("<budget:thinking>\nThis is a simple arithmetic series problem.")
    assert content.endswith("S = 100 × 101 / 2 = **5050**")


def test_stream_and_plain_carry_the_same_text_and_usage(emulator: BackgroundEmulator) -> None:
    messages = [{"role": "user", "content": "same words"}]
    plain = post(emulator, {"model": "deepseek-reasoner", "messages": messages}).json()
    stream = post(emulator, {"model": "deepseek-reasoner", "messages": messages, "stream": True}).text
    chunks = [json.loads(e.data) for e in parse_sse(stream) if e.data != "[DONE]"]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    reasoning = "".join(c["choices"][0]["delta"].get("reasoning_content") or "" for c in chunks if c["choices"])
    assert text == plain["choices"][0]["message"]["content"]
    assert reasoning == plain["choices"][0]["message"]["reasoning_content"]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == plain["usage"]
    assert stream.rstrip().endswith("data: [DONE]")


def test_usage_chunk_can_be_switched_off(emulator: BackgroundEmulator) -> None:
    body = {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "x"}],
        "stream": True,
        "stream_options": {"include_usage": False},
    }
    assert '"usage"' not in post(emulator, body).text


def test_qwen_refuses_thinking_without_streaming(emulator: BackgroundEmulator) -> None:
    body = {"model": "qwen3-max", "messages": [{"role": "user", "content": "x"}], "enable_thinking": True}
    response = post(emulator, body)
    assert response.status_code == 400 and "enable_thinking must be set to false" in response.text


def test_header_switches_and_retry_after(emulator: BackgroundEmulator) -> None:
    response = post(emulator, {"model": "gpt-4o", "messages": []}, **{"x-emulator-switches": "status=429~retryafter=2"})
    assert response.status_code == 429 and response.headers["retry-after"] == "2"


def test_unknown_switch_and_unknown_route(emulator: BackgroundEmulator) -> None:
    assert post(emulator, {"model": "gpt-4o~bogus=1", "messages": []}).status_code == 400
    response = httpx2.post(f"{emulator.url}/v1/nothing", headers=AUTH)
    assert response.status_code == 404 and "Invalid URL (POST /v1/nothing)" in response.text


def test_disconnect_is_recorded(emulator: BackgroundEmulator) -> None:
    model = "gpt-4o~words=30~stall=3~served=disconnect-probe"
    body = {"model": model, "messages": [{"role": "user", "content": "x"}], "stream": True}
    with httpx2.stream("POST", f"{emulator.url}/v1/chat/completions", json=body, headers=AUTH) as response:
        next(response.iter_lines())
    import time

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        outcome = next(e for e in emulator.recorder.exchanges() if e.model == model).outcome
        if outcome != "open":
            break
        time.sleep(0.05)
    assert outcome == "disconnected"


def test_switch_grammar() -> None:
    base, switches = parse_switches("gpt-4o~delay=0.5~status=503~empty", "cut=2")
    assert base == "gpt-4o" and switches.delay == 0.5 and switches.status == 503 and switches.empty
    assert switches.cut == 2
