"""`mixrouter-mcp models | ask | compare | doctor`: the tools from a terminal. Each command calls the real tool
through an in-memory MCP client, so the terminal shows exactly what a calling model would get."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from mcp import Client
from mcp.types import CallToolResult

from .config import API_KEY_ENV, Settings
from .server import build_server


async def _progress(progress: float, total: float | None, message: str | None) -> None:
    if message and sys.stderr.isatty():
        print(f"… {message}", file=sys.stderr)


async def call_tool(settings: Settings, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    async with Client(build_server(settings)) as client:
        return await client.call_tool(tool, arguments, progress_callback=_progress)


async def read_usage(settings: Settings) -> dict[str, Any]:
    """The `mixrouter://usage` resource, read as a client reads it."""
    async with Client(build_server(settings)) as client:
        read = await client.read_resource("mixrouter://usage")
    text = "".join(getattr(block, "text", "") for block in read.contents)
    report: dict[str, Any] = json.loads(text)
    return report


def usage_lines(report: dict[str, Any]) -> list[str]:
    """The usage report as doctor prints it: the key's quota, today's spend and cap, the price list."""
    key, today, prices = report["key"], report["today"], report["prices"]
    if "error" in key:
        lines = [f"· key quota unknown: {key['error']}"]
    elif key["unlimited"]:
        lines = [f"✓ key quota: unlimited (${key['used_usd']:.4f} used)"]
    else:
        lines = [f"✓ key quota: ${key['available_usd']:.4f} left of ${key['granted_usd']:.4f}"]
    if "error" in today:
        lines.append(f"✗ today's spend unknown: {today['error']}")
    else:
        cap = today["daily_budget_usd"]
        capped = "no daily cap" if cap is None else f"cap ${cap:.2f}, ${today['left_usd']:.4f} left"
        lines.append(
            f"✓ spent today ({today['day']} UTC): ${today['spent_usd']:.4f} in {today['calls']} calls, "
            f"{capped} (kept in {today['kept_in']})"
        )
    if "error" in prices:
        lines.append(f"· prices unknown: {prices['error']}")
    else:
        lines.append(f"✓ prices: {prices['models_priced']} models from {prices['source']}")
    return lines


def show(result: CallToolResult) -> int:
    """Print a result's text; the exit status is 1 when the tool reported an error."""
    text = "\n".join(getattr(block, "text", "") for block in result.content)
    print(text, file=sys.stderr if result.is_error else sys.stdout)
    return 1 if result.is_error else 0


async def models(settings: Settings, contains: str | None) -> int:
    return show(await call_tool(settings, "list_models", {"contains": contains} if contains else {}))


async def ask(settings: Settings, prompt: str, model: str | None, think: str | None, **extra: Any) -> int:
    arguments: dict[str, Any] = {"prompt": prompt, **{k: v for k, v in extra.items() if v is not None}}
    if model:
        arguments["model"] = model
    if think:
        arguments["effort"] = think
        return show(await call_tool(settings, "extended_thinking", arguments))
    return show(await call_tool(settings, "ask_model", arguments))


async def compare(
    settings: Settings, prompt: str, models_: list[str], judge: str | None, think: str | None, **extra: Any
) -> int:
    arguments: dict[str, Any] = {"prompt": prompt, "models": models_}
    arguments.update({k: v for k, v in extra.items() if v is not None})
    if judge:
        arguments["judge_model"] = judge
    if think:
        arguments["effort"] = think
    return show(await call_tool(settings, "compare_models", arguments))


def _source(field: str, cli_overrides: dict[str, Any]) -> str:
    """Where a setting's value came from, in precedence order."""
    variable = f"MIXROUTER_{field.upper()}"
    if cli_overrides.get(field) is not None:
        return "command-line flag"
    if variable in os.environ:
        return f"environment ({variable})"
    dotenv = Path(".env")
    if dotenv.is_file() and variable in dotenv_values(dotenv):
        return f".env ({dotenv.resolve()})"
    return "default"


async def doctor(settings: Settings, cli_overrides: dict[str, Any]) -> int:
    """Which configuration is in force and from where, the key (masked), whether mixrouter answers, one call."""
    ok = True
    print("mixrouter-mcp doctor\n")
    policy = ("models_allow", "models_deny") if settings.model_policy().active else ()
    for field in ("api_key", "base_url", "default_model", "mcp_store", "call_deadline_s", *policy):
        value = settings.shown(field) or "(default)"
        print(f"  {field:<16} {value!s:<44} from {_source(field, cli_overrides)}")
    print()
    if not settings.api_key_value():
        print(f"✗ no API key: set {API_KEY_ENV} (environment or .env)")
        return 1
    started = time.perf_counter()
    listed = await call_tool(settings, "list_models", {})
    if listed.is_error:
        print(f"✗ {settings.base_url} did not list models:")
        show(listed)
        return 1
    count = (listed.structured_content or {}).get("total", 0)
    print(f"✓ {settings.base_url} reachable: {count} models listed in {(time.perf_counter() - started) * 1000:.0f} ms")
    started = time.perf_counter()
    answer = await call_tool(settings, "ask_model", {"prompt": "Reply with the single word: ok", "max_tokens": 1})
    elapsed = (time.perf_counter() - started) * 1000
    if answer.is_error:
        ok = False
        print(f"✗ a one-token call to {settings.default_model} failed:")
        show(answer)
    else:
        served = (answer.structured_content or {}).get("model")
        print(f"✓ a one-token call to {settings.default_model} answered (by {served}) in {elapsed:.0f} ms")
    for line in usage_lines(await read_usage(settings)):
        ok = ok and not line.startswith("✗")
        print(line)
    return 0 if ok else 1
