"""Shared fixtures: a real emulator on a loopback port, settings pointing at it, and MCP clients in both eras."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest
from mcp import Client

from mixrouter_mcp.config import Settings
from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.emulator.scripted import ScriptedUpstream
from mixrouter_mcp.server import build_server

# The fixtures users get (mixrouter_emulator, mixrouter_env), loaded the way the README tells them to.
pytest_plugins = ["mixrouter_mcp.emulator.fixtures"]

# A distinctive secret: tests search every output for it to prove it never leaks.
TEST_KEY = "sk-test-SECRET-7f3a9c2e1b5d4e6f8a0b"
MODES = ["auto", "legacy"]
ALL_TOOLS = {
    "ask_model",
    "cancel_job",
    "compare_models",
    "conversations",
    "delete_conversation",
    "extended_thinking",
    "get_job",
    "list_models",
    "read_result",
    "video",
}


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def scripted_upstream() -> Iterator[ScriptedUpstream]:
    with ScriptedUpstream() as running:
        yield running


@pytest.fixture
def scripted(scripted_upstream: ScriptedUpstream) -> ScriptedUpstream:
    """The raw scripted upstream, its script and records cleared for this test."""
    scripted_upstream.reset()
    return scripted_upstream


def scripted_settings(upstream: ScriptedUpstream, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"api_key": TEST_KEY, "base_url": upstream.url, "retry_backoff_s": 0.01}
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A developer's own MIXROUTER_* variables must not leak into tests, nor tests into the user's data directory:
    the default conversation store lands in a fresh directory per test (child processes inherit it)."""
    for name in list(os.environ):
        if name.startswith("MIXROUTER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))


@pytest.fixture(scope="session")
def emulator() -> Iterator[BackgroundEmulator]:
    with BackgroundEmulator(api_key=TEST_KEY) as running:
        yield running


def make_settings(emulator: BackgroundEmulator, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"api_key": TEST_KEY, "base_url": emulator.url, "retry_backoff_s": 0.01}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(emulator: BackgroundEmulator) -> Settings:
    return make_settings(emulator)


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def client(settings: Settings, mode: str) -> AsyncIterator[Client]:
    async with Client(build_server(settings), mode=mode) as connected:  # type: ignore[arg-type]
        yield connected


async def wait_until(predicate: Any, seconds: float = 5) -> None:
    """Poll state the emulator's thread writes (an anyio.Event cannot cross threads)."""
    with anyio.fail_after(seconds):
        while not predicate():  # noqa: ASYNC110
            await anyio.sleep(0.02)


def text_of(result: Any) -> str:
    """All text blocks of a tool result, joined."""
    return "\n".join(getattr(block, "text", "") for block in result.content)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """A real redis-server on a free loopback port, for this test session only."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing in CI: .ci/run installs the Debian package redis-server")
        pytest.skip("redis-server is not installed here (apt-get install redis-server): Redis tests skipped")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The Redis server, emptied for this test."""
    import redis

    with redis.Redis.from_url(redis_server) as connection:
        connection.flushdb()
    return redis_server
