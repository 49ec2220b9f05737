"""The real entry point over stdio: the SDK's client, and a raw pipe proving stdout carries only JSON-RPC."""

from __future__ import annotations

import subprocess

import pytest
from mcp import Client, StdioServerParameters

from mixrouter_mcp.emulator import BackgroundEmulator

from .conftest import ALL_TOOLS, TEST_KEY, text_of
from .processes import SERVER_COMMAND, raw_session, server_env

pytestmark = pytest.mark.anyio


async def test_stdio_subprocess_serves_both_eras(emulator: BackgroundEmulator, mode: str) -> None:
    params = StdioServerParameters(command=SERVER_COMMAND[0], args=SERVER_COMMAND[1:], env=server_env(emulator))
    async with Client(params, mode=mode) as client:
        assert client.protocol_version == ("2026-07-28" if mode == "auto" else "2025-11-25")
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools) == ALL_TOOLS
        assert all(t.output_schema and t.input_schema for t in tools.values())
        result = await client.call_tool("ask_model", {"prompt": "over stdio", "model": "qwen3-max"})
        assert not result.is_error and (result.structured_content or {})["text"] == "[qwen3-max] You asked: over stdio"
        error = await client.call_tool("ask_model", {"prompt": "x", "model": "gpt-4o~status=401"})
        assert error.is_error and "Check MIXROUTER_API_KEY" in text_of(error)


def _requests() -> list[dict[str, object]]:
    call = "tools/call"
    return [
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 3, "method": call, "params": {"name": "ask_model", "arguments": {"prompt": "hi"}}},
        {"jsonrpc": "2.0", "id": 4, "method": call, "params": {"name": "ask_model", "arguments": {"prompt": ""}}},
        {
            "jsonrpc": "2.0",
            "id": 5,
            "method": call,
            "params": {"name": "ask_model", "arguments": {"prompt": "x", "model": "gpt-4o~status=401"}},
        },
        {"jsonrpc": "2.0", "id": 6, "method": call, "params": {"name": "list_models", "arguments": {}}},
        {
            "jsonrpc": "2.0",
            "id": 7,
            "method": call,
            "params": {"name": "ask_model", "arguments": {"prompt": "x", "model": "gpt-4o~cut=3"}},
        },
    ]


async def test_stdout_is_only_json_rpc_and_the_key_never_shows(emulator: BackgroundEmulator) -> None:
    messages, stdout, stderr = await raw_session(emulator, _requests(), "{not json\n", MIXROUTER_LOG_LEVEL="DEBUG")
    assert all(m["jsonrpc"] == "2.0" and ("result" in m or "error" in m or "method" in m) for m in messages)
    by_id: dict[object, dict[str, object]] = {m["id"]: m for m in messages if "id" in m}
    results = {key: value["result"] for key, value in by_id.items() if "result" in value}
    assert results[3]["isError"] is False  # type: ignore[index]
    assert results[4]["isError"] is True and results[5]["isError"] is True  # type: ignore[index]
    assert results[7]["isError"] is True  # type: ignore[index]
    assert TEST_KEY not in stdout and TEST_KEY not in stderr


async def test_progress_only_for_requests_that_carry_a_token(emulator: BackgroundEmulator) -> None:
    args = {"prompt": "x", "models": ["gpt-4o~words=10~gap=0.05", "qwen3-max~ttft=0.3"]}
    call = {"name": "compare_models", "arguments": args}
    requests: list[dict[str, object]] = [
        {"jsonrpc": "2.0", "id": 10, "method": "tools/call", "params": call},
        {"jsonrpc": "2.0", "id": 11, "method": "tools/call", "params": {**call, "_meta": {"progressToken": "tok-11"}}},
    ]
    messages, _, _ = await raw_session(emulator, requests, MIXROUTER_PROGRESS_INTERVAL_S="0.1")
    progress = [m["params"] for m in messages if m.get("method") == "notifications/progress"]
    assert progress and all(p["progressToken"] == "tok-11" for p in progress)  # type: ignore[index]
    values = [p["progress"] for p in progress]  # type: ignore[index]
    assert values == sorted(values) and len(set(values)) == len(values)


def test_import_prints_nothing() -> None:
    done = subprocess.run(
        [SERVER_COMMAND[0], "-c", "import mixrouter_mcp, mixrouter_mcp.server, mixrouter_mcp.cli"],
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert done.stdout == b"" and done.stderr == b""
