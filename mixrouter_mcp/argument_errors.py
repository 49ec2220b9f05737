"""What a calling model reads when its arguments are refused: each bad argument on a line, what was wrong, what it
sent, and nothing else (pydantic's own text adds its model's class name, error codes and a docs URL per error)."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from .tools.support.inputs import PATTERN_MEANINGS

_SHOWN_CHARS = 80  # of a refused value: enough to recognise it, never a whole prompt


def unknown_arguments(tool: str, given: Iterable[str], known: Collection[str]) -> str | None:
    """The refusal for argument names `tool` does not take (a typo would otherwise be dropped in silence and the
    call made without it: a default model, no budget), or None when every name is known."""
    unknown = sorted(name for name in given if name not in known)
    if not unknown:
        return None
    lines = [f"- {name}: {tool} has no such argument{_did_you_mean(name, known)}" for name in unknown]
    return _refusal(tool, lines, f"Its arguments: {', '.join(sorted(known))}.")


def invalid_arguments(tool: str, error: ValidationError) -> str:
    """The refusal for arguments that failed validation, one line per error."""
    lines = []
    for detail in error.errors(include_url=False):
        where = ".".join(str(part) for part in detail["loc"]) or "arguments"
        sent = "" if detail["type"] == "missing" else f" (got {_shown(detail['input'])})"
        message = detail["msg"].removeprefix("Value error, ")  # our own validators' words need no label
        lines.append(f"- {where}: {message}{sent}{_meaning(detail)}")
    return _refusal(tool, lines, "Fix them and call again.")


def refused_arguments(tool: str, error: BaseException) -> ValidationError | None:
    """The validation of `tool`'s arguments that `error` (the SDK's refusal) carries; None for any other error,
    a validation failing inside the tool included."""
    cause = error.__cause__
    return cause if isinstance(cause, ValidationError) and cause.title == f"{tool}Arguments" else None


def _meaning(detail: ErrorDetails) -> str:
    """A broken pattern in words: the regex alone tells a model little."""
    pattern = (detail.get("ctx") or {}).get("pattern") if detail["type"] == "string_pattern_mismatch" else None
    meaning = PATTERN_MEANINGS.get(pattern) if isinstance(pattern, str) else None
    return f": {meaning}" if meaning else ""


def _refusal(tool: str, lines: list[str], then: str) -> str:
    # The SDK's prefix, as every other refusal of a tool call carries it.
    return f"Error executing tool {tool}: invalid arguments, nothing was done:\n" + "\n".join([*lines, then])


def _did_you_mean(name: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else f"{text[:_SHOWN_CHARS]}... ({len(text):,} characters)"
