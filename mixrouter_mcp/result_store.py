"""Full texts of answers that were cut at the output cap, kept for a while so they can be read in pages.

Bounded by entry count, total characters and age: the oldest go first. One entry holds at most half the
characters, so a huge answer is kept cut (the caller says so) and never pushes out every other entry, nor itself.
Ids are random and unguessable.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    text: str
    offset: int
    next_offset: int | None
    total_chars: int


class ResultStore:
    """An LRU of texts with a time-to-live."""

    def __init__(self, max_entries: int = 100, max_chars: int = 20_000_000, ttl_s: float = 3600.0) -> None:
        self._entries: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._max_entries = max_entries
        self._max_chars = max_chars
        self._ttl_s = ttl_s
        self._chars = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def max_entry_chars(self) -> int:
        return self._max_chars // 2

    def put(self, text: str) -> str:
        """Keep `text`, cut to `max_entry_chars`; return its id."""
        result_id = "res_" + secrets.token_urlsafe(12)
        text = text[: self.max_entry_chars]
        self._entries[result_id] = (time.monotonic(), text)
        self._chars += len(text)
        self._evict()
        return result_id

    def page(self, result_id: str, offset: int, size: int) -> Page | None:
        """`size` characters of a kept text from `offset`, or None if the id is unknown or expired."""
        self._evict()
        entry = self._entries.get(result_id)
        if entry is None:
            return None
        self._entries.move_to_end(result_id)
        text = entry[1]
        end = min(offset + size, len(text))
        return Page(text[offset:end], offset, end if end < len(text) else None, len(text))

    def _evict(self) -> None:
        expired_before = time.monotonic() - self._ttl_s
        while self._entries:
            oldest_id, (stored, text) = next(iter(self._entries.items()))
            too_many = len(self._entries) > self._max_entries or self._chars > self._max_chars
            if not too_many and stored >= expired_before:
                break
            del self._entries[oldest_id]
            self._chars -= len(text)
