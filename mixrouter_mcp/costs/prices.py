"""What each model costs: mixrouter's price list (new-api's `GET /api/pricing`) or a local file, in USD.

new-api's units, as its source defines them (QuantumNous/new-api: `model/pricing.go`, `service/text_quota.go`,
`setting/ratio_setting/`): a `model_ratio` of 1 is $2 per million input tokens; output costs `completion_ratio`
times input; cache reads `cache_ratio` times input (1 when unset), cache writes `create_cache_ratio` times input
(1.25 when unset); reasoning tokens are output tokens; `quota_type` 1 is a fixed `model_price` in USD per call.
Every price is multiplied by the key's group ratio (`group_ratio`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

USD_PER_MILLION_AT_RATIO_1 = 2.0
DEFAULT_CACHE_RATIO = 1.0
DEFAULT_CREATE_CACHE_RATIO = 1.25


class PriceFileError(ValueError):
    """A price list that cannot be read; the message says what is wrong."""


@dataclass(frozen=True)
class ModelPrice:
    """One model's prices: USD per million tokens of each kind, or a fixed USD price per call."""

    input: float = 0.0
    output: float = 0.0
    cached_input: float = 0.0
    cache_write: float = 0.0
    reasoning: float = 0.0
    per_call: float | None = None


@dataclass(frozen=True)
class PriceList:
    """Prices by model id, and where they came from (for notes)."""

    prices: dict[str, ModelPrice]
    source: str
    group: str = ""

    def of(self, model: str) -> ModelPrice | None:
        """The price of `model` (emulator switches, `gpt-4o~delay=1`, do not change a model's price)."""
        return self.prices.get(model) or self.prices.get(model.split("~", 1)[0])


def _number(value: Any, default: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        return default
    return float(value)


def _group_ratio(body: dict[str, Any], group: str) -> tuple[str, float]:
    """The ratio of `group`, else of the only group, else of `default`, else 1."""
    listed = body.get("group_ratio")
    ratios: dict[str, Any] = listed if isinstance(listed, dict) else {}
    if group:
        if group not in ratios:
            raise PriceFileError(f"MIXROUTER_PRICE_GROUP={group!r} is not in the price list's groups {sorted(ratios)}")
        return group, _number(ratios[group], 1.0)
    if len(ratios) == 1:
        name = next(iter(ratios))
        return name, _number(ratios[name], 1.0)
    if "default" in ratios:
        return "default", _number(ratios["default"], 1.0)
    return "", 1.0


def _new_api_price(entry: dict[str, Any], group_ratio: float) -> ModelPrice:
    if entry.get("quota_type") == 1:
        return ModelPrice(per_call=_number(entry.get("model_price")) * group_ratio)
    base = _number(entry.get("model_ratio")) * USD_PER_MILLION_AT_RATIO_1 * group_ratio
    output = base * _number(entry.get("completion_ratio"), 1.0)
    return ModelPrice(
        input=base,
        output=output,
        cached_input=base * _number(entry.get("cache_ratio"), DEFAULT_CACHE_RATIO),
        cache_write=base * _number(entry.get("create_cache_ratio"), DEFAULT_CREATE_CACHE_RATIO),
        reasoning=output,
    )


def from_new_api(body: Any, group: str = "", source: str = "mixrouter /api/pricing") -> PriceList:
    """A price list from new-api's `/api/pricing` answer: `{"success": true, "data": [...], "group_ratio": {...}}`."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise PriceFileError("not a new-api price list: expected an object with a `data` array")
    if body.get("success") is False:
        raise PriceFileError(f"the price list answered success=false: {str(body.get('message', ''))[:200]}")
    chosen, ratio = _group_ratio(body, group)
    prices = {
        str(entry["model_name"]): _new_api_price(entry, ratio)
        for entry in body["data"]
        if isinstance(entry, dict) and isinstance(entry.get("model_name"), str)
    }
    return PriceList(prices, source, chosen)


def _simple_price(model: str, entry: Any) -> ModelPrice:
    if not isinstance(entry, dict):
        raise PriceFileError(f"price of {model!r} must be an object of USD-per-million prices")
    if entry.get("per_call") is not None:
        return ModelPrice(per_call=_number(entry["per_call"]))
    for name in ("input", "output"):
        if _number(entry.get(name), -1.0) < 0:
            raise PriceFileError(f"price of {model!r} needs `{name}`: USD per million tokens, a number >= 0")
    output = _number(entry["output"])
    return ModelPrice(
        input=_number(entry["input"]),
        output=output,
        cached_input=_number(entry.get("cached_input"), _number(entry["input"])),
        cache_write=_number(entry.get("cache_write"), _number(entry["input"])),
        reasoning=_number(entry.get("reasoning"), output),
    )


def parse_price_file(body: Any, group: str = "", source: str = "MIXROUTER_PRICES_FILE") -> PriceList:
    """A local price list: new-api's `/api/pricing` shape as saved, or the simple form
    `{"models": {"gpt-5": {"input": 1.25, "output": 10, "cached_input": 0.125, "per_call": null}}}` (USD/M)."""
    if isinstance(body, dict) and isinstance(body.get("models"), dict):
        return PriceList({str(m): _simple_price(str(m), e) for m, e in body["models"].items()}, source)
    return from_new_api(body, group, source)
