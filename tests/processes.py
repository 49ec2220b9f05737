"""Helpers to run the real entry point as a child process, the way MCP clients do."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import anyio

from mixrouter_mcp.emulator import BackgroundEmulator

from .conftest import TEST_KEY

SERVER_COMMAND = [sys.executable, "-m", "mixrouter_mcp"]


def server_env(emulator: BackgroundEmulator, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIXROUTER_")}
    env.update(MIXROUTER_BASE_URL=emulator.url, MIXROUTER_API_KEY=TEST_KEY, MIXROUTER_RETRY_BACKOFF_S="0.01")
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port}")


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


async def raw_session(
    emulator: BackgroundEmulator,
    requests: list[dict[str, object] | str],
    extra_lines: str = "",
    wait_for: set[int] | None = None,
    **env: str,
) -> tuple[list[dict[str, object]], str, str]:
    """Drive the real entry point over a raw pipe: initialize, send `requests` (objects, or raw lines sent as
    they are), wait for the answers to `wait_for` (default: every request id), close stdin. Return every stdout
    message (parsing fails if any line is not JSON), raw stdout and stderr."""
    ids = {int(str(r["id"])) for r in requests if isinstance(r, dict) and "id" in r}
    wanted = {1} | (ids if wait_for is None else wait_for)
    async with await anyio.open_process(SERVER_COMMAND, env=server_env(emulator, **env)) as process:
        assert process.stdin and process.stdout and process.stderr
        out = bytearray()

        async def read_until(ids: set[int]) -> None:
            while ids - {json.loads(line).get("id") for line in out.decode().splitlines() if line.strip()}:
                out.extend(await process.stdout.receive())  # type: ignore[union-attr]

        with anyio.fail_after(30):
            await process.stdin.send((json.dumps(INITIALIZE) + "\n").encode())
            await read_until({1})
            lines = [INITIALIZED, *requests]
            payload = "".join((m if isinstance(m, str) else json.dumps(m)) + "\n" for m in lines) + extra_lines
            await process.stdin.send(payload.encode())
            await read_until(wanted)
            await process.stdin.aclose()  # EOF: the server must exit promptly
            out.extend(b"".join([chunk async for chunk in process.stdout]))
        with anyio.fail_after(5):
            await process.wait()
        stderr = b"".join([chunk async for chunk in process.stderr]).decode()
    stdout = out.decode()
    return [json.loads(line) for line in stdout.splitlines()], stdout, stderr


def tool_call(request_id: int, name: str, arguments: dict[str, object]) -> dict[str, object]:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments},
    }


def line(*messages: dict[str, object]) -> bytes:
    """Messages as newline-delimited JSON-RPC, ready for a server's stdin."""
    return "".join(json.dumps(message) + "\n" for message in messages).encode()


@dataclass
class HttpServer:
    url: str
    stdout: bytes = b""  # filled when the server has stopped
    stderr: bytes = b""


@contextmanager
def http_server(emulator: BackgroundEmulator, *flags: str, **env: str) -> Iterator[HttpServer]:
    """`mixrouter-mcp --http <flags>` on a free port; its output is kept for checks once it has stopped."""
    port = free_port()
    process = subprocess.Popen(
        [*SERVER_COMMAND, "--http", *flags, "--port", str(port)],
        env=server_env(emulator, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    server = HttpServer(f"http://127.0.0.1:{port}/mcp")
    try:
        wait_for_port(port)
        yield server
    finally:
        process.terminate()
        server.stdout, server.stderr = process.communicate(timeout=10)
