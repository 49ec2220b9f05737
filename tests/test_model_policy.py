"""MIXROUTER_MODELS_ALLOW / MIXROUTER_MODELS_DENY: a refused model is never sent a byte, whichever tool, fallback or
judge names it; list_models shows only what may be called; a dry run says what would be refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from mcp import Client

from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.model_policy import ModelPolicy
from mixrouter_mcp.server import build_server

from .conftest import make_settings, text_of

pytestmark = pytest.mark.anyio
SEEDANCE = "doubao-seedance-1-0-lite-i2v-250428"


@pytest.fixture
async def guarded(emulator: BackgroundEmulator, mode: str) -> AsyncIterator[Client]:
    settings = make_settings(emulator, models_deny="claude-*, DOUBAO-*", mcp_store="none", video_poll_s=0.05)
    async with Client(build_server(settings), mode=mode) as client:  # type: ignore[arg-type]
        yield client


def posts(emulator: BackgroundEmulator) -> list[str]:
    return [e.model for e in emulator.recorder.exchanges() if e.method == "POST"]


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("ask_model", {"prompt": "x", "model": "claude-opus-4-7"}),
        ("extended_thinking", {"prompt": "x", "model": "claude-sonnet-4-5-20250929", "effort": "high"}),
        ("video", {"prompt": "a boat", "model": SEEDANCE}),
    ],
)
async def test_a_denied_model_is_refused_before_any_request(
    guarded: Client, emulator: BackgroundEmulator, tool: str, arguments: dict[str, Any]
) -> None:
    before = posts(emulator)
    result = await guarded.call_tool(tool, arguments)
    text = text_of(result)
    assert result.is_error, text
    assert "refused by this server's model policy (MIXROUTER_MODELS_DENY has " in text and "nothing was sent" in text
    assert "list_models shows only the ones this server may call" in text
    assert posts(emulator) == before


async def test_a_fallback_takes_over_from_a_denied_model(guarded: Client, emulator: BackgroundEmulator) -> None:
    before = posts(emulator)
    result = await guarded.call_tool(
        "ask_model", {"prompt": "x", "model": "claude-opus-4-7", "fallback_models": ["gpt-4o"]}
    )
    data = result.structured_content or {}
    assert not result.is_error and data["model"] == "gpt-4o"
    assert "claude-opus-4-7: model 'claude-opus-4-7' is refused" in data["attempts"][0]
    assert posts(emulator)[len(before) :] == ["gpt-4o"]


async def test_compare_refuses_a_denied_member_and_judge_alone(guarded: Client, emulator: BackgroundEmulator) -> None:
    before = posts(emulator)
    arguments = {"prompt": "x", "models": ["gpt-4o", "claude-opus-4-7"], "judge_model": "claude-opus-4-6"}
    result = await guarded.call_tool("compare_models", arguments)
    data = result.structured_content or {}
    answers = {answer["model"]: answer for answer in data["results"]}
    assert answers["gpt-4o"]["ok"] and not answers["claude-opus-4-7"]["ok"]
    assert "refused by this server's model policy" in answers["claude-opus-4-7"]["error"]
    assert not data["judge"]["ok"] and "refused by this server's model policy" in text_of(result)
    assert posts(emulator)[len(before) :] == ["gpt-4o"]


async def test_list_models_shows_only_what_may_be_called(emulator: BackgroundEmulator) -> None:
    settings = make_settings(emulator, models_allow="gpt-4o*,qwen*", models_deny="gpt-4o-mini")
    async with Client(build_server(settings)) as client:
        result = await client.call_tool("list_models", {})
        refused = await client.call_tool("ask_model", {"prompt": "x", "model": "gpt-5"})
    ids = [m["id"] for m in (result.structured_content or {})["models"]]
    assert ids == ["gpt-4o", "qwen3-max"]
    assert "MIXROUTER_MODELS_ALLOW=gpt-4o*,qwen*; MIXROUTER_MODELS_DENY=gpt-4o-mini" in text_of(result)
    assert "not allowed by this server's model policy (MIXROUTER_MODELS_ALLOW=gpt-4o*,qwen*)" in text_of(refused)


async def test_a_dry_run_says_what_would_be_refused(guarded: Client) -> None:
    result = await guarded.call_tool(
        "compare_models", {"prompt": "x", "models": ["gpt-4o", "claude-opus-4-7"], "dry_run": True}
    )
    assert not result.is_error
    assert "model 'claude-opus-4-7' is refused by this server's model policy" in text_of(result)
    assert "the call would be refused" in text_of(result)


async def test_an_answer_from_a_denied_model_is_flagged(guarded: Client) -> None:
    """mixrouter may map a model to another channel; that is known only once it answers, so it is said."""
    result = await guarded.call_tool("ask_model", {"prompt": "x", "model": "gpt-4o~served=claude-opus-4-7"})
    notes = (result.structured_content or {})["notes"]
    assert any("answered with another model than the one asked: model 'claude-opus-4-7' is refused" in n for n in notes)


def test_globs_ignore_case_and_deny_wins() -> None:
    policy = ModelPolicy.of(allow="GPT-*, claude-opus-*", deny="gpt-5*")
    assert policy.allows("gpt-4o") and policy.allows("Claude-Opus-4-7")
    assert not policy.allows("gpt-5.2") and not policy.allows("qwen3-max")
    assert ModelPolicy.of("", "").allows("anything") and not ModelPolicy.of("", " , ").active
