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


# What stock new-api puts in `owned_by` (controller/model.go), by gateway version.
# 2025-12 (a78fd2dae): the name of the adaptor whose static model list holds the id, else "custom". The map is
# filled in API-type order, last one wins: Vertex (which lists Claude's and Gemini's models too) comes after
# Anthropic, AWS and Gemini, so those ids read "vertex-ai".
_STATIC_2025_12 = {
    **dict.fromkeys(("gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-5", "gpt-5-mini", "o3", "o4-mini"), "openai"),
    **dict.fromkeys(("claude-opus-4-5-20251101", "claude-sonnet-4-5-20250929", "gemini-3-pro-preview"), "vertex-ai"),
    **dict.fromkeys(("deepseek-chat", "deepseek-reasoner"), "deepseek"),
    "doubao-seed-1-6-thinking-250715": "volcengine",
}
# 2026-06 (745df361, channelOwnerName): the adaptor name of the channel that serves the model (by priority).
_CHANNEL_2026_06 = {
    "openai": "openai",
    "anthropic": "claude",
    "google": "google gemini",
    "deepseek": "deepseek",
    "qwen": "ali",
    "doubao": "volcengine",
}


def published_owner(model: EmulatedModel, gateway: str) -> str:
    """The `owned_by` this gateway version shows for `model` in `/v1/models`."""
    if gateway == "2025-12":
        return _STATIC_2025_12.get(model.id, "custom")
    if gateway == "2026-06":
        if model.endpoints == ("openai-video",):
            return "doubaovideo"  # a task channel has no API type: the lower-cased channel type name
        return _CHANNEL_2026_06.get(model.owned_by, "custom")
    return model.owned_by
