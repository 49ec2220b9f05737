"""Today's spend, server-wide: kept beside the conversations (the same SQLite file or Redis), so a daily cap
survives restarts and holds across every worker. `MIXROUTER_MCP_STORE=none` keeps it in memory, per process."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..config import Settings

KEEP_DAYS = 8  # days of spend kept: today's for the cap, the week before for a look back


def utc_day(at: float | None = None) -> str:
    """The budget's day: UTC, so every worker in every time zone counts the same day."""
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() if at is None else at))


@dataclass(frozen=True)
class DaySpend:
    usd: float  # costs known (gateway or computed), plus estimates of calls still running
    calls: int  # model calls settled
    unknown: int  # of those, calls whose cost is unknown (no price): not in `usd`


class LedgerUnavailable(Exception):
    """The backend failed; the message says which and why."""


class SpendLedger(Protocol):
    async def reserve(self, day: str, usd: float, cap: float | None) -> tuple[bool, float]:
        """Add `usd` unless it takes the day's spend over `cap` (None: no cap), in one atomic step;
        (accepted, the day's spend after)."""
        ...

    async def settle(self, day: str, usd: float, *, calls: int, unknown: int) -> None:
        """Add `usd` (negative: give back what a reservation overestimated) and count settled calls."""
        ...

    async def spent(self, day: str) -> DaySpend: ...

    async def aclose(self) -> None: ...


class MemoryLedger:
    """One process's spend, for servers that store nothing."""

    def __init__(self) -> None:
        self._days: dict[str, list[float]] = {}

    def _day(self, day: str) -> list[float]:
        return self._days.setdefault(day, [0.0, 0, 0])

    async def reserve(self, day: str, usd: float, cap: float | None) -> tuple[bool, float]:
        entry = self._day(day)
        if cap is not None and entry[0] + usd > cap:
            return False, entry[0]
        entry[0] += usd
        return True, entry[0]

    async def settle(self, day: str, usd: float, *, calls: int, unknown: int) -> None:
        entry = self._day(day)
        entry[0] = max(entry[0] + usd, 0.0)
        entry[1] += calls
        entry[2] += unknown

    async def spent(self, day: str) -> DaySpend:
        usd, calls, unknown = self._days.get(day, [0.0, 0, 0])
        return DaySpend(usd, int(calls), int(unknown))

    async def aclose(self) -> None:
        return None


def open_ledger(settings: Settings) -> tuple[SpendLedger, str]:
    """The ledger beside the conversation store `MIXROUTER_MCP_STORE` names, and where it is kept."""
    from ..store import default_sqlite_path

    url = settings.mcp_store.strip()
    if url.lower() == "none":
        return MemoryLedger(), "this process's memory (MIXROUTER_MCP_STORE=none: lost on restart, not shared)"
    if url.startswith(("redis://", "rediss://", "unix://")):
        from .ledger_redis import RedisLedger

        return RedisLedger(url), "Redis (shared by every worker)"
    from .ledger_sqlite import SqliteLedger

    path = Path(url.removeprefix("sqlite://")).expanduser() if url.startswith("sqlite://") else default_sqlite_path()
    return SqliteLedger(path), f"SQLite ({path})"
