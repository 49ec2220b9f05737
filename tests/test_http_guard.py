"""Issue 11, items 2 and 15: the HTTP guard judges the address a request really reached, not a Host header or an
environment variable; the bearer scheme is case-insensitive; a stateless GET stream is refused, not held open."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import httpx2
import pytest

from mixrouter_mcp.asgi import create_app
from mixrouter_mcp.emulator import BackgroundEmulator

from .processes import free_port, server_env, wait_for_port

pytestmark = pytest.mark.anyio
PING = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"})
HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


@pytest.fixture(scope="module")
def uvicorn_on_all_interfaces(emulator: BackgroundEmulator) -> Iterator[int]:
    """The README's ASGI command, verbatim but for the port: `uvicorn --factory ... --host 0.0.0.0`, no token."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "mixrouter_mcp.asgi:create_app"]
    process = subprocess.Popen(
        [*command, "--host", "0.0.0.0", "--port", str(port)],
        env=server_env(emulator),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_loopback_clients_of_a_0000_bind_are_served(uvicorn_on_all_interfaces: int) -> None:
    url = f"http://127.0.0.1:{uvicorn_on_all_interfaces}/mcp"
    assert httpx2.post(url, content=PING, headers=HEADERS, timeout=10).status_code == 200


async def test_a_non_loopback_address_is_refused_whatever_the_host_header_says(emulator: BackgroundEmulator) -> None:
    """The request arrives at 192.0.2.10 (the ASGI `server` of the connection) with a forged loopback Host."""
    app = create_app()
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app)) as client:  # type: ignore[arg-type]
        forged = {**HEADERS, "Host": "127.0.0.1:8000"}
        response = await client.post("http://192.0.2.10:8000/mcp", content=PING, headers=forged)
    assert response.status_code == 403 and "loopback only" in response.json()["error"]
    assert "MIXROUTER_MCP_AUTH_TOKEN" in response.json()["error"]


def test_the_bearer_scheme_is_case_insensitive(emulator: BackgroundEmulator) -> None:
    from .processes import http_server

    token = "guard-token-0123456789"
    with http_server(emulator, MIXROUTER_MCP_AUTH_TOKEN=token) as server:
        for scheme in ("Bearer", "bearer", "BEARER"):
            auth = {**HEADERS, "Authorization": f"{scheme} {token}"}
            assert httpx2.post(server.url, content=PING, headers=auth, timeout=10).status_code == 200, scheme
        wrong = {**HEADERS, "Authorization": f"Basic {token}"}
        assert httpx2.post(server.url, content=PING, headers=wrong, timeout=10).status_code == 401


def test_a_stateless_get_stream_is_refused_not_held_open(uvicorn_on_all_interfaces: int) -> None:
    url = f"http://127.0.0.1:{uvicorn_on_all_interfaces}/mcp"
    response = httpx2.get(url, headers={"Accept": "text/event-stream"}, timeout=5)
    assert response.status_code == 405 and response.headers["allow"] == "POST"
