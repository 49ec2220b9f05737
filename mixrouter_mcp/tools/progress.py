"""Progress notifications for one tool call: what a user should see while it runs.

The SDK sends nothing when the caller gave no progressToken, so tools may report unconditionally.
"""

from __future__ import annotations

from typing import Any

import anyio
from mcp.server.mcpserver import Context

from ..upstream import Delta

HEARTBEAT_S = 2.0


class CallProgress:
    """A monotonically increasing progress counter with a throttled heartbeat while tokens stream in."""

    def __init__(self, ctx: Context[Any], label: str, heartbeat_s: float = HEARTBEAT_S) -> None:
        self._ctx = ctx
        self._label = label
        self._heartbeat_s = heartbeat_s
        self._value = 0.0
        self._chunks = 0
        self._last_sent = anyio.current_time()

    async def note(self, message: str) -> None:
        """Send one progress step with `message`."""
        self._value += 1
        self._last_sent = anyio.current_time()
        await self._ctx.report_progress(self._value, None, message)

    async def on_delta(self, delta: Delta) -> None:
        """Count a streamed piece; send a heartbeat when the last one is `heartbeat_s` old."""
        self._chunks += 1
        if anyio.current_time() - self._last_sent >= self._heartbeat_s:
            phase = "thinking" if delta.reasoning and not delta.text else "answering"
            await self.note(f"{self._label}: {phase}, {self._chunks} chunks received")
