"""Helpers to run the real entry point as a child process, the way MCP clients do."""

from __future__ import annotations

import os
import socket
import sys
import time

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
