"""new-api's billing endpoints as the emulator serves them: `GET /api/pricing` (public) and `GET /api/usage/token/`
(the key's quota), in the shapes of new-api's `controller/pricing.go` and `controller/token.go`."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse, Response

from .catalogue import EmulatedModel

QUOTA_PER_USD = 500_000  # new-api's QuotaPerUnit

# model id → (model_ratio, completion_ratio, cache_ratio): list prices as new-api's ratio tables spell them
# (a ratio of 1 is $2 per million input tokens).
RATIOS: dict[str, tuple[float, float, float]] = {
    "gpt-4o": (1.25, 4, 0.5),
    "gpt-4o-mini": (0.075, 4, 0.5),
    "gpt-4.1": (1.0, 4, 0.25),
    "gpt-5": (0.625, 8, 0.1),
    "gpt-5-mini": (0.125, 8, 0.1),
    "gpt-5.1-codex": (0.625, 8, 0.1),
    "gpt-5.2": (0.875, 8, 0.1),
    "gpt-5.2-pro": (10.5, 8, 1),
    "o3": (1.0, 4, 0.25),
    "o4-mini": (0.55, 4, 0.25),
    "claude-opus-4-5-20251101": (2.5, 5, 0.1),
    "claude-sonnet-4-5-20250929": (1.5, 5, 0.1),
    "gemini-2.5-pro": (0.625, 8, 0.25),
    "gemini-2.5-flash": (0.15, 8.333333, 0.25),
    "gemini-3-pro-preview": (1.0, 6, 0.1),
    "deepseek-chat": (0.14, 1.5, 0.1),
    "deepseek-reasoner": (0.14, 1.5, 0.1),
    "qwen3-max": (0.6, 4, 0.2),
    "doubao-seed-1-6-thinking-250715": (0.4, 10, 0.2),
}
FIXED_PRICES = {"doubao-seedance-1-0-lite-i2v-250428": 0.5}  # USD per call (quota_type 1)
CREATE_CACHE_RATIO = {"claude-opus-4-5-20251101": 1.25, "claude-sonnet-4-5-20250929": 1.25}


@dataclass
class Billing:
    """One emulator's billing: switches to hide either endpoint (404, as a gateway that does not expose it), the
    key's quota, and the key's group with its ratio."""

    pricing: bool = True
    token_usage: bool = True
    granted_usd: float = 50.0
    used_usd: float = 0.0
    unlimited: bool = False
    group: str = "default"
    group_ratio: float = 1.0
    expires_at: int = 0
    reads: Counter[str] = field(default_factory=Counter)  # requests served per endpoint


def _entry(model: EmulatedModel, group: str) -> dict[str, Any] | None:
    base = {
        "model_name": model.id,
        "owner_by": model.owned_by,
        "enable_groups": [group],
        "supported_endpoint_types": list(model.endpoints),
    }
    if model.id in FIXED_PRICES:
        return {**base, "quota_type": 1, "model_ratio": 0, "model_price": FIXED_PRICES[model.id], "completion_ratio": 1}
    if model.id not in RATIOS:
        return None  # a model the gateway serves without a listed price
    ratio, completion, cache = RATIOS[model.id]
    entry = {**base, "quota_type": 0, "model_ratio": ratio, "model_price": 0, "completion_ratio": completion}
    entry["cache_ratio"] = cache
    if model.id in CREATE_CACHE_RATIO:
        entry["create_cache_ratio"] = CREATE_CACHE_RATIO[model.id]
    return entry


def pricing(models: list[EmulatedModel], billing: Billing) -> Response:
    data = [entry for entry in (_entry(m, billing.group) for m in models) if entry is not None]
    body = {
        "success": True,
        "data": data,
        "vendors": sorted({m.owned_by for m in models}),
        "group_ratio": {billing.group: billing.group_ratio},
        "usable_group": {billing.group: "default group"},
        "supported_endpoint": {},
        "auto_groups": [billing.group],
        "pricing_version": "emulator",
    }
    return Response(json.dumps(body), media_type="application/json")


def token_usage(billing: Billing, key_ok: bool) -> Response:
    if not key_ok:
        return JSONResponse({"success": False, "message": "无效的令牌"}, status_code=401)
    granted = round(billing.granted_usd * QUOTA_PER_USD)
    used = round(billing.used_usd * QUOTA_PER_USD)
    data = {
        "object": "token_usage",
        "name": "emulator key",
        "total_granted": granted,
        "total_used": used,
        "total_available": granted - used,
        "unlimited_quota": billing.unlimited,
        "model_limits": {},
        "model_limits_enabled": False,
        "expires_at": billing.expires_at,
    }
    return JSONResponse({"code": True, "message": "ok", "data": data})
