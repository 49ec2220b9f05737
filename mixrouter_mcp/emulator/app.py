"""The emulated mixrouter: a Starlette app that checks the key, applies fault switches and routes each wire format."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import billing, catalogue, error_bodies, videos
from .answers import Replies
from .call import Call
from .catalogue import EmulatedModel
from .chat import chat_completions
from .gateway import Gateway, gateway_named, key_state_error
from .gemini import generate
from .messages import messages
from .recorder import Exchange, Recorder
from .responses import responses
from .switches import HEADER, parse_switches

Handler = Callable[[Call], Awaitable[Response]]
DEFAULT_KEY = "sk-emulator-key"


class EmulatorState:
    """One emulator's own state (nothing is shared between instances): the accepted key, the models it serves,
    its scripted replies, the log, per-model failure counters for `failfirst`, its response id sequence."""

    def __init__(
        self,
        api_key: str,
        recorder: Recorder,
        models: Iterable[EmulatedModel | str] | None = None,
        replies: Replies | None = None,
        billing_state: billing.Billing | None = None,
        gateway: Gateway = "docs",
    ) -> None:
        self.api_key = api_key
        self.gateway = gateway_named(gateway)
        self.recorder = recorder
        served = catalogue.CATALOGUE if models is None else [catalogue.model_named(m) for m in models]
        self.models: dict[str, EmulatedModel] = {model.id: model for model in served}
        self.replies = replies
        self.failures: Counter[str] = Counter()
        self.prompt_cache: set[str] = set()  # system prompts already written to the (emulated) prompt cache
        self.video_tasks: dict[str, videos.VideoTask] = {}
        self.billing = billing_state or billing.Billing()
        self.next_id = itertools.count(1).__next__


def _presented_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-api-key") or request.headers.get("x-goog-api-key") or request.query_params.get("key")


def key_fingerprint(key: str) -> str:
    """How the emulator records a presented key: enough to tell which key it was, never the key itself."""
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()[:12]


def _public_headers(request: Request) -> dict[str, str]:
    secret = {"authorization", "x-api-key", "x-goog-api-key"}
    presented = _presented_key(request) or ""
    return {k: (key_fingerprint(presented) if k in secret else v) for k, v in request.headers.items()}


async def _sleep_watching(request: Request, seconds: float) -> bool:
    """Sleep, but notice a client that hangs up meanwhile; True if it did."""
    end = anyio.current_time() + seconds
    while (remaining := end - anyio.current_time()) > 0:
        await anyio.sleep(min(0.05, remaining))
        if await request.is_disconnected():
            return True
    return False


async def _admit(request: Request, state: EmulatorState, model_id: str | None) -> Call | Response:
    """Everything before the wire format: record, auth, body, switches, model, delay, injected status."""
    raw = await request.body()
    try:
        body: Any = json.loads(raw) if raw else {}
    except ValueError:
        body = None
    model_name = model_id or (body.get("model") if isinstance(body, dict) else None) or ""
    exchange = state.recorder.record(
        Exchange(request.method, request.url.path, str(model_name), body, _public_headers(request))
    )
    refusal = _refuse(request, state, body, str(model_name))
    if isinstance(refusal, Response):
        exchange.end("error")
        return refusal
    base, switches = refusal
    if switches.token:
        exchange.end("error")
        status, message, code = key_state_error(state.gateway, switches.token, state.api_key)
        return error_bodies.error_response(status, message=message, code=code)
    if switches.delay and await _sleep_watching(request, switches.delay):
        exchange.end("disconnected")
        return Response(status_code=499)
    if switches.faulty_status and (not switches.failfirst or state.failures[str(model_name)] < switches.failfirst):
        state.failures[str(model_name)] += 1
        exchange.end("error")
        leaked = f"invalid upstream credential {_presented_key(request)}" if switches.leakkey else None
        return error_bodies.error_response(
            switches.status,
            message=leaked,
            shape=switches.shape,
            empty=switches.empty,
            html=switches.html,
            retry_after=switches.retryafter,
        )
    if switches.leakkey:  # ... and so do the served model id and any video failure reason
        switches.served = f"{switches.served or base}-{_presented_key(request)}"
        switches.videofail = switches.videofail and f"{switches.videofail} (credential {_presented_key(request)})"
    if switches.badjson or switches.empty200:
        exchange.end("completed")
        body = "" if switches.empty200 else '{"id": "chatcmpl-broken", "choices": ['
        return Response(body, media_type="application/json")
    model = state.models[base]
    return Call(
        request=request,
        body=body,
        model=model,
        switches=switches,
        exchange=exchange,
        next_id=state.next_id,
        replies=state.replies,
        gateway=state.gateway,
    )


def _refuse(request: Request, state: EmulatorState, body: Any, model_name: str) -> Response | tuple[str, Any]:
    """A 4xx/5xx for a request mixrouter would turn away, else the bare model id and its switches."""
    if _presented_key(request) != state.api_key:
        return error_bodies.error_response(401)
    if not isinstance(body, dict):
        return error_bodies.error_response(400, message="invalid request body: not a JSON object")
    try:
        base, switches = parse_switches(model_name, request.headers.get(HEADER))
    except ValueError as exc:
        return error_bodies.error_response(400, message=str(exc))
    if base not in state.models:
        return error_bodies.model_not_found(base or "(none)", state.gateway)
    return base, switches


def _record_get(state: EmulatorState, request: Request) -> None:
    state.recorder.record(Exchange(request.method, request.url.path, "", None, _public_headers(request))).end(
        "completed"
    )


def _gemini_route(request: Request) -> tuple[str, Handler] | None:
    """`/v1beta/models/{model}:{method}` → (model, handler), or None for an unknown method."""
    model, _, method = request.path_params["target"].rpartition(":")
    if not model or method not in ("generateContent", "streamGenerateContent"):
        return None
    stream = method == "streamGenerateContent"

    async def handler(call: Call) -> Response:
        return await generate(call, stream=stream)

    return model, handler


def _wire(state: EmulatorState, handler: Handler | None) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint for one wire format; `handler=None` means Gemini, whose model and method ride in the path."""

    async def endpoint(request: Request) -> Response:
        model_id: str | None = None
        chosen = handler
        if chosen is None:
            route = _gemini_route(request)
            if route is None:
                return error_bodies.invalid_url(request.method, request.url.path)
            model_id, chosen = route
        admitted = await _admit(request, state, model_id)
        if isinstance(admitted, Response):
            return admitted
        response = await chosen(admitted)
        if not response.media_type or "event-stream" not in response.media_type:
            admitted.exchange.end("completed" if response.status_code < 400 else "error")
        return response

    return endpoint


