"""mixrouter's (new-api's) error responses, byte for byte in shape: OpenAI and Anthropic envelopes, empty and HTML."""

from __future__ import annotations

import json
import secrets
import time

from starlette.responses import Response

# (message, type, code) per status, as new-api words them.
_OPENAI_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("invalid request body", "invalid_request_error", "invalid_request"),
    401: ("无效的令牌", "new_api_error", ""),
    402: ("insufficient credits for this request", "new_api_error", "insufficient_quota"),
    403: ("用户额度不足, 剩余额度: $0.000000", "new_api_error", "insufficient_user_quota"),
    404: ("Invalid URL", "invalid_request_error", ""),
    408: ("upstream request timed out", "new_api_error", "timeout"),
    409: ("conflict", "new_api_error", ""),
    413: ("request body too large", "invalid_request_error", "request_too_large"),
    429: ("当前分组上游负载已饱和，请稍后再试", "new_api_error", "rate_limit_exceeded"),
    500: ("internal error", "new_api_error", "internal_error"),
    502: ("bad response status code 502", "upstream_error", "bad_response_status_code"),
    503: ("upstream service unavailable", "upstream_error", "bad_response_status_code"),
    504: ("upstream timeout", "upstream_error", "bad_response_status_code"),
    529: ("Overloaded", "overloaded_error", ""),
}
_ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}


def request_id() -> str:
    """A new-api style request id: a timestamp and nine random digits (no counter shared between emulators)."""
    return f"{time.strftime('%Y%m%d%H%M%S')}{secrets.randbelow(10**9):09d}emu"


def with_request_id(message: str) -> str:
    return f"{message} (request id: {request_id()})"


def openai_error(status: int, message: str | None = None, *, code: str | None = None) -> dict[str, object]:
    default_message, error_type, default_code = _OPENAI_ERRORS.get(status, ("error", "new_api_error", ""))
    return {
        "error": {
            "message": with_request_id(message or default_message),
            "type": error_type,
            "param": "",
            "code": default_code if code is None else code,
        }
    }


def anthropic_error(status: int, message: str | None = None) -> dict[str, object]:
    error_type = _ANTHROPIC_TYPES.get(status, "api_error")
    default_message = _OPENAI_ERRORS.get(status, ("error", "", ""))[0]
    return {"type": "error", "error": {"type": error_type, "message": with_request_id(message or default_message)}}


def error_response(
    status: int,
    *,
    message: str | None = None,
    code: str | None = None,
    shape: str = "openai",
    empty: bool = False,
    html: bool = False,
    retry_after: float = -1.0,
) -> Response:
    """The full HTTP response mixrouter sends for `status`."""
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after >= 0 else {}
    if empty:
        return Response(b"", status_code=status, headers=headers)
    if html:
        page = f"<html><head><title>{status}</title></head><body><h1>{status} Bad Gateway</h1>nginx</body></html>"
        return Response(page, status_code=status, headers=headers, media_type="text/html")
    body = anthropic_error(status, message) if shape == "anthropic" else openai_error(status, message, code=code)
    return Response(
        json.dumps(body, ensure_ascii=False), status_code=status, headers=headers, media_type="application/json"
    )


def model_not_found(model: str, gateway: str = "docs") -> Response:
    """What mixrouter answers for a model no channel serves: 503 `model_not_found`, worded as each version does
    (middleware/distributor.go; 2026-06 translates it, English unless the request asks for another language)."""
    if gateway == "2026-06":
        message = f"No available channel for model {model} under group default (distributor)"
    elif gateway == "2025-12":
        message = f"分组 default 下模型 {model} 无可用渠道（distributor）"
    else:
        message = f"当前分组 default 下对于模型 {model} 无可用渠道"
    return error_response(503, message=message, code="model_not_found")


def invalid_url(method: str, path: str) -> Response:
    return error_response(404, message=f"Invalid URL ({method} {path})")
