"""Command line: `mixrouter-mcp` serves MCP (stdio by default, `--http` for streamable HTTP); subcommands
`demo` and `emulator`. Heavy imports happen inside the commands so start-up stays quiet and fast."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from . import __version__
from .config import Settings, load_settings
from .logs import configure_logging
from .vocabulary import EFFORTS


def _add_server_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="HTTP port (default 8765)")
    parser.add_argument(
        "--workers", type=int, default=1, help="HTTP worker processes on the one port (share a Redis store)"
    )
    parser.add_argument("--base-url", help="mixrouter base URL (overrides MIXROUTER_BASE_URL)")
    parser.add_argument("--model", help="default model (overrides MIXROUTER_DEFAULT_MODEL)")
    parser.add_argument("--deadline", type=float, help="per-call deadline in seconds (MIXROUTER_CALL_DEADLINE_S)")
    parser.add_argument("--log-level", help="stderr log level (MIXROUTER_LOG_LEVEL), e.g. INFO")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mixrouter-mcp", description="MCP server for every model behind mixrouter (stdio by default)."
    )
    parser.add_argument("--version", action="version", version=f"mixrouter-mcp {__version__}")
    _add_server_flags(parser)
    commands = parser.add_subparsers(dest="command")
    _add_server_flags(commands.add_parser("serve", help="serve MCP (the default command)"))
    commands.add_parser("demo", help="offline demo: emulator + this server over stdio + a real MCP client")
    models = commands.add_parser("models", help="list the models mixrouter serves")
    models.add_argument("contains", nargs="?", help="only ids containing this text")
    ask = commands.add_parser("ask", help="ask one model (add --think for extended thinking)")
    ask.add_argument("prompt", help="the prompt; - reads it from stdin (git diff | mixrouter-mcp ask - ...)")
    ask.add_argument("-m", "--model", dest="ask_model", help="model id (default: the configured one)")
    ask.add_argument("--think", choices=EFFORTS, help="extended thinking at this effort")
    ask.add_argument("--system", help="system prompt")
    ask.add_argument("--max-tokens", type=int, help="cap on generated tokens")
    ask.add_argument("--conversation", help="continue this conversation_id")
    ask.add_argument("--max-cost", type=float, help="refuse the call if it could cost more (US dollars)")
    ask.add_argument("--fallback", action="append", help="a model to try if the first is down (repeatable)")
    _add_context_flags(ask)
    compare = commands.add_parser("compare", help="ask several models at once, side by side")
    compare.add_argument("prompt", help="the prompt; - reads it from stdin")
    compare.add_argument(
        "-m", "--model", dest="compare_models", action="append", required=True, help="repeat per model"
    )
    compare.add_argument("--judge", help="a model that ranks the anonymised answers")
    compare.add_argument("--think", choices=EFFORTS, help="each model thinks first")
    compare.add_argument("--max-cost", type=float, help="refuse the panel if it could cost more (US dollars)")
    _add_context_flags(compare)
    commands.add_parser("doctor", help="show the configuration in force and check mixrouter answers")
    emulator = commands.add_parser("emulator", help="run the offline mixrouter emulator")
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=8900)
    emulator.add_argument("--key", default=None, help="API key the emulator accepts (default sk-emulator-key)")
    emulator.add_argument(
        "--gateway",
        choices=("docs", "2025-12", "2026-06"),
        default="docs",
        help="which new-api to play: mixrouter's doc pages (default) or stock new-api of Dec 2025 / Jun 2026",
    )
    return parser


def _add_context_flags(command: argparse.ArgumentParser) -> None:
    """What a call sends besides the prompt, and where its answer goes: the tools' own arguments."""
    command.add_argument("-f", "--file", action="append", help="a file, directory or glob to send (repeatable)")
    command.add_argument("--image", action="append", help="an image URL or local image (repeatable)")
    command.add_argument("-o", "--output", help="save the answer to this file (never replacing one)")
    command.add_argument("--dry-run", action="store_true", help="show what would be sent and its cost; call nothing")


