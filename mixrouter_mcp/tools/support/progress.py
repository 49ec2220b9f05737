"""Progress notifications: what a user should see while a call runs.

The SDK sends nothing when the caller gave no progressToken, so tools report unconditionally. Values always
increase, even with several models streaming at once, and a heartbeat (sent by the waiting request, see
`background.run_as_job`) keeps clients that reset their timeout on progress alive through long silent thinking
as well as long answers.
"""

from __future__ import annotations

from typing import Any

import anyio
from mcp.server.mcpserver import Context

from ...upstream import Delta


def wants_progress(ctx: Context[Any]) -> bool:
    """Whether the caller sent a progressToken (so it can reset its own timeout on our heartbeats)."""
    meta = ctx.request_context.meta
    return bool(meta) and (meta.get("progress_token") is not None or meta.get("progressToken") is not None)  # type: ignore[union-attr]


class ProgressReporter:
    """Sends progress notifications with a strictly increasing value, one at a time. (Whether the caller asked
    for progress is the session's business: in the 2026-07-28 era the token does not show in the request meta.)"""

    def __init__(self, ctx: Context[Any]) -> None:
        self._ctx = ctx
        self._value = 0
        self._lock = anyio.Lock()
        self._muted = False

    def mute(self) -> None:
        """Send nothing more: the request has returned (its call goes on as a job)."""
        self._muted = True

    async def send(self, message: str) -> None:
        if self._muted:
            return
        async with self._lock:
            self._value += 1
            await self._ctx.report_progress(self._value, None, message)


class StreamWatch:
    """What one model is doing: waiting, thinking or answering, and how many pieces have arrived."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.chunks = 0
        self.phase = "waiting for the first token"
        self.started = anyio.current_time()

    async def on_delta(self, delta: Delta) -> None:
        self.chunks += 1
        self.phase = "thinking" if delta.reasoning and not delta.text else "answering"

    def status(self) -> str:
        elapsed = anyio.current_time() - self.started
        pieces = f", {self.chunks} chunks" if self.chunks else ""
        return f"{self.model}: {self.phase}{pieces} ({elapsed:.0f} s)"
