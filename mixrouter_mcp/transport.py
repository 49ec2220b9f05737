"""Serving the built server: stdio, or stateless streamable HTTP with SSE responses, each with its own guards."""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import os
import signal
import sys
from typing import Any

import anyio
import uvicorn
from anyio import CancelScope
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import Settings
from .stdio_guard import guard_stdio

logger = logging.getLogger(__name__)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
JSON_TYPE = (b"content-type", b"application/json")
PARENT_POLL_S = 0.25


EXIT_GRACE_S = 0.3


def hard_exit(code: int = 0) -> None:
    """Leave now. The SDK's stdin reader is a thread that cannot be cancelled (and can abort interpreter
    shutdown with `_enter_buffered_busy`), so once our own work is cancelled we do not wait for it."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


async def _shut_down(scope: CancelScope, reason: str) -> None:
    """Cancel every in-flight call (closing its upstream stream), give them a moment to unwind, then exit."""
    logger.info("%s: cancelling in-flight calls and exiting", reason)
    scope.cancel()
    with anyio.CancelScope(shield=True):
        await anyio.sleep(EXIT_GRACE_S)
    hard_exit(0)


async def _stop_on_signal(scope: CancelScope) -> None:
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async for received in signals:
            await _shut_down(scope, f"received {signal.Signals(received).name}")


async def _stop_when_orphaned(scope: CancelScope, parent: int) -> None:
    """A client killed with SIGKILL leaves stdin open: notice the parent is gone and exit anyway."""
    while os.getppid() == parent:  # noqa: ASYNC110 - no event exists for "my parent died"; polling it is
        await anyio.sleep(PARENT_POLL_S)
    await _shut_down(scope, f"parent process {parent} is gone")


async def serve_stdio(server: MCPServer[Any]) -> None:
    """Serve until stdin closes, a signal arrives or the parent dies; each cancels in-flight calls, which closes
    their upstream streams, and the process exits within a second."""
    if sys.platform != "win32":
        guard_stdio()
    async with anyio.create_task_group() as group:
        group.start_soon(_stop_on_signal, group.cancel_scope)
        group.start_soon(_stop_when_orphaned, group.cancel_scope, os.getppid())
        await server.run_stdio_async()
        group.cancel_scope.cancel()
    hard_exit(0)


def _csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def transport_security(settings: Settings, host: str) -> TransportSecuritySettings:
    """Host and Origin checks (DNS-rebinding protection), kept on whatever address we bind, 0.0.0.0 included."""
    hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*", *_csv(settings.mcp_allowed_hosts)]
    origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*", *_csv(settings.mcp_allowed_origins)]
    if host not in (*LOOPBACK_HOSTS, "0.0.0.0", "::"):
        hosts.append(f"{host}:*")
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class HttpGuard:
    """What the SDK's app does not check, in front of it:
    - with `MIXROUTER_MCP_AUTH_TOKEN`, every request needs `Authorization: Bearer <token>` (401); the scheme is
      case-insensitive (RFC 7235) and the token is never used as, or forwarded as, the mixrouter key;
    - without it, only requests that reached a loopback address are served (403): the address the connection
      actually came to (the ASGI `server`), not the Host header a client writes nor the address we meant to bind,
      so `uvicorn --host 0.0.0.0` without a token cannot expose the key to the network;
    - GET on the endpoint answers 405: a stateless server never sends on a GET stream, which would stay open.
    Every answer names the worker process that gave it (`mixrouter-worker: <pid>`), for deployments with
    `--workers`: which one ran a job, which one read it.
    """

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self._app = app
        self._token = token.encode() if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is None:

            async def named(message: Message) -> None:
                if message["type"] == "http.response.start":
                    worker = (b"mixrouter-worker", str(os.getpid()).encode())  # per answer: workers are forked
                    message = {**message, "headers": [*message.get("headers", []), worker]}
                await send(message)

            await self._app(scope, receive, named)
            return
        status, message, headers = refusal
        body = json.dumps({"error": message}).encode()
        await send({"type": "http.response.start", "status": status, "headers": [JSON_TYPE, *headers]})
        await send({"type": "http.response.body", "body": body})

    def _refusal(self, scope: Scope) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
        if self._token is not None and not self._authorized(scope):
            challenge = (b"www-authenticate", b'Bearer realm="mixrouter-mcp"')
            return 401, "unauthorized: send Authorization: Bearer <MIXROUTER_MCP_AUTH_TOKEN>", [challenge]
        server = scope.get("server")
        if self._token is None and server and not _is_loopback(str(server[0])):
            return (
                403,
                (
                    f"this server answers on loopback only: it has no MIXROUTER_MCP_AUTH_TOKEN, and the request came "
                    f"to {server[0]}"
                ),
                [],
            )
        if scope.get("method") == "GET":
            return (
                405,
                "this server is stateless: POST JSON-RPC requests; there is no GET stream",
                [(b"allow", b"POST")],
            )
        return None

    def _authorized(self, scope: Scope) -> bool:
        presented = dict(scope.get("headers") or []).get(b"authorization", b"")
        scheme, _, token = presented.strip().partition(b" ")
        assert self._token is not None
        return scheme.lower() == b"bearer" and hmac.compare_digest(token.strip(), self._token)


def http_app(server: MCPServer[Any], settings: Settings, host: str) -> ASGIApp:
    """The ASGI app: stateless streamable HTTP with SSE responses (JSON responses would drop progress and
    cancellation), Host/Origin checks, a body cap, and `HttpGuard` in front."""
    app: ASGIApp = server.streamable_http_app(
        stateless_http=True,
        json_response=False,
        transport_security=transport_security(settings, host),
        max_request_body_size=settings.mcp_max_body_bytes,
        host=host,
    )
    token = settings.mcp_auth_token.get_secret_value() if settings.mcp_auth_token else None
    return HttpGuard(app, token)


def check_bind(settings: Settings, host: str) -> None:
    """Refuse to expose the server beyond this machine without a token: anyone reaching it spends your key."""
    if host not in LOOPBACK_HOSTS and not settings.mcp_auth_token:
        raise SystemExit(
            f"refusing to serve on {host}: a non-loopback address needs MIXROUTER_MCP_AUTH_TOKEN "
            "(clients then send Authorization: Bearer <token>)"
        )


async def serve_http(server: MCPServer[Any], settings: Settings, host: str, port: int) -> None:
    check_bind(settings, host)
    config = uvicorn.Config(
        http_app(server, settings, host),
        host=host,
        port=port,
        log_config=None,  # uvicorn's records go through our stderr handler and its redacting filter
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=1,
        lifespan="on",
    )
    await uvicorn.Server(config).serve()
