"""The judge: anonymised, shuffled answers in; a ranking, agreements, disagreements and a synthesis out.

Labels hide the vendors, and a fresh shuffle per call keeps position from standing in for a name.
"""

from __future__ import annotations

import json
import random
import re
import string
from typing import Any

from ...schemas import ModelAnswer, Verdict

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.M)

INSTRUCTIONS = """You are judging answers that different AI models gave to the same question. The models are \
anonymous: judge only the content, for correctness first, then completeness and clarity.

Question:
<<<
{question}
>>>

{answers}

Reply with one JSON object and nothing else:
{{"ranking": [labels, best first], "agreements": ["where the answers agree"], \
"disagreements": ["where they differ, naming labels"], "best_answer": "the best possible answer, synthesised"}}"""


def assign_labels(answers: list[ModelAnswer], rng: random.Random | None = None) -> dict[str, ModelAnswer]:
    """Label → answer, the successful answers in shuffled order."""
    ok = [a for a in answers if a.ok]
    (rng or random.SystemRandom()).shuffle(ok)
    return dict(zip(string.ascii_uppercase, ok, strict=False))


def judge_prompt(question: str, labelled: dict[str, ModelAnswer]) -> str:
    blocks = "\n\n".join(f"Answer {label}:\n<<<\n{answer.text}\n>>>" for label, answer in labelled.items())
    return INSTRUCTIONS.format(question=question, answers=blocks)


def _json_object(text: str) -> dict[str, Any]:
    """The JSON object in the judge's reply, tolerating code fences and prose around it."""
    cleaned = _FENCE.sub("", text.strip())
    start, end = cleaned.find("{"), cleaned.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("no JSON object in the judge's reply")
    value = json.loads(cleaned[start : end + 1])
    if not isinstance(value, dict):
        raise ValueError("the judge's reply is not a JSON object")
    return value


def _strings(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def parse_verdict(judge_model: str, text: str, labelled: dict[str, ModelAnswer]) -> Verdict:
    """The verdict with labels mapped back to model ids; ranking entries that are not labels are dropped."""
    labels = {label: answer.model for label, answer in labelled.items()}
    try:
        raw = _json_object(text)
    except ValueError as exc:
        preview = " ".join(text.split())[:300]
        return Verdict(judge_model=judge_model, ok=False, labels=labels, error=f"{exc}: {preview!r}")
    ranked = [str(label).strip().removeprefix("Answer ").strip() for label in _strings(raw.get("ranking"))]
    ranking = [labels[label] for label in dict.fromkeys(ranked) if label in labels]
    return Verdict(
        judge_model=judge_model,
        ok=True,
        ranking=ranking,
        labels=labels,
        agreements=_strings(raw.get("agreements")),
        disagreements=_strings(raw.get("disagreements")),
        best_answer=str(raw.get("best_answer") or ""),
    )
