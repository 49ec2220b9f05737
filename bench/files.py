"""Files in context on a big tree: `python bench/files.py [--runs N]`. Writes bench/results/files.json.

A temporary tree of 2,000 text files, 50 MB in all (nested folders, a .gitignore at the root and one nested,
a few binaries and a .env), is handed to a real stdio server as `files` with `dry_run: true`, so the
selection (walk, .gitignore, globs), the reading and the token budget all run and no model is called.
For each case: the median wall time of the tools/call round trip, the server's RSS before and at its peak
(sampled every 5 ms from /proc, and VmHWM), and what the manifest says (paths selected, files sent, tokens sent).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import KEY, start_emulator, stop, write_report
from bench.hostile import rss_mb
from bench.soak import server_pid

FILES = 2_000
TREE_BYTES = 50 * 1000 * 1000
CASES: dict[str, tuple[str, list[str]]] = {
    "whole tree into gemini-2.5-pro (1M window)": ("gemini-2.5-pro", ["**"]),
    "src/**/*.py minus tests into gemini-2.5-pro": ("gemini-2.5-pro", ["src/**/*.py", "!**/test_*"]),
    "whole tree into gpt-4o (128k window)": ("gpt-4o", ["**"]),
}


def build_tree(root: Path) -> int:
    """2,000 files of ~25 kB text in 20 × 10 nested folders, ignore rules, binaries and a .env; bytes written."""
    line = "def handler(request: Request) -> Response:  # a line of ordinary source text\n"
    body = (line * (TREE_BYTES // FILES // len(line) + 1))[: TREE_BYTES // FILES]
    written = 0
    (root / ".gitignore").write_text("*.log\nbuild/\n")
    (root / ".env").write_text("MIXROUTER_API_KEY=sk-not-for-models\n")
    for index in range(FILES):
        package, module = divmod(index, 100)
        folder = root / "src" / f"pkg{package:02d}" / f"mod{module % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        if index % 100 == 0:
            (folder / ".gitignore").write_text("generated_*\n")
        kind = index % 50
        name = {0: f"data{index}.bin", 1: f"run{index}.log", 2: f"test_{index}.py"}.get(kind, f"file{index}.py")
        data = b"\0\1\2" * (len(body) // 3) if kind == 0 else body.encode()
        (folder / name).write_bytes(data)
        written += len(data)
    return written


async def one_case(env: dict[str, str], tree: Path, model: str, files: list[str], runs: int) -> dict[str, Any]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "mixrouter_mcp"], env=env, cwd=str(tree))
    arguments = {"prompt": "Review this code.", "model": model, "files": files, "dry_run": True}
    times: list[float] = []
    async with Client(params) as client:
        await client.list_tools()
        pid = server_pid()
        before = rss_mb(pid)
        peak = before
        done = anyio.Event()

        async def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, rss_mb(pid))
                await anyio.sleep(0.005)

        async with anyio.create_task_group() as group:
            group.start_soon(sample)
            for _ in range(runs):
                started = time.perf_counter()
                result = await client.call_tool("ask_model", arguments)
                times.append((time.perf_counter() - started) * 1000)
            done.set()
        peak = max(peak, rss_mb(pid, "VmHWM"))
    if result.is_error:
        raise RuntimeError(f"dry run failed: {result.content}")
    manifest: dict[str, int | str] = (result.structured_content or {})["files"]
    text = "\n".join(getattr(block, "text", "") for block in result.content)
    listed = re.search(r"files lists the first \d+ of ([\d,]+) paths", text)
    return {
        "median_ms": round(statistics.median(times), 1),
        "rss_before_mb": round(before, 1),
        "rss_peak_mb": round(peak, 1),
        "paths": int(listed.group(1).replace(",", "")) if listed else len(manifest),
        "manifest_entries": len(manifest),
        "included": int(re.findall(r"files: (\d+) included", text)[0]),
        "included_tokens": sum(tokens for tokens in manifest.values() if isinstance(tokens, int)),
        "input_tokens": (result.structured_content or {})["usage"]["input_tokens"],
    }


def run(runs: int = 5, verbose: bool = True) -> dict[str, Any]:
    tree = Path(tempfile.mkdtemp(prefix="mixrouter-files-bench-"))
    written = build_tree(tree)
    process, url = start_emulator()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MIXROUTER_")}
        env.update(
            MIXROUTER_BASE_URL=url,
            MIXROUTER_API_KEY=KEY,
            MIXROUTER_MCP_STORE="none",
            MIXROUTER_MCP_ALLOWED_DIRS=str(tree),
        )
        results = {label: anyio.run(one_case, env, tree, model, files, runs) for label, (model, files) in CASES.items()}
    finally:
        stop(process)
    report = {"tree": {"files": FILES, "bytes": written}, "runs": runs, "results": results}
    write_report("files", report)
    if verbose:
        print(f"tree: {FILES:,} files, {written / 1e6:.1f} MB; dry_run over stdio, median of {runs}\n")
        width = max(len(label) for label in results)
        print(
            f"{'case':<{width}}  {'time':>9}  {'RSS before':>10}  {'peak':>8}  {'paths':>6}  {'sent':>5}  tokens sent"
        )
        for label, r in results.items():
            print(
                f"{label:<{width}}  {r['median_ms']:>6.0f} ms  {r['rss_before_mb']:>7} MB  {r['rss_peak_mb']:>5} MB  "
                f"{r['paths']:>6}  {r['included']:>5}  {r['included_tokens']:,}"
            )
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    run(parser.parse_args().runs)
