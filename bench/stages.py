"""Where the added latency of ask_model goes: each stage of one call timed on its own, no store, in memory.

Run: `python bench/stages.py [--calls 600]`. Prints a table and writes bench/results/stages.json.
Each stage function is wrapped with a wall-clock timer (a profiler would triple the time of small functions), and
the call is timed in blocks of calls beside the direct httpx2 call, the bare SDK and the minimal relay, as in
bench/latency.py. The stages nest, so each row is one stage minus what it contains; they add up to what the call
adds over the direct one. Each timer costs about a microsecond, so the rows are a little high.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import KEY, start_emulator, stop, write_report
from bench.latency import BLOCK, MODEL, PROMPT, bare_server, direct_call, relay_server, time_in_blocks
from mixrouter_mcp.config import Settings
from mixrouter_mcp.server import build_server
from mixrouter_mcp.upstream import MixRouterClient

_TIMES: dict[str, list[float]] = {}
_RECORDING = [False]  # the stage timers are off during the warm-up rounds
_ASK = importlib.import_module("mixrouter_mcp.tools.ask_model")
_CALLS = importlib.import_module("mixrouter_mcp.tools.support.calls")


def _timed(name: str, function: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(function)
    async def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await function(*args, **kwargs)
        finally:
            _record(name, started)

    return timed


def _record(name: str, started: float) -> None:
    if _RECORDING[0]:
        _TIMES.setdefault(name, []).append((time.perf_counter() - started) * 1000)


def _recording(timed: bool) -> None:
    _RECORDING[0] = timed


def _wrap_stages() -> None:
    """Time the stages where the tool looks them up at call time (module globals, the client's method)."""
    for module, name in ((_ASK, "run_as_job"), (_ASK, "plan_call"), (_ASK, "converse"), (_ASK, "_answered")):
        setattr(module, name, _timed(name, getattr(module, name)))
    _CALLS.call_model = _timed("call_model", _CALLS.call_model)
    MixRouterClient.complete = _timed("client.complete", MixRouterClient.complete)  # type: ignore[method-assign]


async def measure(url: str, calls: int) -> None:
    stateless = Settings(_env_file=None, api_key=KEY, base_url=url, mcp_store="none")  # type: ignore[call-arg]
    async with (
        httpx2.AsyncClient(base_url=url) as http,
        httpx2.AsyncClient(base_url=url) as relay_http,
        Client(build_server(stateless), mode="auto") as ask,
        Client(relay_server(relay_http), mode="auto") as relay,
        Client(bare_server(), mode="auto") as bare,
    ):
        runners: dict[str, Callable[[], Awaitable[object]]] = {
            "direct": lambda: direct_call(http),
            "ask_model": lambda: ask.call_tool("ask_model", {"prompt": PROMPT, "model": MODEL}),
            "relay": lambda: relay.call_tool("relay", {"prompt": PROMPT}),
            "bare_sdk": lambda: bare.call_tool("echo", {"text": PROMPT}),
        }
        samples = await time_in_blocks(runners, calls, 2 * BLOCK, on_round=_recording)
    _TIMES.update(samples)


def run(calls: int = 600, verbose: bool = True) -> dict[str, Any]:
    say = print if verbose else (lambda *args, **kwargs: None)
    _TIMES.clear()
    _wrap_stages()
    process, url = start_emulator()
    try:
        anyio.run(measure, url, calls)
    finally:
        stop(process)
    m = {name: statistics.median(values) for name, values in _TIMES.items()}
    stages = {
        "the SDK: request, argument and output checks, result (client and server)": m["ask_model"]
        - m["run_as_job"]
        - m["plan_call"],
        "planning: inputs, conversation, files, context fit": m["plan_call"],
        "the job hop: start the call as a job, wait for it": m["run_as_job"] - m["converse"] - m["_answered"],
        "the conversation and spend around the call": m["converse"] - m["call_model"],
        "the call: fallbacks, progress, deadline, price": m["call_model"] - m["client.complete"],
        "our upstream client over the direct call": m["client.complete"] - m["direct"],
        "the result: Answer, text cap, footer, structured content": m["_answered"],
    }
    added = m["ask_model"] - m["direct"]
    say(f"ask_model, no store, in memory: stage medians ({calls} calls, blocks of {BLOCK})\n")
    say(f"{'stage':<76}{'ms':>8}")
    for name, value in stages.items():
        say(f"{name:<76}{value:>8.3f}")
    say(f"{'added over the direct call (the sum of the stages)':<76}{added:>8.3f}")
    say(f"{'for scale: the bare SDK round trip':<76}{m['bare_sdk']:>8.3f}")
    say(f"{'for scale: the minimal relay over the direct call':<76}{m['relay'] - m['direct']:>8.3f}")
    report = {
        "benchmark": "ask_model stages",
        "calls": calls,
        "stages_ms": {name: round(value, 3) for name, value in stages.items()},
        "added_ms": round(added, 3),
        "bare_sdk_ms": round(m["bare_sdk"], 3),
        "minimal_relay_added_ms": round(m["relay"] - m["direct"], 3),
        "medians_ms": {name: round(value, 3) for name, value in m.items()},
    }
    say(f"\nwrote {write_report('stages', report)}")
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=600)
    args = parser.parse_args()
    run(args.calls)
