"""Every list of allowed values, in one place: settings, tool arguments, the upstream core and the CLI use these."""

from __future__ import annotations

from typing import Literal, get_args

Wire = Literal["chat", "responses", "messages", "gemini"]
Api = Literal["auto", Wire]  # a wire, or auto: each vendor's own
Effort = Literal["low", "medium", "high", "max"]
VideoApi = Literal["videos", "generations"]
VideoStatus = Literal["queued", "running", "succeeded", "failed", "cancelled", "expired", "unknown"]
VIDEO_ENDED: frozenset[VideoStatus] = frozenset({"succeeded", "failed", "cancelled", "expired"})
VIDEO_FAILED: frozenset[VideoStatus] = frozenset({"failed", "cancelled", "expired"})

EFFORTS: tuple[str, ...] = get_args(Effort)
