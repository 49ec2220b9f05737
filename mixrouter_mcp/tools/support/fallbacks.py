"""When a model is down: which failures move a call on to the next model, and how each attempt is reported.

A call falls over only when nothing was billed or shown yet: 429 after the client's retries, 5xx, no channel for
the model (new-api's 503 `model_not_found`) or none the model policy allows, a connection that failed, or no output
before the attempt's window.
Never on 400/401/402/403 (the next model would be refused the same way) and never after output streamed."""

from __future__ import annotations

from dataclasses import dataclass

from mcp.server.mcpserver.exceptions import ToolError

from ...config import Settings
from ...upstream import UpstreamError
from ...upstream import errors as up
from .failures import describe

_FALL_OVER = (
    up.RateLimited,
    up.ServerError,
    up.ModelNotFound,
    up.ModelNotAllowed,
    up.DeadlineExceeded,
    up.StreamStalled,
)
_FALL_OVER_TOO = (up.ConnectFailed, up.StreamBroken)
MAX_FALLBACKS = 4


@dataclass(frozen=True)
class Attempt:
    """One model tried: `ok`, or what went wrong."""

    model: str
    outcome: str
    latency_ms: int

    def __str__(self) -> str:
        return f"{self.model}: {self.outcome} ({self.latency_ms / 1000:.2f} s)"


def falls_over(error: UpstreamError) -> bool:
    """Whether another model may take over after `error`."""
    return not error.partial_text and isinstance(error, _FALL_OVER + _FALL_OVER_TOO)


def chain_of(model: str, fallback_models: list[str] | None, settings: Settings) -> list[str]:
    """The models to try in order: the call's own fallbacks, else the configured ones; no model twice."""
    fallbacks = fallback_models if fallback_models is not None else settings.fallbacks_for(model)
    chain = list(dict.fromkeys([model, *(m.strip() for m in fallbacks if m.strip())]))
    if len(chain) > MAX_FALLBACKS + 1:
        raise ToolError(f"at most {MAX_FALLBACKS} fallback_models are tried; got {len(chain) - 1}")
    return chain


def outcome_of(error: UpstreamError) -> str:
    return describe(error)[:300]


def fallback_note(attempts: list[Attempt]) -> str | None:
    """A note when the answer came from a fallback."""
    if len(attempts) < 2:
        return None
    failed = "; ".join(str(a) for a in attempts[:-1])
    return f"answered by fallback {attempts[-1].model} after {failed}"
