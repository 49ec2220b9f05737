"""Anthropic's thinking rules, as its API enforces them, and new-api's conversion of an OpenAI chat body for Claude.

Rules: Anthropic's extended- and adaptive-thinking pages (budget >= 1024 and below max_tokens; temperature only 1
with thinking; Opus 4.7 and later take only `adaptive`, and no temperature/top_p/top_k; Opus/Sonnet 4.6 take
both; 4.5 and earlier only `enabled`). Conversion: new-api relay/channel/claude/relay-claude.go at 2025-12
(a78fd2dae) and 2026-06 (745df361): `reasoning_effort` low/medium/high becomes `enabled` with a budget of
1280/2048/4096, `reasoning.max_tokens` overrides it, temperature and top_p pass through unchanged, max_tokens
defaults to 8192.
"""

from __future__ import annotations

import re
from typing import Any, Literal

ThinkingModes = Literal["adaptive_only", "both", "enabled_only"]
_VERSION = re.compile(r"claude-(opus|sonnet|haiku|mythos|fable)-(\d+)(?:-(\d)(?!\d))?")
_EFFORT_BUDGET = {"low": 1280, "medium": 2048, "high": 4096}
DEFAULT_MAX_TOKENS = 8192


def thinking_modes(model: str) -> ThinkingModes:
    match = _VERSION.search(model)
    if not match:
        return "enabled_only"
    line, major, minor = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if line in ("mythos", "fable") or major >= 5 or (line == "opus" and (major, minor) >= (4, 7)):
        return "adaptive_only"
    return "both" if (major, minor) >= (4, 6) else "enabled_only"


def violation(model: str, body: dict[str, Any]) -> str | None:
    """Anthropic's 400 message for a Messages body that breaks a thinking rule, or None."""
    raw: Any = body.get("thinking")
    thinking: dict[str, Any] = raw if isinstance(raw, dict) else {}
    kind = thinking.get("type")
    modes = thinking_modes(model)
    max_tokens = body.get("max_tokens")
    if modes == "adaptive_only" and kind in ("enabled", "disabled"):
        return (
            f'thinking.type "{kind}" is not supported for this model. '
            'Use thinking.type "adaptive" and output_config.effort to control thinking behavior.'
        )
    if modes == "enabled_only" and kind == "adaptive":
        return 'thinking.type "adaptive" is not supported for this model; use "enabled" with budget_tokens.'
    if modes == "adaptive_only" and any(k in body for k in ("temperature", "top_p", "top_k")):
        return "temperature, top_p and top_k are not supported for this model; remove them."
    if kind == "enabled":
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or budget < 1024:
            return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
        if isinstance(max_tokens, int) and budget >= max_tokens:
            return "`max_tokens` must be greater than `thinking.budget_tokens`"
    if kind in ("enabled", "adaptive"):
        if body.get("temperature", 1) != 1:
            return "`temperature` may only be set to 1 when thinking is enabled."
        top_p = body.get("top_p")
        if top_p is not None and not 0.95 <= float(top_p) <= 1:
            return "`top_p` must be between 0.95 and 1 when thinking is enabled."
    if "temperature" in body and "top_p" in body:
        return "`temperature` and `top_p` cannot both be specified for this model. Please use only one."
    return None


def claude_body_from_chat(body: dict[str, Any]) -> dict[str, Any]:
    """The Messages body new-api sends Anthropic for an OpenAI chat body (only the fields the rules read)."""
    converted: dict[str, Any] = {
        "max_tokens": body.get("max_tokens") or body.get("max_completion_tokens") or DEFAULT_MAX_TOKENS
    }
    for name in ("temperature", "top_p", "top_k"):
        if body.get(name) is not None:
            converted[name] = body[name]
    effort = body.get("reasoning_effort")
    if effort in _EFFORT_BUDGET:
        converted["thinking"] = {"type": "enabled", "budget_tokens": _EFFORT_BUDGET[str(effort)]}
    reasoning = body.get("reasoning")
    if isinstance(reasoning, dict) and isinstance(reasoning.get("max_tokens"), int) and reasoning["max_tokens"] > 0:
        converted["thinking"] = {"type": "enabled", "budget_tokens": reasoning["max_tokens"]}
    return converted
