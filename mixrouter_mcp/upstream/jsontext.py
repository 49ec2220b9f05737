"""Decoding JSON that mixrouter sent: every failure, nesting too deep for the parser included, is a ValueError."""

from __future__ import annotations

import json
from typing import Any


def loads(text: str | bytes) -> Any:
    """`json.loads`, with `RecursionError` (a body nested thousands deep) turned into the ValueError callers handle."""
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply to read") from exc
