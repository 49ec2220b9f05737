"""Booking a call's real cost without keeping its answer waiting: the write to a ledger on disk or in Redis costs
a worker-thread hop or a round trip (about 0.5 ms), and nothing in the answer depends on it."""

from __future__ import annotations

import logging

import anyio
from anyio.abc import TaskGroup

from .ledger import DaySpend, LedgerUnavailable, SpendLedger

logger = logging.getLogger(__name__)

_BOOKING_S = 2.0  # a booking still running at shutdown gets this long (shielded), then is given up and logged


class SettlingInBackground:
    """`ledger` with `settle` run in the server's task group. `reserve` and `spent` first wait for the bookings
    started before them, so this process always counts its own spend; a cap is never passed meanwhile, because
    until a booking lands the call's reservation (its ceiling) stays counted."""

    def __init__(self, ledger: SpendLedger, group: TaskGroup) -> None:
        self._ledger = ledger
        self._group = group
        self._pending: list[anyio.Event] = []

    async def settle(self, day: str, usd: float, *, calls: int, unknown: int) -> None:
        booked = anyio.Event()
        self._pending.append(booked)
        self._group.start_soon(self._book, booked, day, usd, calls, unknown)

    async def _book(self, booked: anyio.Event, day: str, usd: float, calls: int, unknown: int) -> None:
        try:
            with anyio.move_on_after(_BOOKING_S, shield=True) as scope:
                await self._ledger.settle(day, usd, calls=calls, unknown=unknown)
            if scope.cancelled_caught:
                logger.warning("spend not booked: the ledger took over %g s", _BOOKING_S)
        except LedgerUnavailable as error:
            logger.warning("spend not booked: %s", error)
        finally:
            self._pending.remove(booked)
            booked.set()

    async def _settled(self) -> None:
        for booked in list(self._pending):  # only those started before this call: no wait without end
            await booked.wait()

    async def reserve(self, day: str, usd: float, cap: float | None) -> tuple[bool, float]:
        await self._settled()
        return await self._ledger.reserve(day, usd, cap)

    async def spent(self, day: str) -> DaySpend:
        await self._settled()
        return await self._ledger.spent(day)

    async def aclose(self) -> None:
        await self._settled()
        await self._ledger.aclose()
