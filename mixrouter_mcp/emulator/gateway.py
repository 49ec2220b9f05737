"""Which new-api the emulator plays: mixrouter's doc pages, or stock new-api at one of two commits.

Read from new-api's source (QuantumNous/new-api, through the SolveaCX/new-api mirror):
- `2025-12`: commit a78fd2dae (2025-12-19), close to mixrouter's doc pages.
- `2026-06`: commit 745df361 (2026-06-17).
`docs` is what mixrouter's own pages show (the seeds); it is the default, so tests written against it keep working.
"""

from __future__ import annotations

from typing import Literal, cast, get_args

Gateway = Literal["docs", "2025-12", "2026-06"]
GATEWAYS: tuple[Gateway, ...] = ("docs", "2025-12", "2026-06")
STOCK: tuple[Gateway, ...] = ("2025-12", "2026-06")


def gateway_named(name: object) -> Gateway:
    if name not in get_args(Gateway):
        raise ValueError(f"unknown gateway version {name!r}; known: {', '.join(GATEWAYS)}")
    return cast(Gateway, name)


def key_state_error(gateway: Gateway, state: str, key: str) -> tuple[int, str, str]:
    """(status, message, code) of a key whose quota is used up (`exhausted`) or whose expiry passed (`expired`).

    2025-12: both 401 from model/token.go ValidateUserToken. 2026-06: middleware/auth.go tokenAuthErrorResponse
    answers 429 `insufficient_user_quota` "该令牌额度不足" for a used-up key, 401 "该令牌已过期" for an expired one."""
    bare = key.removeprefix("sk-")
    if state == "expired":
        return 401, "该令牌已过期", ""
    if state != "exhausted":
        raise ValueError(f"unknown key state {state!r}; known: exhausted, expired")
    if gateway == "2026-06":
        return 429, "该令牌额度不足", "insufficient_user_quota"
    masked = f"[sk-{bare[:3]}***{bare[-3:]}]"
    return 401, f"{masked} 该令牌额度已用尽 !token.UnlimitedQuota && token.RemainQuota = 0", ""