def _context(args: argparse.Namespace) -> dict[str, Any]:
    return {"files": args.file, "images": args.image, "output_file": args.output, "dry_run": args.dry_run or None}


def _prompt(args: argparse.Namespace) -> str:
    return sys.stdin.read() if args.prompt == "-" else str(args.prompt)


def _settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(
        base_url=args.base_url, default_model=args.model, call_deadline_s=args.deadline, log_level=args.log_level
    )


def serve(args: argparse.Namespace) -> None:
    """Run the MCP server until the client goes away, then leave at once."""
    settings = _settings_from(args)
    configure_logging(settings.log_level, settings.secrets())
    import anyio

    from .server import build_server
    from .transport import check_bind, serve_http, serve_stdio

    if args.http and args.workers > 1:
        check_bind(settings, args.host)
        serve_workers(args, settings)
        return
    server = build_server(settings)
    if args.http:
        anyio.run(serve_http, server, settings, args.host, args.port)  # refuses an unsafe bind itself
        return
    anyio.run(serve_stdio, server)  # exits the process itself once done


def serve_workers(args: argparse.Namespace, settings: Settings) -> None:
    """Several worker processes behind one port; each builds its server from the environment, so the flags
    given here are handed down as variables."""
    import uvicorn

    from .asgi import BIND_HOST_ENV

    overrides = {
        "MIXROUTER_BASE_URL": args.base_url,
        "MIXROUTER_DEFAULT_MODEL": args.model,
        "MIXROUTER_CALL_DEADLINE_S": None if args.deadline is None else str(args.deadline),
        "MIXROUTER_LOG_LEVEL": args.log_level,
        BIND_HOST_ENV: args.host,
    }
    os.environ.update({name: value for name, value in overrides.items() if value is not None})
    if not settings.mcp_store.startswith(("redis://", "rediss://", "unix://")):
        print(
            "note: workers share conversations through the SQLite file; use Redis to scale across machines",
            file=sys.stderr,
        )
    uvicorn.run(
        "mixrouter_mcp.asgi:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=None,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=1,
    )


def run_command(args: argparse.Namespace) -> int:
    """The terminal commands: they call the tools through an in-memory MCP client."""
    overrides = {"base_url": args.base_url, "default_model": args.model, "call_deadline_s": args.deadline}
    settings = _settings_from(args)
    configure_logging(settings.log_level, settings.secrets())
    import anyio

    from . import commands

    if args.command == "models":
        return anyio.run(commands.models, settings, args.contains)
    if args.command == "ask":
        return anyio.run(
            lambda: commands.ask(
                settings,
                _prompt(args),
                args.ask_model,
                args.think,
                system=args.system,
                max_tokens=args.max_tokens,
                conversation_id=args.conversation,
                max_cost_usd=args.max_cost,
                fallback_models=args.fallback,
                **_context(args),
            )
        )
    if args.command == "compare":
        return anyio.run(
            lambda: commands.compare(
                settings,
                _prompt(args),
                args.compare_models,
                args.judge,
                args.think,
                max_cost_usd=args.max_cost,
                **_context(args),
            )
        )
    return anyio.run(commands.doctor, settings, overrides)


SIGPIPE_EXIT = 141  # what a shell reports for a command whose reader went away (128 + SIGPIPE)


def _to_a_pipe(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a terminal command whose output may go to a reader that stops early (`mixrouter-mcp models | head`)."""
    try:
        code = command(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # Nothing more can be shown; point stdout at the null device so the flush at exit raises nothing either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return SIGPIPE_EXIT
    return code


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command in ("models", "ask", "compare", "doctor"):
        sys.exit(_to_a_pipe(run_command, args))
    if args.command == "demo":
        configure_logging("WARNING")
        from .demo import run_demo

        sys.exit(run_demo())
    if args.command == "emulator":
        configure_logging("WARNING")
        from .emulator import DEFAULT_KEY, serve_forever

        print(f"mixrouter emulator on http://{args.host}:{args.port} (key: {args.key or DEFAULT_KEY})", file=sys.stderr)
        serve_forever(args.host, args.port, args.key or DEFAULT_KEY, args.gateway)
        return
    serve(args)
