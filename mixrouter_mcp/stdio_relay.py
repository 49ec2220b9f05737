"""A relay between the client's pipes and the SDK's stdio transport, for what the SDK leaves undone.

The SDK drops a line it cannot parse without a reply (the client then waits for its own timeout), and on stdin EOF
it cancels requests that were about to answer. The relay runs in two OS threads, off the event loop:
- inbound: every line is checked as the SDK will check it; a malformed one is answered here (-32700 parse error,
  or -32600 invalid request with the id when it can be read) and never reaches the SDK. At EOF it waits up to
  `EOF_GRACE_S` for the requests already read to be answered, then closes the SDK's stdin.
- outbound: every line the SDK writes is copied to the client and flushed; a line that is not JSON-RPC (a stray
  write to fd 1) goes to stderr instead.

Only public SDK API is used: the relay swaps fds 0 and 1 for pipes before `run_stdio_async` claims them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sys
import threading
from typing import Any, BinaryIO

from mcp.types import JSONRPCRequest, jsonrpc_message_adapter
from pydantic import ValidationError

logger = logging.getLogger(__name__)
EOF_GRACE_S = 0.3  # requests read before EOF may finish this long; in-flight upstream calls are cancelled after
_END = b"\x00mixrouter-mcp relay end\n"
_RESPONSE_ID = re.compile(rb'^\{"jsonrpc":"2\.0","id":(-?\d+|"(?:[^"\\]|\\.)*"),"(?:result|error)"')
PARSE_ERROR, INVALID_REQUEST = -32700, -32600


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


class StdioRelay:
    """Install with `start()` before the SDK serves stdio; `finish()` once it returns, before exiting."""

    def __init__(self) -> None:
        self._wire_in = os.dup(0)
        self._wire_out: BinaryIO = os.fdopen(os.dup(1), "wb", buffering=0)
        sdk_in, self._to_sdk = os.pipe()
        self._from_sdk, sdk_out = os.pipe()
        os.dup2(sdk_in, 0)
        os.dup2(sdk_out, 1)
        os.close(sdk_in)
        os.close(sdk_out)
        self._write_lock = threading.Lock()
        self._answered = threading.Condition()
        self._pending: set[bytes] = set()
        self._inbound = threading.Thread(target=self._pump_in, name="stdio-relay-in", daemon=True)
        self._outbound = threading.Thread(target=self._pump_out, name="stdio-relay-out", daemon=True)

    def start(self) -> StdioRelay:
        self._inbound.start()
        self._outbound.start()
        return self

    def finish(self, timeout_s: float = 2.0) -> None:
        """Wait until every line the SDK wrote has reached the client."""
        try:
            os.write(1, _END)  # fd 1 is our pipe again once the SDK has released it
        except OSError:
            return
        self._outbound.join(timeout_s)

    def _send(self, data: bytes) -> None:
        # A client that is gone raises here; the parent watchdog or EOF ends us.
        with self._write_lock, contextlib.suppress(BrokenPipeError, ValueError):
            self._wire_out.write(data)

    def _pump_in(self) -> None:
        with os.fdopen(self._wire_in, "rb", buffering=1 << 16) as wire:
            for raw in wire:
                self._take(raw)
        with self._answered:
            self._answered.wait_for(lambda: not self._pending, EOF_GRACE_S)
        os.close(self._to_sdk)

    def _take(self, raw: bytes) -> None:
        line = raw.decode("utf-8", errors="replace")  # as the SDK's reader decodes
        if not line.strip():
            return
        try:
            message = jsonrpc_message_adapter.validate_json(line, by_name=False)  # exactly the SDK's check
        except ValidationError as invalid:
            error = _error_for(line, invalid)
            if error is not None:
                self._send(json.dumps(error, separators=(",", ":")).encode() + b"\n")
            return
        if isinstance(message, JSONRPCRequest):
            with self._answered:
                self._pending.add(json.dumps(message.id).encode())
        data = raw if raw.endswith(b"\n") else raw + b"\n"
        view = memoryview(data)
        while view:
            view = view[os.write(self._to_sdk, view) :]

    def _pump_out(self) -> None:
        with os.fdopen(self._from_sdk, "rb", buffering=1 << 16) as sdk:
            for line in sdk:
                if line == _END:
                    return
                if not line.startswith(b'{"jsonrpc"'):
                    sys.stderr.write(f"not JSON-RPC, kept off stdout: {line[:200]!r}\n")
                    continue
                self._send(line)
                self._settle(line)

    def _settle(self, line: bytes) -> None:
        match = _RESPONSE_ID.match(line)
        if match is not None:
            with self._answered:
                self._pending.discard(match.group(1))
                self._answered.notify_all()
