"""Job records in Redis, shared by every worker: a hash a job (`data`: its JSON, `cancel`: a flag any worker may
set), a TTL on each, and a sorted set of ids by last update to evict the oldest beyond the limit."""

from __future__ import annotations

import time

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from ..store.redis import PREFIX
from .record import JobLimits, JobNotFound, JobRecord, JobsUnavailable

_INDEX = f"{PREFIX}:jobs"


def _key(job_id: str) -> str:
    return f"{PREFIX}:job:{job_id}"


class RedisJobStore:
    where = "Redis (shared by every worker)"

    def __init__(self, url: str, limits: JobLimits) -> None:
        # As the conversation store: never wait forever, never resend a command by ourselves.
        self._redis: Redis = Redis.from_url(
            url, decode_responses=True, socket_timeout=5.0, socket_connect_timeout=3.0, retry=Retry(NoBackoff(), 0)
        )
        self._limits = limits

    async def save(self, record: JobRecord) -> bool:
        key, ttl = _key(record.id), max(1, int(self._limits.ttl_s))
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(key, "data", record.to_json())
                pipe.expire(key, ttl)
                pipe.hget(key, "cancel")
                pipe.zadd(_INDEX, {record.id: record.updated_at})
                pipe.zremrangebyscore(_INDEX, "-inf", time.time() - self._limits.ttl_s)
                pipe.zrange(_INDEX, 0, -self._limits.max_jobs - 1)
                replies = await pipe.execute()
            evicted = replies[-1]
            if evicted:
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.zrem(_INDEX, *evicted)
                    pipe.delete(*[_key(job_id) for job_id in evicted])
                    await pipe.execute()
        except RedisError as error:
            raise JobsUnavailable(f"the job store in Redis failed ({type(error).__name__}: {error})") from error
        return bool(replies[2] == "1")

    async def get(self, job_id: str) -> JobRecord:
        try:
            raw = await self._redis.hget(_key(job_id), "data")
        except RedisError as error:
            raise JobsUnavailable(f"the job store in Redis failed ({type(error).__name__}: {error})") from error
        if raw is None:
            raise JobNotFound(job_id)
        return JobRecord.from_json(str(raw))

    async def request_cancel(self, job_id: str) -> None:
        try:
            if not await self._redis.exists(_key(job_id)):
                raise JobNotFound(job_id)
            await self._redis.hset(_key(job_id), "cancel", "1")
        except RedisError as error:
            raise JobsUnavailable(f"the job store in Redis failed ({type(error).__name__}: {error})") from error

    async def aclose(self) -> None:
        await self._redis.aclose()
