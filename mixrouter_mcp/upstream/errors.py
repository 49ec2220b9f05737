"""One hierarchy for everything that can go wrong between us and mixrouter, and the parser of its error bodies."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from time import time
from typing import Any

from .jsontext import loads

_REQUEST_ID = re.compile(r"\s*\(request id: ([^)]+)\)\s*$")


class UpstreamError(Exception):
    """A failed call to mixrouter. `status` is None when no HTTP response arrived."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        error_type: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        partial_text: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.error_type = error_type
        self.request_id = request_id
        self.retry_after = retry_after
        self.partial_text = partial_text
        self.should_retry: bool | None = None  # the server's own `x-should-retry` verdict, when it sent one
        self.attempts = 1


class MissingApiKey(UpstreamError):
    """No key is configured."""


class AuthenticationFailed(UpstreamError):
    """401: the key was refused."""


class KeyQuotaExhausted(UpstreamError):
    """The key's own quota is used up: new-api 401 "该令牌额度已用尽" (to 2025), 429 "该令牌额度不足" (2026)."""


class KeyExpired(AuthenticationFailed):
    """The key has passed its expiry time: new-api 401 "该令牌已过期" / "This token has expired"."""


class PermissionDenied(UpstreamError):
    """403: quota, group, moderation or IP rules."""


class InsufficientCredits(UpstreamError):
    """402: out of credit."""


class NotFound(UpstreamError):
    """404: unknown route or model."""


class ModelNotFound(UpstreamError):
    """The model is unknown or not served to this key (mixrouter answers 503 `model_not_found`)."""


class ModelNotAllowed(UpstreamError):
    """Refused here, before any request: this server's model policy (MIXROUTER_MODELS_ALLOW / _DENY) does not
    allow the model."""


class BadRequest(UpstreamError):
    """400/413/422: the request itself was refused."""


class RateLimited(UpstreamError):
    """429."""

    retryable = True


class NotImplementedByGateway(UpstreamError):
    """501: this gateway version has no such conversion (new-api's `not_implemented`); retrying cannot help."""


class ServerError(UpstreamError):
    """5xx and 529, and 408/409: worth retrying before any output."""

    retryable = True


class ConnectFailed(UpstreamError):
    """No connection could be made."""

    retryable = True


class DeadlineExceeded(UpstreamError):
    """The per-call deadline passed."""


class StreamStalled(UpstreamError):
    """The stream sent no data event within the idle timeout."""


class StreamBroken(UpstreamError):
    """The stream ended before its terminator, or carried an error event."""


class InvalidResponse(UpstreamError):
    """A body we cannot read: not JSON, HTML, the wrong shape."""


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date); None for a value that is
    not a finite, non-negative number of seconds (NaN, inf, -5), which no server can mean."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        seconds = _seconds(raw_ms)
        if seconds is not None:
            return seconds / 1000
    raw = headers.get("retry-after")
    if not raw:
        return None
    seconds = _seconds(raw)
    if seconds is not None:
        return seconds
    try:
        return max(0.0, parsedate_to_datetime(raw).timestamp() - time())
    except (TypeError, ValueError, OverflowError):
        return None


