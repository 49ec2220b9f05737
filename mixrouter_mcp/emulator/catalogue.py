"""The models the emulator serves, after mixrouter's documented model list, with new-api's endpoint types."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EmulatedModel:
    """One catalogue entry: who owns it, which endpoints serve it, whether and how it thinks."""

    id: str
    owned_by: str
    endpoints: tuple[str, ...] = ("openai",)
    reasoning: str = "none"  # none | inline (Claude via chat) | field (reasoning_content) | optional | always


_CHAT = ("openai",)
_CLAUDE = ("openai", "anthropic")
_GEMINI = ("openai", "gemini")
_RESPONSES_ONLY = ("openai-response",)
_OPENAI = ("openai", "openai-response")

CATALOGUE: tuple[EmulatedModel, ...] = (
    EmulatedModel("gpt-4o", "openai", _OPENAI),
    EmulatedModel("gpt-4o-mini", "openai", _OPENAI),
    EmulatedModel("gpt-4.1", "openai", _OPENAI),
    EmulatedModel("gpt-5", "openai", _OPENAI, "optional"),
    EmulatedModel("gpt-5-mini", "openai", _OPENAI, "optional"),
    EmulatedModel("gpt-5.1-codex", "openai", _RESPONSES_ONLY, "optional"),
    EmulatedModel("gpt-5.2", "openai", _OPENAI, "optional"),
    EmulatedModel("gpt-5.2-pro", "openai", _RESPONSES_ONLY, "optional"),
    EmulatedModel("o3", "openai", _OPENAI, "optional"),
    EmulatedModel("o4-mini", "openai", _OPENAI, "optional"),
    EmulatedModel("claude-opus-4-5-20251101", "anthropic", _CLAUDE, "inline"),
    EmulatedModel("claude-sonnet-4-5-20250929", "anthropic", _CLAUDE, "inline"),
    EmulatedModel("claude-opus-4-6", "anthropic", _CLAUDE, "inline"),
    EmulatedModel("claude-opus-4-7", "anthropic", _CLAUDE, "inline"),
    EmulatedModel("gemini-2.5-pro", "google", _GEMINI, "optional"),
    EmulatedModel("gemini-2.5-flash", "google", _GEMINI, "optional"),
    EmulatedModel("gemini-3-pro-preview", "google", _GEMINI, "optional"),
    EmulatedModel("deepseek-chat", "deepseek", _CHAT, "optional"),
    EmulatedModel("deepseek-reasoner", "deepseek", _CHAT, "always"),
    EmulatedModel("qwen3-max", "qwen", _CHAT, "optional"),
    EmulatedModel("doubao-seed-1-6-thinking-250715", "doubao", _CHAT, "always"),
    EmulatedModel("doubao-seedance-1-0-lite-i2v-250428", "doubao", ("openai-video",)),
)

BY_ID = {model.id: model for model in CATALOGUE}


def model_named(model: EmulatedModel | str) -> EmulatedModel:
    """`model` as an entry: an id of the catalogue keeps its behaviour; any other id is a plain chat model."""
    if isinstance(model, EmulatedModel):
        return model
    return BY_ID.get(model) or EmulatedModel(model, "custom")
