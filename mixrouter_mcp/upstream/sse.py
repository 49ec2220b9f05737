"""Server-sent events, parsed by the spec: lines end at CR, LF or CRLF only, comments are ignored, multi-line data
is joined. (`str.splitlines`, which httpx's `aiter_lines` uses, also breaks at U+2028, NEL and form feeds: a model
answer holding one of those would tear an event in two.)"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_LINE_END = re.compile(r"\r\n|\r|\n")


class LineSplitter:
    """Text chunks in, complete lines out; a CR at the end of a chunk waits to see whether an LF follows."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, chunk: str) -> list[str]:
        text = self._pending + chunk
        parts = _LINE_END.split(text)
        self._pending = parts.pop()
        if text.endswith("\r") and not text.endswith("\r\n"):
            # Maybe the first half of a CRLF split across chunks: keep the line open until the next chunk.
            self._pending = parts.pop() + "\r" if parts else "\r"
        return parts

    def flush(self) -> list[str]:
        rest, self._pending = self._pending, ""
        return [line for line in _LINE_END.split(rest) if line] if rest else []


@dataclass(frozen=True)
class SseEvent:
    """One dispatched event."""

    data: str
    event: str = "message"


class SseDecoder:
    """Feed it lines (without their line ending); it returns an event each time a blank line ends one."""

    def __init__(self) -> None:
        self._data: list[str] = []
        self._event = ""

    def feed(self, line: str) -> SseEvent | None:
        line = line.rstrip("\r")
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # comment: `: PING`, `: keep-alive`, `: OPENROUTER PROCESSING`
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        # `id` and `retry` are not used by any mixrouter wire format.
        return None

    def flush(self) -> SseEvent | None:
        """Dispatch a last event the stream did not end with a blank line."""
        return self._dispatch()

    def _dispatch(self) -> SseEvent | None:
        if not self._data:
            self._event = ""
            return None
        event = SseEvent(data="\n".join(self._data), event=self._event or "message")
        self._data, self._event = [], ""
        return event


def parse_sse(text: str) -> Iterator[SseEvent]:
    """Every event of a whole SSE body (for tests and fixtures)."""
    splitter = LineSplitter()
    yield from iter_events([*splitter.feed(text), *splitter.flush()])


def iter_events(lines: Iterable[str]) -> Iterator[SseEvent]:
    """Events from an iterable of lines."""
    decoder = SseDecoder()
    for line in lines:
        event = decoder.feed(line)
        if event is not None:
            yield event
    last = decoder.flush()
    if last is not None:
        yield last
