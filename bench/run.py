"""Every benchmark, one command, one table: `python bench/run.py [--quick]`. Writes bench/results.json.

- cold start: spawn → tools/list over stdio, against a minimal MCPServer (one trivial tool) as the floor;
- tool definitions: the o200k tokens every client pays in context (bench/tool_size.py);
- ask_model added latency over a direct httpx2 call (bench/latency.py);
- compare_models fan-out ratio (bench/compare.py);
- streamable-HTTP throughput at 50 and 200 concurrent clients, against the bare SDK serving a trivial tool;
- server RSS idle, and after the soak (bench/soak.py);
- server RSS peak while a hostile upstream sends 1 GiB (bench/hostile.py);
- `files` on a 2,000-file / 50 MB tree: dry-run time and server RSS peak (bench/files.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import compare, files, hostile, latency, soak, tool_size
from bench.common import KEY, ROOT, free_port, start_emulator, stop

MINIMAL_SERVER = textwrap.dedent(
    """
    import sys
    from mcp.server.mcpserver import MCPServer

    mcp = MCPServer("minimal", version="0")

    @mcp.tool()
    async def echo(text: str) -> str:
        \"\"\"Return the text.\"\"\"
        return text

    if __name__ == "__main__":
        if len(sys.argv) > 1:
            mcp.run("streamable-http", host="127.0.0.1", port=int(sys.argv[1]), stateless_http=True)
        else:
            mcp.run()
    """
)


def server_env(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIXROUTER_")}
    env.update(MIXROUTER_BASE_URL=url, MIXROUTER_API_KEY=KEY, MIXROUTER_MCP_STORE="none", **extra)
    return env


async def cold_start(command: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        async with Client(StdioServerParameters(command=command[0], args=command[1:], env=env)) as client:
            await client.list_tools()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times[1:]), 1)


def tool_tokens(minimal: Path, env: dict[str, str]) -> dict[str, Any]:
    """o200k tokens of the tools/list JSON (bench/tool_size.py), and the bare SDK's one tool beside them."""
    measured = tool_size.measure()
    count, _ = tool_size.tokenizer()

    async def bare() -> int:
        params = StdioServerParameters(command=sys.executable, args=[str(minimal)], env=env)
        async with Client(params) as client:
            tools = (await client.list_tools()).tools
        return count(tool_size.compact([t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]))

    return {**measured, "bare_sdk_one_tool": anyio.run(bare)}


async def throughput(url: str, tool: str, arguments: dict[str, Any], clients: int, seconds: float) -> dict[str, float]:
    """`clients` MCP clients, all connected first, then calling `tool` in a loop for `seconds`."""
    latencies: list[float] = []
    failures = 0
    connected = 0
    go = anyio.Event()
    window: dict[str, float] = {}

    async def worker() -> None:
        nonlocal failures, connected
        async with Client(url) as client:
            connected += 1
            if connected == clients:
                window["start"] = time.perf_counter()
                window["stop"] = window["start"] + seconds
                go.set()
            await go.wait()
            while time.perf_counter() < window["stop"]:
                started = time.perf_counter()
                result = await client.call_tool(tool, arguments)
                latencies.append((time.perf_counter() - started) * 1000)
                failures += bool(result.is_error)

    async with anyio.create_task_group() as group:
        for _ in range(clients):
            group.start_soon(worker)
    elapsed = time.perf_counter() - window["start"]
    return {
        "calls_per_s": round(len(latencies) / elapsed, 1),
        "median_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "failures": failures,
    }


def spawn_http(command: list[str], env: dict[str, str], port: int) -> Any:
    import socket
    import subprocess

    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("HTTP server did not start")


async def http_rows(url: str, minimal: Path, seconds: float) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    ours_port, bare_port = free_port(), free_port()
    ours = spawn_http(
        [sys.executable, "-m", "mixrouter_mcp", "--http", "--port", str(ours_port)], server_env(url), ours_port
    )
    bare = spawn_http([sys.executable, str(minimal), str(bare_port)], server_env(url), bare_port)
    try:
        for clients in (50, 200):
            rows[f"mixrouter-mcp ask_model, {clients} clients"] = await throughput(
                f"http://127.0.0.1:{ours_port}/mcp",
                "ask_model",
                {"prompt": "hi", "model": "gpt-4o-mini"},
                clients,
                seconds,
            )
            rows[f"bare MCPServer echo, {clients} clients"] = await throughput(
                f"http://127.0.0.1:{bare_port}/mcp", "echo", {"text": "hi"}, clients, seconds
            )
    finally:
        for process in (ours, bare):
            process.terminate()
            process.wait(timeout=10)
    return rows


