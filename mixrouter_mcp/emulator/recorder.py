"""What the emulator saw: every request, how it ended, and whether the client went away mid-answer."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Exchange:
    """One request and its fate."""

    method: str
    path: str
    model: str
    body: Any
    headers: dict[str, str]
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    outcome: str = "open"  # open | completed | disconnected | error

    def end(self, outcome: str) -> None:
        if self.outcome == "open":
            self.outcome, self.ended = outcome, time.monotonic()


class Recorder:
    """Thread-safe log of exchanges; tests read it from another thread than the emulator's loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._exchanges: list[Exchange] = []

    def record(self, exchange: Exchange) -> Exchange:
        with self._lock:
            self._exchanges.append(exchange)
        return exchange

    def exchanges(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)

    def count(self, path: str | None = None) -> int:
        return sum(1 for e in self.exchanges() if path is None or e.path == path)

    def snapshot(self) -> list[dict[str, Any]]:
        """JSON-ready view for the `/_emulator/exchanges` route."""
        return [
            {
                "method": e.method,
                "path": e.path,
                "model": e.model,
                "outcome": e.outcome,
                "duration_s": None if e.ended is None else round(e.ended - e.started, 4),
            }
            for e in self.exchanges()
        ]
