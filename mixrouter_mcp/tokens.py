"""A token estimate good enough for budgets: CJK and other wide scripts ~1 token per character, the rest ~4
characters per token. Used to cap output and to fit conversation history into a model's context."""

from __future__ import annotations

_WIDE_FROM = 0x2E80


def estimate_tokens(text: str) -> int:
    if text.isascii():  # most code and prose: skip the per-character scan (files can be megabytes)
        return (len(text) + 3) // 4
    wide = sum(1 for char in text if ord(char) >= _WIDE_FROM)
    return wide + (len(text) - wide + 3) // 4


def cut_index(text: str, max_tokens: int) -> int | None:
    """Where to cut `text` so its estimate stays within `max_tokens`; None when it already fits."""
    if len(text) <= max_tokens:
        return None  # no character costs more than one token
    budget = float(max_tokens)
    for index, char in enumerate(text):
        budget -= 1.0 if ord(char) >= _WIDE_FROM else 0.25
        if budget < 0:
            return index
    return None
