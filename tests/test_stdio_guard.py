"""Issue 11, items 7 and 14, over the real stdio entry point: malformed lines get a JSON-RPC error instead of
silence, and a one-shot pipe (requests, then EOF at once) gets every reply it asked for."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from mixrouter_mcp.emulator import BackgroundEmulator

from .processes import INITIALIZE, INITIALIZED, SERVER_COMMAND, raw_session, server_env, tool_call

pytestmark = pytest.mark.anyio


async def test_malformed_lines_are_answered_and_serving_goes_on(emulator: BackgroundEmulator) -> None:
    requests: list[dict[str, object] | str] = [
        "{not json",
        '{"jsonrpc": "2.0", "id": 17, "method": "tools/call", "params": {"name": "x", "arguments": {"p": "\\ud800"}}}',
        json.dumps({"jsonrpc": "2.0", "id": 18}),
        json.dumps({"jsonrpc": "1.0", "id": 19, "method": "tools/list"}),
        json.dumps([{"jsonrpc": "2.0", "id": 20, "method": "tools/list"}]),
        json.dumps({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": "nonsense"}),
        {"jsonrpc": "2.0", "id": 21, "method": "tools/list"},
    ]
    messages, stdout, _ = await raw_session(emulator, requests, "\xff\xfe not utf-8\n", wait_for={17, 18, 19, 21})
    errors = {m.get("id"): m["error"] for m in messages if "error" in m}
    assert errors[17]["code"] == -32700 and "surrogate" in errors[17]["message"]  # type: ignore[index]
    assert errors[18]["code"] == errors[19]["code"] == -32600  # type: ignore[index]
    unnamed = [m["error"] for m in messages if "error" in m and m["id"] is None]
    assert sorted(e["code"] for e in unnamed) == [-32700, -32700, -32600]  # type: ignore[index]  # {not json, bytes, batch
    assert any(m.get("id") == 21 and "result" in m for m in messages)
    assert all(line.startswith('{"jsonrpc"') for line in stdout.splitlines())


def _one_shot(env: dict[str, str]) -> set[object]:
    lines = [INITIALIZE, INITIALIZED, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}]
    lines.append(tool_call(3, "list_models", {}))
    payload = "".join(json.dumps(m) + "\n" for m in lines).encode()
    done = subprocess.run(SERVER_COMMAND, input=payload, capture_output=True, env=env, timeout=30)
    return {json.loads(line).get("id") for line in done.stdout.decode().splitlines()}


def test_a_one_shot_pipe_gets_every_finished_reply(emulator: BackgroundEmulator) -> None:
    """initialize, tools/list, a call, then EOF at once: the replies that finish within the grace are written."""
    env = server_env(emulator)
    with ThreadPoolExecutor(4) as pool:
        answered = list(pool.map(_one_shot, [env] * 12))
    assert all({1, 2, 3} <= ids for ids in answered), answered


NOISY_SERVER = """
import os, subprocess, sys, anyio
from mixrouter_mcp.config import Settings
from mixrouter_mcp.server import build_server
from mixrouter_mcp.transport import serve_stdio
server = build_server(Settings())
@server.tool()
def noisy() -> str:
    print("printed by a tool")
    sys.stdout.buffer.write(b"written to the buffer\\n")
    os.write(1, b"written to fd 1\\n")
    subprocess.run(["echo", "echoed by a child"], check=True)
    return "done"
anyio.run(serve_stdio, server)
"""


def test_stray_output_never_reaches_stdout(emulator: BackgroundEmulator) -> None:
    """A print, a write to stdout's buffer, a write to fd 1 and a child's output all land on stderr; stdout holds
    the replies alone, and the call still answers."""
    lines = [INITIALIZE, INITIALIZED, tool_call(2, "noisy", {})]
    payload = "".join(json.dumps(m) + "\n" for m in lines).encode()
    command = [SERVER_COMMAND[0], "-c", NOISY_SERVER]
    done = subprocess.run(command, input=payload, capture_output=True, env=server_env(emulator), timeout=30)
    replies = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [reply.get("id") for reply in replies] == [1, 2]
    assert replies[1]["result"]["content"][0]["text"] == "done"
    stderr = done.stderr.decode()
    for stray in ("printed by a tool", "written to the buffer", "written to fd 1", "echoed by a child"):
        assert stray in stderr
