"""Model id → family → wire, thinking capability, and the adapted request with its notes."""

from __future__ import annotations

import pytest

from mixrouter_mcp.upstream.preparation import prepare
from mixrouter_mcp.upstream.routing import Family, Wire, can_think, choose_wire, default_wire, family_of
from mixrouter_mcp.upstream.types import Applied, Message, Query, ThinkingRequest


@pytest.mark.parametrize(
    ("model", "family", "wire", "thinks"),
    [
        ("claude-opus-4-5-20251101", Family.CLAUDE, Wire.MESSAGES, True),
        ("claude-3-5-haiku-20241022", Family.CLAUDE, Wire.MESSAGES, False),
        ("anthropic/claude-sonnet-4-5", Family.CLAUDE, Wire.MESSAGES, True),
        ("gemini-2.5-pro", Family.GEMINI, Wire.GEMINI, True),
        ("gemini-2.0-flash", Family.GEMINI, Wire.GEMINI, False),
        ("gpt-4o-mini", Family.OPENAI, Wire.CHAT, False),
        ("gpt-5", Family.OPENAI, Wire.CHAT, True),
        ("gpt-5-chat-latest", Family.OPENAI, Wire.CHAT, False),
        ("gpt-5.1-codex", Family.OPENAI, Wire.RESPONSES, True),
        ("gpt-5.2-pro", Family.OPENAI, Wire.RESPONSES, True),
        ("o3-deep-research", Family.OPENAI, Wire.RESPONSES, True),
        ("o4-mini", Family.OPENAI, Wire.CHAT, True),
        ("deepseek-chat", Family.DEEPSEEK, Wire.CHAT, True),
        ("deepseek-reasoner", Family.DEEPSEEK, Wire.CHAT, True),
        ("qwen3-max", Family.QWEN, Wire.CHAT, True),
        ("qwen2.5-72b-instruct", Family.QWEN, Wire.CHAT, False),
        ("doubao-seed-1-6-thinking-250715", Family.DOUBAO, Wire.CHAT, True),
        ("doubao-pro-32k", Family.DOUBAO, Wire.CHAT, False),
        ("kimi-k2", Family.OTHER, Wire.CHAT, False),
        ("grok-4~delay=1", Family.OTHER, Wire.CHAT, False),
    ],
)
def test_family_wire_and_thinking(model: str, family: Family, wire: Wire, thinks: bool) -> None:
    assert family_of(model) is family
    assert default_wire(model) is wire
    assert can_think(model) is thinks


def test_thinking_moves_openai_reasoning_models_to_responses() -> None:
    assert default_wire("gpt-5", for_thinking=True) is Wire.RESPONSES
    assert default_wire("gpt-4o", for_thinking=True) is Wire.CHAT


def test_overrides_per_call_then_config() -> None:
    assert choose_wire("claude-x", "chat", "auto") is Wire.CHAT
    assert choose_wire("claude-x", "auto", "chat") is Wire.CHAT
    assert choose_wire("claude-x", "responses", "chat") is Wire.RESPONSES
    assert choose_wire("claude-x", "auto", "auto") is Wire.MESSAGES


def q(model: str, **fields: object) -> Query:
    return Query(model, (Message("user", "x"),), **fields)  # type: ignore[arg-type]


def test_openai_reasoning_quirks() -> None:
    prepared = prepare(q("o3", temperature=0.2, top_p=0.5, max_tokens=100))
    assert prepared.wire is Wire.CHAT
    assert prepared.query.temperature is None and prepared.query.top_p is None
    assert prepared.query.max_tokens is None and prepared.query.extra["max_completion_tokens"] == 100
    assert prepared.notes == ("temperature and top_p not sent: this model rejects sampling parameters",)


def test_reasoner_and_claude_sampling() -> None:
    assert prepare(q("deepseek-reasoner", temperature=0.3)).query.temperature is None
    claude = prepare(q("claude-sonnet-4-5", temperature=0.3, top_p=0.9))
    assert claude.query.temperature == 0.3 and claude.query.top_p is None
    assert "Claude takes temperature or top_p, not both" in claude.notes[0]


def test_claude_thinking_budget_and_room_for_the_answer() -> None:
    prepared = prepare(q("claude-opus-4-5", thinking=ThinkingRequest("low"), max_tokens=1000, temperature=0.5))
    assert prepared.query.extra["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert prepared.query.max_tokens == 2048 + 4096
    assert prepared.query.temperature is None
    assert prepared.applied == Applied(wire="messages", switch="thinking.budget_tokens", value=2048)
    assert any("max_tokens raised from 1000" in n for n in prepared.notes)


@pytest.mark.parametrize(
    ("model", "api", "effort", "budget", "extra", "switch"),
    [
        (
            "gemini-2.5-flash",
            "auto",
            "max",
            None,
            {"generationConfig": {"thinkingConfig": {"thinkingBudget": 24576, "includeThoughts": True}}},
            "thinkingConfig.thinkingBudget",
        ),
        (
            "gemini-2.5-pro",
            "chat",
            "low",
            None,
            {"extra_body": {"google": {"thinking_config": {"thinking_budget": 1024, "include_thoughts": True}}}},
            "extra_body.google.thinking_config.thinking_budget",
        ),
        (
            "gemini-3-pro-preview",
            "auto",
            "low",
            5000,
            {"generationConfig": {"thinkingConfig": {"thinkingLevel": "low", "includeThoughts": True}}},
            "thinkingConfig.thinkingLevel",
        ),
        (
            "qwen3-max",
            "auto",
            "high",
            2000,
            {"enable_thinking": True, "thinking_budget": 2000},
            "enable_thinking",
        ),
        ("deepseek-chat", "auto", "high", None, {"thinking": {"type": "enabled"}}, "thinking.type"),
        ("doubao-seed-1-6-250615", "auto", "high", None, {"thinking": {"type": "enabled"}}, "thinking.type"),
        ("o4-mini", "chat", "max", None, {"reasoning_effort": "high"}, "reasoning_effort"),
        (
            "gpt-5",
            "auto",
            "medium",
            None,
            {"reasoning": {"effort": "medium", "summary": "detailed"}},
            "reasoning.effort",
        ),
        ("claude-sonnet-4-5", "chat", "medium", None, {"reasoning": {"max_tokens": 8192}}, "reasoning.max_tokens"),
    ],
)
def test_each_family_gets_its_own_switch(
    model: str, api: str, effort: str, budget: int | None, extra: dict[str, object], switch: str
) -> None:
    prepared = prepare(q(model, api=api, thinking=ThinkingRequest(effort, budget)))  # type: ignore[arg-type]
    assert {k: v for k, v in prepared.query.extra.items() if k != "max_completion_tokens"} == extra
    assert prepared.applied is not None and prepared.applied.switch == switch


def test_qwen_thinking_is_always_streamed() -> None:
    prepared = prepare(q("qwen3-max", stream=False, thinking=ThinkingRequest()))
    assert prepared.query.stream is True
    assert "refuses thinking on non-streamed calls" in prepared.notes[0]


def test_no_thinking_mode_is_said_plainly() -> None:
    prepared = prepare(q("gpt-4o", thinking=ThinkingRequest()))
    assert prepared.applied is None and "no thinking mode" in prepared.notes[0]
    assert prepared.query.extra == {}


def test_the_wire_vocabulary_matches_the_router() -> None:
    from typing import get_args

    from mixrouter_mcp.upstream.routing import Wire
    from mixrouter_mcp.vocabulary import WireName

    assert set(get_args(WireName)) == {wire.value for wire in Wire}