def _seconds(raw: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def split_request_id(message: str) -> tuple[str, str | None]:
    """new-api appends ` (request id: …)` to messages; return the bare message and the id."""
    match = _REQUEST_ID.search(message)
    if not match:
        return message, None
    return message[: match.start()], match.group(1)


def _error_fields(payload: Any) -> tuple[str, str | None, str | None] | None:
    """(message, type, code) from an OpenAI, Anthropic or Google error envelope; None if not one."""
    if not isinstance(payload, dict):
        return None
    error = payload.get("error")
    if isinstance(error, str):
        return error, None, None
    if not isinstance(error, dict):
        if isinstance(payload.get("message"), str) and payload.get("code") not in (None, "success", 0):
            # new-api's task routes: {"code": "task_not_exist", "message": "task_not_exist", "data": null}
            return payload["message"], None, str(payload["code"])
        return None
    message = str(error.get("message") or "").strip()
    error_type = error.get("type") or error.get("status")
    code = error.get("code")
    return message, str(error_type) if error_type else None, str(code) if code not in (None, "") else None


def error_from_payload(payload: Any, status: int | None = None) -> UpstreamError | None:
    """An error carried by a JSON object (a 200 body or an SSE event), or None if it carries none."""
    fields = _error_fields(payload)
    if fields is None:
        return None
    message, error_type, code = fields
    message, request_id = split_request_id(message or "mixrouter reported an error without a message")
    if request_id is None and isinstance(payload, dict):
        request_id = payload.get("request_id")
    if status is None and code and code.isdigit() and 400 <= int(code) < 600:
        status = int(code)  # Google errors carry their HTTP status as `code`
    return _classify(status, message, error_type, code, request_id, None)


def error_from_response(status: int, headers: Mapping[str, str], body: bytes) -> UpstreamError:
    """Turn a non-2xx response into the matching `UpstreamError`, whatever shape its body has."""
    retry_after = parse_retry_after(headers)
    error = _error_from_body(status, headers, body, retry_after)
    verdict = headers.get("x-should-retry", "").lower()
    error.should_retry = {"true": True, "false": False}.get(verdict)
    return error


def _error_from_body(status: int, headers: Mapping[str, str], body: bytes, retry_after: float | None) -> UpstreamError:
    text = body.decode("utf-8", errors="replace").strip()
    request_id = headers.get("x-request-id") or headers.get("request-id")
    message, error_type, code = "", None, None
    try:
        payload = loads(text) if text else None
    except ValueError:
        payload = None
    fields = _error_fields(payload)
    if fields is not None:
        message, error_type, code = fields
        message, body_request_id = split_request_id(message)
        request_id = body_request_id or request_id or (payload.get("request_id") if isinstance(payload, dict) else None)
    elif text:
        snippet = " ".join(text.split())[:200]
        message = f"non-JSON error body: {snippet}"
    else:
        message = "empty error body"
    return _classify(status, message, error_type, code, request_id, retry_after)


def _classify(
    status: int | None,
    message: str,
    error_type: str | None,
    code: str | None,
    request_id: str | None,
    retry_after: float | None,
) -> UpstreamError:
    kind = _kind_for(status, error_type, code, message)
    return kind(
        message,
        status=status,
        code=code,
        error_type=error_type,
        request_id=request_id,
        retry_after=retry_after,
    )


_BY_TYPE: dict[str, type[UpstreamError]] = {
    "authentication_error": AuthenticationFailed,
    "permission_error": PermissionDenied,
    "billing_error": InsufficientCredits,
    "not_found_error": NotFound,
    "rate_limit_error": RateLimited,
    "overloaded_error": ServerError,
    "api_error": ServerError,
    "timeout_error": ServerError,
    "invalid_request_error": BadRequest,
    "request_too_large": BadRequest,
}

_BY_STATUS: dict[int, type[UpstreamError]] = {
    400: BadRequest,
    401: AuthenticationFailed,
    402: InsufficientCredits,
    403: PermissionDenied,
    404: NotFound,
    408: ServerError,
    409: ServerError,
    413: BadRequest,
    422: BadRequest,
    429: RateLimited,
}


# new-api's token checks (model/token.go, middleware/auth.go), in each locale it ships: a key whose quota is used
# up, or whose expiry has passed, is not a wrong key and needs another remedy.
_KEY_EXHAUSTED = ("该令牌额度已用尽", "该令牌额度不足", "該令牌額度不足", "token has insufficient quota")
_KEY_EXPIRED = ("该令牌已过期", "該令牌已過期", "token has expired")


def _key_state(status: int | None, message: str) -> type[UpstreamError] | None:
    if status not in (401, 429):
        return None
    lowered = message.lower()
    if any(marker in lowered for marker in _KEY_EXHAUSTED):
        return KeyQuotaExhausted
    if status == 401 and any(marker in lowered for marker in _KEY_EXPIRED):
        return KeyExpired
    return None


def _kind_for(status: int | None, error_type: str | None, code: str | None, message: str = "") -> type[UpstreamError]:
    if code == "model_not_found":
        return ModelNotFound
    key_state = _key_state(status, message)
    if key_state is not None:
        return key_state
    if status == 501:
        return NotImplementedByGateway
    if status is not None:
        if status in _BY_STATUS:
            return _BY_STATUS[status]
        if status >= 500:
            return ServerError
    if error_type and error_type in _BY_TYPE:
        return _BY_TYPE[error_type]
    return UpstreamError
