"""What one call cost (from the gateway's own figure or from usage and the price list), and what it would cost."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..tokens import estimate_tokens
from ..upstream import Query, Usage
from .prices import ModelPrice, PriceList

CostSource = Literal["gateway", "computed", "unknown"]
IMAGE_TOKENS = 1_600  # a large image on any family's vision tokenizer, rounded up: estimates err high
PER_MESSAGE_TOKENS = 4
DEFAULT_OUTPUT_TOKENS = 8_192  # estimated output when a call sets no max_tokens (the room conversations reserve)


@dataclass(frozen=True)
class Cost:
    usd: float | None
    source: CostSource

    @staticmethod
    def nothing() -> Cost:
        """A call that failed before any output: new-api refunds what it pre-charged."""
        return Cost(0.0, "computed")


UNKNOWN = Cost(None, "unknown")


def priced(usage: Usage, price: ModelPrice) -> float:
    """USD for `usage` at `price`: uncached input, cache reads and writes, visible output and reasoning apart."""
    if price.per_call is not None:
        return price.per_call
    uncached = max(usage.input_tokens - usage.cached_tokens - usage.cache_write_tokens, 0)
    reasoning = min(usage.reasoning_tokens, usage.output_tokens)
    micro = (
        uncached * price.input
        + usage.cached_tokens * price.cached_input
        + usage.cache_write_tokens * price.cache_write
        + (usage.output_tokens - reasoning) * price.output
        + reasoning * price.reasoning
    )
    return micro / 1_000_000


def cost_of(model: str, usage: Usage, prices: PriceList | None) -> Cost:
    """The gateway's figure when its response carried one, else usage at the listed price, else unknown."""
    if usage.cost_usd is not None:
        return Cost(usage.cost_usd, "gateway")
    price = prices.of(model) if prices else None
    if price is None:
        return UNKNOWN
    return Cost(round(priced(usage, price), 12), "computed")


@dataclass(frozen=True)
class Estimate:
    """A call's cost before it is made: prompt tokens counted, output at most `output_tokens`."""

    model: str
    input_tokens: int
    output_tokens: int
    usd: float | None  # None: no price known


def prompt_tokens(query: Query) -> int:
    texts = [query.system or "", *(m.content for m in query.messages)]
    images = sum(len(m.images) for m in query.messages)
    return sum(estimate_tokens(t) for t in texts) + PER_MESSAGE_TOKENS * len(texts) + IMAGE_TOKENS * images


def estimate(query: Query, output_tokens: int | None, prices: PriceList | None, extra_input: int = 0) -> Estimate:
    """The most `query` should cost: its prompt (and `extra_input` tokens still to be added to it) at the input
    price, `output_tokens` (or a default) at the output or reasoning price, whichever is higher."""
    output = output_tokens or DEFAULT_OUTPUT_TOKENS
    tokens = prompt_tokens(query) + extra_input
    price = prices.of(query.model) if prices else None
    if price is None:
        return Estimate(query.model, tokens, output, None)
    thinking = output if price.reasoning > price.output else 0
    usage = Usage(input_tokens=tokens, output_tokens=output, reasoning_tokens=thinking)
    return Estimate(query.model, tokens, output, priced(usage, price))


def total_of(costs: list[Cost]) -> Cost:
    """The sum of several calls' costs: unknown if any is; `gateway` only when the gateway priced every one."""
    if any(c.usd is None for c in costs):
        return UNKNOWN
    source: CostSource = "gateway" if costs and all(c.source == "gateway" for c in costs) else "computed"
    return Cost(round(sum(c.usd or 0.0 for c in costs), 12), source)


def dollars(value: float) -> str:
    """USD as a person reads it: `$12.40`, `$0.0421`, `$0.000049`; never scientific notation."""
    if value >= 10:
        return f"${value:,.2f}"
    if value >= 0.01:
        return f"${value:.4f}"
    if value == 0:
        return "$0"
    return f"${value:.6f}" if value >= 0.000001 else "<$0.000001"