async def idle_rss(env: dict[str, str]) -> float:
    params = StdioServerParameters(command=sys.executable, args=["-m", "mixrouter_mcp"], env=env)
    async with Client(params) as client:
        await client.list_tools()
        return soak.rss_mb(soak.server_pid())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer calls everywhere (a smoke run, not for figures)")
    args = parser.parse_args()
    quick = args.quick
    minimal = Path(tempfile.mkdtemp()) / "minimal_server.py"
    minimal.write_text(MINIMAL_SERVER)
    process, url = start_emulator()
    try:
        env = server_env(url)
        print("measuring cold start, tool sizes, HTTP throughput ...", file=sys.stderr)
        runs = 3 if quick else 10
        cold = {
            "mixrouter-mcp": anyio.run(cold_start, [sys.executable, "-m", "mixrouter_mcp"], env, runs),
            "minimal MCPServer": anyio.run(cold_start, [sys.executable, str(minimal)], env, runs),
        }
        tokens = tool_tokens(minimal, env)
        http = anyio.run(http_rows, url, minimal, 2.0 if quick else 6.0)
        rss_idle = anyio.run(idle_rss, env)
    finally:
        stop(process)
    print("measuring added latency, compare fan-out, soak ...", file=sys.stderr)
    added = latency.run(100 if quick else 400, 20 if quick else 40, verbose=False)
    fanout = compare.run(3 if quick else 10, verbose=False)
    soaked = soak.run(1_000 if quick else 10_000, 200 if quick else 1_000, verbose=False)
    flooded = hostile.run(verbose=False)
    tree = files.run(3 if quick else 5, verbose=False)

    ours, bare = cold["mixrouter-mcp"], cold["minimal MCPServer"]
    rows: list[tuple[str, str, str]] = [
        (
            "cold start, spawn → tools/list (median)",
            f"{ours:.0f} ms",
            f"{ours / bare:.2f}× the bare SDK ({bare:.0f} ms)",
        ),
    ]
    floor_tokens = tokens["bare_sdk_one_tool"]
    for label, key in ((f"all {tokens['all']['tools']} tools", "all"), ("core four", "core")):
        size = tokens[key]["tokens"]
        notes = (
            f"{size / floor_tokens:.1f}× the bare SDK's one tool ({floor_tokens}); target ≤ 2,500 ({tokens['method']})"
        )
        rows.append((f"tool definitions, {label}", f"{size:,} tokens", notes))
    for step in tokens["growth"]:
        rows.append(
            (
                f"tool definitions added by {step['feature']}",
                f"+{step['added']} tokens",
                f"over {step['before']:,}; allowed +{step['allowed']}",
            )
        )
    results = added["results"]
    rows.append(
        (
            "direct streamed httpx2 call to the emulator (the baseline of the latency rows)",
            f"{results['direct_httpx2']['median_ms']:.2f} ms",
            "median; the emulator runs in its own process on the same VM",
        )
    )
    for name, label in (
        ("ask_model_auto", "in memory, SQLite store"),
        ("ask_model_auto_nostore", "in memory, no store"),
        ("ask_model_stdio", "stdio subprocess, SQLite store"),
    ):
        row = results[name]
        floor = "bare_sdk_echo_stdio" if "stdio" in name else "bare_sdk_echo"
        rows.append(
            (
                f"ask_model added latency, {label} (median)",
                f"{row['added_median_ms']:.2f} ms",
                f"{row['ratio_to_bare_sdk']:.2f}× the bare SDK's round trip ({results[floor]['median_ms']:.2f} ms); "
                f"target ≤ {latency.TARGET_MS:g} ms",
            )
        )
    for name, label in (("minimal_relay", "in memory"), ("minimal_relay_stdio", "stdio subprocess")):
        rows.append(
            (
                f"minimal relay added latency, {label} (median)",
                f"{results[name]['added_median_ms']:.2f} ms",
                "an MCPServer tool making the same streamed call and joining its text: the least any server adds",
            )
        )
    rows.append(("compare_models 8 × 300 ms / one call", f"{fanout['ratio']:.2f}×", "target ≤ 1.2×"))
    for label, row in http.items():
        rows.append(
            (
                f"HTTP {label}",
                f"{row['calls_per_s']:,.0f} calls/s",
                f"median {row['median_ms']:.0f} ms, {row['failures']:.0f} failed",
            )
        )
    rows.append(
        (
            "server RSS idle / after soak",
            f"{rss_idle:.1f} / {soaked['rss_mb']['after_concurrent']:.1f} MB",
            f"+{soaked['growth_mb']} MB over the soak, {soaked['failures']} failed",
        )
    )
    worst = max(flooded["results"].items(), key=lambda item: float(item[1]["rss_peak_mb"]))
    rows.append(
        (
            "server RSS peak, upstream sends 1 GiB",
            f"{flooded['worst_peak_mb']:.1f} MB",
            f"worst case: {worst[0]}; target < {hostile.TARGET_MB:.0f} MB",
        )
    )
    for label, row in tree["results"].items():
        rows.append(
            (
                f"files: {label}",
                f"{row['median_ms']:.0f} ms",
                f"RSS {row['rss_before_mb']} → {row['rss_peak_mb']} MB; {row['included']} of {row['paths']:,} paths "
                f"sent, ~{row['included_tokens']:,} tokens ({tree['tree']['files']:,} files, "
                f"{tree['tree']['bytes'] / 1e6:.0f} MB)",
            )
        )
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure':<{width}}  {'result':>22}  notes")
    for measure, result, notes in rows:
        print(f"{measure:<{width}}  {result:>22}  {notes}")
    report = {
        "quick": quick,
        "cold_start_ms": cold,
        "tool_definition_tokens": tokens,
        "added_latency": added,
        "compare": fanout,
        "http_throughput": http,
        "rss_mb": {"idle": rss_idle, **soaked["rss_mb"]},
        "soak": soaked,
        "hostile": flooded,
        "files": tree,
        "table": [{"measure": m, "result": r, "notes": n} for m, r, n in rows],
    }
    out = ROOT / "results.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
