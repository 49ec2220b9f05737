"""The one place an `UpstreamError` becomes a `ToolError`: what happened first, then what to do about it."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import anyio
from mcp.server.mcpserver.exceptions import ToolError

from ...config import API_KEY_ENV, Settings
from ...logs import redact
from ...state import AppState
from ...upstream import errors as up

_PARTIAL_PREVIEW_CHARS = 2_000
_SERVED_LOOKUP_S = 3.0  # the model list read to name the closest ids: an error must not wait long for its hint
_CLOSEST = 3


async def served_ids(state: AppState, error: up.UpstreamError) -> list[str] | None:
    """The ids mixrouter serves to this key, read after a `ModelNotFound` so its message can name the closest;
    None for any other error, or when the list cannot be read quickly."""
    if not isinstance(error, up.ModelNotFound):
        return None
    with anyio.move_on_after(_SERVED_LOOKUP_S):
        try:
            return [model.id for model in await state.client.list_models()]
        except up.UpstreamError:
            return None
    return None


async def failure_text(state: AppState, error: up.UpstreamError, model: str | None) -> str:
    """`error_text`, naming the closest served ids when mixrouter does not serve `model`."""
    return error_text(error, model=model, settings=state.settings, served=await served_ids(state, error))


def _model_not_found(named: str, model: str | None, served: Sequence[str] | None) -> str:
    if served is None or not model:
        return f"mixrouter serves no {named} to this key: call list_models for valid ids."
    if model in served:
        return f"mixrouter lists {named} but has no channel serving it to this key now: try another model."
    closest = difflib.get_close_matches(model, served, n=_CLOSEST, cutoff=0.7)
    if not closest:
        return f"mixrouter serves no {named} to this key, nor one with a close name: call list_models for valid ids."
    closest_ids = ", ".join(closest)
    return f"mixrouter serves no {named} to this key; the closest it serves: {closest_ids} (call list_models for all)."


def _remedy(error: up.UpstreamError, model: str | None, settings: Settings, served: Sequence[str] | None) -> str:
    """What the calling model (or its user) can do next."""
    named = f"model '{model}'" if model else "this model"
    deadline_env = "MIXROUTER_CALL_DEADLINE_S"
    remedies: list[tuple[type[up.UpstreamError], str]] = [
        (up.MissingApiKey, f"Set the {API_KEY_ENV} environment variable (or put it in .env) and restart the server."),
        (
            up.KeyQuotaExhausted,
            "The mixrouter key's own quota is used up (the account may still have credit): raise the key's quota "
            f"or make it unlimited in the mixrouter console (Tokens), or set {API_KEY_ENV} to another key.",
        ),
        (
            up.KeyExpired,
            "The mixrouter key has expired: extend its expiry (or set it to never expire) in the mixrouter console "
            f"(Tokens), or create a new key and set {API_KEY_ENV} to it.",
        ),
        (up.NotImplementedByGateway, "This mixrouter (new-api) version cannot do this here; see the message above."),
        (up.AuthenticationFailed, f"Check {API_KEY_ENV}: mixrouter does not accept the configured key."),
        (up.ModelNotAllowed, "Choose another model: list_models shows only the ones this server may call."),
        (up.ModelNotFound, _model_not_found(named, model, served)),
        (up.NotFound, f"Call list_models to check the model id; check MIXROUTER_BASE_URL ({settings.base_url})."),
        (up.InsufficientCredits, "The mixrouter account is out of credit: top it up, or use a cheaper model."),
        (up.PermissionDenied, "The key's quota, group or model permissions do not allow this call."),
        (up.BadRequest, "Fix the parameters named above (or shorten the prompt) and call again."),
        (up.RateLimited, _wait_hint(error) + " or choose another model."),
        (up.ServerError, f"{named.capitalize()} or its provider is failing: try again shortly or choose another."),
        (up.ConnectFailed, f"Check the network and MIXROUTER_BASE_URL ({settings.base_url})."),
        (
            up.DeadlineExceeded,
            "Ask for a shorter answer (max_tokens), use a faster model, or allow more time "
            f"({deadline_env}; MIXROUTER_JOB_DEADLINE_S for a call gone on as a job; timeout_s in compare_models).",
        ),
        (up.StreamStalled, "Try again; if it keeps stalling, choose another model."),
        (up.StreamBroken, "Try again; the text above, if any, is partial."),
        (up.InvalidResponse, "Try again; if it persists, mixrouter or a proxy in front of it is misbehaving."),
    ]
    for kind, remedy in remedies:
        if isinstance(error, kind):
            return remedy
    return "Try again, or choose another model."


def _wait_hint(error: up.UpstreamError) -> str:
    if error.retry_after is not None:
        return f"Retry after {error.retry_after:g} s,"
    return "Wait a few seconds and retry,"


def describe(error: up.UpstreamError) -> str:
    """What happened, with the status, upstream message and request id when known."""
    parts = [f"HTTP {error.status}" if error.status else None, error.code or None]
    head = " ".join(p for p in parts if p)
    text = f"{head}: {error.message}" if head else error.message
    if error.request_id:
        text += f" (request id: {error.request_id})"
    if error.attempts > 1:
        text += f" [after {error.attempts} attempts]"
    return text


def error_text(
    error: up.UpstreamError, *, model: str | None, settings: Settings, served: Sequence[str] | None = None
) -> str:
    """What happened and what to do, as one message a model can act on; never carries the API key. `served`, the
    ids mixrouter serves, lets a `ModelNotFound` name the closest."""
    prefix = f"mixrouter call to '{model}' failed: " if model else "mixrouter call failed: "
    if isinstance(error, up.ModelNotAllowed):
        prefix = ""  # no call was made, and the message says so
    message = f"{prefix}{describe(error)}. {_remedy(error, model, settings, served)}"
    if error.partial_text:
        preview = error.partial_text[:_PARTIAL_PREVIEW_CHARS]
        cut = " …" if len(error.partial_text) > len(preview) else ""
        message += f"\n\n[PARTIAL ANSWER, incomplete]\n{preview}{cut}"
    key = settings.api_key_value()
    return redact(message, [key] if key else [])


def tool_error(error: up.UpstreamError, *, model: str | None, settings: Settings) -> ToolError:
    """A `ToolError` carrying `error_text`."""
    return ToolError(error_text(error, model=model, settings=settings))
