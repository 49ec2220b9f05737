"""Split reasoning that models put inline in their text (`<budget:thinking>`, `<think>`, `<thought>`) from the answer.

A streaming state machine: tags may be split across chunks, so a tail that could still become a tag is held back
until the next chunk decides it.
"""

from __future__ import annotations

from .types import Delta

# mixrouter's Claude-through-chat marker never appears in a real answer: strip it wherever it stands.
_ANYWHERE = {"<budget:thinking>": "</budget:thinking>"}
# Generic tags are reasoning only before the answer starts; later they may be the answer's own subject.
_LEADING = {"<think>": "</think>", "<thought>": "</thought>"}


def _held_suffix(text: str, candidates: tuple[str, ...]) -> int:
    """Length of the longest tail of `text` that is a proper prefix of a candidate tag."""
    longest = 0
    for tag in candidates:
        for size in range(min(len(tag) - 1, len(text)), longest, -1):
            if text.endswith(tag[:size]):
                longest = size
                break
    return longest


class InlineReasoningSplitter:
    """Feed answer text chunk by chunk; get back what is answer and what is reasoning."""

    def __init__(self) -> None:
        self._buffer = ""
        self._closer: str | None = None
        self._answer_started = False
        self._strip_next = False

    def feed(self, chunk: str) -> Delta:
        """Consume one chunk; return the answer and reasoning text now certain."""
        self._buffer += chunk
        if self._closer is None and "<" not in self._buffer:  # every tag starts with "<": all of it is answer
            text, self._buffer = self._buffer, ""
            return Delta(text=self._answer_piece(text))
        answer: list[str] = []
        reasoning: list[str] = []
        while self._buffer:
            progressed = self._step_inside(reasoning) if self._closer else self._step_outside(answer)
            if not progressed:
                break
        return Delta(text="".join(answer), reasoning="".join(reasoning))

    def flush(self) -> Delta:
        """End of stream: whatever is held is answer, or reasoning if a tag never closed."""
        rest, self._buffer = self._buffer, ""
        if self._closer:
            return Delta(reasoning=rest)
        return Delta(text=self._answer_piece(rest))

    def _open_tags(self) -> dict[str, str]:
        return _ANYWHERE if self._answer_started else {**_ANYWHERE, **_LEADING}

    def _step_outside(self, answer: list[str]) -> bool:
        tags = self._open_tags()
        found = [(self._buffer.find(tag), tag) for tag in tags]
        hits = [(index, tag) for index, tag in found if index >= 0]
        if hits:
            index, tag = min(hits)
            if tag in _LEADING and self._buffer[:index].strip():
                hits = [(i, t) for i, t in hits if t in _ANYWHERE]
        if hits:
            index, tag = min(hits)
            answer.append(self._answer_piece(self._buffer[:index]))
            self._closer = tags[tag]
            self._buffer = self._buffer[index + len(tag) :]
            return True
        held = _held_suffix(self._buffer, tuple(tags))
        cut = len(self._buffer) - held
        if cut == 0:
            return False
        answer.append(self._answer_piece(self._buffer[:cut]))
        self._buffer = self._buffer[cut:]
        return False

    def _step_inside(self, reasoning: list[str]) -> bool:
        assert self._closer is not None
        index = self._buffer.find(self._closer)
        if index >= 0:
            reasoning.append(self._buffer[:index])
            self._buffer = self._buffer[index + len(self._closer) :]
            self._closer = None
            self._strip_next = True
            return True
        held = _held_suffix(self._buffer, (self._closer,))
        cut = len(self._buffer) - held
        reasoning.append(self._buffer[:cut])
        self._buffer = self._buffer[cut:]
        return False

    def _answer_piece(self, text: str) -> str:
        if self._strip_next or not self._answer_started:
            text = text.lstrip()
            if not text:
                return ""
            self._strip_next = False
        self._answer_started = True
        return text
