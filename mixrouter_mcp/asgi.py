"""`create_app()`: the streamable-HTTP app built from the environment, for `mixrouter-mcp --http --workers N`
(uvicorn imports it in each worker process) or any ASGI server: `uvicorn --factory mixrouter_mcp.asgi:create_app`."""

from __future__ import annotations

import os

from starlette.types import ASGIApp

from .config import load_settings
from .logs import configure_logging
from .server import build_server
from .transport import check_bind, http_app

BIND_HOST_ENV = "MIXROUTER_MCP_BIND_HOST"


def create_app() -> ASGIApp:
    settings = load_settings()
    configure_logging(settings.log_level, settings.secrets())
    host = os.environ.get(BIND_HOST_ENV, "127.0.0.1")
    check_bind(settings, host)
    return http_app(build_server(settings), settings, host)
