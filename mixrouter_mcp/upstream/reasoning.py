"""One effort knob → each family's own thinking switch, on the wire that will carry it. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .routing import Family, Wire, bare_model, claude_thinking_modes, family_of
from .types import ThinkingRequest

# Token budgets per effort, per family (each vendor's documented range).
_ANTHROPIC_BUDGET = {"low": 2048, "medium": 8192, "high": 16384, "max": 32000}
_GEMINI_BUDGET = {"low": 1024, "medium": 8192, "high": 24576, "max": 32768}
_QWEN_BUDGET = {"low": 1024, "medium": 4096, "high": 16384, "max": 38912}
_OPENAI_EFFORT = {"low": "low", "medium": "medium", "high": "high", "max": "high"}
_GEMINI3_LEVEL = {"low": "low", "medium": "high", "high": "high", "max": "high"}
ANSWER_ALLOWANCE = 4096  # tokens left for the answer above a thinking budget


@dataclass
class ThinkingPlan:
    """What to add to the request body, and a plain account of it for the result."""

    body: dict[str, Any] = field(default_factory=dict)
    switch: str = ""
    value: str | int = ""
    max_tokens: int | None = None  # raised so the answer fits above the budget
    force_stream: bool = False
    notes: list[str] = field(default_factory=list)


def plan_thinking(model: str, wire: Wire, request: ThinkingRequest, max_tokens: int | None) -> ThinkingPlan:
    """The switch that turns thinking on for `model` on `wire`."""
    family = family_of(model)
    planners = {
        Family.CLAUDE: _claude,
        Family.GEMINI: _gemini,
        Family.QWEN: _qwen,
        Family.DEEPSEEK: _deepseek,
        Family.DOUBAO: _doubao,
        Family.OPENAI: _openai,
    }
    planner = planners.get(family, _openai)
    return planner(model, wire, request, max_tokens)


def _budget(table: dict[str, int], request: ThinkingRequest, cap: int | None = None) -> int:
    budget = request.budget_tokens or table[request.effort]
    return min(budget, cap) if cap else budget


def _room_for(budget: int, max_tokens: int | None, plan: ThinkingPlan) -> None:
    if max_tokens is None or max_tokens <= budget:
        plan.max_tokens = budget + ANSWER_ALLOWANCE
        if max_tokens is not None:
            plan.notes.append(f"max_tokens raised from {max_tokens} to {plan.max_tokens}: it must exceed the budget")


def _claude(model: str, wire: Wire, request: ThinkingRequest, max_tokens: int | None) -> ThinkingPlan:
    modes = claude_thinking_modes(model)
    if wire is Wire.MESSAGES and (modes == "adaptive_only" or (modes == "both" and not request.budget_tokens)):
        return _claude_adaptive(modes, request, max_tokens)
    budget = max(1024, _budget(_ANTHROPIC_BUDGET, request))
    if wire is Wire.MESSAGES:
        plan = ThinkingPlan(
            {"thinking": {"type": "enabled", "budget_tokens": budget}}, "thinking.budget_tokens", budget
        )
    else:
        # new-api turns `reasoning_effort` into fixed budgets (1280/2048/4096) and `reasoning.max_tokens` into
        # this very budget (relay-claude.go); either way Anthropic then wants max_tokens above it.
        plan = ThinkingPlan({"reasoning": {"max_tokens": budget}}, "reasoning.max_tokens", budget)
    if modes == "both":
        plan.notes.append("a fixed thinking budget is deprecated on this model (adaptive thinking replaces it)")
    _room_for(budget, max_tokens, plan)
    return plan


def _claude_adaptive(modes: str, request: ThinkingRequest, max_tokens: int | None) -> ThinkingPlan:
    """Adaptive thinking with an effort (Opus/Sonnet 4.6 and later); Opus 4.7+ shows its thinking only when asked
    for a summary (`display`), and takes no budget at all."""
    effort = request.effort
    thinking: dict[str, Any] = {"type": "adaptive"}
    if modes == "adaptive_only":
        thinking["display"] = "summarized"
    body = {"thinking": thinking, "output_config": {"effort": effort}}
    plan = ThinkingPlan(body, "thinking.adaptive+output_config.effort", effort)
    if request.budget_tokens:
        plan.notes.append("this model takes an effort, not a budget: budget_tokens was not sent")
    if max_tokens is None:
        plan.max_tokens = _ANTHROPIC_BUDGET[effort] + ANSWER_ALLOWANCE
    return plan


def _gemini(model: str, wire: Wire, request: ThinkingRequest, max_tokens: int | None) -> ThinkingPlan:
    name = bare_model(model)
    cap = 24576 if "flash" in name else 32768
    if wire is Wire.GEMINI and name.startswith("gemini-3"):
        level = _GEMINI3_LEVEL[request.effort]
        config: dict[str, Any] = {"thinkingLevel": level, "includeThoughts": True}
        plan = ThinkingPlan({"generationConfig": {"thinkingConfig": config}}, "thinkingConfig.thinkingLevel", level)
        if request.budget_tokens:
            plan.notes.append("Gemini 3 takes thinkingLevel, not a budget: budget_tokens was not sent")
        return plan
    budget = _budget(_GEMINI_BUDGET, request, cap)
    if wire is Wire.GEMINI:
        config = {"thinkingBudget": budget, "includeThoughts": True}
        plan = ThinkingPlan({"generationConfig": {"thinkingConfig": config}}, "thinkingConfig.thinkingBudget", budget)
    else:
        config = {"thinking_budget": budget, "include_thoughts": True}
        body = {"extra_body": {"google": {"thinking_config": config}}}
        plan = ThinkingPlan(body, "extra_body.google.thinking_config.thinking_budget", budget)
    _room_for(budget, max_tokens, plan)
    return plan


def _qwen(model: str, wire: Wire, request: ThinkingRequest, max_tokens: int | None) -> ThinkingPlan:
    budget = _budget(_QWEN_BUDGET, request)
    # new-api's request model (dto/openai_request.go) has `enable_thinking` but no `thinking_budget`: the budget
    # reaches Qwen only through a channel that passes unknown fields on. Report only what is known to arrive.
    plan = ThinkingPlan({"enable_thinking": True, "thinking_budget": budget}, "enable_thinking", "true")
    plan.notes.append(
        f"thinking_budget {budget} sent too, but new-api drops it unless the channel passes extra fields through: "
        "the budget may not be honoured"
    )
    plan.force_stream = True  # Qwen refuses thinking on non-streamed calls
    return plan


def _deepseek(model: str, wire: Wire, request: ThinkingRequest, max_tokens: int | None) -> ThinkingPlan:
    if "reasoner" in bare_model(model):
        return ThinkingPlan({}, "model", "deepseek-reasoner always thinks")
    return ThinkingPlan({"thinking": {"type": "enabled"}}, "thinking.type", "enabled")


def _doubao(model: str, wire: Wire, request: ThinkingRequest, max_tokens: int | None) -> ThinkingPlan:
    return ThinkingPlan({"thinking": {"type": "enabled"}}, "thinking.type", "enabled")


def _openai(model: str, wire: Wire, request: ThinkingRequest, max_tokens: int | None) -> ThinkingPlan:
    return _effort_field(model, wire, request)


def _effort_field(model: str, wire: Wire, request: ThinkingRequest) -> ThinkingPlan:
    effort = _OPENAI_EFFORT[request.effort]
    notes = (
        [f"effort '{request.effort}' sent as '{effort}', the highest this switch takes"]
        if effort != request.effort
        else []
    )
    if request.budget_tokens:
        notes.append("this switch takes an effort, not a budget: budget_tokens was not sent")
    if wire is Wire.RESPONSES:
        body = {"reasoning": {"effort": effort, "summary": "detailed"}}
        return ThinkingPlan(body, "reasoning.effort", effort, notes=notes)
    return ThinkingPlan({"reasoning_effort": effort}, "reasoning_effort", effort, notes=notes)
