"""Fuzzing the upstream side (issue 11): random bytes, random JSON and random SSE framings from a loopback upstream
into every wire format, through the real stdio entry point. Whatever arrives, the server keeps answering, every
stdout line is JSON-RPC, and every result is an answer or an `isError` that gives a reason."""

from __future__ import annotations

import gzip
import json
import os
import select
import subprocess
import time
from collections.abc import Iterator
from itertools import count, pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mixrouter_mcp.emulator.scripted import Reply, ScriptedUpstream

from .conftest import TEST_KEY
from .processes import INITIALIZE, INITIALIZED, SERVER_COMMAND
from .wires import STREAMS, WIRES

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
BARE_FAILURE = "Error executing tool ask_model"  # what the SDK says when a tool raised something unexpected


class StdioPeer:
    """The server as a child process, driven line by line like an MCP client over stdio."""

    def __init__(self, upstream: ScriptedUpstream) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MIXROUTER_")}
        env.update(
            MIXROUTER_BASE_URL=upstream.url,
            MIXROUTER_API_KEY=TEST_KEY,
            MIXROUTER_RETRY_BACKOFF_S="0.01",
            MIXROUTER_MAX_RETRIES="1",
            MIXROUTER_CALL_DEADLINE_S="5",
            MIXROUTER_STREAM_IDLE_TIMEOUT_S="2",
        )
        self.process = subprocess.Popen(
            SERVER_COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
        )
        self._ids = count(10)
        self._buffer = b""
        self.request(INITIALIZE, request_id=1)
        self.send(INITIALIZED)

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()

    def request(self, message: dict[str, Any], request_id: int | None = None) -> dict[str, Any]:
        """Send a request and return its reply; every line read on the way must be JSON-RPC."""
        request_id = request_id if request_id is not None else next(self._ids)
        self.send({**message, "id": request_id})
        deadline = time.monotonic() + 30
        while True:
            for line in self._lines(deadline):
                parsed = json.loads(line)  # fails the test on any non-JSON byte
                assert parsed.get("jsonrpc") == "2.0", line
                if parsed.get("id") == request_id:
                    return dict(parsed)

    def _lines(self, deadline: float) -> Iterator[bytes]:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            assert remaining > 0, "the server stopped answering"
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 1 << 16)
                assert chunk, f"the server exited (code {self.process.poll()})"
                self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        yield from (line for line in lines if line.strip())

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.fixture(scope="module")
def upstream() -> Iterator[ScriptedUpstream]:
    with ScriptedUpstream() as running:
        yield running


@pytest.fixture(scope="module")
def peer(upstream: ScriptedUpstream) -> Iterator[StdioPeer]:
    running = StdioPeer(upstream)
    yield running
    running.close()


def ask(peer: StdioPeer, wire: str) -> None:
    """One call: the reply is a result, an answer or an isError with a reason; and the server still answers."""
    params = {"name": "ask_model", "arguments": {"prompt": "fuzz", **WIRES[wire]}}
    reply = peer.request({"jsonrpc": "2.0", "method": "tools/call", "params": params})
    assert "result" in reply, reply
    result = reply["result"]
    text = "".join(block.get("text", "") for block in result["content"])
    if result.get("isError"):
        assert text.startswith(BARE_FAILURE + ": ") and len(text) > len(BARE_FAILURE) + 10, text
    else:
        assert text.strip(), result
    assert "result" in peer.request({"jsonrpc": "2.0", "method": "ping"})


wires = st.sampled_from(sorted(WIRES))
statuses = st.sampled_from([200, 200, 200, 400, 401, 404, 429, 500, 502, 503])
content_types = st.sampled_from(["application/json", "text/event-stream", "text/html", "", "application/x-garbage"])
surrogate_text = st.one_of(
    st.text(max_size=40), st.sampled_from(["\ud83d", "\ude00", "\ud800x", "a\udfffb", "😀", "\u2028", "\x00"])
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | surrogate_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(surrogate_text, children, max_size=4),
    max_leaves=20,
)
line_ends = st.sampled_from(["\n", "\r\n", "\r"])


def _headers(content_type: str, gzipped: bool) -> dict[str, str]:
    headers = {"content-type": content_type} if content_type else {}
    return {**headers, "content-encoding": "gzip"} if gzipped else headers


@FUZZ
@given(wire=wires, status=statuses, content_type=content_types, body=st.binary(max_size=2048), gzipped=st.booleans())
def test_random_bytes(
    peer: StdioPeer, upstream: ScriptedUpstream, wire: str, status: int, content_type: str, body: bytes, gzipped: bool
) -> None:
    packed = gzip.compress(body) if gzipped and body[:1] != b"\x00" else body  # sometimes gzip-labelled garbage
    upstream.script(Reply(status=status, headers=_headers(content_type, gzipped), body=packed))
    ask(peer, wire)


@FUZZ
@given(wire=wires, status=statuses, value=json_values)
def test_random_json(peer: StdioPeer, upstream: ScriptedUpstream, wire: str, status: int, value: Any) -> None:
    upstream.script(Reply(status=status, body=json.dumps(value).encode()))
    ask(peer, wire)


sse_events = st.one_of(
    st.tuples(st.just("wire"), st.lists(st.tuples(st.sampled_from(["text", "reasoning"]), surrogate_text), max_size=4)),
    st.tuples(st.just("json"), json_values),
    st.tuples(st.just("raw"), st.text(max_size=60)),
    st.tuples(st.just("comment"), st.text(max_size=20)),
)


def _sse_body(wire: str, events: list[tuple[str, Any]], end: str) -> str:
    frames: list[str] = []
    for kind, value in events:
        if kind == "wire":
            frames += STREAMS[wire](value)
        elif kind == "json":
            frames.append(f"data: {json.dumps(value)}\n\n")
        elif kind == "raw":
            frames.append(f"{value}\n\n")
        else:
            frames.append(f": {value}\n\n")
    return "".join(frames).replace("\n", end)


@FUZZ
@given(wire=wires, events=st.lists(sse_events, max_size=6), end=line_ends, cuts=st.lists(st.integers(0, 4000)))
def test_random_sse_framings(
    peer: StdioPeer, upstream: ScriptedUpstream, wire: str, events: list[tuple[str, Any]], end: str, cuts: list[int]
) -> None:
    body = _sse_body(wire, events, end).encode("utf-8", "surrogatepass")
    points = sorted({c % (len(body) + 1) for c in cuts} | {0, len(body)})
    pieces = [body[a:b] for a, b in pairwise(points) if b > a]  # split anywhere, even inside a character
    upstream.script(Reply(headers={"content-type": "text/event-stream"}, body=pieces))
    ask(peer, wire)
