"""The spend ledger in Redis: a hash a day; a reservation is one Lua script, so the cap check and the addition
happen as one step however many workers share the key."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from ..store.redis import PREFIX
from .ledger import KEEP_DAYS, DaySpend, LedgerUnavailable

# Redis turns Lua numbers into integers: the spend goes back as a string.
_RESERVE = """
local spent = tonumber(redis.call('HGET', KEYS[1], 'usd') or '0')
local add = tonumber(ARGV[1])
if ARGV[2] ~= '' and spent + add > tonumber(ARGV[2]) then
  return {0, tostring(spent)}
end
local now = redis.call('HINCRBYFLOAT', KEYS[1], 'usd', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {1, now}
"""


class RedisLedger:
    def __init__(self, url: str) -> None:
        # As the conversation store: never wait forever, never resend a command (an addition must not run twice).
        self._redis: Redis = Redis.from_url(
            url, decode_responses=True, socket_timeout=5.0, socket_connect_timeout=3.0, retry=Retry(NoBackoff(), 0)
        )
        self._reserve = self._redis.register_script(_RESERVE)
        self._ttl = KEEP_DAYS * 86400

    @staticmethod
    def _key(day: str) -> str:
        return f"{PREFIX}:spend:{day}"

    async def reserve(self, day: str, usd: float, cap: float | None) -> tuple[bool, float]:
        try:
            accepted, spent = await self._reserve(
                keys=[self._key(day)], args=[repr(usd), "" if cap is None else repr(cap), self._ttl]
            )
        except RedisError as error:
            raise LedgerUnavailable(f"the spend ledger in Redis failed ({type(error).__name__}: {error})") from error
        return bool(accepted), float(spent)

    async def settle(self, day: str, usd: float, *, calls: int, unknown: int) -> None:
        key = self._key(day)
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hincrbyfloat(key, "usd", usd)
                pipe.hincrby(key, "calls", calls)
                pipe.hincrby(key, "unknown", unknown)
                pipe.expire(key, self._ttl)
                await pipe.execute()
        except RedisError as error:
            raise LedgerUnavailable(f"the spend ledger in Redis failed ({type(error).__name__}: {error})") from error

    async def spent(self, day: str) -> DaySpend:
        try:
            raw = await self._redis.hgetall(self._key(day))
        except RedisError as error:
            raise LedgerUnavailable(f"the spend ledger in Redis failed ({type(error).__name__}: {error})") from error
        return DaySpend(max(float(raw.get("usd", 0)), 0.0), int(raw.get("calls", 0)), int(raw.get("unknown", 0)))

    async def aclose(self) -> None:
        await self._redis.aclose()
