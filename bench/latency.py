"""Latency that ask_model adds over a direct httpx2 call to the same mixrouter emulator, beside the bare SDK.

Run: `python bench/latency.py [--calls 400]`. Prints a table and writes bench/results/latency.json.
The emulator runs in its own process (no delay switch), so every path pays the same upstream cost; the
difference of the medians is what the MCP layer, validation, parsing and our client add. Side by side in one run:
a direct streamed httpx2 call; ask_model in memory (both protocol eras; SQLite store and none) and over a stdio
subprocess; the minimal relay (an MCPServer whose one tool makes the same streamed call and joins its text: the
least any MCP server making this call adds) in memory and over stdio; and the bare SDK (a minimal MCPServer whose
tool echoes, no upstream call) in memory and over stdio, the floor any MCP server pays: its round trip is what
"added" is divided by.
Paths are timed in blocks of calls, a block per path in a new order each round, with 2 ms untimed between calls.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client, StdioServerParameters
from mcp.server.mcpserver import MCPServer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import KEY, start_emulator, stop, summary, write_report
from mixrouter_mcp.config import Settings
from mixrouter_mcp.server import build_server

PROJECT = str(Path(__file__).resolve().parent.parent)  # where the stdio relay imports this module from
TARGET_MS = 1.0
PAUSE_S = 0.002
BLOCK = 20
MODEL = "gpt-4o-mini"
PROMPT = "Give me a one-line answer."
BODY = {
    "model": MODEL,
    "messages": [{"role": "user", "content": PROMPT}],
    "stream": True,
    "stream_options": {"include_usage": True},
}
HEADERS = {"Authorization": f"Bearer {KEY}"}
BARE_STDIO = (
    "from mcp.server.mcpserver import MCPServer\n"
    "mcp = MCPServer('bare')\n"
    "@mcp.tool()\n"
    "async def echo(text: str) -> str:\n"
    "    return text\n"
    "mcp.run()\n"
)
# The minimal relay as a stdio server of its own: the least any stdio MCP server making this call adds.
RELAY_STDIO = (
    "import sys, httpx2\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "from bench.latency import relay_server\n"
    "relay_server(httpx2.AsyncClient(base_url=sys.argv[2])).run()\n"
)


def bare_server() -> MCPServer:
    """The bare SDK: one tool that echoes, no upstream call."""
    server: MCPServer = MCPServer("bare")

    @server.tool()
    async def echo(text: str) -> str:
        return text

    return server


def relay_server(http: httpx2.AsyncClient) -> MCPServer:
    """The least any MCP server making this call can do: one tool that sends the same streamed request, joins the
    text of its events and returns it (no retries, limits, sanitising, costs, conversations or jobs)."""
    server: MCPServer = MCPServer("relay", log_level="WARNING")  # the SDK's INFO logs one line per request

    @server.tool()
    async def relay(prompt: str) -> str:
        body = {**BODY, "messages": [{"role": "user", "content": prompt}]}
        text: list[str] = []
        async with http.stream("POST", "/v1/chat/completions", json=body, headers=HEADERS) as response:
            async for line in response.aiter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    for choice in json.loads(line[6:]).get("choices") or []:
                        text.append((choice.get("delta") or {}).get("content") or "")
        return "".join(text)

    return server


def stdio(args: list[str], env: dict[str, str]) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=args, env=env)


async def direct_call(http: httpx2.AsyncClient) -> None:
    """The direct streamed call every path is measured against: read to its end, nothing parsed."""
    async with http.stream("POST", "/v1/chat/completions", json=BODY, headers=HEADERS) as response:
        async for _line in response.aiter_lines():
            pass


async def time_in_blocks(
    runners: dict[str, Callable[[], Awaitable[object]]],
    calls: int,
    warmup: int,
    on_round: Callable[[bool], None] = lambda timed: None,
) -> dict[str, list[float]]:
    """Each runner's call times in ms: `calls` of each after `warmup` untimed ones; `on_round(timed)` before each
    round. Blocks of calls, a path at a time, in a new order each round: a path is timed in its own steady state,
    as a client calling one tool again and again, and drift still hits every path alike. Timed call by call in one
    fixed order, a path paid or gained for what the one before it left hot or cold: two identical servers differed
    by 0.08 ms, and ask_model, always right after the direct call or another ask_model, came out 0.4 ms faster
    than in any shuffled order."""
    samples: dict[str, list[float]] = {name: [] for name in runners}
    order, shuffler = list(runners), random.Random(12)  # seeded: runs are repeatable
    warmup_rounds = warmup // BLOCK
    for round_index in range(warmup_rounds + -(-calls // BLOCK)):
        timed = round_index >= warmup_rounds
        on_round(timed)
        shuffler.shuffle(order)
        for name in order:
            for _call in range(BLOCK):
                started = time.perf_counter()
                await runners[name]()
                if timed:
                    samples[name].append((time.perf_counter() - started) * 1000)
                # Untimed, as between any client's calls (a calling model takes far longer to write its next one):
                # what a call does behind its answer (the SQLite writes) lands here, not in the next.
                await anyio.sleep(PAUSE_S)
    return samples


async def measure(url: str, calls: int, warmup: int) -> dict[str, list[float]]:
    data_dir = tempfile.mkdtemp(prefix="mixrouter-bench-")
    settings = Settings(_env_file=None, api_key=KEY, base_url=url, mcp_store=f"sqlite://{data_dir}/bench.sqlite3")  # type: ignore[call-arg]
    stateless = Settings(_env_file=None, api_key=KEY, base_url=url, mcp_store="none")  # type: ignore[call-arg]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIXROUTER_")}
    env.update(MIXROUTER_BASE_URL=url, MIXROUTER_API_KEY=KEY, MIXROUTER_MCP_STORE=f"sqlite://{data_dir}/stdio.sqlite3")
    async with (
        httpx2.AsyncClient(base_url=url) as http,
        httpx2.AsyncClient(base_url=url) as relay_http,
        Client(build_server(settings), mode="auto") as auto,
        Client(build_server(settings), mode="legacy") as legacy,
        Client(build_server(stateless), mode="auto") as nostore,
        Client(stdio(["-m", "mixrouter_mcp"], env)) as over_stdio,
        Client(relay_server(relay_http), mode="auto") as relay,
        Client(stdio(["-c", RELAY_STDIO, PROJECT, url], env)) as relay_stdio,
        Client(bare_server(), mode="auto") as bare,
        Client(stdio(["-c", BARE_STDIO], env)) as bare_stdio,
    ):

        async def via(client: Client) -> None:
            result = await client.call_tool("ask_model", {"prompt": PROMPT, "model": MODEL})
            assert not result.is_error

        runners: dict[str, Callable[[], Awaitable[object]]] = {
            "direct_httpx2": lambda: direct_call(http),
            "ask_model_auto": lambda: via(auto),
            "ask_model_legacy": lambda: via(legacy),
            "ask_model_auto_nostore": lambda: via(nostore),
            "ask_model_stdio": lambda: via(over_stdio),
            "minimal_relay": lambda: relay.call_tool("relay", {"prompt": PROMPT}),
            "minimal_relay_stdio": lambda: relay_stdio.call_tool("relay", {"prompt": PROMPT}),
            "bare_sdk_echo": lambda: bare.call_tool("echo", {"text": PROMPT}),
            "bare_sdk_echo_stdio": lambda: bare_stdio.call_tool("echo", {"text": PROMPT}),
        }
        return await time_in_blocks(runners, calls, warmup)


def run(calls: int = 400, warmup: int = 40, verbose: bool = True) -> dict[str, Any]:
    say = print if verbose else (lambda *args, **kwargs: None)
    process, url = start_emulator()
    try:
        samples = anyio.run(measure, url, calls, warmup)
    finally:
        stop(process)
    rows = {name: summary(values) for name, values in samples.items()}
    base = rows["direct_httpx2"]["median_ms"]
    for name, row in rows.items():
        if not name.startswith("bare_sdk"):  # the bare SDK makes no upstream call: its whole time is its overhead
            row["added_median_ms"] = round(row["median_ms"] - base, 3)
    floor = {"memory": rows["bare_sdk_echo"]["median_ms"], "stdio": rows["bare_sdk_echo_stdio"]["median_ms"]}
    for name, row in rows.items():
        if "added_median_ms" in row:
            row["ratio_to_bare_sdk"] = round(
                row["added_median_ms"] / floor["stdio" if "stdio" in name else "memory"], 2
            )
    relay = {"memory": rows["minimal_relay"]["median_ms"], "stdio": rows["minimal_relay_stdio"]["median_ms"]}
    for name, row in rows.items():
        if name.startswith("ask_model"):
            row["over_minimal_relay_ms"] = round(row["median_ms"] - relay["stdio" if "stdio" in name else "memory"], 3)
    say(f"ask_model added latency ({calls} calls each, in blocks of {BLOCK}; emulator with no delay;")
    say("the default store saves each exchange to SQLite behind the answer; nostore: MIXROUTER_MCP_STORE=none)\n")
    say(
        f"{'path':<24}{'median ms':>11}{'p90 ms':>9}{'p99 ms':>9}{'added (median)':>16}{'÷ bare SDK':>12}"
        f"{'over relay':>12}"
    )
    for name, row in rows.items():
        added = f"{row['added_median_ms']:>16.3f}" if "added_median_ms" in row else f"{'(floor)':>16}"
        ratio = f"{row['ratio_to_bare_sdk']:>11.2f}×" if "ratio_to_bare_sdk" in row else f"{'':>12}"
        over = f"{row['over_minimal_relay_ms']:>12.3f}" if "over_minimal_relay_ms" in row else ""
        say(f"{name:<24}{row['median_ms']:>11.3f}{row['p90_ms']:>9.3f}{row['p99_ms']:>9.3f}{added}{ratio}{over}")
    verdicts = {
        name: rows[name]["added_median_ms"] <= TARGET_MS for name in ("ask_model_auto", "ask_model_auto_nostore")
    }
    say(
        f"\ntarget: at most {TARGET_MS:g} ms added at the median: "
        + ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in verdicts.items())
    )
    report = {
        "benchmark": "ask_model added latency",
        "calls": calls,
        "results": rows,
        "bare_sdk_ms": floor,
        "target_added_median_ms": TARGET_MS,
        "target_met": verdicts,
    }
    say(f"wrote {write_report('latency', report)}")
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=40)
    args = parser.parse_args()
    run(args.calls, args.warmup)
