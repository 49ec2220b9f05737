"""Booking a call's real cost without keeping its answer waiting: the write to a ledger on disk or in Redis costs
a worker-thread hop or a round trip (about 0.5 ms), and nothing in the answer depends on it."""

from __future__ import annotations

import logging

from anyio.abc import TaskGroup

from ..behind_answers import BehindAnswers
from .ledger import DaySpend, LedgerUnavailable, SpendLedger

logger = logging.getLogger(__name__)

_BOOKING_S = 2.0  # a booking still running at shutdown gets this long (shielded), then is given up and logged


class SettlingInBackground:
    """`ledger` with `settle` run in the server's task group. `reserve` and `spent` first wait for the bookings
    started before them, so this process always counts its own spend; a cap is never passed meanwhile, because
    until a booking lands the call's reservation (its ceiling) stays counted."""

    def __init__(self, ledger: SpendLedger, group: TaskGroup) -> None:
        self._ledger = ledger
        self._bookings = BehindAnswers(group, _BOOKING_S, in_order=False)  # sums: any order adds up the same

    async def settle(self, day: str, usd: float, *, calls: int, unknown: int) -> None:
        async def book() -> None:
            try:
                await self._ledger.settle(day, usd, calls=calls, unknown=unknown)
            except LedgerUnavailable as error:
                logger.warning("spend not booked: %s", error)

        self._bookings.start(book, lambda: logger.warning("spend not booked: the ledger took over %g s", _BOOKING_S))

    async def reserve(self, day: str, usd: float, cap: float | None) -> tuple[bool, float]:
        await self._bookings.settled()
        return await self._ledger.reserve(day, usd, cap)

    async def spent(self, day: str) -> DaySpend:
        await self._bookings.settled()
        return await self._ledger.spent(day)

    async def aclose(self) -> None:
        await self._bookings.settled()
        await self._ledger.aclose()
