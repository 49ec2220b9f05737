"""Deterministic answers and token counts: the same request always gets the same words, plain or streamed."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .catalogue import EmulatedModel

_TOKEN = re.compile(r"\s*\S+")
_FILLER_TEXT = (
    "the emulator answers deterministically so tests can compare plain and streamed output word for word "
    "while every wire format keeps its own framing usage and quirks"
)
_FILLER = tuple(_FILLER_TEXT.split())
# An emulator's own answers: model id → answer text, or a function (model id, prompt) → answer or None (default).
Replies = Mapping[str, str] | Callable[[str, str], str | None]

# Replies recorded in mixrouter's own doc pages, replayed verbatim for the same model and prompt.
SEED_REPLIES: dict[tuple[str, str], tuple[str, str]] = {
    ("claude-opus-4-5-20251101", "1+2+3+4+...+100=?"): (
        "This is a simple arithmetic series problem. I need to find the sum 1+2+3+...+100.",
        "Using the formula for the sum of an arithmetic series: S = n(n+1)/2\n\nFor n = 100:\n"
        "S = 100 × 101 / 2 = **5050**",
    ),
}


def tokens(text: str) -> list[str]:
    """Text cut into word-sized pieces that join back to the exact text (minus trailing whitespace)."""
    return _TOKEN.findall(text)


def count_tokens(text: str) -> int:
    return len(tokens(text))


@dataclass(frozen=True)
class Reply:
    """What a model says: its reasoning (possibly empty) and its answer."""

    reasoning: str
    answer: str


def reply_for(
    model: EmulatedModel,
    prompt: str,
    *,
    thinking: bool,
    words: int = 0,
    images: int = 0,
    replies: Replies | None = None,
) -> Reply:
    """The emulated model's reply to `prompt`; `thinking` asks for reasoning where the model can give it.
    `replies` (an emulator's own: model id → answer, or a function of model id and prompt) comes first."""
    seeded = SEED_REPLIES.get((model.id, prompt.strip()))
    if seeded is not None:
        return Reply(reasoning=seeded[0], answer=seeded[1])
    if JUDGE_MARKER in prompt:
        return Reply(reasoning="", answer=judge_verdict(prompt))
    scripted = _scripted(replies, model.id, prompt)
    answer = scripted if scripted is not None else _default_answer(model, prompt, words)
    if images and scripted is None:
        answer += f" (with {images} image{'s' if images > 1 else ''})"
    reasoning = ""
    if thinking:
        digest = hashlib.sha256(f"{model.id}\n{prompt}".encode()).hexdigest()[:8]
        reasoning = f"Thinking about the question ({digest}): {' '.join(prompt.split()[:12])}"
    return Reply(reasoning=reasoning, answer=answer)


def _scripted(replies: Replies | None, model_id: str, prompt: str) -> str | None:
    if replies is None:
        return None
    if callable(replies):
        return replies(model_id, prompt)
    return replies.get(model_id)


def _default_answer(model: EmulatedModel, prompt: str, words: int) -> str:
    return _filler(prompt, words) if words else f"[{model.id}] You asked: {prompt.strip()}"


def _filler(prompt: str, words: int) -> str:
    start = int(hashlib.sha256(prompt.encode()).hexdigest()[:6], 16)
    return " ".join(_FILLER[(start + i) % len(_FILLER)] for i in range(words))


def prompt_tokens(texts: list[str]) -> int:
    """Input tokens: word pieces of every message plus a fixed overhead per message, as chat templates add."""
    return sum(count_tokens(t) + 4 for t in texts)


def limit_reply(reply: Reply, max_tokens: object) -> tuple[Reply, bool]:
    """Cut the answer so reasoning plus answer fit `max_tokens`; True when it was cut (finish: length)."""
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens <= 0:
        return reply, False
    budget = max_tokens - count_tokens(reply.reasoning)
    pieces = tokens(reply.answer)
    if len(pieces) <= budget:
        return reply, False
    return Reply(reasoning=reply.reasoning, answer="".join(pieces[: max(budget, 0)])), True


def pieces_of(text: str) -> list[str]:
    """Stream pieces that concatenate to exactly `text`, so streamed and plain answers are identical."""
    pieces = tokens(text)
    rest = text[len("".join(pieces)) :]
    if rest:
        pieces.append(rest)
    return pieces


JUDGE_MARKER = "Reply with one JSON object and nothing else"
_LABELLED = re.compile(r"^Answer ([A-Z]):\n<<<\n(.*?)\n>>>$", re.S | re.M)


def judge_verdict(prompt: str) -> str:
    """How the emulated model follows a judging prompt: it ranks the labelled answers longest first."""
    answers = dict(_LABELLED.findall(prompt))
    ranking = sorted(answers, key=lambda label: (-len(answers[label]), label))
    verdict = {
        "ranking": ranking,
        "agreements": ["Every answer addresses the question."] if answers else [],
        "disagreements": [f"Answer {label} is {len(answers[label])} characters long." for label in ranking],
        "best_answer": answers[ranking[0]] if ranking else "",
    }
    return json.dumps(verdict, ensure_ascii=False)
