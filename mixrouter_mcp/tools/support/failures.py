"""The one place an `UpstreamError` becomes a `ToolError`: what happened first, then what to do about it."""

from __future__ import annotations

from mcp.server.mcpserver.exceptions import ToolError

from ...config import API_KEY_ENV, Settings
from ...logs import redact
from ...upstream import errors as up

_PARTIAL_PREVIEW_CHARS = 2_000


def _remedy(error: up.UpstreamError, model: str | None, settings: Settings) -> str:
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
        (up.ModelNotFound, f"mixrouter serves no {named} to this key: call list_models for valid ids."),
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


def error_text(error: up.UpstreamError, *, model: str | None, settings: Settings) -> str:
    """What happened and what to do, as one message a model can act on; never carries the API key."""
    prefix = f"mixrouter call to '{model}' failed" if model else "mixrouter call failed"
    message = f"{prefix}: {describe(error)}. {_remedy(error, model, settings)}"
    if error.partial_text:
        preview = error.partial_text[:_PARTIAL_PREVIEW_CHARS]
        cut = " …" if len(error.partial_text) > len(preview) else ""
        message += f"\n\n[PARTIAL ANSWER, incomplete]\n{preview}{cut}"
    key = settings.api_key_value()
    return redact(message, [key] if key else [])


def tool_error(error: up.UpstreamError, *, model: str | None, settings: Settings) -> ToolError:
    """A `ToolError` carrying `error_text`."""
    return ToolError(error_text(error, model=model, settings=settings))
