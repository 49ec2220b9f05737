"""One admitted request, as handed to a wire-format handler: auth checked, model found, switches parsed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from .catalogue import EmulatedModel
from .recorder import Exchange
from .switches import Switches


@dataclass
class Call:
    request: Request
    body: dict[str, Any]
    model: EmulatedModel
    switches: Switches
    exchange: Exchange


def obj(value: Any) -> dict[str, Any]:
    """A JSON object field, or an empty one for anything else."""
    return value if isinstance(value, dict) else {}
