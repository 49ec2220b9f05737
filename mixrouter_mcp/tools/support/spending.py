"""Budgets: a call's estimate is checked against `max_cost_usd` and the daily cap before anything is sent, and
what it really cost is booked after. A refusal says what the call would cost, what is left, and how to raise it."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from mcp.server.mcpserver.exceptions import ToolError

from ...costs import Cost, Estimate, LedgerUnavailable, dollars, estimate, utc_day
from ...state import AppState
from ...upstream import Query

logger = logging.getLogger(__name__)
THINKING_OUTPUT_TOKENS = 32_768  # a thinking call with no output ceiling (OpenAI effort): reasoning is output


@dataclass
class Hold:
    """What a call may spend, held against today's spend until its real cost is known."""

    state: AppState
    day: str
    estimates: list[Estimate]
    reserved: float  # held against the daily cap (0 without one)

    async def settle(self, costs: Sequence[Cost]) -> None:
        """Book the real costs; a cost still unknown under a cap stays booked at its estimate."""
        known = sum(c.usd for c in costs if c.usd is not None)
        unknown = [i for i, c in enumerate(costs) if c.usd is None]
        if self.reserved:
            known += sum(self.estimates[i].usd or 0.0 for i in unknown if i < len(self.estimates))
        try:
            await self.state.ledger.settle(self.day, known - self.reserved, calls=len(costs), unknown=len(unknown))
        except LedgerUnavailable as error:
            logger.warning("spend not booked: %s", error)


def _priced(estimates: list[Estimate], state: AppState, what: str) -> float:
    missing = sorted({e.model for e in estimates if e.usd is None})
    if missing:
        raise ToolError(
            f"cannot check {what}: no price is known for {', '.join(missing)} ({state.prices.why_unpriced()}). "
            "Choose a listed model, set MIXROUTER_PRICES_FILE, or call without a budget."
        )
    return sum(e.usd or 0.0 for e in estimates)


def _shape(estimates: list[Estimate]) -> str:
    tokens_in = sum(e.input_tokens for e in estimates)
    tokens_out = sum(e.output_tokens for e in estimates)
    calls = f" over {len(estimates)} calls" if len(estimates) > 1 else ""
    return f"~{tokens_in:,} prompt tokens and up to {tokens_out:,} output tokens{calls}"


def _until_tomorrow() -> str:
    left = 86400 - time.time() % 86400
    return f"{int(left // 3600)} h {int(left % 3600 // 60)} min"


def output_ceiling(state: AppState, query: Query) -> int | None:
    """The most output `query` may produce, as it will be sent (a thinking budget raises it)."""
    ceiling = state.client.output_ceiling(query)
    return THINKING_OUTPUT_TOKENS if ceiling is None and query.thinking is not None else ceiling


async def estimate_call(state: AppState, query: Query, extra_input: int = 0) -> Estimate:
    """The most `query` should cost (with `extra_input` tokens still to be added to its prompt)."""
    return estimate(query, output_ceiling(state, query), await state.prices.current(), extra_input)


def budgeted(state: AppState, max_cost_usd: float | None) -> bool:
    return max_cost_usd is not None or state.settings.daily_budget_usd is not None


async def affordable_chain(
    state: AppState, query: Query, chain: list[str], max_cost_usd: float | None
) -> tuple[list[str], Query, list[str]]:
    """Under a budget, fallbacks with no known price or over `max_cost_usd` are left out; (chain kept, the query
    the budget must hold room for: the costliest of the chain, notes)."""
    if len(chain) < 2 or not budgeted(state, max_cost_usd):
        return chain, query, []
    kept, worst, notes = [chain[0]], (await estimate_call(state, query), query), []
    for model in chain[1:]:
        alternative = replace(query, model=model, api="auto")
        guess = await estimate_call(state, alternative)
        if guess.usd is None:
            notes.append(f"fallback {model} left out: a budget is in force and no price is known for it")
        elif max_cost_usd is not None and guess.usd > max_cost_usd:
            notes.append(f"fallback {model} left out: it may cost up to {dollars(guess.usd)}, over max_cost_usd")
        else:
            kept.append(model)
            if worst[0].usd is not None and guess.usd > worst[0].usd:
                worst = (guess, alternative)
    return kept, worst[1], notes


async def video_estimate(state: AppState, model: str) -> Estimate:
    """A video task's price: new-api bills it once, at submit, at the model's fixed per-call price."""
    prices = await state.prices.current()
    price = prices.of(model) if prices else None
    return Estimate(model, 0, 0, price.per_call if price else None)


async def hold(
    state: AppState, queries: Sequence[Query], max_cost_usd: float | None, extra: Sequence[Estimate] = ()
) -> Hold:
    """Check what `queries` (and the `extra` estimates) may cost against `max_cost_usd` and the daily cap, and hold
    it against the cap; or refuse before anything is sent. Without a budget nothing is estimated."""
    cap = state.settings.daily_budget_usd
    day = utc_day()
    if not budgeted(state, max_cost_usd):
        return Hold(state, day, [], 0.0)
    estimates = [*[await estimate_call(state, query) for query in queries], *extra]
    total = _priced(estimates, state, "max_cost_usd" if max_cost_usd is not None else "the daily budget")
    if max_cost_usd is not None and total > max_cost_usd:
        raise ToolError(
            f"refused before any model was called: this call may cost up to {dollars(total)} ({_shape(estimates)}), "
            f"over max_cost_usd={dollars(max_cost_usd)}. Raise max_cost_usd, set a lower max_tokens, or use fewer or "
            "cheaper models."
        )
    if cap is None:
        return Hold(state, day, estimates, 0.0)
    try:
        accepted, spent = await state.ledger.reserve(day, total, cap)
    except LedgerUnavailable as error:
        raise ToolError(
            f"the daily budget cannot be checked, so nothing was sent: {error}. Try again later."
        ) from error
    if not accepted:
        left = dollars(max(cap - spent, 0))
        raise ToolError(
            f"refused before any model was called: this call may cost up to {dollars(total)} ({_shape(estimates)}); "
            f"today's spend is {dollars(spent)} of the {dollars(cap)} daily budget, so {left} is left. "
            f"Raise MIXROUTER_DAILY_BUDGET_USD, set a lower max_tokens, or wait for the UTC day to turn "
            f"(in {_until_tomorrow()})."
        )
    return Hold(state, day, estimates, total)
