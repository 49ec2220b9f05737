"""compare_models fan-out: 8 models, each delayed 300 ms by the emulator, against one single call.

Run: `python bench/compare.py [--rounds 10]`. Prints a table and writes bench/results/compare.json.
Target: the panel takes at most 1.2 times one single call (the models run at once, not one after another).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import KEY, start_emulator, stop, write_report
from mixrouter_mcp.config import Settings
from mixrouter_mcp.server import build_server

DELAY_S = 0.3
PANEL = [
    "gpt-4o",
    "gpt-4.1",
    "claude-sonnet-4-5-20250929",
    "gemini-2.5-flash",
    "deepseek-chat",
    "qwen3-max",
    "doubao-seed-1-6-thinking-250715",
    "gpt-4o-mini",
]


async def measure(url: str, rounds: int) -> dict[str, list[float]]:
    settings = Settings(_env_file=None, api_key=KEY, base_url=url)  # type: ignore[call-arg]
    panel = [f"{model}~delay={DELAY_S}" for model in PANEL]
    samples: dict[str, list[float]] = {"single ask_model": [], "compare_models x8": []}
    async with Client(build_server(settings)) as client:
        for index in range(rounds + 1):
            started = time.perf_counter()
            single = await client.call_tool("ask_model", {"prompt": "bench", "model": panel[0]})
            single_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            result = await client.call_tool("compare_models", {"prompt": "bench", "models": panel})
            panel_ms = (time.perf_counter() - started) * 1000
            assert not single.is_error and (result.structured_content or {}).get("succeeded") == len(panel)
            if index:  # the first round warms connections up
                samples["single ask_model"].append(single_ms)
                samples["compare_models x8"].append(panel_ms)
    return samples


def run(rounds: int = 10, verbose: bool = True) -> dict[str, Any]:
    say = print if verbose else (lambda *args, **kwargs: None)
    process, url = start_emulator()
    try:
        samples = anyio.run(measure, url, rounds)
    finally:
        stop(process)
    medians = {name: round(statistics.median(values), 1) for name, values in samples.items()}
    ratio = round(medians["compare_models x8"] / medians["single ask_model"], 3)
    sequential = round(len(PANEL) * medians["single ask_model"], 1)
    say(f"compare_models fan-out ({len(PANEL)} models, each delayed {DELAY_S * 1000:.0f} ms; {rounds} rounds)\n")
    say(f"{'call':<22}{'median ms':>12}")
    for name, value in medians.items():
        say(f"{name:<22}{value:>12.1f}")
    say(f"{'(sequential would be)':<22}{sequential:>12.1f}")
    verdict = "met" if ratio <= 1.2 else "MISSED"
    say(f"\nratio compare / single: {ratio}  (target at most 1.2: {verdict})")
    report = {
        "benchmark": "compare_models fan-out",
        "models": len(PANEL),
        "delay_ms": DELAY_S * 1000,
        "rounds": rounds,
        "median_ms": medians,
        "ratio": ratio,
        "target_ratio": 1.2,
        "target": verdict,
    }
    say(f"wrote {write_report('compare', report)}")
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    run(parser.parse_args().rounds)
