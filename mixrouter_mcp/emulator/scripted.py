"""A scripted upstream for hostile-byte tests: it answers every request with exactly the bytes it is told to.

The emulator speaks mixrouter faithfully; this one speaks whatever a test (or a fuzzer) scripts: any status, any
headers, a body given whole, in chunks, or from an endless generator, with pauses between chunks. It runs on a
loopback port in its own thread, like `BackgroundEmulator`, and records each request it read.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import TracebackType


@dataclass
class Reply:
    """One scripted response. `body` is sent as it is: one bytes object, or pieces (a generator may never end),
    `gap` seconds apart. No Content-Length unless the headers give one: the end of the body is the connection's."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})
    body: bytes | Iterable[bytes] | Callable[[], Iterable[bytes]] = b""
    gap: float = 0.0

    def pieces(self) -> Iterator[bytes]:
        body = self.body() if callable(self.body) else self.body
        return iter([body]) if isinstance(body, bytes) else iter(body)


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)


class ScriptedUpstream:
    """`with ScriptedUpstream() as upstream: upstream.script(Reply(...)); ... upstream.url`"""

    def __init__(self) -> None:
        self.url = ""
        self.requests: list[SeenRequest] = []
        self._replies: dict[str, Reply] = {"": Reply(body=b"{}")}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="scripted-upstream", daemon=True)
        self._server: asyncio.base_events.Server | None = None

    def script(self, reply: Reply, path: str = "") -> None:
        """Answer every following request whose path starts with `path` (the longest such prefix wins) with
        `reply`; without `path`, every request no other prefix claims."""
        self._replies[path] = reply

    def reset(self) -> None:
        self._replies = {"": Reply(body=b"{}")}
        self.requests.clear()

    def _reply_for(self, path: str) -> Reply:
        prefix = max((p for p in self._replies if path.startswith(p)), key=len)
        return self._replies[prefix]

    def __enter__(self) -> ScriptedUpstream:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0), self._loop
        ).result(timeout=10)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        asyncio.run_coroutine_threadsafe(self._shut_down(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()

    async def _shut_down(self) -> None:
        """Close the listener and cancel the responses still being sent (an endless body never ends)."""
        if self._server is not None:
            self._server.close()
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client hung up before the end: what a capped read does
        finally:
            writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, path, *_ = [*request_line.split(" "), "", ""]
        headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines if h)}
        body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
        self.requests.append(SeenRequest(method, path, headers, body))
        reply = self._reply_for(path)
        lines = [f"HTTP/1.1 {reply.status} Scripted", "connection: close"]
        lines += [f"{name}: {value}" for name, value in reply.headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        for index, piece in enumerate(reply.pieces()):
            if index and reply.gap:
                await asyncio.sleep(reply.gap)
            writer.write(piece)
            await writer.drain()
        return False  # one response per connection: its end is the connection's
