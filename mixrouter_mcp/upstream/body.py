"""Reading response bodies with a cap on the *decoded* bytes, whatever the upstream sends.

httpx inflates a whole network chunk at once, so one small gzip chunk of zeros can grow to tens of megabytes before
any count could stop it. We read the raw bytes and inflate them ourselves, at most `STEP` bytes at a time.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterable, Iterator

import httpx2

from .errors import InvalidResponse

STEP = 64 * 1024  # the most one inflate step produces
ACCEPT_ENCODING = "gzip, deflate"  # what we ask for, and all we decode
_GZIP = ("gzip", "x-gzip")


class ResponseTooLarge(InvalidResponse):
    """The decoded body grew past the configured cap."""


class _Inflater:
    """gzip or deflate (zlib-wrapped, or raw as some servers send it), inflated in bounded steps."""

    def __init__(self, encoding: str) -> None:
        self._raw_fallback = encoding not in _GZIP
        self._decoder = zlib.decompressobj(zlib.MAX_WBITS | 16 if encoding in _GZIP else zlib.MAX_WBITS)

    def inflate(self, data: bytes) -> Iterator[bytes]:
        while data or not self._decoder.eof:
            try:
                piece = self._decoder.decompress(data, STEP)
            except zlib.error as exc:
                if not self._raw_fallback:
                    raise InvalidResponse(f"mixrouter sent a body that does not decompress: {exc}") from exc
                self._raw_fallback = False
                self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)  # deflate without the zlib header
                continue
            self._raw_fallback = False
            if piece:
                yield piece
            data = self._decoder.unconsumed_tail
            if not data and len(piece) < STEP:
                return  # input used up and nothing buffered: wait for the next chunk


def _through(inflater: _Inflater, pieces: Iterable[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        yield from inflater.inflate(piece)


def _inflaters(response: httpx2.Response) -> list[_Inflater]:
    header = response.headers.get("content-encoding", "")
    codings = [c.strip().lower() for c in header.split(",") if c.strip().lower() not in ("", "identity")]
    unsupported = [c for c in codings if c not in (*_GZIP, "deflate")]
    if unsupported:
        raise InvalidResponse(f"mixrouter answered in an encoding we did not ask for: {', '.join(unsupported)}")
    return [_Inflater(coding) for coding in reversed(codings)]  # the last coding applied is undone first


async def iter_decoded(response: httpx2.Response, cap: int, what: str = "response") -> AsyncIterator[bytes]:
    """The body's decoded bytes in bounded pieces; `ResponseTooLarge` as soon as more than `cap` have arrived."""
    inflaters = _inflaters(response)
    total = 0
    async for raw in response.aiter_raw():
        pieces: Iterable[bytes] = (raw,)
        for inflater in inflaters:
            pieces = _through(inflater, pieces)
        for piece in pieces:
            total += len(piece)
            if total > cap:
                raise ResponseTooLarge(
                    f"the {what} from mixrouter is larger than {cap:,} bytes (MIXROUTER_MAX_RESPONSE_BYTES); "
                    "stopped reading it",
                    status=response.status_code,
                )
            yield piece


async def read_capped(response: httpx2.Response, cap: int, *, truncate: bool = False, what: str = "response") -> bytes:
    """The whole decoded body of at most `cap` bytes: beyond it `ResponseTooLarge`, or with `truncate` its first
    `cap` bytes (for error bodies, whose message comes first and whose rest is not worth the memory)."""
    body = bytearray()
    try:
        async for piece in iter_decoded(response, cap, what):
            body += piece
    except ResponseTooLarge:
        if not truncate:
            raise
    return bytes(body[:cap])
