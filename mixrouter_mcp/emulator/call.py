"""One admitted request, as handed to a wire-format handler: auth checked, model found, switches parsed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from .answers import Replies, Reply, reply_for
from .catalogue import EmulatedModel
from .gateway import Gateway
from .recorder import Exchange
from .switches import Switches


@dataclass
class Call:
    request: Request
    body: dict[str, Any]
    model: EmulatedModel
    switches: Switches
    exchange: Exchange
    next_id: Callable[[], int]  # this emulator's own sequence for response ids
    replies: Replies | None = None
    gateway: Gateway = "docs"

    def reply(self, prompt: str, *, thinking: bool, images: int = 0) -> Reply:
        """What this model says to `prompt` (the instance's scripted replies first, then the deterministic one)."""
        return reply_for(
            self.model, prompt, thinking=thinking, words=self.switches.words, images=images, replies=self.replies
        )


def obj(value: Any) -> dict[str, Any]:
    """A JSON object field, or an empty one for anything else."""
    return value if isinstance(value, dict) else {}
