"""An offline mixrouter on loopback: faithful wire formats, deterministic answers, fault switches."""

from .app import DEFAULT_KEY, create_app
from .recorder import Exchange, Recorder
from .server import BackgroundEmulator, serve_forever

__all__ = ["DEFAULT_KEY", "BackgroundEmulator", "Exchange", "Recorder", "create_app", "serve_forever"]
