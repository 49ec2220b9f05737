"""Fault switches, reachable through the request: a `~`-suffix on the model id, or the `x-emulator-switches` header.

Grammar: `gpt-4o~delay=0.3~status=429~retryafter=2`. Flags without a value (`~html`) are true.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

HEADER = "x-emulator-switches"


@dataclass
class Switches:
    """What the emulator should do to one request."""

    delay: float = 0.0  # seconds before the response headers
    ttft: float = 0.0  # seconds before the first streamed token
    gap: float = 0.0  # seconds between streamed chunks
    status: int = 0  # answer with this HTTP status and mixrouter's matching error body
    empty: bool = False  # ... with an empty body (new-api's IP rate limiter)
    html: bool = False  # ... with an HTML page (a CDN or proxy in front)
    shape: str = "openai"  # error envelope: openai | anthropic
    retryafter: float = -1.0  # send Retry-After with this many seconds
    failfirst: int = 0  # apply `status` to the first N requests for this exact model string only
    cut: int = -1  # stream: close after N chunks, before the terminator
    stall: int = -1  # stream: stop sending after N chunks, keep the connection open
    pings: int = 0  # stream: N `: PING` keep-alive comments before each chunk
    crlf: bool = False  # stream: CRLF line endings
    error200: bool = False  # 200 carrying an error body (plain) or an error event after one chunk (stream)
    badjson: bool = False  # 200 with a body that is not JSON
    empty200: bool = False  # 200 with an empty body
    leakkey: bool = False  # a misbehaving upstream: errors, served model id and video reasons echo the key
    nochoices: bool = False  # 200 with `choices: []`
    words: int = 0  # answer of exactly N words
    served: str = ""  # report this model as the one that answered (a fallback)
    redacted: bool = False  # Anthropic: add a redacted_thinking block after the thinking block
    cached: int = 0  # report this many prompt tokens as prompt-cache reads
    cachewrite: int = 0  # Claude (messages, chat): report this many prompt tokens as prompt-cache writes
    cost: float = -1.0  # usage carries this gateway-reported cost in USD (`usage.cost`)
    videotime: float = 1.0  # a video task takes this many seconds (queued for the first fifth)
    videofail: str = ""  # ... then fails with this reason
    token: str = ""  # the key is `exhausted` (its quota used up) or `expired`, worded as the gateway version does
    inline: bool = False  # stock gateways: Claude via chat puts thinking inline in <budget:thinking> tags

    @property
    def faulty_status(self) -> bool:
        return self.status >= 400


def parse_switches(model: str, header: str | None = None) -> tuple[str, Switches]:
    """The bare model id and the switches named by its suffix and the header."""
    base, _, suffix = model.partition("~")
    switches = Switches()
    for part in [p for p in suffix.split("~") if p] + [p for p in (header or "").split("~") if p.strip()]:
        _apply(switches, part.strip())
    return base, switches


def _apply(switches: Switches, part: str) -> None:
    name, _, raw = part.partition("=")
    known = {f.name: f for f in fields(Switches)}
    if name not in known:
        raise ValueError(f"unknown emulator switch {name!r}; known: {', '.join(sorted(known))}")
    current = getattr(switches, name)
    value: object
    if isinstance(current, bool):
        value = raw.lower() not in ("0", "false", "no") if raw else True
    elif isinstance(current, int):
        value = int(raw)
    elif isinstance(current, float):
        value = float(raw)
    else:
        value = raw
    setattr(switches, name, value)
