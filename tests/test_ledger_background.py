"""The real cost of a call is booked in the background; this process still reads its own spend, and a booking
still running at shutdown lands."""

from __future__ import annotations

import anyio
import pytest

from mixrouter_mcp.costs import MemoryLedger, SettlingInBackground

pytestmark = pytest.mark.anyio


class SlowLedger(MemoryLedger):
    """A ledger backend whose writes take a while, as a disk or Redis may."""

    async def settle(self, day: str, usd: float, *, calls: int, unknown: int) -> None:
        await anyio.sleep(0.2)
        await super().settle(day, usd, calls=calls, unknown=unknown)


async def test_settle_returns_before_the_booking_and_reads_wait_for_it() -> None:
    backend = SlowLedger()
    async with anyio.create_task_group() as group:
        ledger = SettlingInBackground(backend, group)
        await ledger.reserve("d", 2.0, cap=10.0)
        await ledger.settle("d", -0.5, calls=1, unknown=0)
        assert (await backend.spent("d")).calls == 0  # not booked yet: the caller did not wait for it
        spent = await ledger.spent("d")
        assert (spent.usd, spent.calls) == (1.5, 1)
        accepted, after = await ledger.reserve("d", 8.6, cap=10.0)  # 1.5 + 8.6 is over the cap: refused
        assert not accepted and after == 1.5


async def test_a_booking_running_at_shutdown_still_lands() -> None:
    backend = SlowLedger()
    async with anyio.create_task_group() as group:
        ledger = SettlingInBackground(backend, group)
        await ledger.settle("d", 0.25, calls=1, unknown=0)
        group.cancel_scope.cancel()  # the server stops at once
    assert (await backend.spent("d")).usd == 0.25
