"""The `mixrouter://usage` resource: what the key may still spend at mixrouter, and what this server spent today."""

from __future__ import annotations

import json
from typing import Any

from ..costs import LedgerUnavailable, utc_day
from ..state import AppState
from ..upstream import UpstreamError


async def _key_quota(state: AppState) -> dict[str, Any]:
    try:
        quota = await state.client.token_quota()
    except UpstreamError as error:
        hidden = error.status == 404
        why = "mixrouter does not expose GET /api/usage/token/" if hidden else error.message
        return {"error": why, "status": error.status}
    return {
        "name": quota.name,
        "unlimited": quota.unlimited,
        "granted_usd": quota.granted_usd,
        "used_usd": round(quota.used_usd, 6),
        "available_usd": quota.available_usd,
        "expires_at": quota.expires_at,
    }


async def _today(state: AppState) -> dict[str, Any]:
    cap = state.settings.daily_budget_usd
    day = utc_day()
    try:
        spent = await state.ledger.spent(day)
    except LedgerUnavailable as error:
        return {"day": day, "error": str(error), "daily_budget_usd": cap}
    return {
        "day": day,
        "spent_usd": round(spent.usd, 6),
        "calls": spent.calls,
        "calls_of_unknown_cost": spent.unknown,
        "daily_budget_usd": cap,
        "left_usd": None if cap is None else round(max(cap - spent.usd, 0.0), 6),
        "kept_in": state.ledger_where,
    }


async def _prices(state: AppState) -> dict[str, Any]:
    prices = await state.prices.current()
    if prices is None:
        return {"error": state.prices.why_unknown}
    return {"source": prices.source, "group": prices.group, "models_priced": len(prices.prices)}


async def usage_report(state: AppState) -> dict[str, Any]:
    """The key's quota (new-api `GET /api/usage/token/`), today's spend here (UTC day), the price list in use."""
    return {"key": await _key_quota(state), "today": await _today(state), "prices": await _prices(state)}


async def usage_resource(state: AppState) -> str:
    return json.dumps(await usage_report(state), ensure_ascii=False)
