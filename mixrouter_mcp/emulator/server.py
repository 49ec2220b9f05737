"""Serve the emulator with uvicorn: in the foreground (CLI) or on a background thread (tests, demo, bench)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from types import TracebackType

import uvicorn

from .answers import Replies
from .app import DEFAULT_KEY, create_app
from .billing import Billing
from .catalogue import EmulatedModel
from .gateway import Gateway
from .recorder import Recorder


def serve_forever(
    host: str = "127.0.0.1", port: int = 8900, api_key: str = DEFAULT_KEY, gateway: Gateway = "docs"
) -> None:
    """Run the emulator until interrupted."""
    uvicorn.run(create_app(api_key, gateway=gateway), host=host, port=port, log_level="warning")


class BackgroundEmulator:
    """The emulator on a free loopback port, in its own thread and event loop.

    >>> with BackgroundEmulator() as emulator:
    ...     emulator.url  # 'http://127.0.0.1:41234'
    """

    def __init__(
        self,
        api_key: str = DEFAULT_KEY,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        models: Iterable[EmulatedModel | str] | None = None,
        replies: Replies | None = None,
        gateway: Gateway = "docs",
    ) -> None:
        self.api_key = api_key
        self.gateway = gateway
        self.recorder = Recorder()
        self.billing = Billing()  # switch the billing endpoints off, or set the key's quota, while it runs
        app = create_app(api_key, self.recorder, models=models, replies=replies, prices=self.billing, gateway=gateway)
        config = uvicorn.Config(app, host=host, port=port, log_level="error", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="mixrouter-emulator", daemon=True)
        self.url = ""

    def start(self) -> BackgroundEmulator:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the mixrouter emulator did not start")
            time.sleep(0.01)
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)

    def __enter__(self) -> BackgroundEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
