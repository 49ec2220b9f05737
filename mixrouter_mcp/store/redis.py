"""The store for several server processes: Redis, every write one MULTI transaction, every key with a TTL.

Keys (prefix `mixrouter-mcp`): `{p}:conv:{id}` hash (title, system, created, updated), `{p}:conv:{id}:turns` list
of JSON turns, `{p}:conv:{id}:models` set, and `{p}:index`, a sorted set of ids by last update for listing and for
evicting the oldest threads beyond the limit.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import TimeoutError as RedisTimeout

from .base import (
    Conversation,
    ConversationCorrupt,
    ConversationNotFound,
    ConversationSummary,
    Limits,
    Turn,
)
from .guarded import WriteUnconfirmed

PREFIX = "mixrouter-mcp"


def _keys(conversation_id: str) -> tuple[str, str, str]:
    base = f"{PREFIX}:conv:{conversation_id}"
    return base, f"{base}:turns", f"{base}:models"


def _missing(conversation_id: str) -> ConversationNotFound:
    return ConversationNotFound(f"no conversation '{conversation_id}' (it may have expired or been deleted)")


class RedisStore:
    """Conversations shared by every server process that points at the same Redis."""

    def __init__(self, url: str, limits: Limits) -> None:
        # Never wait forever, and never resend a command by ourselves: a MULTI/EXEC that timed out may have run,
        # and running it again would append the turns twice. `?socket_timeout=` in the URL overrides these.
        self._redis: Redis = Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=5.0,
            socket_connect_timeout=3.0,
            health_check_interval=15,
            retry=Retry(NoBackoff(), 0),
        )
        self._limits = limits
        self._index = f"{PREFIX}:index"

    async def get(self, conversation_id: str) -> Conversation:
        head, turns_key, models_key = _keys(conversation_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(head)
            pipe.lrange(turns_key, 0, -1)
            pipe.smembers(models_key)
            meta, raw_turns, models = await pipe.execute()
        if not meta:
            raise _missing(conversation_id)
        try:
            turns = [Turn(**json.loads(raw)) for raw in raw_turns]
            if any(t.role not in ("user", "assistant") for t in turns):
                raise ValueError("unknown role")
            created, updated = float(meta["created"]), float(meta["updated"])
        except (ValueError, TypeError, KeyError) as exc:
            raise ConversationCorrupt(f"conversation '{conversation_id}' is damaged ({exc}); start a new one") from exc
        system = meta.get("system") or None
        return Conversation(conversation_id, meta.get("title", ""), system, sorted(models), turns, created, updated)

    async def append(
        self, conversation_id: str, turns: list[Turn], *, new: bool, title: str, system: str | None, models: list[str]
    ) -> str:
        head, turns_key, models_key = _keys(conversation_id)
        if not new and not await self._redis.exists(head):
            raise _missing(conversation_id)
        now = time.time()
        ttl = max(1, int(self._limits.ttl_s))
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(head, "created", now)
            pipe.hsetnx(head, "title", title)
            pipe.hset(head, "updated", now)
            if system is not None:
                pipe.hset(head, "system", system)
            pipe.rpush(turns_key, *[json.dumps(asdict(t) | {"at": t.at or now}) for t in turns])
            pipe.ltrim(turns_key, -self._limits.max_turns, -1)
            if models:
                pipe.sadd(models_key, *models)
            for key in (head, turns_key, models_key):
                pipe.expire(key, ttl)
            pipe.zadd(self._index, {conversation_id: now})
            pipe.zremrangebyscore(self._index, "-inf", now - self._limits.ttl_s)
            try:
                await pipe.execute()
            except RedisTimeout as error:
                raise WriteUnconfirmed(
                    f"Redis did not confirm the write in time ({error}); it may or may not have been saved",
                    conversation_id,
                ) from error
        await self._evict_beyond_limit()
        return conversation_id

    async def _evict_beyond_limit(self) -> None:
        excess = await self._redis.zcard(self._index) - self._limits.max_threads
        if excess <= 0:
            return
        oldest = [str(member) for member in await self._redis.zrange(self._index, 0, excess - 1)]
        async with self._redis.pipeline(transaction=True) as pipe:
            for conversation_id in oldest:
                pipe.delete(*_keys(conversation_id))
                pipe.zrem(self._index, conversation_id)
            await pipe.execute()

    async def list(self, limit: int) -> list[ConversationSummary]:
        ids = [str(member) for member in await self._redis.zrevrange(self._index, 0, max(limit, 1) - 1)]
        summaries = []
        for conversation_id in ids:
            head, turns_key, models_key = _keys(conversation_id)
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.hgetall(head)
                pipe.llen(turns_key)
                pipe.smembers(models_key)
                meta, count, models = await pipe.execute()
            if meta:  # expired entries leave the index on the next write
                summaries.append(
                    ConversationSummary(
                        conversation_id, meta.get("title", ""), sorted(models), count, float(meta["updated"])
                    )
                )
        return summaries

    async def delete(self, conversation_id: str) -> bool:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(*_keys(conversation_id))
            pipe.zrem(self._index, conversation_id)
            deleted, _ = await pipe.execute()
        return bool(deleted)

    async def aclose(self) -> None:
        await self._redis.aclose()
