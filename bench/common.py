"""Shared by the benchmarks: an emulator in its own process, statistics, and the report writer."""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
KEY = "sk-bench-key"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_emulator() -> tuple[subprocess.Popen[bytes], str]:
    """The emulator in a child process, so its CPU does not share our event loop."""
    port = free_port()
    command = [sys.executable, "-m", "mixrouter_mcp", "emulator", "--port", str(port), "--key", KEY]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx2.get(f"{url}/v1/models", headers={"Authorization": f"Bearer {KEY}"}, timeout=0.5)
            return process, url
        except httpx2.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("emulator did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=10)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(samples), 3),
        "p90_ms": round(percentile(samples, 0.90), 3),
        "p99_ms": round(percentile(samples, 0.99), 3),
    }


def write_report(name: str, report: dict[str, Any]) -> Path:
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}
    path = RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**report, "machine": machine}, indent=2) + "\n")
    return path
