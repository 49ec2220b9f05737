"""Jobs: model calls that outlive their request, kept as records any worker can read (see runner.py)."""

from __future__ import annotations

from pathlib import Path

from ..config import Settings
from .record import JobLimits, JobNotFound, JobRecord, JobStore, JobsUnavailable, MemoryJobStore
from .runner import Job, JobRunner, Work

__all__ = [
    "Job",
    "JobLimits",
    "JobNotFound",
    "JobRecord",
    "JobRunner",
    "JobStore",
    "JobsUnavailable",
    "Work",
    "open_job_store",
]


def open_job_store(settings: Settings) -> JobStore:
    """The job store beside the conversation store `MIXROUTER_MCP_STORE` names."""
    from ..store import default_sqlite_path

    limits = JobLimits(settings.max_jobs, settings.job_ttl_s, settings.conversation_max_turn_chars)
    url = settings.mcp_store.strip()
    if url.lower() == "none":
        return MemoryJobStore(limits)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from .redis import RedisJobStore

        return RedisJobStore(url, limits)
    from .sqlite import SqliteJobStore

    path = Path(url.removeprefix("sqlite://")).expanduser() if url.startswith("sqlite://") else default_sqlite_path()
    return SqliteJobStore(path, limits)
