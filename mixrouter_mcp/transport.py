"""Serving the built server: stdio, or stateless streamable HTTP with SSE responses."""

from __future__ import annotations

import logging
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings

logger = logging.getLogger(__name__)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


async def serve_stdio(server: MCPServer[Any]) -> None:
    await server.run_stdio_async()


def transport_security(host: str) -> TransportSecuritySettings:
    """Host and Origin checks (DNS-rebinding protection), kept on whatever address we bind."""
    hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
    origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
    if host not in LOOPBACK_HOSTS and host not in ("0.0.0.0", "::"):
        hosts.append(f"{host}:*")
        origins.append(f"http://{host}:*")
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


async def serve_http(server: MCPServer[Any], host: str, port: int) -> None:
    """Stateless streamable HTTP with SSE responses: JSON responses would drop progress and cancellation."""
    if host not in LOOPBACK_HOSTS:
        logger.warning("serving MCP on non-loopback address %s: anyone who can reach it can spend your key", host)
    await server.run_streamable_http_async(
        host=host,
        port=port,
        stateless_http=True,
        json_response=False,
        transport_security=transport_security(host),
    )
