"""From a Query to what goes on the wire: pick the wire format, switch thinking on, adapt to model quirks.

Every parameter that is changed or dropped leaves a note, so a result never hides what was really sent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .protocols.common import deep_merge
from .reasoning import plan_thinking
from .routing import (
    Family,
    Wire,
    bare_model,
    can_think,
    choose_wire,
    claude_thinking_modes,
    family_of,
    is_openai_reasoning,
)
from .types import Applied, Query


@dataclass(frozen=True)
class Prepared:
    wire: Wire
    query: Query
    notes: tuple[str, ...]
    applied: Applied | None


def prepare(query: Query, configured_api: str = "auto") -> Prepared:
    """The adapted query for its wire, with notes on everything changed."""
    wire = choose_wire(query.model, query.api, configured_api, for_thinking=query.thinking is not None)
    notes: list[str] = []
    if query.thinking is not None and wire is Wire.CHAT and claude_thinking_modes(query.model) == "adaptive_only":
        # new-api maps chat's reasoning switches to a fixed budget, which this model refuses (relay-claude.go).
        wire = Wire.MESSAGES
        notes.append("sent on api=messages: this model takes only adaptive thinking, which the chat wire cannot ask")
    applied: Applied | None = None
    if query.thinking is not None:
        if can_think(query.model):
            plan = plan_thinking(query.model, wire, query.thinking, query.max_tokens)
            stream = query.stream or plan.force_stream
            if stream and not query.stream:
                notes.append("streamed upstream: this model refuses thinking on non-streamed calls")
            query = replace(
                query,
                extra=deep_merge(query.extra, plan.body),
                max_tokens=plan.max_tokens or query.max_tokens,
                stream=stream,
            )
            notes += plan.notes
            applied = Applied(wire=wire.value, switch=plan.switch, value=plan.value)
        else:
            notes.append(
                f"'{query.model}' has no thinking mode that mixrouter-mcp knows how to switch on: "
                "it answered without extended thinking"
            )
    query, quirk_notes = _adapt_parameters(query, wire)
    return Prepared(wire=wire, query=query, notes=tuple(notes + quirk_notes), applied=applied)


def _adapt_parameters(query: Query, wire: Wire) -> tuple[Query, list[str]]:
    """Drop or rename what the model would refuse, instead of sending it to fail the call."""
    notes: list[str] = []
    family = family_of(query.model)
    # Claude thinks under the same sampling rules whichever wire asks it to (over chat new-api passes temperature
    # and top_p on unchanged, and Anthropic refuses them with thinking).
    thinking_claude = family is Family.CLAUDE and ("thinking" in query.extra or "reasoning" in query.extra)
    adaptive_only = family is Family.CLAUDE and claude_thinking_modes(query.model) == "adaptive_only"
    no_sampling = (
        is_openai_reasoning(query.model) or "reasoner" in bare_model(query.model) or thinking_claude or adaptive_only
    )
    if no_sampling and (query.temperature is not None or query.top_p is not None):
        why = "thinking requires the default sampling" if thinking_claude else "this model rejects sampling parameters"
        dropped = [n for n, v in (("temperature", query.temperature), ("top_p", query.top_p)) if v is not None]
        notes.append(f"{' and '.join(dropped)} not sent: {why}")
        query = replace(query, temperature=None, top_p=None)
    if family is Family.CLAUDE and query.temperature is not None and query.top_p is not None:
        notes.append("top_p not sent: Claude takes temperature or top_p, not both")
        query = replace(query, top_p=None)
    if wire is Wire.RESPONSES and query.temperature == 0:
        # new-api of Dec 2025 declares Responses' temperature `float64 omitempty` (dto/openai_request.go): 0 vanishes.
        notes.append("temperature 0 on api=responses: some new-api versions drop it, so the model's default may apply")
    if is_openai_reasoning(query.model) and wire is Wire.CHAT and query.max_tokens is not None:
        # o-series and gpt-5 take max_completion_tokens on chat completions and reject max_tokens.
        query = replace(query, extra={**query.extra, "max_completion_tokens": query.max_tokens}, max_tokens=None)
    return query, notes
