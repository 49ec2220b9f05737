"""How results read as text: the answer, capped on a code-point boundary, then a one-line footer and notes."""

from __future__ import annotations

from ..schemas import Answer, ThinkingAnswer, TokenUsage


def cap_text(text: str, limit: int) -> tuple[str, bool]:
    """`text` cut to `limit` characters with an explicit marker; Python strings cut on code points."""
    if len(text) <= limit:
        return text, False
    marker = f"\n\n[truncated by mixrouter-mcp: the answer has {len(text):,} characters; showing the first {limit:,}]"
    return text[:limit] + marker, True


def footer(model: str, requested: str, usage: TokenUsage, latency_ms: int, finish: str | None, extra: str = "") -> str:
    """`model · tokens · latency` in one line."""
    served = model if model == requested else f"{model} (asked {requested})"
    tokens = f"{usage.input_tokens} in / {usage.output_tokens} out"
    if usage.reasoning_tokens:
        tokens += f" ({usage.reasoning_tokens} reasoning)"
    stop = f" · finish: {finish}" if finish not in (None, "stop") else ""
    middle = f" · {extra}" if extra else ""
    return f"— {served}{middle} · {tokens} tokens · {latency_ms / 1000:.2f} s{stop}"


def _notes(notes: list[str]) -> str:
    return "".join(f"\nNote: {note}" for note in notes)


def answer_text(answer: Answer) -> str:
    body = answer.text if answer.text else "(the model returned an empty answer)"
    line = footer(answer.model, answer.requested_model, answer.usage, answer.latency_ms, answer.finish_reason)
    return f"{body}\n\n{line}{_notes(answer.notes)}"


def thinking_text(result: ThinkingAnswer) -> str:
    """Answer, then the reasoning set apart and attributed, then the footer naming the switch applied."""
    parts = [result.answer if result.answer else "(the model returned an empty answer)"]
    if result.reasoning:
        parts.append(f"── reasoning of {result.model} ({result.reasoning_tokens} tokens) ──\n{result.reasoning}")
    applied = result.applied
    switch = f"{applied.wire} {applied.switch}={applied.value}" if applied else "no thinking mode"
    line = footer(result.model, result.requested_model, result.usage, result.latency_ms, result.finish_reason, switch)
    return "\n\n".join(parts) + f"\n\n{line}{_notes(result.notes)}"
