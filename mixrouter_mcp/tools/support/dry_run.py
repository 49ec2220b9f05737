"""`dry_run`: what a call would send and cost, without calling a model or storing anything: the file manifest,
the prompt tokens and the most the call may cost, and whether a budget would refuse it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ...costs import Estimate, dollars
from ...schemas import FileManifest
from ...state import AppState
from ...upstream import Query
from .spending import estimate_call


@dataclass(frozen=True)
class Preview:
    """A dry run's figures: prompt tokens, the most output, the cost ceiling (None when unpriced), and notes."""

    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    notes: list[str]


async def preview_calls(
    state: AppState, queries: Sequence[Query], max_cost_usd: float | None, extra: Sequence[Estimate] = ()
) -> Preview:
    """Estimate `queries` (and `extra` calls such as a judge) as the budget check would."""
    estimates = [*[await estimate_call(state, query) for query in queries], *extra]
    tokens_in = sum(e.input_tokens for e in estimates)
    tokens_out = sum(e.output_tokens for e in estimates)
    unpriced = sorted({e.model for e in estimates if e.usd is None})
    total = None if unpriced else sum(e.usd or 0.0 for e in estimates)
    notes = [
        "dry run: no model was called and nothing was stored; cost_usd is the most this call may cost "
        f"(~{tokens_in:,} prompt tokens, up to {tokens_out:,} output tokens)"
    ]
    policy = state.settings.model_policy()
    refused = [refusal for e in estimates if (refusal := policy.refusal(e.model)) is not None]
    notes += [f"{refusal}: the call would be refused" for refusal in dict.fromkeys(refused)]
    if unpriced:
        notes.append(f"cost unknown: no price is known for {', '.join(unpriced)} ({state.prices.why_unpriced()})")
    elif max_cost_usd is not None and total is not None and total > max_cost_usd:
        notes.append(f"over max_cost_usd={dollars(max_cost_usd)}: the call would be refused as it stands")
    return Preview(tokens_in, tokens_out, total, notes)


def preview_text(models: Sequence[str], manifest: FileManifest | None, preview: Preview, notes: Sequence[str]) -> str:
    """The manifest, one line a file, the estimate, then `notes`: what a dry run shows the caller."""
    lines = [f"Dry run for {', '.join(models)}: nothing was sent."]
    if manifest is not None:
        sent = [(path, value) for path, value in manifest.items() if isinstance(value, int)]
        left = [(path, value) for path, value in manifest.items() if isinstance(value, str)]
        lines.append(f"Files to send ({len(sent)}, ~{sum(v for _, v in sent):,} tokens):")
        lines += [f"  {path}  ~{value:,} tokens" for path, value in sent] or ["  (none)"]
        if left:
            lines.append(f"Left out ({len(left)}):")
            lines += [f"  {path}: {value}" for path, value in left]
    cost = "unknown" if preview.cost_usd is None else f"at most {dollars(preview.cost_usd)}"
    lines.append(f"Prompt ~{preview.input_tokens:,} tokens; output up to {preview.output_tokens:,}; cost {cost}.")
    return "\n".join(lines) + "".join(f"\nNote: {note}" for note in notes)