def _billing_routes(state: EmulatorState) -> list[Route]:
    """new-api's price list and key quota; each hidden (404) when its switch in `state.billing` is off."""

    async def pricing(request: Request) -> Response:
        state.billing.reads["pricing"] += 1  # counted, not recorded: the recorder logs model traffic
        if not state.billing.pricing:
            return error_bodies.invalid_url(request.method, request.url.path)
        return billing.pricing(list(state.models.values()), state.billing)

    async def token_usage(request: Request) -> Response:
        state.billing.reads["token_usage"] += 1
        if not state.billing.token_usage:
            return error_bodies.invalid_url(request.method, request.url.path)
        return billing.token_usage(state.billing, _presented_key(request) == state.api_key)

    return [
        Route("/api/pricing", pricing, methods=["GET"]),
        Route("/api/usage/token/", token_usage, methods=["GET"]),
    ]


def create_app(
    api_key: str = DEFAULT_KEY,
    recorder: Recorder | None = None,
    *,
    models: Iterable[EmulatedModel | str] | None = None,
    replies: Replies | None = None,
    prices: billing.Billing | None = None,
    gateway: Gateway = "docs",
) -> Starlette:
    """The emulator as an ASGI app, with state of its own.

    `recorder` lets tests read what it saw; `models` replaces the catalogue it serves (ids it knows keep their
    family's behaviour, other ids are plain chat models); `replies` scripts answers: model id → text, or a function
    `(model_id, prompt) -> text | None` (None: the deterministic default); `prices` holds the billing switches
    (hide `/api/pricing` or `/api/usage/token/`, the key's quota and group), changeable while it runs;
    `gateway` picks the new-api it plays: "docs" (mixrouter's pages), "2025-12" or "2026-06" (see `gateway.py`)."""
    state = EmulatorState(api_key, recorder or Recorder(), models, replies, prices, gateway)

    async def list_models(request: Request) -> Response:
        if _presented_key(request) != state.api_key:
            return error_bodies.error_response(401)
        data = [
            {
                "id": m.id,
                "object": "model",
                "created": 1626777600,
                "owned_by": catalogue.published_owner(m, state.gateway),
                "supported_endpoint_types": list(m.endpoints),
            }
            for m in state.models.values()
        ]
        return JSONResponse({"success": True, "object": "list", "data": data})

    def video_route(shape: str) -> Callable[[Request], Awaitable[Response]]:
        async def submit(call: Call) -> Response:
            return await videos.submit(call, state.video_tasks, shape, state.gateway)

        admitted = _wire(state, submit)

        async def poll(request: Request) -> Response:
            _record_get(state, request)
            if _presented_key(request) != state.api_key:
                return error_bodies.error_response(401)
            return videos.poll(request, state.video_tasks, shape, state.gateway)

        async def endpoint(request: Request) -> Response:
            return await (admitted(request) if request.method == "POST" else poll(request))

        return endpoint

    async def video_file(request: Request) -> Response:
        return videos.file(request, state.video_tasks)

    async def exchanges(request: Request) -> Response:
        return JSONResponse(state.recorder.snapshot())

    async def not_found(request: Request) -> Response:
        return error_bodies.invalid_url(request.method, request.url.path)

    routes = [
        Route("/v1/chat/completions", _wire(state, chat_completions), methods=["POST"]),
        Route("/v1/responses", _wire(state, responses), methods=["POST"]),
        Route("/v1/messages", _wire(state, messages), methods=["POST"]),
        Route("/v1beta/models/{target:path}", _wire(state, None), methods=["POST"]),
        Route("/v1/videos", video_route("videos"), methods=["POST"]),
        Route("/v1/videos/{task_id}", video_route("videos"), methods=["GET"]),
        Route("/v1/video/generations", video_route("generations"), methods=["POST"]),
        Route("/v1/video/generations/{task_id}", video_route("generations"), methods=["GET"]),
        Route("/_emulator/files/{name}", video_file, methods=["GET"]),
        Route("/v1/models", list_models, methods=["GET"]),
        *_billing_routes(state),
        Route("/_emulator/exchanges", exchanges, methods=["GET"]),
        Route("/{path:path}", not_found, methods=["GET", "POST", "PUT", "DELETE"]),
    ]
    app = Starlette(routes=routes)
    app.state.emulator = state
    return app
