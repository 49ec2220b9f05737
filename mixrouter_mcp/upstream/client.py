"""The only module that talks to mixrouter: one pooled `httpx2.AsyncClient`, retries, deadlines, stream idling.

Every failure leaves here as an `UpstreamError`; nothing here knows about MCP.
"""

from __future__ import annotations

import codecs
import logging
import math
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any, TypeVar

import anyio
import httpx2

from .. import __version__
from ..config import API_KEY_ENV, Settings
from ..vocabulary import VideoApi, VideoBody
from .body import ACCEPT_ENCODING, ResponseTooLarge, iter_decoded, read_capped
from .errors import (
    ConnectFailed,
    DeadlineExceeded,
    InsufficientCredits,
    InvalidResponse,
    MissingApiKey,
    ModelNotAllowed,
    StreamBroken,
    StreamStalled,
    UpstreamError,
    error_from_response,
)
from .jsontext import loads
from .preparation import prepare
from .protocols import WIRE_FORMATS, StreamAssembler, WireFormat, billing, messages, models, videos
from .sanitize import Sanitizer
from .sse import LineSplitter, SseDecoder, SseEvent
from .types import (
    Completion,
    Delta,
    HttpRequest,
    KeyQuota,
    ModelInfo,
    Query,
    VideoRequest,
    VideoSubmission,
    VideoTask,
)

logger = logging.getLogger(__name__)

DeltaHandler = Callable[[Delta], Awaitable[None]]
ChunkSink = Callable[[bytes], Awaitable[object]]
T = TypeVar("T")
_MAX_BACKOFF_S = 8.0
_BILLING_DEADLINE_S = 10.0  # a price list or a quota is worth a short wait, not a call's whole deadline
ERROR_BODY_BYTES = 64 * 1024  # an error's message comes first; more is not worth reading


