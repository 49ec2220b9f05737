"""Every error body mixrouter returns maps onto one hierarchy, with message, code, request id and retry hints."""

from __future__ import annotations

import json

import pytest

from mixrouter_mcp.upstream import errors as up

OPENAI_503 = {
    "error": {
        "message": "令牌无效 (request id: 20251212093015123456789abcdef)",
        "type": "new_api_error",
        "param": "",
        "code": "model_not_found",
    }
}
ANTHROPIC_529 = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded (request id: abc)"}}
ANTHROPIC_429 = {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}, "request_id": "req_9"}


@pytest.mark.parametrize(
    ("status", "headers", "body", "kind", "message", "request_id", "code"),
    [
        (
            503,
            {},
            json.dumps(OPENAI_503),
            up.ModelNotFound,
            "令牌无效",
            "20251212093015123456789abcdef",
            "model_not_found",
        ),
        (529, {}, json.dumps(ANTHROPIC_529), up.ServerError, "Overloaded", "abc", None),
        (429, {}, json.dumps(ANTHROPIC_429), up.RateLimited, "slow down", "req_9", None),
        (429, {}, "", up.RateLimited, "empty error body", None, None),
        (
            401,
            {"x-request-id": "hdr-1"},
            '{"error":{"message":"无效的令牌","type":"new_api_error","code":""}}',
            up.AuthenticationFailed,
            "无效的令牌",
            "hdr-1",
            None,
        ),
        (502, {}, "<html><body>Bad Gateway</body></html>", up.ServerError, "non-JSON error body: <html>", None, None),
        (
            404,
            {},
            '{"error":{"message":"Invalid URL (POST /v1/x)","type":"invalid_request_error","code":""}}',
            up.NotFound,
            "Invalid URL (POST /v1/x)",
            None,
            None,
        ),
        (
            403,
            {},
            '{"error":{"message":"quota","type":"new_api_error","code":"insufficient_user_quota"}}',
            up.PermissionDenied,
            "quota",
            None,
            "insufficient_user_quota",
        ),
        (402, {}, '{"error":"no credit"}', up.InsufficientCredits, "no credit", None, None),
        (
            400,
            {},
            '{"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}}',
            up.BadRequest,
            "bad",
            None,
            "400",
        ),
    ],
)
def test_error_bodies(
    status: int, headers: dict[str, str], body: str, kind: type, message: str, request_id: str | None, code: str | None
) -> None:
    error = up.error_from_response(status, headers, body.encode())
    assert type(error) is kind
    assert error.status == status
    assert error.message.startswith(message)
    assert error.request_id == request_id
    assert error.code == code


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"retry-after": "2"}, 2.0), ({"retry-after-ms": "1500"}, 1.5), ({"retry-after": "soon"}, None), ({}, None)],
)
def test_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert up.parse_retry_after(headers) == expected


def test_retry_after_http_date_is_in_the_future() -> None:
    value = up.parse_retry_after({"retry-after": "Wed, 21 Oct 2099 07:28:00 GMT"})
    assert value is not None and value > 0


def test_should_retry_header() -> None:
    error = up.error_from_response(500, {"x-should-retry": "false"}, b"")
    assert error.should_retry is False and error.retryable


def test_retryable_kinds() -> None:
    assert up.RateLimited("x").retryable and up.ServerError("x").retryable and up.ConnectFailed("x").retryable
    assert not up.AuthenticationFailed("x").retryable and not up.ModelNotFound("x").retryable
