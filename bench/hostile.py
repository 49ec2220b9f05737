"""Server memory while an upstream sends 1 GB: `python bench/hostile.py`. Writes bench/results/hostile.json.

For each case a fresh stdio server (default settings: MIXROUTER_MAX_RESPONSE_BYTES = 32 MiB) gets one ask_model
call while the scripted upstream sends 1 GiB: a plain JSON body, a gzip body that inflates to 1 GiB, an endless-
looking SSE stream, and a 1 GiB error body (a 503, so retried). The server's RSS is sampled every 10 ms from /proc;
the peak is the most it held. Target: under 200 MB in every case.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import KEY, write_report
from mixrouter_mcp.emulator.scripted import Reply, ScriptedUpstream

GIB = 1 << 30
PIECE = 1 << 20
TARGET_MB = 200.0


class Counted:
    """A body generator that counts what it handed to the socket."""

    def __init__(self, make: Callable[[], Iterator[bytes]]) -> None:
        self._make = make
        self.sent = 0

    def __call__(self) -> Iterator[bytes]:
        for piece in self._make():
            self.sent += len(piece)
            yield piece


def one_gib_string(head: bytes, filler: bytes, tail: bytes) -> Callable[[], Iterator[bytes]]:
    """A JSON body whose one string is 1 GiB of `filler`."""

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(GIB // PIECE):
            yield filler * PIECE
        yield tail

    return body


plain_body = one_gib_string(b'{"choices": [{"message": {"content": "', b"0", b'"}}]}')
error_body = one_gib_string(b'{"error": {"message": "overloaded ', b"x", b'"}}')


def gzip_body() -> Iterator[bytes]:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    yield packer.compress(b'{"choices": [{"message": {"content": "')
    for _ in range(GIB // PIECE):
        packed = packer.compress(b"0" * PIECE)
        if packed:
            yield packed
    yield packer.compress(b'"}}]}') + packer.flush()


def stream_body() -> Iterator[bytes]:
    text = "0" * (64 * 1024)
    event = f"data: {json.dumps({'choices': [{'index': 0, 'delta': {'content': text}}]})}\n\n".encode()
    for _ in range(GIB // len(event)):
        yield event


def _cases() -> dict[str, tuple[int, dict[str, str], Counted]]:
    json_type = {"content-type": "application/json"}
    return {
        "plain JSON, 1 GiB": (200, json_type, Counted(plain_body)),
        "gzip, inflates to 1 GiB": (200, {**json_type, "content-encoding": "gzip"}, Counted(gzip_body)),
        "SSE stream, 1 GiB": (200, {"content-type": "text/event-stream"}, Counted(stream_body)),
        "503 error body, 1 GiB (retried)": (503, json_type, Counted(error_body)),
    }


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _line(message: dict[str, object]) -> bytes:
    return json.dumps(message).encode() + b"\n"


def one_case(upstream: ScriptedUpstream, status: int, headers: dict[str, str], body: Counted) -> dict[str, object]:
    upstream.script(Reply(status=status, headers=headers, body=body))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIXROUTER_")}
    env.update(MIXROUTER_BASE_URL=upstream.url, MIXROUTER_API_KEY=KEY, MIXROUTER_MCP_STORE="none")
    process = subprocess.Popen(
        [sys.executable, "-m", "mixrouter_mcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert process.stdin and process.stdout
    init = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}
    process.stdin.write(_line({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init}))
    process.stdin.flush()
    process.stdout.readline()
    before = rss_mb(process.pid)
    call = {"name": "ask_model", "arguments": {"prompt": "x", "model": "gpt-4o"}}
    process.stdin.write(_line({"jsonrpc": "2.0", "method": "notifications/initialized"}))
    process.stdin.write(_line({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": call}))
    process.stdin.flush()
    os.set_blocking(process.stdout.fileno(), False)
    started, peak, out = time.perf_counter(), before, b""
    while b'"id":2' not in out and time.perf_counter() - started < 120:
        peak = max(peak, rss_mb(process.pid))
        out += process.stdout.read() or b""
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    high_water = rss_mb(process.pid, "VmHWM")
    process.stdin.close()
    process.wait(timeout=10)
    reply = json.loads(next(line for line in out.splitlines() if b'"id":2' in line))
    text = reply["result"]["content"][0]["text"]
    return {
        "rss_before_mb": round(before, 1),
        "rss_peak_mb": round(max(peak, high_water), 1),
        "upstream_sent_mb": round(body.sent / (1 << 20), 2),
        "seconds": round(elapsed, 2),
        "is_error": reply["result"].get("isError", False),
        "says": text.split("failed: ", 1)[-1][:110],
    }


def run(verbose: bool = True) -> dict[str, object]:
    results: dict[str, dict[str, object]] = {}
    with ScriptedUpstream() as upstream:
        for label, (status, headers, body) in _cases().items():
            results[label] = one_case(upstream, status, headers, body)
    worst = max(float(str(r["rss_peak_mb"])) for r in results.values())
    report = {"target_mb": TARGET_MB, "worst_peak_mb": worst, "results": results}
    write_report("hostile", report)
    if verbose:
        width = max(len(label) for label in results)
        print(f"{'upstream sends':<{width}}  {'sent':>9}  {'RSS before':>10}  {'peak':>8}  {'time':>6}  result")
        for label, r in results.items():
            print(
                f"{label:<{width}}  {r['upstream_sent_mb']:>6} MB  {r['rss_before_mb']:>7} MB  "
                f"{r['rss_peak_mb']:>5} MB  {r['seconds']:>5}s  {r['says']}"
            )
        print(f"\nworst peak {worst:.1f} MB (target < {TARGET_MB:.0f} MB)")
    return report


if __name__ == "__main__":
    run()
