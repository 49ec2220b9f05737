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
