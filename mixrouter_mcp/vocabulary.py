"""Every list of allowed values, in one place: settings, tool arguments, the upstream core and the CLI use these."""

from __future__ import annotations

from typing import Literal, get_args

WireName = Literal["chat", "responses", "messages", "gemini"]  # the values of upstream.routing.Wire
Api = Literal["auto", WireName]  # a wire, or auto: each vendor's own
Effort = Literal["low", "medium", "high", "max"]
VideoApi = Literal["videos", "generations"]
VideoBody = Literal["legacy", "seedance"]  # mixrouter's documented submit body, or Ark's content[] one
VideoStatus = Literal["queued", "running", "succeeded", "failed", "cancelled", "expired", "unknown"]
VIDEO_ENDED: frozenset[VideoStatus] = frozenset({"succeeded", "failed", "cancelled", "expired"})
VIDEO_FAILED: frozenset[VideoStatus] = frozenset({"failed", "cancelled", "expired"})
JobState = Literal["running", "done", "failed", "cancelled", "interrupted"]
JOB_ENDED: frozenset[JobState] = frozenset({"done", "failed", "cancelled", "interrupted"})

EFFORTS: tuple[str, ...] = get_args(Effort)
