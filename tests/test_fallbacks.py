"""Fallbacks through the MCP client: on no channel (503) and on a timeout before output; never on a 400 and never
once output has streamed. The emulator's recorder shows which models were really asked, with which body."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from mcp import Client

from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.server import build_server

from .conftest import TEST_KEY, make_settings, text_of, wait_until

pytestmark = pytest.mark.anyio


def asked(emulator: BackgroundEmulator) -> list[str]:
    return [e.model for e in emulator.recorder.exchanges() if e.method == "POST"]


def bodies(emulator: BackgroundEmulator, model: str) -> list[Any]:
    return [e.body for e in emulator.recorder.exchanges() if e.model == model]


@pytest.fixture
def fresh() -> Iterator[BackgroundEmulator]:
    """An emulator of its own, so its recorder holds this test's requests only."""
    with BackgroundEmulator(api_key=TEST_KEY) as running:
        yield running


async def run(settings: Any, tool: str, **arguments: Any) -> tuple[bool, str, dict[str, Any]]:
    async with Client(build_server(settings)) as client:
        result = await client.call_tool(tool, {"prompt": "Who answers?", **arguments})
    return bool(result.is_error), text_of(result), result.structured_content or {}


async def test_no_channel_falls_over_to_the_next_model(fresh: BackgroundEmulator) -> None:
    settings = make_settings(fresh, mcp_store="none")
    failed, text, data = await run(settings, "ask_model", model="gpt-9-preview", fallback_models=["gpt-4o-mini"])
    assert not failed, text
    assert data["requested_model"] == "gpt-9-preview" and data["model"] == "gpt-4o-mini"
    first, second = data["attempts"]
    assert first.startswith("gpt-9-preview: HTTP 503 model_not_found") and second.startswith("gpt-4o-mini: ok (")
    assert asked(fresh) == ["gpt-9-preview", "gpt-4o-mini"]  # no channel is not retried on the same model
    assert "answered by fallback gpt-4o-mini after gpt-9-preview" in text


async def test_a_timeout_before_output_falls_over(fresh: BackgroundEmulator) -> None:
    # The first model sends nothing for 30 s; with a 4 s deadline and two models, it gets 2 s to start.
    settings = make_settings(fresh, mcp_store="none", call_deadline_s=4)
    failed, text, data = await run(settings, "ask_model", model="gpt-4o~delay=30", fallback_models=["deepseek-chat"])
    assert not failed, text
    assert data["model"] == "deepseek-chat" and data["attempts"][0].startswith("gpt-4o~delay=30: no output within 2")
    # The emulator sees the hang-up on its next poll of the connection, a moment after our answer.
    await wait_until(lambda: [e.outcome for e in fresh.recorder.exchanges()] == ["disconnected", "completed"])


async def test_a_slow_start_that_then_streams_is_kept(fresh: BackgroundEmulator) -> None:
    # Output starts within the window, then takes longer than the window in all: the first model keeps the call.
    settings = make_settings(fresh, mcp_store="none", call_deadline_s=6)
    failed, text, data = await run(
        settings, "ask_model", model="gpt-4o~words=15~gap=0.25", fallback_models=["deepseek-chat"]
    )
    assert not failed, text
    assert data["model"] == "gpt-4o" and asked(fresh) == ["gpt-4o~words=15~gap=0.25"]


async def test_a_bad_request_does_not_fall_over(fresh: BackgroundEmulator) -> None:
    settings = make_settings(fresh, mcp_store="none")
    failed, text, _ = await run(settings, "ask_model", model="gpt-4o~status=400", fallback_models=["deepseek-chat"])
    assert failed and "HTTP 400" in text
    assert asked(fresh) == ["gpt-4o~status=400"]


@pytest.mark.parametrize("status", [401, 402, 403])
async def test_key_and_credit_failures_do_not_fall_over(fresh: BackgroundEmulator, status: int) -> None:
    settings = make_settings(fresh, mcp_store="none")
    model = f"gpt-4o~status={status}"
    failed, _, _ = await run(settings, "ask_model", model=model, fallback_models=["deepseek-chat"])
    assert failed and set(asked(fresh)) == {model}


