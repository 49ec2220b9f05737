"""The key never shows: stdout (results and notifications), stderr (DEBUG logs of every logger) and results,
across the whole upstream fault matrix, including an upstream that echoes the key back in its error."""

from __future__ import annotations

import pytest

from mixrouter_mcp.emulator import BackgroundEmulator

from .conftest import TEST_KEY
from .processes import raw_session

pytestmark = pytest.mark.anyio

FAULTS = [
    "status=400",
    "status=401",
    "status=402",
    "status=403",
    "status=404",
    "status=413",
    "status=429",
    "status=429~empty",
    "status=500",
    "status=502~html",
    "status=503",
    "status=529~shape=anthropic",
    "status=401~leakkey",
    "status=500~leakkey",
    "status=400~leakkey~shape=anthropic",
    "badjson",
    "empty200",
    "error200",
    "nochoices",
    "words=30~cut=5",
    "words=30~stall=3",
    "delay=5",
    "pings=2~crlf",
    "served=gpt-4o-mini",
]


async def test_the_key_appears_nowhere_across_the_fault_matrix(emulator: BackgroundEmulator) -> None:
    requests: list[dict[str, object] | str] = []
    for number, fault in enumerate(FAULTS, start=100):
        for tool, model in (("ask_model", "gpt-4o"), ("extended_thinking", "claude-sonnet-4-5-20250929")):
            arguments = {"prompt": f"my key is {TEST_KEY}?", "model": f"{model}~{fault}"}
            params = {"name": tool, "arguments": arguments, "_meta": {"progressToken": f"p{number}{tool}"}}
            request_id = number * 10 + (tool == "extended_thinking")
            requests.append({"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params})
    compare = {
        "prompt": "x",
        "models": [f"gpt-4o~{f}" for f in ("status=500~leakkey", "status=401~leakkey", "badjson")],
    }
    requests.append(
        {
            "jsonrpc": "2.0",
            "id": 9000,
            "method": "tools/call",
            "params": {"name": "compare_models", "arguments": compare, "_meta": {"progressToken": "cmp"}},
        }
    )
    messages, stdout, stderr = await raw_session(
        emulator,
        requests,
        MIXROUTER_LOG_LEVEL="DEBUG",
        MIXROUTER_CALL_DEADLINE_S="1.5",
        MIXROUTER_STREAM_IDLE_TIMEOUT_S="0.5",
        MIXROUTER_PROGRESS_DEADLINE_S="1.5",
        MIXROUTER_PROGRESS_INTERVAL_S="0.2",
    )
    results = [m for m in messages if "result" in m]
    notifications = [m for m in messages if m.get("method") == "notifications/progress"]
    assert len(results) == 1 + len(requests) and notifications  # every call answered; progress was flowing
    assert any("[REDACTED]" in str(m) for m in results)  # the echoed key was caught, not just absent
    assert stderr  # DEBUG logging was on, for every logger
    # The prompt itself carried the key to the emulator, which echoes prompts: only redaction keeps it out.
    assert TEST_KEY not in stdout, "the key leaked to stdout"
    assert TEST_KEY not in stderr, "the key leaked to stderr"
