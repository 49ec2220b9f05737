"""Every string that comes from mixrouter is made safe here, once, before any tool, store or log sees it.

Two hazards: the API key (a prompt, a misbehaving channel or a served model id can echo it back), and UTF-16
surrogates. JSON's `\\ud83d\\ude00` escapes decode to lone surrogates when a stream splits an emoji across two
events; such a string cannot be encoded as UTF-8, so writing it to stdout, an HTTP body or SQLite fails.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..logs import scrub
from .errors import UpstreamError
from .types import Completion, Delta, ModelInfo

_SURROGATE = re.compile("[\ud800-\udfff]")


def fix_surrogates(text: str) -> str:
    """Join surrogate pairs into their code point and replace lone surrogates with U+FFFD."""
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class Sanitizer:
    """Scrubs the key from, and repairs the surrogates of, whatever mixrouter sent."""

    def __init__(self, secret: str | None) -> None:
        self._secret = secret

    def text(self, value: str) -> str:
        return scrub(fix_surrogates(value), self._secret)

    def optional(self, value: str | None) -> str | None:
        return None if value is None else self.text(value)

    def tree(self, value: Any) -> Any:
        """A decoded JSON value with every string (keys included) made safe; iterative, so depth cannot recurse."""
        root: list[Any] = [value]
        stack: list[tuple[Any, Any]] = [(root, 0)]
        while stack:
            container, key = stack.pop()
            item = container[key]
            if isinstance(item, str):
                container[key] = self.text(item)
            elif isinstance(item, list):
                stack.extend((item, index) for index in range(len(item)))
            elif isinstance(item, dict):
                cleaned = {self.text(k) if isinstance(k, str) else k: v for k, v in item.items()}
                item.clear()
                item.update(cleaned)
                stack.extend((item, k) for k in item)
        return root[0]

    def completion(self, completion: Completion) -> Completion:
        return replace(
            completion,
            text=self.text(completion.text),
            reasoning=self.text(completion.reasoning),
            model=self.text(completion.model),
            finish_reason=self.optional(completion.finish_reason),
            response_id=self.optional(completion.response_id),
            notes=tuple(self.text(note) for note in completion.notes),
        )

    def delta(self, delta: Delta) -> Delta:
        text, reasoning = self.text(delta.text), self.text(delta.reasoning)
        if text is delta.text and reasoning is delta.reasoning:
            return delta  # the usual case: nothing to change, so no copy on every streamed piece
        return replace(delta, text=text, reasoning=reasoning)

    def model_info(self, info: ModelInfo) -> ModelInfo:
        return ModelInfo(self.text(info.id), self.text(info.owned_by), tuple(self.text(e) for e in info.endpoints))

    def error(self, error: UpstreamError) -> UpstreamError:
        """The same error, its upstream-sourced fields made safe (in place: callers keep their reference)."""
        error.message = self.text(error.message)
        error.args = (error.message,)
        error.code = self.optional(error.code)
        error.error_type = self.optional(error.error_type)
        error.request_id = self.optional(error.request_id)
        error.partial_text = self.text(error.partial_text)
        return error