class MixRouterClient:
    """Calls mixrouter. Create once per process (in the server's lifespan) and share."""

    def __init__(self, settings: Settings, transport: httpx2.AsyncBaseTransport | None = None) -> None:
        self._settings = settings
        # No read timeout: every request runs under a deadline of our own, and a thinking model may stay silent
        # (no `: PING`, off by default in new-api) for as long as the call allows before its first token. The
        # stream idle timer starts at the first data event (`_read_stream`).
        timeout = httpx2.Timeout(
            connect=settings.connect_timeout_s,
            read=None,
            write=30.0,
            pool=settings.call_deadline_s,
        )
        limits = httpx2.Limits(
            max_connections=settings.max_connections,
            max_keepalive_connections=min(settings.max_connections, 32),
            keepalive_expiry=60.0,
        )
        self._http = httpx2.AsyncClient(
            base_url=settings.base_url,
            transport=transport,
            timeout=timeout,
            limits=limits,
            headers={"User-Agent": f"mixrouter-mcp/{__version__}", "Accept-Encoding": ACCEPT_ENCODING},
        )
        self._slots = anyio.CapacityLimiter(settings.max_connections)
        self._policy = settings.model_policy()
        self._clean = Sanitizer(settings.api_key_value())
        self._max_bytes = settings.max_response_bytes
        # What this gateway was found to accept, learnt on the first refusal and kept for the process.
        self._video_body: VideoBody = "legacy"
        self._video_poll: VideoApi = settings.video_api

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> MixRouterClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def complete(
        self,
        query: Query,
        on_delta: DeltaHandler | None = None,
        deadline_s: float | None = None,
        retry_within_s: float | None = None,
    ) -> Completion:
        """Ask one model on the wire format that suits it; stream when asked, calling `on_delta` for each piece.

        The completion carries the wire used, the thinking switch applied and notes on any parameter changed.
        `deadline_s` replaces the configured per-call deadline for this call; a retry is waited for only when it
        starts within `retry_within_s` (default: the deadline).
        """
        self._check_policy(query.model)
        prepared = prepare(query, self._settings.api)
        wire_format = WIRE_FORMATS[prepared.wire]
        request = wire_format.build(prepared.query)
        on_clean_delta = None if on_delta is None else self._cleaning(on_delta)
        completion = await self._call(
            lambda: self._send_completion(wire_format, request, query.model, on_clean_delta), deadline_s, retry_within_s
        )
        adapted = replace(
            completion,
            wire=prepared.wire.value,
            notes=(*prepared.notes, *completion.notes, *self._served_note(completion.model)),
            applied=prepared.applied,
        )
        return self._clean.completion(adapted)

    def _check_policy(self, model: str) -> None:
        refusal = self._policy.refusal(model)
        if refusal is not None:
            raise ModelNotAllowed(f"{refusal}; nothing was sent")

    def _served_note(self, served: str | None) -> tuple[str, ...]:
        """mixrouter may answer with another model than the one asked (a channel mapping): say so when the model
        policy would have refused it, as that cannot be known before the answer."""
        refusal = self._policy.refusal(served) if served else None
        return (f"mixrouter answered with another model than the one asked: {refusal}",) if refusal else ()

    def _cleaning(self, on_delta: DeltaHandler) -> DeltaHandler:
        async def handler(delta: Delta) -> None:
            await on_delta(self._clean.delta(delta))

        return handler

    def output_ceiling(self, query: Query) -> int | None:
        """The most output tokens `query` may produce as it will be sent (thinking budgets included), if bounded."""
        prepared = prepare(query, self._settings.api)
        sent = prepared.query
        ceiling = sent.max_tokens or sent.extra.get("max_completion_tokens")
        if ceiling is None and prepared.wire.value == "messages":
            ceiling = messages.DEFAULT_MAX_TOKENS
        return ceiling if isinstance(ceiling, int) else None

    async def price_list(self) -> Any:
        """mixrouter's public price list (new-api `GET /api/pricing`), as JSON."""
        return await self.call_json(billing.build_pricing(), deadline_s=_BILLING_DEADLINE_S)

    async def token_quota(self) -> KeyQuota:
        """This key's own quota (new-api `GET /api/usage/token/`)."""
        body = await self.call_json(billing.build_token_usage(), deadline_s=_BILLING_DEADLINE_S)
        return billing.parse_token_usage(body)

    async def submit_video(self, request: VideoRequest) -> VideoSubmission:
        """Start a video task: its id, and notes on what the gateway may not honour.

        The body goes in the shape this gateway last accepted; refused for its shape (new-api from mid-2026 takes
        only Ark's content[]; earlier ones only a prompt), it is sent once more in the other shape."""
        self._check_policy(request.model)
        api, shape = self._settings.video_api, self._video_body
        try:
            body = await self.call_json(videos.build_submit(request, api, shape))
        except UpstreamError as error:
            other = videos.other_body(error, shape)
            if other is None:
                raise
            logger.info("the gateway refused the %s video body; sending the %s one", shape, other)
            shape = self._video_body = other
            body = await self.call_json(videos.build_submit(request, api, shape))
        notes, unconfirmed = videos.submit_notes(request, shape), videos.unconfirmed_options(request, shape)
        return VideoSubmission(videos.parse_submit(body), notes, unconfirmed)

    async def poll_video(self, task_id: str) -> VideoTask:
        """Where a video task stands (the id is checked before it becomes a path segment). A route this gateway
        lacks (404) or cannot serve for this task (501, new-api of Dec 2025 on /v1/videos) gives way to the other
        one, which is then kept."""
        api = self._video_poll
        try:
            body = await self.call_json(videos.build_poll(task_id, api))
        except UpstreamError as error:
            other = videos.other_route(error, api)
            if other is None:
                raise
            body = await self.call_json(videos.build_poll(task_id, other))
            logger.info("video tasks are read from the %s route from now on (%s answered %s)", other, api, error.status)
            self._video_poll = other
        return videos.parse_task(body, task_id)

    async def call_json(self, request: HttpRequest, deadline_s: float | None = None) -> Any:
        """One JSON request with the usual retries, deadline and error mapping."""

        async def attempt() -> Any:
            async with self._open(request) as response:
                return self._clean.tree(await self._read_json(response))

        return await self._call(attempt, deadline_s)

    async def download(self, url: str, sink: ChunkSink, max_bytes: int, deadline_s: float | None = None) -> int:
        """Stream `url` into `sink` within the call deadline; the bytes written. Redirects are followed (signed
        video URLs often point at a CDN); the key is never sent: video URLs are signed and live on other hosts."""
        deadline = deadline_s or self._settings.call_deadline_s
        written = 0
        try:
            with anyio.fail_after(deadline):
                async with self._slots, self._http.stream("GET", url, follow_redirects=True) as response:
                    if response.status_code >= 400:
                        body = await read_capped(response, ERROR_BODY_BYTES, truncate=True)
                        raise error_from_response(response.status_code, response.headers, body)
                    async for chunk in iter_decoded(response, max_bytes, what="video (MIXROUTER_MAX_VIDEO_BYTES)"):
                        written += len(chunk)
                        await sink(chunk)
        except TimeoutError as exc:
            raise DeadlineExceeded(f"the download did not finish within the {deadline:g} s deadline") from exc
        except UpstreamError as error:
            raise self._clean.error(error) from None
        except (httpx2.ConnectError, httpx2.ConnectTimeout) as exc:
            raise ConnectFailed(f"cannot reach {httpx2.URL(url).host}: {type(exc).__name__}") from exc
        except (httpx2.TransportError, httpx2.TooManyRedirects) as exc:
            raise StreamBroken(f"the download broke off: {type(exc).__name__}") from exc
        return written

    async def list_models(self) -> list[ModelInfo]:
        """The models mixrouter serves to this key that the model policy allows."""
        request = models.build()

        async def attempt() -> list[ModelInfo]:
            async with self._open(request) as response:
                served = models.parse(await self._read_json(response))
                return [self._clean.model_info(m) for m in served if self._policy.allows(m.id)]

        return await self._call(attempt)

    async def _call(
        self, attempt: Callable[[], Awaitable[T]], deadline_s: float | None = None, retry_within_s: float | None = None
    ) -> T:
        """Run `attempt` with retries, all inside one per-call deadline."""
        if not self._settings.api_key_value():
            raise MissingApiKey(f"no mixrouter API key is configured: set {API_KEY_ENV}")
        deadline = deadline_s or self._settings.call_deadline_s
        ends_at = anyio.current_time() + min(deadline, retry_within_s or deadline)
        try:
            with anyio.fail_after(deadline):
                return await self._retrying(attempt, ends_at)
        except TimeoutError as exc:
            raise DeadlineExceeded(f"mixrouter did not finish within the {deadline:g} s deadline") from exc

    async def _retrying(self, attempt: Callable[[], Awaitable[T]], ends_at: float) -> T:
        retries = 0
        while True:
            try:
                return await attempt()
            except UpstreamError as error:
                self._clean.error(error)  # before it is logged, retried or shown
                delay = self._retry_delay(error, retries, ends_at - anyio.current_time())
                if delay is None:
                    error.attempts = retries + 1
                    raise
                retries += 1
                logger.warning("mixrouter %s (%s); retry %d in %.2f s", error.status, error.message, retries, delay)
                await anyio.sleep(delay)

    def _retry_delay(self, error: UpstreamError, retries: int, remaining: float) -> float | None:
        """Seconds to wait before the next try, or None when this error must not be retried."""
        if retries >= self._settings.max_retries or error.partial_text:
            return None
        # A 402 is a wait-and-retry case only when the server says when (an in-flight spending budget).
        retryable = error.retryable or (isinstance(error, InsufficientCredits) and error.retry_after is not None)
        if error.should_retry is False or not (retryable or error.should_retry):
            return None
        backoff = min(self._settings.retry_backoff_s * 2**retries, _MAX_BACKOFF_S)
        jittered = backoff * (1 - 0.25 * random.random())
        # A Retry-After of 0 from a struggling server is no reason to hammer it: never wait less than our backoff.
        delay = jittered if error.retry_after is None else max(error.retry_after, jittered)
        return delay if delay < remaining else None

    @asynccontextmanager
    async def _open(self, request: HttpRequest) -> AsyncIterator[httpx2.Response]:
        """Send `request`; yield a 2xx response still open for reading; map transport failures."""
        headers = {"Authorization": f"Bearer {self._settings.api_key_value()}", **request.headers}
        if request.stream:
            headers["Accept"] = "text/event-stream"
        async with self._slots:
            try:
                async with self._http.stream(request.method, request.path, json=request.json, headers=headers) as resp:
                    if resp.status_code >= 400:
                        body = await read_capped(resp, ERROR_BODY_BYTES, truncate=True, what="error body")
                        raise error_from_response(resp.status_code, resp.headers, body)
                    yield resp
            except (httpx2.ConnectError, httpx2.ConnectTimeout) as exc:
                raise ConnectFailed(
                    f"cannot reach mixrouter at {self._settings.base_url}: {type(exc).__name__}"
                ) from exc
            except httpx2.PoolTimeout as exc:
                raise ConnectFailed("no free connection to mixrouter (too many calls at once)") from exc
            except (httpx2.RemoteProtocolError, httpx2.ReadError, httpx2.WriteError) as exc:
                # The connection dropped before any response: safe to try again.
                raise ConnectFailed(f"the connection to mixrouter dropped: {type(exc).__name__}") from exc

    async def _send_completion(
        self, wire_format: WireFormat, request: HttpRequest, model: str, on_delta: DeltaHandler | None
    ) -> Completion:
        async with self._open(request) as response:
            if "text/event-stream" in response.headers.get("content-type", ""):
                return await self._read_stream(response, wire_format.stream(model), on_delta)
            return wire_format.parse(await self._read_json(response), model)

    async def _read_json(self, response: httpx2.Response) -> Any:
        try:
            raw = await read_capped(response, self._max_bytes)
        except httpx2.TransportError as exc:
            raise StreamBroken(f"the connection to mixrouter broke: {type(exc).__name__}") from exc
        text = raw.decode("utf-8", errors="replace").strip()  # DeepSeek may pad bodies with blank lines
        del raw
        try:
            return loads(text)
        except ValueError as exc:
            snippet = " ".join(text.split())[:200] or "(empty body)"
            raise InvalidResponse(
                f"invalid response from mixrouter (status {response.status_code}): {snippet}",
                status=response.status_code,
            ) from exc

    async def _read_stream(
        self, response: httpx2.Response, assembler: StreamAssembler, on_delta: DeltaHandler | None
    ) -> Completion:
        """Feed SSE events to `assembler` until its terminator; a stream silent (comments aside) for longer than
        the idle timeout after its first data event is stalled (before it, only the call deadline applies: a
        thinking model may think for minutes first). One movable deadline keeps this cheap: moving it costs a
        timer, so it is moved at most once per 16th of the idle timeout, to `idle + slack` ahead: a stall is
        declared after at least `idle` seconds of silence, and at most a 16th more."""
        decoder = SseDecoder()
        idle = self._settings.stream_idle_timeout_s
        slack = idle / 16
        rearm_at = -math.inf
        lines = _sse_lines(response, self._max_bytes)
        streamed = False
        with anyio.CancelScope() as idle_scope:
            try:
                async for line in lines:
                    event = decoder.feed(line)
                    if event is None:
                        continue
                    now = anyio.current_time()
                    if now >= rearm_at:
                        idle_scope.deadline, rearm_at = now + idle + slack, now + slack
                    streamed = await self._feed(assembler, event, streamed, on_delta)
                    if assembler.done:
                        break
                else:
                    last = decoder.flush()  # a final event not closed by a blank line
                    if last is not None:
                        streamed = await self._feed(assembler, last, streamed, on_delta)
            except (httpx2.TransportError, httpx2.StreamError) as exc:
                raise StreamBroken(
                    f"the stream from mixrouter broke: {type(exc).__name__}", partial_text=assembler.partial_text
                ) from exc
            except ResponseTooLarge as error:
                error.partial_text = assembler.partial_text
                raise
        if idle_scope.cancelled_caught:
            raise StreamStalled(
                f"mixrouter sent no data for {idle:g} s; the answer is incomplete", partial_text=assembler.partial_text
            )
        completion = assembler.finish()
        await self._drain(lines)
        return completion

    @staticmethod
    async def _drain(lines: AsyncIterator[str]) -> None:
        """Read what follows the terminator (usually nothing) so the connection goes back to the pool instead of
        being closed: with TLS that saves a handshake on the next call."""
        with anyio.move_on_after(1.0):
            try:
                async for _ in lines:
                    pass
            except (httpx2.TransportError, httpx2.StreamError, UpstreamError):
                pass

    @staticmethod
    async def _feed(assembler: StreamAssembler, event: SseEvent, streamed: bool, on_delta: DeltaHandler | None) -> bool:
        """Feed one event; True once any answer or reasoning has streamed. An error after that point is never
        retried (the tokens are already billed and shown), so it leaves as a broken stream."""
        try:
            delta = assembler.feed(event)
        except UpstreamError as error:
            if streamed and error.retryable:
                raise StreamBroken(
                    f"mixrouter stream failed mid-answer: {error.message}",
                    status=error.status,
                    request_id=error.request_id,
                    partial_text=assembler.partial_text,
                ) from error
            raise
        if delta.text or delta.reasoning:
            if on_delta is not None:
                await on_delta(delta)
            return True
        return streamed


async def _sse_lines(response: httpx2.Response, max_bytes: int) -> AsyncIterator[str]:
    """The body's lines as SSE defines them (CR, LF or CRLF), not as `str.splitlines` does; at most `max_bytes`
    decoded bytes in all, so an endless stream (or one endless line) cannot grow without bound."""
    splitter = LineSplitter()
    text = codecs.getincrementaldecoder("utf-8")(errors="replace")
    async for chunk in iter_decoded(response, max_bytes, what="stream"):
        for line in splitter.feed(text.decode(chunk)):
            yield line
    for line in splitter.feed(text.decode(b"", final=True)) + splitter.flush():
        yield line
