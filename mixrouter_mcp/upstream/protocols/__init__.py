"""Wire formats, one pure module each: build a request, parse a body, assemble a stream."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..routing import Wire
from ..sse import SseEvent
from ..types import Completion, Delta, HttpRequest, Query
from . import chat, gemini, messages, responses


class StreamAssembler(Protocol):
    """What every wire format's `Stream` offers the client."""

    done: bool

    @property
    def partial_text(self) -> str: ...

    def feed(self, event: SseEvent) -> Delta: ...

    def finish(self) -> Completion: ...


@dataclass(frozen=True)
class WireFormat:
    build: Callable[[Query], HttpRequest]
    parse: Callable[[Any, str], Completion]
    stream: Callable[[str], StreamAssembler]


WIRE_FORMATS: dict[Wire, WireFormat] = {
    Wire.CHAT: WireFormat(chat.build, chat.parse, chat.Stream),
    Wire.RESPONSES: WireFormat(responses.build, responses.parse, responses.Stream),
    Wire.MESSAGES: WireFormat(messages.build, messages.parse, messages.Stream),
    Wire.GEMINI: WireFormat(gemini.build, gemini.parse, gemini.Stream),
}
