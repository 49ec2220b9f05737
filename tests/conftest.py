"""Shared fixtures: a real emulator on a loopback port, settings pointing at it, and MCP clients in both eras."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from mcp import Client

from mixrouter_mcp.config import Settings
from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.server import build_server

# A distinctive secret: tests search every output for it to prove it never leaks.
TEST_KEY = "sk-test-SECRET-7f3a9c2e1b5d4e6f8a0b"
MODES = ["auto", "legacy"]
ALL_TOOLS = {"ask_model", "compare_models", "extended_thinking", "list_models", "read_result"}


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own MIXROUTER_* variables must not leak into tests."""
    for name in list(os.environ):
        if name.startswith("MIXROUTER_"):
            monkeypatch.delenv(name)


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


def text_of(result: Any) -> str:
    """All text blocks of a tool result, joined."""
    return "\n".join(getattr(block, "text", "") for block in result.content)
