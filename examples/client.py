"""Drive mixrouter-mcp from Python through the official MCP client: ask, think, compare, then continue.

python examples/client.py            # against mixrouter (MIXROUTER_API_KEY must be set)
python examples/client.py --offline  # against the built-in emulator, no key, no network
"""

from __future__ import annotations

import argparse
import os
import sys

import anyio
from mcp import Client, StdioServerParameters

from mixrouter_mcp.emulator import BackgroundEmulator


def text(result: object) -> str:
    return "\n".join(getattr(block, "text", "") for block in getattr(result, "content", []))


async def tour(env: dict[str, str]) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "mixrouter_mcp"], env=env)
    async with Client(params) as client:

        async def progress(value: float, total: float | None, message: str | None) -> None:
            print(f"  … {message}", file=sys.stderr)

        first = await client.call_tool("ask_model", {"prompt": "Name one prime above 100.", "model": "gpt-4o-mini"})
        print("ask_model:\n" + text(first) + "\n")
        conversation_id = (first.structured_content or {})["conversation_id"]

        thought = await client.call_tool(
            "extended_thinking",
            {
                "prompt": "Is that number really prime? Check it.",
                "model": "claude-sonnet-4-5-20250929",
                "effort": "medium",
                "conversation_id": conversation_id,
            },
            progress_callback=progress,
        )
        print("extended_thinking (same conversation, another model):\n" + text(thought) + "\n")

        panel = await client.call_tool(
            "compare_models",
            {
                "prompt": "In one sentence: why do primes matter in cryptography?",
                "models": ["gpt-4o", "gemini-2.5-flash", "deepseek-chat"],
                "judge_model": "claude-sonnet-4-5-20250929",
            },
            progress_callback=progress,
        )
        print("compare_models:\n" + text(panel))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offline", action="store_true", help="use the built-in mixrouter emulator")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.offline:
        with BackgroundEmulator(api_key="sk-offline-example") as emulator:
            env.update(MIXROUTER_BASE_URL=emulator.url, MIXROUTER_API_KEY="sk-offline-example")
            anyio.run(tour, env)
    elif not env.get("MIXROUTER_API_KEY"):
        sys.exit("set MIXROUTER_API_KEY, or run with --offline")
    else:
        anyio.run(tour, env)


if __name__ == "__main__":
    main()
