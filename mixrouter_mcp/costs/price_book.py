"""The price list in force: `MIXROUTER_PRICES_FILE` when set, else mixrouter's own, fetched once and cached."""

from __future__ import annotations

import json
import logging

import anyio

from ..config import Settings
from ..upstream import MixRouterClient, UpstreamError
from .prices import PriceFileError, PriceList, from_new_api, parse_price_file

logger = logging.getLogger(__name__)
_RETRY_UNAVAILABLE_S = 60.0  # a hidden or failing endpoint is asked again after this, not on every call


class PriceBook:
    """Prices with a TTL. `current()` never raises: without prices, costs are `unknown` and `why_unknown` says why."""

    def __init__(self, settings: Settings, client: MixRouterClient) -> None:
        self._settings = settings
        self._client = client
        self._prices: PriceList | None = None
        self._fresh_until = 0.0
        self._lock = anyio.Lock()
        self.why_unknown = "no price list has been read yet"

    async def current(self) -> PriceList | None:
        """The prices, read again once their TTL has passed; None when none can be had."""
        if anyio.current_time() < self._fresh_until:
            return self._prices
        async with self._lock:  # one refresh at a time; callers queued behind it take its result
            if anyio.current_time() >= self._fresh_until:
                await self._refresh()
        return self._prices

    def why_unpriced(self, name: str = "it") -> str:
        """Why a model (`name`) has no price: no list at all, or a list that does not name it."""
        if self._prices is None:
            return self.why_unknown
        return f"{self._prices.source} lists no price for {name}"

    async def _refresh(self) -> None:
        try:
            self._prices = await self._read()
            self._fresh_until = anyio.current_time() + self._settings.prices_ttl_s
        except (UpstreamError, PriceFileError, OSError, ValueError) as error:
            self.why_unknown = self._reason(error)
            logger.warning("price list unavailable: %s", self.why_unknown)
            self._fresh_until = anyio.current_time() + min(_RETRY_UNAVAILABLE_S, self._settings.prices_ttl_s)
            # A list read earlier stays in use: slightly old prices beat none.

    async def _read(self) -> PriceList:
        group = self._settings.price_group
        if self._settings.prices_file:
            path = await anyio.Path(self._settings.prices_file).expanduser()
            text = await path.read_text(encoding="utf-8")
            return parse_price_file(json.loads(text), group, f"MIXROUTER_PRICES_FILE ({path})")
        return from_new_api(await self._client.price_list(), group)

    def _reason(self, error: Exception) -> str:
        if self._settings.prices_file:
            return f"MIXROUTER_PRICES_FILE cannot be read ({type(error).__name__}: {str(error)[:200]})"
        status = getattr(error, "status", None)
        shown = f"answered {status}" if status else f"failed ({str(error)[:200]})"
        return f"mixrouter's price list (GET /api/pricing) {shown}; set MIXROUTER_PRICES_FILE to a local price list"
