"""Writes run behind the answer, in the server's task group, that this process can still wait for: the spend
booking and the conversation write each cost a worker-thread hop or a round trip the answer does not need."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
from anyio.abc import TaskGroup


class BehindAnswers:
    """Starts writes in `group`; each gets `within_s` (shielded, so a write running at shutdown still lands) and
    `on_timeout` is called when it takes longer. With `in_order`, each write first waits for those started before
    it. `settled()` waits for the writes started before it, never for later ones, so it always ends."""

    def __init__(self, group: TaskGroup, within_s: float, *, in_order: bool) -> None:
        self._group = group
        self._within_s = within_s
        self._in_order = in_order
        self._pending: list[anyio.Event] = []

    @property
    def pending(self) -> int:
        return len(self._pending)

    def start(self, write: Callable[[], Awaitable[None]], on_timeout: Callable[[], None]) -> None:
        done = anyio.Event()
        earlier = list(self._pending) if self._in_order else []
        self._pending.append(done)
        self._group.start_soon(self._run, write, on_timeout, done, earlier)

    async def _run(
        self,
        write: Callable[[], Awaitable[None]],
        on_timeout: Callable[[], None],
        done: anyio.Event,
        earlier: list[anyio.Event],
    ) -> None:
        try:
            with anyio.move_on_after(self._within_s, shield=True) as scope:
                for before in earlier:
                    await before.wait()
                await write()
            if scope.cancelled_caught:
                on_timeout()
        finally:
            self._pending.remove(done)
            done.set()

    async def settled(self) -> None:
        for done in list(self._pending):
            await done.wait()
