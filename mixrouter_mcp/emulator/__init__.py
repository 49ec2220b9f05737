"""An offline mixrouter on loopback: faithful wire formats, deterministic answers, fault switches.

Python API (each instance has its own state; importing starts and reads nothing):
- `create_app(api_key=..., recorder=..., models=..., replies=...)`: the ASGI app;
- `BackgroundEmulator(api_key=..., models=..., replies=...)`: it on a free loopback port in a thread
  (`with BackgroundEmulator() as emulator: emulator.url, emulator.recorder.exchanges()`);
- `EmulatedModel`: a catalogue entry (id, owner, endpoint types, how it thinks); `CATALOGUE`: the default ones;
- `mixrouter_mcp.emulator.fixtures`: the pytest fixtures `mixrouter_emulator` and `mixrouter_env`.
"""

from .answers import Replies
from .app import DEFAULT_KEY, create_app
from .catalogue import CATALOGUE, EmulatedModel
from .recorder import Exchange, Recorder
from .server import BackgroundEmulator, serve_forever

__all__ = [
    "CATALOGUE",
    "DEFAULT_KEY",
    "BackgroundEmulator",
    "EmulatedModel",
    "Exchange",
    "Recorder",
    "Replies",
    "create_app",
    "serve_forever",
]