async def test_no_fallover_after_output_streamed(fresh: BackgroundEmulator) -> None:
    settings = make_settings(fresh, mcp_store="none")
    model = "gpt-4o~words=60~cut=3"
    failed, text, _ = await run(settings, "ask_model", model=model, fallback_models=["deepseek-chat"])
    assert failed and "[PARTIAL ANSWER, incomplete]" in text
    assert asked(fresh) == [model]


async def test_rate_limited_after_retries_falls_over(fresh: BackgroundEmulator) -> None:
    settings = make_settings(fresh, mcp_store="none", max_retries=1)
    failed, text, data = await run(settings, "ask_model", model="gpt-4o~status=429", fallback_models=["qwen3-max"])
    assert not failed, text
    assert asked(fresh) == ["gpt-4o~status=429", "gpt-4o~status=429", "qwen3-max"]
    assert "[after 2 attempts]" in data["attempts"][0]


async def test_every_model_down_says_what_was_tried(fresh: BackgroundEmulator) -> None:
    settings = make_settings(fresh, mcp_store="none", max_retries=0)
    failed, text, _ = await run(
        settings, "ask_model", model="gpt-4o~status=503", fallback_models=["deepseek-chat~status=502"]
    )
    assert (
        failed
        and "Tried in order: gpt-4o~status=503: HTTP 503" in text
        and "deepseek-chat~status=502: HTTP 502" in text
    )


async def test_each_fallback_gets_its_own_wire_and_thinking_switch(fresh: BackgroundEmulator) -> None:
    settings = make_settings(fresh, mcp_store="none", max_retries=0)
    failed, text, data = await run(
        settings,
        "extended_thinking",
        model="claude-sonnet-4-5-20250929~status=529",
        fallback_models=["gemini-2.5-pro"],
        effort="low",
        api="messages",
    )
    assert not failed, text
    claude = fresh.recorder.exchanges()[0]
    assert claude.path == "/v1/messages" and claude.body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    gemini = fresh.recorder.exchanges()[1]
    assert gemini.path.startswith("/v1beta/models/gemini-2.5-pro:")
    assert gemini.body["generationConfig"]["thinkingConfig"]["thinkingBudget"] == 1024
    assert data["applied"]["wire"] == "gemini" and data["model"] == "gemini-2.5-pro"


async def test_configured_fallbacks_apply_to_calls_and_judges(fresh: BackgroundEmulator) -> None:
    settings = make_settings(fresh, mcp_store="none", fallbacks="gpt-9-preview=gpt-4o-mini;judge-9=gpt-4o")
    failed, text, data = await run(settings, "ask_model", model="gpt-9-preview")
    assert not failed and data["model"] == "gpt-4o-mini", text
    failed, text, data = await run(
        settings, "compare_models", models=["deepseek-chat", "qwen3-max"], judge_model="judge-9"
    )
    assert not failed and data["judge"]["ok"] and data["judge"]["judge_model"] == "gpt-4o", text
    # A call's own (empty) list replaces the configured one.
    failed, _, _ = await run(settings, "ask_model", model="gpt-9-preview", fallback_models=[])
    assert failed


async def test_too_many_fallbacks_is_a_clear_error(fresh: BackgroundEmulator) -> None:
    settings = make_settings(fresh, mcp_store="none")
    failed, text, _ = await run(settings, "ask_model", model="gpt-4o", fallback_models=[f"m{i}" for i in range(5)])
    assert failed and "at most 4 fallback_models" in text and asked(fresh) == []


def test_a_malformed_fallbacks_setting_is_refused_at_start(emulator: BackgroundEmulator) -> None:
    with pytest.raises(ValueError, match="is not 'model=fallback1,fallback2'"):
        make_settings(emulator, fallbacks="gpt-4o")
