"""What the tool definitions cost every client in context: `python bench/tool_size.py` (bench/results/tool_size.json).

Counts o200k tokens (bench/o200k.py) of the compact JSON of each tool as `tools/list` returns it over stdio, and of
its parts (name and description, input schema, output schema, annotations), for all tools and for the core four.
The bare SDK's one-tool server is the floor.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import KEY, write_report
from bench.o200k import counter
from mixrouter_mcp.tokens import estimate_tokens

CORE = "ask,think,compare,models"
# All tools at the end of the lean house (issue 12, commit aa5423e), o200k: each later feature is measured from here.
LEAN_HOUSE_TOKENS = 2_485
# What each feature since then may add, from the figure it started at (it ends where the next one starts).
FEATURES = (
    ("costs, budgets and fallbacks (issue 13)", LEAN_HOUSE_TOKENS, 150),
    ("files in context, dry_run, output_file (issue 14)", 2_627, 200),
    ("jobs: background on three tools, get_job, cancel_job (issue 15)", 2_822, 450),
    ("gateway versions: temperature on extended_thinking, video notes (issue 16)", 3_265, 40),
)


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def tokenizer() -> tuple[Callable[[str], int], str]:
    exact = counter()
    return (exact, "o200k") if exact else (estimate_tokens, "estimated (~4 characters per token)")


async def listed_tools(groups: str) -> list[dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIXROUTER_")}
    env.update(MIXROUTER_API_KEY=KEY, MIXROUTER_MCP_STORE="none", MIXROUTER_MCP_TOOLS=groups)
    params = StdioServerParameters(command=sys.executable, args=["-m", "mixrouter_mcp"], env=env)
    async with Client(params) as client:
        tools = (await client.list_tools()).tools
    return [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]


def sizes(tools: list[dict[str, Any]], count: Callable[[str], int]) -> dict[str, Any]:
    per_tool = {}
    for tool in tools:
        parts = {
            "description": count(compact({"name": tool["name"], "description": tool.get("description", "")})),
            "input": count(compact(tool.get("inputSchema", {}))),
            "output": count(compact(tool.get("outputSchema", {}))),
            "whole": count(compact(tool)),
        }
        per_tool[tool["name"]] = parts
    return {
        "tools": len(tools),
        "tokens": count(compact(tools)),
        "characters": len(compact(tools)),
        "output_schema_tokens": sum(p["output"] for p in per_tool.values()),
        "per_tool": per_tool,
    }


def growth(tokens: int, method: str) -> list[dict[str, Any]]:
    """What each feature since the lean house added to all tool definitions, against its allowance."""
    if method != "o200k":
        return []  # the baselines are o200k counts; an estimate is not comparable with them
    afters = [before for _, before, _ in FEATURES[1:]] + [tokens]  # a feature ends where the next one starts
    return [
        {"feature": name, "before": before, "added": after - before, "allowed": allowed}
        for (name, before, allowed), after in zip(FEATURES, afters, strict=True)
    ]


def measure() -> dict[str, Any]:
    count, method = tokenizer()
    every = sizes(anyio.run(listed_tools, ""), count)
    return {
        "method": method,
        "all": every,
        "core": sizes(anyio.run(listed_tools, CORE), count),
        "growth": growth(every["tokens"], method),
    }


def run(verbose: bool = True) -> dict[str, Any]:
    report = measure()
    write_report("tool_size", report)
    if verbose:
        every = report["all"]
        print(f"tokens: {report['method']}")
        print(f"{'tool':<22} {'description':>11} {'input':>7} {'output':>7} {'whole':>7}")
        for name, p in every["per_tool"].items():
            print(f"{name:<22} {p['description']:>11} {p['input']:>7} {p['output']:>7} {p['whole']:>7}")
        print(
            f"\nall {every['tools']} tools: {every['tokens']:,} tokens ({every['characters']:,} characters), "
            f"output schemas {every['output_schema_tokens']:,}; core four: {report['core']['tokens']:,}"
        )
        for step in report["growth"]:
            print(f"{step['feature']}: +{step['added']} tokens over {step['before']:,} (allowed +{step['allowed']})")
    return report


if __name__ == "__main__":
    run()
