"""How results read as text: the answer, capped on a code-point boundary, then a one-line footer."""

from __future__ import annotations

from ..schemas import Answer


def cap_text(text: str, limit: int) -> tuple[str, bool]:
    """`text` cut to `limit` characters with an explicit marker; Python strings cut on code points."""
    if len(text) <= limit:
        return text, False
    marker = f"\n\n[truncated by mixrouter-mcp: the answer has {len(text):,} characters; showing the first {limit:,}]"
    return text[:limit] + marker, True


def footer(answer: Answer) -> str:
    """`model · tokens · latency` in one line."""
    usage = answer.usage
    served = (
        answer.model if answer.model == answer.requested_model else f"{answer.model} (asked {answer.requested_model})"
    )
    tokens = f"{usage.input_tokens} in / {usage.output_tokens} out"
    if usage.reasoning_tokens:
        tokens += f" ({usage.reasoning_tokens} reasoning)"
    finish = f" · finish: {answer.finish_reason}" if answer.finish_reason not in (None, "stop", "end_turn") else ""
    return f"— {served} · {tokens} tokens · {answer.latency_ms / 1000:.2f} s{finish}"


def answer_text(answer: Answer) -> str:
    body = answer.text if answer.text else "(the model returned an empty answer)"
    return f"{body}\n\n{footer(answer)}"
