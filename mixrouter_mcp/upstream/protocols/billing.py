"""new-api's billing endpoints: the public price list and the key's own quota (`GET /api/usage/token/`). Pure.

Shapes as new-api's `controller/pricing.go` and `controller/token.go` send them; quota is counted in units of
`QuotaPerUnit` (500,000 to the US dollar, `common/constants.go`).
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidResponse
from ..types import HttpRequest, KeyQuota
from .common import as_dict, as_int

PRICING_PATH = "/api/pricing"
TOKEN_USAGE_PATH = "/api/usage/token/"
QUOTA_PER_USD = 500_000


def build_pricing() -> HttpRequest:
    return HttpRequest("GET", PRICING_PATH)


def build_token_usage() -> HttpRequest:
    return HttpRequest("GET", TOKEN_USAGE_PATH)


def parse_token_usage(body: Any) -> KeyQuota:
    """`{"code": true, "data": {"total_granted", "total_used", "total_available", "unlimited_quota", ...}}`."""
    envelope = as_dict(body)
    if envelope.get("success") is False or envelope.get("code") is False:
        message = str(envelope.get("message") or "no reason given")[:300]
        raise InvalidResponse(f"mixrouter did not give this key's quota: {message}", status=200)
    data = as_dict(envelope.get("data"))
    if "total_used" not in data:
        raise InvalidResponse("mixrouter's quota answer has no `data.total_used`", status=200)
    unlimited = data.get("unlimited_quota") is True
    expires = as_int(data.get("expires_at"))
    return KeyQuota(
        name=str(data.get("name") or ""),
        unlimited=unlimited,
        granted_usd=None if unlimited else as_int(data.get("total_granted")) / QUOTA_PER_USD,
        used_usd=as_int(data.get("total_used")) / QUOTA_PER_USD,
        available_usd=None if unlimited else as_int(data.get("total_available")) / QUOTA_PER_USD,
        expires_at=expires if expires > 0 else None,
    )
