"""SSE delivery shared by every emulated wire format: keep-alives, pacing, and the stream faults."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import anyio
from starlette.responses import StreamingResponse

from .recorder import Exchange
from .switches import Switches

PING = ": PING\n\n"
_STALL_S = 3600.0


def data_frame(payload: str, event: str | None = None) -> str:
    """One SSE frame; `event:` only for formats that name their events (Anthropic, Responses)."""
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n"


def sse_response(frames: Sequence[str], switches: Switches, exchange: Exchange) -> StreamingResponse:
    """Stream `frames`, applying ttft, gap, pings, cut, stall and CRLF, and record how the stream ended."""
    return StreamingResponse(
        _paced(frames, switches, exchange),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _paced(frames: Sequence[str], switches: Switches, exchange: Exchange) -> AsyncIterator[bytes]:
    newline = "\r\n" if switches.crlf else "\n"
    try:
        if switches.ttft:
            await anyio.sleep(switches.ttft)
        for index, frame in enumerate(frames):
            if index == switches.cut:
                exchange.end("cut")
                return
            if index == switches.stall:
                await anyio.sleep(_STALL_S)
            if index and switches.gap:
                await anyio.sleep(switches.gap)
            for _ in range(switches.pings):
                yield PING.replace("\n", newline).encode()
            yield frame.replace("\n", newline).encode()
        exchange.end("completed")
    finally:
        # Cancellation (the client went away) lands here with the exchange still open.
        exchange.end("disconnected")
