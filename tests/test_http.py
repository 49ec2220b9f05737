"""The real entry point over streamable HTTP: stateless, SSE responses, loopback, Host/Origin checked."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from mcp import Client

from mixrouter_mcp.emulator import BackgroundEmulator

from .conftest import ALL_TOOLS, TEST_KEY
from .processes import http_server as serve_http


@pytest.fixture(scope="module")
def http_server(emulator: BackgroundEmulator) -> Iterator[str]:
    with serve_http(emulator) as server:
        yield server.url
    assert server.stdout == b""  # HTTP mode writes nothing to stdout either
    assert TEST_KEY.encode() not in server.stderr


@pytest.mark.anyio
async def test_http_serves_both_eras_with_progress(http_server: str, mode: str) -> None:
    progress: list[float] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(value)

    async with Client(http_server, mode=mode) as client:
        assert {t.name for t in (await client.list_tools()).tools} == ALL_TOOLS
        result = await client.call_tool(
            "ask_model", {"prompt": "over http", "model": "gpt-4o"}, progress_callback=on_progress
        )
    assert not result.is_error
    assert (result.structured_content or {})["text"] == "[gpt-4o] You asked: over http"
    assert progress  # SSE responses carry progress; json_response would drop it


@pytest.mark.parametrize(
    ("headers", "status"),
    [({"Host": "attacker.example"}, 421), ({"Origin": "http://evil.example"}, 403)],
)
def test_dns_rebinding_protection(http_server: str, headers: dict[str, str], status: int) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    base = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    response = httpx2.post(http_server, json=body, headers={**base, **headers}, timeout=5)
    assert response.status_code == status
