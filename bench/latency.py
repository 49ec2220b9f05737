"""Latency that ask_model adds over a direct httpx2 call to the same mixrouter emulator.

Run: `python bench/latency.py [--calls 400]`. Prints a table and writes bench/results/latency.json.
The emulator runs in its own process (no delay switch), so both paths pay the same upstream cost; the
difference of the medians is what the MCP layer, validation, parsing and our client add.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import KEY, start_emulator, stop, summary, write_report
from mixrouter_mcp.config import Settings
from mixrouter_mcp.server import build_server

MODEL = "gpt-4o-mini"
PROMPT = "Give me a one-line answer."


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
    samples: dict[str, list[float]] = {
        "direct_httpx2": [],
        "ask_model_auto": [],
        "ask_model_legacy": [],
        "ask_model_auto_nostore": [],
    }
    async with (
        httpx2.AsyncClient(base_url=url) as http,
        Client(build_server(settings), mode="auto") as auto,
        Client(build_server(settings), mode="legacy") as legacy,
        Client(build_server(stateless), mode="auto") as nostore,
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
        }
        for index in range(warmup + calls):
            for name, run in runners.items():  # interleaved, so drift hits every path alike
                started = time.perf_counter()
                await run()
                if index >= warmup:
                    samples[name].append((time.perf_counter() - started) * 1000)
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
    for row in rows.values():
        row["added_median_ms"] = round(row["median_ms"] - base, 3)
    say(f"ask_model added latency ({calls} calls each, interleaved; emulator with no delay;")
    say("the default store writes each exchange to SQLite before answering; nostore: MIXROUTER_MCP_STORE=none)\n")
    say(f"{'path':<20}{'median ms':>12}{'p90 ms':>10}{'p99 ms':>10}{'added (median)':>18}")
    for name, row in rows.items():
        say(
            f"{name:<20}{row['median_ms']:>12.3f}{row['p90_ms']:>10.3f}{row['p99_ms']:>10.3f}{row['added_median_ms']:>18.3f}"
        )
    verdict = "met" if rows["ask_model_auto"]["added_median_ms"] <= 2.0 else "MISSED"
    say(f"\ntarget: at most 2 ms added at the median (in-memory client, auto mode): {verdict}")
    report = {
        "benchmark": "ask_model added latency",
        "calls": calls,
        "results": rows,
        "target_added_median_ms": 2.0,
        "target": verdict,
    }
    say(f"wrote {write_report('latency', report)}")
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=40)
    args = parser.parse_args()
    run(args.calls, args.warmup)
