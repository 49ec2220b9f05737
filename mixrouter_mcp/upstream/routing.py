"""Model id → family → wire format, and what each family can do. Pure string rules, no I/O."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal


class Family(StrEnum):
    CLAUDE = "claude"
    OPENAI = "openai"
    GEMINI = "gemini"
    DEEPSEEK = "deepseek"
    QWEN = "qwen"
    DOUBAO = "doubao"
    OTHER = "other"


class Wire(StrEnum):
    CHAT = "chat"
    RESPONSES = "responses"
    MESSAGES = "messages"
    GEMINI = "gemini"


_OPENAI = re.compile(r"^(gpt-|chatgpt|o\d|codex|text-|davinci)")
# mixrouter's model list marks codex, pro and deep-research variants as served only on /v1/responses.
_RESPONSES_ONLY = re.compile(r"(codex|-pro\b|-pro-|deep-research)")
_OPENAI_REASONING = re.compile(r"^(o\d|gpt-5|codex|gpt-oss)")
_OPENAI_NOT_REASONING = re.compile(r"^gpt-5(\.\d+)?-chat")
_CLAUDE_NO_THINKING = re.compile(r"claude-(instant|2|3-(opus|sonnet|haiku)|3-5|haiku-3)")
_GEMINI_THINKING = re.compile(r"gemini-(2\.5|[3-9])|thinking")
_QWEN_THINKING = re.compile(r"(qwen3|qwq|qwen-(plus|turbo|flash|max))")
_DOUBAO_THINKING = re.compile(r"(thinking|seed-1[-.]6|seed-[2-9]|1[-.]5-thinking)")


def bare_model(model: str) -> str:
    """The model id without a provider prefix (`openai/`) or emulator switches (`~delay=1`), lowercased."""
    return model.split("~", 1)[0].rsplit("/", 1)[-1].lower()


def family_of(model: str) -> Family:
    """The vendor family of a model id."""
    name = bare_model(model)
    rules = (
        ("claude", Family.CLAUDE),
        ("gemini", Family.GEMINI),
        ("deepseek", Family.DEEPSEEK),
        ("qwen", Family.QWEN),
        ("qwq", Family.QWEN),
        ("doubao", Family.DOUBAO),
    )
    for marker, family in rules:
        if marker in name:
            return family
    return Family.OPENAI if _OPENAI.match(name) else Family.OTHER


def is_responses_only(model: str) -> bool:
    return family_of(model) is Family.OPENAI and bool(_RESPONSES_ONLY.search(bare_model(model)))


def is_openai_reasoning(model: str) -> bool:
    """o-series, gpt-5 and codex: `max_completion_tokens`, no sampling parameters, `reasoning_effort`."""
    name = bare_model(model)
    return (
        family_of(model) is Family.OPENAI
        and bool(_OPENAI_REASONING.match(name))
        and not _OPENAI_NOT_REASONING.match(name)
    )


def default_wire(model: str, *, for_thinking: bool = False) -> Wire:
    """The wire that keeps the vendor's features: Claude → messages, Gemini → native, responses-only → responses."""
    family = family_of(model)
    if family is Family.CLAUDE:
        return Wire.MESSAGES
    if family is Family.GEMINI:
        return Wire.GEMINI
    if is_responses_only(model) or (for_thinking and is_openai_reasoning(model)):
        # Chat completions never return OpenAI reasoning text; Responses return a summary of it.
        return Wire.RESPONSES
    return Wire.CHAT


def choose_wire(model: str, requested: str, configured: str, *, for_thinking: bool = False) -> Wire:
    """Per-call `api` wins, then the configured `api`, then the model's default."""
    for choice in (requested, configured):
        if choice and choice != "auto":
            return Wire(choice)
    return default_wire(model, for_thinking=for_thinking)


# Claude's thinking modes by version (Anthropic's adaptive-thinking page; new-api relay-claude.go, 2026-06):
#   adaptive_only  Opus 4.7 and later, any 5.x, Mythos, Fable: `enabled` (a fixed budget) is a 400
#   both           Opus 4.6, Sonnet 4.6: adaptive recommended, `enabled` deprecated but accepted
#   enabled_only   4.5 and earlier: `enabled` with budget_tokens; adaptive is a 400
_CLAUDE_VERSION = re.compile(r"claude-(opus|sonnet|haiku|mythos|fable)-(\d+)(?:-(\d)(?!\d))?")


def claude_thinking_modes(model: str) -> Literal["adaptive_only", "both", "enabled_only"]:
    match = _CLAUDE_VERSION.search(bare_model(model))
    if not match:
        return "enabled_only"
    line, major, minor = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if line in ("mythos", "fable") or major >= 5 or (line == "opus" and (major, minor) >= (4, 7)):
        return "adaptive_only"
    return "both" if (major, minor) >= (4, 6) else "enabled_only"


def can_think(model: str) -> bool:
    """Whether the model has a thinking mode we know how to switch on."""
    name = bare_model(model)
    family = family_of(model)
    if family is Family.CLAUDE:
        return not _CLAUDE_NO_THINKING.search(name)
    if family is Family.OPENAI:
        return is_openai_reasoning(model)
    patterns = {Family.GEMINI: _GEMINI_THINKING, Family.QWEN: _QWEN_THINKING, Family.DOUBAO: _DOUBAO_THINKING}
    if family in patterns:
        return bool(patterns[family].search(name))
    return family is Family.DEEPSEEK


# Context windows in tokens, by id pattern, first match wins; a conservative default for the unknown.
_CONTEXT_WINDOWS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"gemini-(1\.5|2|3)"), 1_000_000),
    (re.compile(r"gpt-4\.1"), 1_000_000),
    (re.compile(r"gpt-5"), 400_000),
    (re.compile(r"claude"), 200_000),
    (re.compile(r"^o\d"), 200_000),
    (re.compile(r"qwen3|qwen-(max|plus)"), 128_000),
    (re.compile(r"deepseek|doubao|gpt-4o|kimi|grok"), 128_000),
)
DEFAULT_CONTEXT_WINDOW = 32_000


def context_window(model: str) -> int:
    """The model's context window in tokens (conservative when unknown)."""
    name = bare_model(model)
    return next((size for pattern, size in _CONTEXT_WINDOWS if pattern.search(name)), DEFAULT_CONTEXT_WINDOW)
