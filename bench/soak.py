"""Soak: 10,000 sequential ask_model calls, then 1,000 more at 50 concurrent, against the server running as a
real stdio subprocess (as MCP clients run it). Prints its RSS before and after, and every failure.

Run: `python bench/soak.py [--sequential 10000] [--concurrent 1000] [--width 50]`. Writes bench/results/soak.json.
Target: under 20 MB of RSS growth, zero failures.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import KEY, start_emulator, stop, write_report

MODELS = ["gpt-4o-mini", "claude-sonnet-4-5-20250929", "gemini-2.5-flash", "qwen3-max", "gpt-5.2-pro"]


def server_pid() -> int:
    """Our stdio server: the child process running mixrouter_mcp."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("PPid:"))
        if ppid == os.getpid() and "mixrouter_mcp" in cmdline and "emulator" not in cmdline:
            return int(entry.name)
    raise RuntimeError("server process not found")


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return round(kb / 1024, 1)


async def soak(url: str, sequential: int, concurrent: int, width: int) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIXROUTER_")}
    env.update(MIXROUTER_BASE_URL=url, MIXROUTER_API_KEY=KEY)
    params = StdioServerParameters(command=sys.executable, args=["-m", "mixrouter_mcp"], env=env)
    failures: list[str] = []
    async with Client(params) as client:

        async def call(index: int) -> None:
            model = MODELS[index % len(MODELS)]
            result = await client.call_tool("ask_model", {"prompt": f"soak {index}", "model": model})
            if result.is_error:
                failures.append(f"{index}: {result.content[0]}")

        for index in range(200):  # warm-up: imports, pools, caches
            await call(index)
        pid = server_pid()
        before = rss_mb(pid)
        started = time.perf_counter()
        for index in range(sequential):
            await call(index)
        sequential_s = time.perf_counter() - started
        middle = rss_mb(pid)
        limiter = anyio.Semaphore(width)

        async def bounded(index: int) -> None:
            async with limiter:
                await call(index)

        started = time.perf_counter()
        async with anyio.create_task_group() as group:
            for index in range(concurrent):
                group.start_soon(bounded, index)
        concurrent_s = time.perf_counter() - started
        after = rss_mb(pid)
    return {
        "rss_mb": {"before": before, "after_sequential": middle, "after_concurrent": after},
        "growth_mb": round(after - before, 1),
        "sequential": {
            "calls": sequential,
            "seconds": round(sequential_s, 1),
            "per_s": round(sequential / sequential_s),
        },
        "concurrent": {
            "calls": concurrent,
            "width": width,
            "seconds": round(concurrent_s, 1),
            "per_s": round(concurrent / concurrent_s),
        },
        "failures": len(failures),
        "first_failures": failures[:5],
    }


def run(sequential: int = 10_000, concurrent: int = 1_000, width: int = 50, verbose: bool = True) -> dict[str, Any]:
    say = print if verbose else (lambda *args, **kwargs: None)
    process, url = start_emulator()
    try:
        report = anyio.run(soak, url, sequential, concurrent, width)
    finally:
        stop(process)
    rss = report["rss_mb"]
    say(f"soak: ask_model over a real stdio subprocess, models rotating over {len(MODELS)} wire formats\n")
    say(f"{'phase':<34}{'calls':>8}{'seconds':>10}{'calls/s':>10}{'server RSS MB':>16}")
    say(f"{'warm-up (200 calls)':<34}{'':>8}{'':>10}{'':>10}{rss['before']:>16.1f}")
    seq, con = report["sequential"], report["concurrent"]
    say(f"{'sequential':<34}{seq['calls']:>8}{seq['seconds']:>10.1f}{seq['per_s']:>10}{rss['after_sequential']:>16.1f}")
    label = f"concurrent ({con['width']} at once)"
    say(f"{label:<34}{con['calls']:>8}{con['seconds']:>10.1f}{con['per_s']:>10}{rss['after_concurrent']:>16.1f}")
    verdict = "met" if report["growth_mb"] < 20 and report["failures"] == 0 else "MISSED"
    say(
        f"\nRSS growth {report['growth_mb']} MB, failures {report['failures']} (target: < 20 MB, 0 failures: {verdict})"
    )
    report.update(benchmark="soak", target="met" if verdict == "met" else "missed")
    say(f"wrote {write_report('soak', report)}")
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sequential", type=int, default=10_000)
    parser.add_argument("--concurrent", type=int, default=1_000)
    parser.add_argument("--width", type=int, default=50)
    args = parser.parse_args()
    run(args.sequential, args.concurrent, args.width)
