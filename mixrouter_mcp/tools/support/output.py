"""How results read as text: the answer, capped on a code-point boundary, then a one-line footer and notes."""

from __future__ import annotations

from collections.abc import Sequence

from mcp.types import CallToolResult, ContentBlock, TextContent
from pydantic import BaseModel

from ...costs import dollars
from ...result_store import ResultStore
from ...schemas import Answer, Comparison, ModelAnswer, ThinkingAnswer, TokenUsage, Verdict
from ...tokens import cut_index


def tool_result(
    text: str,
    structured: BaseModel,
    *,
    is_error: bool = False,
    only_set: bool = False,
    extra: Sequence[ContentBlock | None] = (),
) -> CallToolResult:
    """A tool's result: the text a model reads (then any `extra` content, such as a resource link), and the same
    facts as `structuredContent` (with `only_set`, the fields the tool set: one output model serving two shapes)."""
    return CallToolResult(
        content=[TextContent(type="text", text=text), *(block for block in extra if block is not None)],
        structured_content=structured.model_dump(mode="json", exclude_unset=only_set),
        is_error=is_error,
    )


def cap_text(text: str, max_tokens: int, results: ResultStore) -> tuple[str, bool, str | None]:
    """`text` within `max_tokens` (estimated), cut on a code point with an explicit marker. The full text goes to
    the result store; the marker says how to read the rest. Returns (shown text, cut?, result id)."""
    cut = cut_index(text, max_tokens)
    if cut is None:
        return text, False, None
    result_id = results.put(text)
    kept = min(len(text), results.max_entry_chars)
    beyond = (
        f" Only the first {kept:,} characters are kept (MIXROUTER_RESULT_STORE_CHARS); ask for a shorter answer."
        if kept < len(text)
        else ""
    )
    marker = (
        f"\n\n[truncated by mixrouter-mcp: {len(text):,} characters in all, {cut:,} shown. "
        f'Read the rest with read_result(result_id="{result_id}", offset={cut}).{beyond}]'
    )
    return text[:cut] + marker, True, result_id


def cost_text(usd: float | None, source: str) -> str:
    """`$0.0042`, `$0.0042 (gateway)`, or `cost unknown`: never a 0 that was not measured."""
    if usd is None:
        return "cost unknown"
    shown = dollars(usd)
    return f"{shown} (gateway)" if source == "gateway" else shown


def footer(
    model: str,
    requested: str,
    usage: TokenUsage,
    latency_ms: int,
    finish: str | None,
    extra: str = "",
    cost: str = "",
) -> str:
    """`model · tokens · cost · latency` in one line."""
    served = model if model == requested else f"{model} (asked {requested})"
    tokens = f"{usage.input_tokens} in / {usage.output_tokens} out"
    if usage.cached_tokens:
        tokens += f", {usage.cached_tokens} cached"
    if usage.reasoning_tokens:
        tokens += f" ({usage.reasoning_tokens} reasoning)"
    stop = f" · finish: {finish}" if finish not in (None, "stop") else ""
    middle = f" · {extra}" if extra else ""
    priced = f" · {cost}" if cost else ""
    return f"— {served}{middle} · {tokens} tokens{priced} · {latency_ms / 1000:.2f} s{stop}"


def _continue(conversation_id: str | None) -> str:
    # In the text too: many clients show a model only the text content, and without the id a thread cannot go on.
    return f" · conversation_id={conversation_id}" if conversation_id else ""


def _notes(notes: list[str]) -> str:
    return "".join(f"\nNote: {note}" for note in notes)


def answer_text(answer: Answer) -> str:
    body = answer.text if answer.text else "(the model returned an empty answer)"
    cost = cost_text(answer.cost_usd, answer.cost_source)
    line = footer(
        answer.model, answer.requested_model, answer.usage, answer.latency_ms, answer.finish_reason, cost=cost
    )
    return f"{body}\n\n{line}{_continue(answer.conversation_id)}{_notes(answer.notes)}"


def thinking_text(result: ThinkingAnswer) -> str:
    """Answer, then the reasoning set apart and attributed, then the footer naming the switch applied."""
    parts = [result.answer if result.answer else "(the model returned an empty answer)"]
    if result.reasoning:
        parts.append(f"── reasoning of {result.model} ({result.reasoning_tokens} tokens) ──\n{result.reasoning}")
    applied = result.applied
    switch = f"{applied.wire} {applied.switch}={applied.value}" if applied else "no thinking mode"
    cost = cost_text(result.cost_usd, result.cost_source)
    line = footer(
        result.model, result.requested_model, result.usage, result.latency_ms, result.finish_reason, switch, cost
    )
    return "\n\n".join(parts) + f"\n\n{line}{_continue(result.conversation_id)}{_notes(result.notes)}"


def _panel_section(number: int, result: ModelAnswer) -> str:
    status = "ok" if result.ok else "FAILED"
    served = f" (answered by {result.served_model})" if result.served_model not in (None, result.model) else ""
    head = f"━━ [{number}] {result.model}{served} · {status} · {result.latency_ms / 1000:.2f} s ━━"
    if not result.ok:
        return f"{head}\n{result.error}"
    body = result.text or "(empty answer)"
    if result.reasoning:
        body += f"\n\n(reasoning of {result.model})\n{result.reasoning}"
    return f"{head}\n{body}{_notes(result.notes)}"


def _summary_table(results: list[ModelAnswer]) -> str:
    rows = ["| # | model | status | latency | tokens in / out | cost |", "|---|---|---|---|---|---|"]
    for number, r in enumerate(results, 1):
        tokens = f"{r.usage.input_tokens} / {r.usage.output_tokens}" if r.usage else "-"
        status = (r.finish_reason or "ok") if r.ok else "failed"
        cost = cost_text(r.cost_usd, r.cost_source)
        rows.append(f"| {number} | {r.model} | {status} | {r.latency_ms / 1000:.2f} s | {tokens} | {cost} |")
    return "\n".join(rows)


def _verdict_section(verdict: Verdict) -> str:
    head = f"━━ judge: {verdict.judge_model} (answers were shown anonymised and shuffled) ━━"
    if not verdict.ok:
        return f"{head}\nno verdict: {verdict.error}"
    lines = [head, "Ranking: " + ", ".join(f"{i}. {m}" for i, m in enumerate(verdict.ranking, 1))]
    lines += [f"Agree: {item}" for item in verdict.agreements]
    lines += [f"Differ: {item}" for item in verdict.disagreements]
    lines.append(f"Best answer (synthesised):\n{verdict.best_answer}")
    return "\n".join(lines)


def comparison_text(comparison: Comparison) -> str:
    """A section per model in the requested order, a summary table, then the judge's verdict."""
    total = len(comparison.results)
    head = (
        f"Asked {total} models at once in {comparison.wall_ms / 1000:.2f} s: "
        f"{comparison.succeeded} answered, {comparison.failed} failed, "
        f"{cost_text(comparison.cost_usd, comparison.cost_source)} in all. Answers are the models' own words."
    )
    if comparison.conversation_id:
        head += f" Continue the thread with conversation_id={comparison.conversation_id}."
    parts = [head, *(_panel_section(i, r) for i, r in enumerate(comparison.results, 1))]
    parts.append(_summary_table(comparison.results))
    if comparison.judge is not None:
        parts.append(_verdict_section(comparison.judge))
    return "\n\n".join(parts) + _notes(comparison.notes)
