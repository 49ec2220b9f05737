"""Guards on the client's pipes, for what the SDK's stdio transport leaves undone, with no thread or pipe of ours.

The SDK drops a line it cannot parse without a reply (the client then waits for its own timeout), and on stdin EOF
it cancels requests that were about to answer. `guard_stdio()` puts checked streams in place of `sys.stdin`
and `sys.stdout` before `run_stdio_async` starts; the SDK serves streams that are not its process's fds in place, so
its own reader and writer threads run our checks:
- stdin: every line is checked as the SDK will check it; a malformed one is answered here (-32700 parse error, or
  -32600 invalid request with the id when it can be read) and never reaches the SDK. At EOF the reader waits up to
  `EOF_GRACE_S` for the requests already read to be answered before the SDK sees the end.
- stdout: only JSON-RPC lines reach the client; anything else written to `sys.stdout` (a stray `print`) goes to
  stderr, and so does whatever writes to fd 1 itself (a C library, a child process), as fd 1 then points at stderr.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import threading
from typing import Any

from mcp.types import JSONRPCRequest, jsonrpc_message_adapter
from pydantic import ValidationError

EOF_GRACE_S = 0.3  # requests read before EOF may finish this long; in-flight upstream calls are cancelled after
_RESPONSE_ID = re.compile(rb'^\{"jsonrpc":"2\.0","id":(-?\d+|"(?:[^"\\]|\\.)*"),"(?:result|error)"')
PARSE_ERROR, INVALID_REQUEST = -32700, -32600
READ_BUFFER = 1 << 16


def _error_for(line: str, error: ValidationError) -> dict[str, Any] | None:
    """The JSON-RPC error that answers a line the SDK refused, or None for a notification (which gets no reply,
    even when malformed)."""
    try:
        payload = json.loads(line)  # Python's parser is lenient (lone surrogates, NaN): it may still find an id
    except (ValueError, RecursionError):
        payload = None
    request_id = payload.get("id") if isinstance(payload, dict) else None
    if isinstance(request_id, bool) or not isinstance(request_id, int | str):
        request_id = None
    if isinstance(payload, dict) and "method" in payload and "id" not in payload:
        return None  # a notification: JSON-RPC answers none
    not_json = payload is None or any(e["type"] == "json_invalid" for e in error.errors())
    if not_json:
        reason = "the line is not valid JSON (or holds a lone UTF-16 surrogate escape)"
        return _envelope(request_id, PARSE_ERROR, f"Parse error: {reason}")
    if isinstance(payload, list):
        reason = "batches are not supported; send one JSON-RPC message per line"
    else:
        reason = 'a JSON-RPC 2.0 message needs "jsonrpc": "2.0" and a "method" (requests also an "id")'
    return _envelope(request_id, INVALID_REQUEST, f"Invalid Request: {reason}")


def _envelope(request_id: int | str | None, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


class _Unanswered:
    """The ids of requests passed to the SDK and not yet answered, so EOF can wait for their replies."""

    def __init__(self) -> None:
        self._ids: set[bytes] = set()
        self._changed = threading.Condition()

    def add(self, request_id: bytes) -> None:
        with self._changed:
            self._ids.add(request_id)

    def settle(self, line: bytes) -> None:
        match = _RESPONSE_ID.match(line)
        if match is not None:
            with self._changed:
                self._ids.discard(match.group(1))
                self._changed.notify_all()

    def wait_until_answered(self, timeout_s: float) -> None:
        with self._changed:
            self._changed.wait_for(lambda: not self._ids, timeout_s)


class WireOut(io.BufferedIOBase):
    """The client's stdout: complete JSON-RPC lines go to the wire, each in one locked write; anything else goes to
    stderr, so not a byte of it reaches the client."""

    name = "<stdout>"  # what the text layer reports as its file's name

    def __init__(self, wire_fd: int, unanswered: _Unanswered) -> None:
        super().__init__()
        self._fd = wire_fd
        self._unanswered = unanswered
        self._lock = threading.Lock()
        self._partial = bytearray()  # the start of a line not yet ended

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        size = len(data)
        with self._lock:
            self._partial += data
            end = self._partial.rfind(b"\n") + 1
            lines, self._partial[:end] = bytes(self._partial[:end]), b""
        for line in lines.splitlines(keepends=True):
            self._deliver(line)
        return size

    def send(self, message: dict[str, Any]) -> None:
        """A reply of our own (to a line the SDK never saw)."""
        self._deliver(json.dumps(message, separators=(",", ":")).encode() + b"\n")

    def _deliver(self, line: bytes) -> None:
        if not line.startswith(b'{"jsonrpc"'):
            sys.stderr.write(f"not JSON-RPC, kept off stdout: {line[:200]!r}\n")
            return
        view = memoryview(line)
        # A client that is gone raises here; EOF on stdin or the parent watchdog ends us.
        with self._lock, contextlib.suppress(BrokenPipeError, OSError):
            while view:
                view = view[os.write(self._fd, view) :]
        self._unanswered.settle(line)


class WireIn(io.BufferedIOBase):
    """The client's stdin, a checked line per read: what the SDK's reader gets is always a message it accepts."""

    name = "<stdin>"

    def __init__(self, wire_fd: int, out: WireOut, unanswered: _Unanswered) -> None:
        super().__init__()
        self._wire = os.fdopen(wire_fd, "rb", buffering=READ_BUFFER, closefd=False)
        self._out = out
        self._unanswered = unanswered

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        """The next line the SDK will accept (whatever `size` says: the text layer asks for a chunk, and a line
        is one); b"" at EOF, once the requests already read have had `EOF_GRACE_S` to be answered."""
        while raw := self._wire.readline():
            if self._accepts(raw):
                return raw if raw.endswith(b"\n") else raw + b"\n"
        self._unanswered.wait_until_answered(EOF_GRACE_S)
        return b""

    read1 = read

    def _accepts(self, raw: bytes) -> bool:
        line = raw.decode("utf-8", errors="replace")  # as the SDK's reader decodes
        if not line.strip():
            return False
        try:
            message = jsonrpc_message_adapter.validate_json(line, by_name=False)  # exactly the SDK's check
        except ValidationError as invalid:
            error = _error_for(line, invalid)
            if error is not None:
                self._out.send(error)
            return False
        if isinstance(message, JSONRPCRequest):
            self._unanswered.add(json.dumps(message.id).encode())
        return True


class _PrintsToStderr(io.TextIOWrapper):
    """`sys.stdout` while serving: its `buffer` is the wire the SDK writes to; text printed to it goes to stderr."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def guard_stdio() -> None:
    """Put the checked streams in place, before the SDK serves stdio (POSIX only)."""
    wire_in, wire_out = os.dup(0), os.dup(1)  # above 2 (0-2 are open) and not inherited by children
    # fd 0 reads EOF and fd 1 writes to stderr from now on: a child or a C library never touches the wire.
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    unanswered = _Unanswered()
    out = WireOut(wire_out, unanswered)
    sys.stdout = _PrintsToStderr(out, encoding="utf-8", write_through=True)
    sys.stdin = io.TextIOWrapper(WireIn(wire_in, out, unanswered), encoding="utf-8", errors="replace")
