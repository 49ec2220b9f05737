"""Latency that ask_model adds over a direct httpx2 call to the same mixrouter emulator, beside the bare SDK.

Run: `python bench/latency.py [--calls 400]`. Prints a table and writes bench/results/latency.json.
The emulator runs in its own process (no delay switch), so every path pays the same upstream cost; the
difference of the medians is what the MCP layer, validation, parsing and our client add. Interleaved in one run:
a direct streamed httpx2 call; ask_model in memory (both protocol eras; SQLite store and none) and over a stdio
subprocess; and the bare SDK (a minimal MCPServer whose tool echoes, no upstream call) in memory and over stdio,
which is the floor any MCP server pays: its round trip is what "added" is divided by in the ratio.
Between calls it pauses 2 ms, untimed, as between any client's calls, so what one path does behind its answer
(the SQLite writes) is not charged to the path timed next.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
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

TARGET_MS = 1.0
PAUSE_S = 0.002
MODEL = "gpt-4o-mini"
PROMPT = "Give me a one-line answer."
BARE_STDIO = (
    "from mcp.server.mcpserver import MCPServer\n"
    "mcp = MCPServer('bare')\n"
    "@mcp.tool()\n"
    "async def echo(text: str) -> str:\n"
    "    return text\n"
    "mcp.run()\n"
)


def bare_server() -> MCPServer:
    """The bare SDK: one tool that echoes, no upstream call."""
    server: MCPServer = MCPServer("bare")

    @server.tool()
    async def echo(text: str) -> str:
        return text

    return server


def stdio(args: list[str], env: dict[str, str]) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=args, env=env)


async def measure(url: str, calls: int, warmup: int) -> dict[str, list[float]]:
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": PROMPT}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    headers = {"Authorization": f"Bearer {KEY}"}
    data_dir = tempfile.mkdtemp(prefix="mixrouter-bench-")
    settings = Settings(_env_file=None, api_key=KEY, base_url=url, mcp_store=f"sqlite://{data_dir}/bench.sqlite3")  # type: ignore[call-arg]
    stateless = Settings(_env_file=None, api_key=KEY, base_url=url, mcp_store="none")  # type: ignore[call-arg]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIXROUTER_")}
    env.update(MIXROUTER_BASE_URL=url, MIXROUTER_API_KEY=KEY, MIXROUTER_MCP_STORE=f"sqlite://{data_dir}/stdio.sqlite3")
    samples: dict[str, list[float]] = {
        "direct_httpx2": [],
        "ask_model_auto": [],
        "ask_model_legacy": [],
        "ask_model_auto_nostore": [],
        "ask_model_stdio": [],
        "bare_sdk_echo": [],
        "bare_sdk_echo_stdio": [],
    }
    async with (
        httpx2.AsyncClient(base_url=url) as http,
        Client(build_server(settings), mode="auto") as auto,
        Client(build_server(settings), mode="legacy") as legacy,
        Client(build_server(stateless), mode="auto") as nostore,
        Client(stdio(["-m", "mixrouter_mcp"], env)) as over_stdio,
        Client(bare_server(), mode="auto") as bare,
        Client(stdio(["-c", BARE_STDIO], env)) as bare_stdio,
    ):

        async def direct() -> None:
            async with http.stream("POST", "/v1/chat/completions", json=body, headers=headers) as response:
                async for _line in response.aiter_lines():
                    pass

        async def via(client: Client) -> None:
            result = await client.call_tool("ask_model", {"prompt": PROMPT, "model": MODEL})
            assert not result.is_error

        runners: dict[str, Any] = {
            "direct_httpx2": direct,
            "ask_model_auto": lambda: via(auto),
            "ask_model_legacy": lambda: via(legacy),
            "ask_model_auto_nostore": lambda: via(nostore),
            "ask_model_stdio": lambda: via(over_stdio),
            "bare_sdk_echo": lambda: bare.call_tool("echo", {"text": PROMPT}),
            "bare_sdk_echo_stdio": lambda: bare_stdio.call_tool("echo", {"text": PROMPT}),
        }
        for index in range(warmup + calls):
            for name, run in runners.items():  # interleaved, so drift hits every path alike
                started = time.perf_counter()
                await run()
                if index >= warmup:
                    samples[name].append((time.perf_counter() - started) * 1000)
                # Untimed, as between any client's calls (a calling model takes far longer to write its next one):
                # what a path does behind its answer (the SQLite writes) lands here, not in the next path's time.
                await anyio.sleep(PAUSE_S)
    return samples


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
    say(f"ask_model added latency ({calls} calls each, interleaved; emulator with no delay;")
    say("the default store writes each exchange to SQLite before answering; nostore: MIXROUTER_MCP_STORE=none)\n")
    say(f"{'path':<24}{'median ms':>11}{'p90 ms':>9}{'p99 ms':>9}{'added (median)':>16}{'÷ bare SDK':>12}")
    for name, row in rows.items():
        added = f"{row['added_median_ms']:>16.3f}" if "added_median_ms" in row else f"{'(floor)':>16}"
        ratio = f"{row['ratio_to_bare_sdk']:>11.2f}×" if "ratio_to_bare_sdk" in row else ""
        say(f"{name:<24}{row['median_ms']:>11.3f}{row['p90_ms']:>9.3f}{row['p99_ms']:>9.3f}{added}{ratio}")
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
