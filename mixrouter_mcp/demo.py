"""`mixrouter-mcp demo`: the whole path offline. The emulator stands in for mixrouter; this server runs as a
real stdio subprocess; the SDK's client calls it, and we print what a user would see."""

from __future__ import annotations

import os
import sys
import textwrap

import anyio
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult

from .emulator import BackgroundEmulator

DEMO_KEY = "sk-demo-offline-key"


def _show(title: str, result: CallToolResult) -> None:
    text = "\n".join(getattr(block, "text", "") for block in result.content)
    flag = "  [isError]" if result.is_error else ""
    print(f"\n── {title}{flag}")
    print(textwrap.indent(text, "   "))


async def _session(emulator_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIXROUTER_")}
    env.update(MIXROUTER_BASE_URL=emulator_url, MIXROUTER_API_KEY=DEMO_KEY)
    params = StdioServerParameters(command=sys.executable, args=["-m", "mixrouter_mcp"], env=env)
    async with Client(params) as client:
        tools = await client.list_tools()
        print(f"Connected over stdio (protocol {client.protocol_version}). Tools:")
        for tool in tools.tools:
            summary = (tool.description or "").split("\n")[0]
            print(f"   • {tool.name}: {summary}")
        _show("list_models(contains='claude')", await client.call_tool("list_models", {"contains": "claude"}))
        _show(
            "ask_model(model='gpt-4o-mini')",
            await client.call_tool("ask_model", {"prompt": "Say hello to a new user.", "model": "gpt-4o-mini"}),
        )
        _show(
            "ask_model(model='claude-opus-4-5-20251101', api='chat'): inline <budget:thinking> kept out of the answer",
            await client.call_tool(
                "ask_model", {"prompt": "1+2+3+4+...+100=?", "model": "claude-opus-4-5-20251101", "api": "chat"}
            ),
        )
        _show(
            "extended_thinking(model='gemini-2.5-pro', effort='medium'): reasoning kept apart, switch named",
            await client.call_tool(
                "extended_thinking", {"prompt": "Why is the sky blue?", "model": "gemini-2.5-pro", "effort": "medium"}
            ),
        )
        _show(
            "ask_model(model='gpt-4o-mni'): a typo, and the error tells the caller what to do",
            await client.call_tool("ask_model", {"prompt": "hi", "model": "gpt-4o-mni"}),
        )


def run_demo() -> int:
    """Run the demo; 0 on success."""
    with BackgroundEmulator(api_key=DEMO_KEY) as emulator:
        print(f"mixrouter emulator (offline stand-in for api.mixrouter.com) on {emulator.url}")
        anyio.run(_session, emulator.url)
    print("\nDone. Point MIXROUTER_BASE_URL / MIXROUTER_API_KEY at the real mixrouter and run `mixrouter-mcp`.")
    return 0
