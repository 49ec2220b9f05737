"""Settings: read once at start from CLI flags, the environment (`MIXROUTER_*`) and `.env`, then passed down."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .model_policy import ModelPolicy
from .vocabulary import Api, VideoApi

API_KEY_ENV = "MIXROUTER_API_KEY"
URL_FIELDS = ("base_url", "mcp_store")  # may carry credentials: redis://:password@host, https://user:pass@proxy
_SECRET_QUERY = ("password", "pass", "token", "key", "secret")
MASK = "****"


def url_credentials(url: str) -> list[str]:
    """The secrets inside a URL: its userinfo password (or lone user token) and secret-looking query values."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = [parts.password or ""] if parts.password else ([parts.username] if parts.username else [])
    found += [value for name, value in parse_qsl(parts.query) if name.lower() in _SECRET_QUERY and value]
    return [secret for secret in found if secret]


def mask_url(url: str) -> str:
    """`url` as it may be shown or logged: the password (or lone user token) and secret query values masked."""
    if not url_credentials(url):
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = host + (f":{parts.port}" if parts.port else "")
    if parts.password:
        netloc = f"{parts.username or ''}:{MASK}@{netloc}"
    elif parts.username:
        netloc = f"{MASK}@{netloc}"
    query = urlencode([(n, MASK if n.lower() in _SECRET_QUERY else v) for n, v in parse_qsl(parts.query)], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def parse_fallbacks(value: str) -> dict[str, list[str]]:
    """`a=b,c;d=e` → {a: [b, c], d: [e]}; a rule without `=` or without fallbacks is an error."""
    rules: dict[str, list[str]] = {}
    for rule in (r.strip() for r in value.split(";")):
        if not rule:
            continue
        model, sep, rest = rule.partition("=")
        chain = [m.strip() for m in rest.split(",") if m.strip()]
        if not sep or not model.strip() or not chain:
            raise ValueError(f"MIXROUTER_FALLBACKS: {rule!r} is not 'model=fallback1,fallback2'")
        rules[model.strip()] = chain
    return rules


class Settings(BaseSettings):
    """Everything configurable. Precedence: CLI flag (init kwargs) > environment > `.env` > default."""

    model_config = SettingsConfigDict(
        env_prefix="MIXROUTER_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    api_key: SecretStr | None = Field(default=None, description="mixrouter API key (Bearer token).")
    base_url: str = Field(default="https://api.mixrouter.com", description="mixrouter base URL.")
    default_model: str = Field(default="gpt-4o-mini", description="Model used when a call names none.")
    default_thinking_model: str = Field(
        default="claude-sonnet-4-5-20250929", description="Model extended_thinking uses when a call names none."
    )
    default_video_model: str = Field(
        default="doubao-seedance-1-0-lite-i2v-250428", description="Model video uses when a call names none."
    )
    video_api: VideoApi = Field(
        default="videos", description="Video task paths: /v1/videos (mixrouter's doc) or /v1/video/generations."
    )
    video_wait_s: float = Field(default=45.0, gt=0, le=600, description="How long a video call waits for the result.")
    video_poll_s: float = Field(default=3.0, gt=0, le=60, description="First poll interval; it grows to 3x this.")
    max_video_bytes: int = Field(default=512 * 1024 * 1024, ge=1024, description="Largest video the video tool saves.")
    api: Api = Field(
        default="auto", description="Wire format for every call; auto picks the one that keeps each vendor's features."
    )
    mcp_allowed_dirs: str = Field(
        default="",
        description="Directories local images and files may be read from and answers saved to (os.pathsep-separated; "
        "relative `files` and `output_file` paths start at the first); default: cwd.",
    )
    max_image_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, description="Largest image accepted, in bytes.")
    max_files: int = Field(default=5000, ge=1, le=1_000_000, description="Most files one call's `files` may select.")
    max_file_bytes: int = Field(
        default=2 * 1024 * 1024, ge=1024, description="Largest file sent whole; a bigger one is left out (manifest)."
    )
    max_files_bytes: int = Field(
        default=64 * 1024 * 1024, ge=1024, description="Most bytes one call reads from files in all."
    )
    connect_timeout_s: float = Field(default=5.0, gt=0, le=60, description="TCP/TLS connect timeout.")
    stream_idle_timeout_s: float = Field(
        default=45.0,
        gt=0,
        le=600,
        description="Abort a started stream when no data event comes for this long (the first waits for the deadline).",
    )
    call_deadline_s: float = Field(
        default=50.0, gt=0, le=3600, description="Total deadline of one upstream call, retries included."
    )
    progress_deadline_s: float = Field(
        default=600.0,
        gt=0,
        le=3600,
        description="Deadline when the client asked for progress (it can reset its own timeout on each heartbeat).",
    )
    job_deadline_s: float = Field(
        default=1800.0,
        gt=0,
        le=86_400,
        description="Deadline of a call that outlives its request as a job (background, or past the call deadline).",
    )
    max_jobs: int = Field(default=200, ge=1, le=100_000, description="Job records kept; the oldest go first.")
    job_ttl_s: float = Field(default=86_400.0, gt=0, description="Job records untouched this long expire.")
    max_output_tokens: int = Field(
        default=12_000,
        ge=500,
        le=500_000,
        description="Answers longer than this (estimated tokens) are cut with a marker and kept for read_result. "
        "12k leaves room for the structured copy under Claude Code's 25k-token limit.",
    )
    max_prompt_chars: int = Field(default=500_000, ge=1_000, description="Longest prompt (plus system) accepted.")
    max_response_bytes: int = Field(
        default=32 * 1024 * 1024,
        ge=64 * 1024,
        description="Most decoded bytes read from one upstream response (a body, or a whole stream); beyond it the "
        "call fails, keeping what had streamed. 32 MiB holds any model's longest answer many times over.",
    )
    result_store_entries: int = Field(default=100, ge=1, le=10_000, description="Cut answers kept for read_result.")
    result_store_chars: int = Field(
        default=20_000_000, ge=10_000, description="Characters kept for read_result in all; one entry holds half."
    )
    result_ttl_s: float = Field(default=3600.0, gt=0, description="How long a cut answer stays readable.")
    max_retries: int = Field(default=2, ge=0, le=5, description="Retries on connect errors, 408/409/429/5xx/529.")
    retry_backoff_s: float = Field(default=0.5, ge=0, le=10, description="First retry delay; doubles per retry.")
    max_connections: int = Field(
        default=64, ge=1, le=1000, description="Upstream requests open at once, server-wide (excess calls queue)."
    )
    max_compare_models: int = Field(default=8, ge=2, le=32, description="Most models one compare_models call asks.")
    progress_interval_s: float = Field(
        default=5.0, gt=0, le=10, description="Heartbeat progress every this many seconds while a call runs."
    )
    stream: bool = Field(default=True, description="Stream upstream answers (keeps long answers from idling).")
    log_level: str = Field(default="WARNING", description="Log level for stderr logs.")
    mcp_auth_token: SecretStr | None = Field(
        default=None, description="HTTP transport: clients must send Authorization: Bearer <token>."
    )
    mcp_allowed_hosts: str = Field(default="", description="HTTP: extra Host values accepted, comma-separated.")
    mcp_allowed_origins: str = Field(default="", description="HTTP: extra Origin values accepted, comma-separated.")
    mcp_tools: str = Field(
        default="",
        description="Tool groups to publish, comma-separated: ask, compare, think, models, conversations, video, "
        "results (empty: all). Fewer tools, less context every client pays.",
    )
    mcp_store: str = Field(
        default="",
        description="Conversation store: redis://host:6379/0, sqlite:///path, none (off), or empty for the default.",
    )
    conversation_max_turns: int = Field(default=200, ge=2, le=100_000, description="Turns kept per conversation.")
    conversation_max_threads: int = Field(default=1000, ge=1, description="Conversations kept in all.")
    conversation_ttl_days: float = Field(default=30.0, gt=0, description="Conversations unused this long expire.")
    conversation_max_turn_chars: int = Field(
        default=1_000_000, ge=1_000, description="Longest turn stored; a longer one is stored cut, with a marker."
    )
    conversation_max_db_mb: float = Field(
        default=1024.0, gt=0, description="SQLite store: the largest the database file may grow, in MiB."
    )
    prices_file: str = Field(
        default="", description="A local price list (JSON) instead of mixrouter's GET /api/pricing."
    )
    prices_ttl_s: float = Field(default=600.0, gt=0, le=86_400, description="How long a price list is kept.")
    price_group: str = Field(
        default="", description="The key's new-api group, for its price ratio (default: the only or 'default')."
    )
    daily_budget_usd: float | None = Field(
        default=None, gt=0, description="Server-wide cap on spend per UTC day; calls that would pass it are refused."
    )
    fallbacks: str = Field(
        default="",
        description="Models tried when one is down: 'model=fallback1,fallback2;other=...' (also for judges).",
    )
    models_allow: str = Field(
        default="", description="Only these models may be called: comma-separated globs over ids ('claude-*,gpt-5*')."
    )
    models_deny: str = Field(default="", description="These models are never called (globs, as above); deny wins.")
    mcp_max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024, description="HTTP: largest request body.")

    @field_validator("base_url")
    @classmethod
    def _strip_base_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("MIXROUTER_BASE_URL must start with http:// or https://")
        # OpenAI-style settings often end in /v1; our paths carry their own version prefix.
        return value.removesuffix("/v1")

    @field_validator("fallbacks")
    @classmethod
    def _check_fallbacks(cls, value: str) -> str:
        parse_fallbacks(value)
        return value

    def model_policy(self) -> ModelPolicy:
        """Which models this server may call."""
        return ModelPolicy.of(self.models_allow, self.models_deny)

    def fallbacks_for(self, model: str) -> list[str]:
        """The configured fallbacks of `model`, in order."""
        return parse_fallbacks(self.fallbacks).get(model, [])

    @field_validator("api_key", "mcp_auth_token", mode="before")
    @classmethod
    def _blank_key_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    def allowed_dirs(self) -> list[Path]:
        """Resolved directories local files may come from."""
        raw = [p for p in self.mcp_allowed_dirs.split(os.pathsep) if p.strip()] or [os.getcwd()]
        return [Path(p).expanduser().resolve() for p in raw]

    def secrets(self) -> list[str]:
        """Every configured secret, for the log redaction filter: the key, the HTTP token, URL credentials."""
        values = [self.api_key, self.mcp_auth_token]
        found = [v.get_secret_value() for v in values if v is not None]
        return found + [secret for name in URL_FIELDS for secret in url_credentials(getattr(self, name))]

    def shown(self, name: str) -> Any:
        """A setting's value as it may be printed: secrets masked."""
        if name == "api_key":
            return self.masked_key()
        value = getattr(self, name)
        return mask_url(value) if name in URL_FIELDS else value

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            yield name, (mask_url(value) if name in URL_FIELDS and isinstance(value, str) else value)

    def api_key_value(self) -> str | None:
        """The raw key, for the Authorization header only."""
        return self.api_key.get_secret_value() if self.api_key else None

    def masked_key(self) -> str:
        """The key as it may be shown to a person: first and last characters only."""
        key = self.api_key_value()
        if not key:
            return "(not set)"
        if len(key) <= 10:
            return "****"
        return f"{key[:4]}…{key[-4:]}"


def load_settings(**overrides: Any) -> Settings:
    """Settings with CLI overrides applied; `None` overrides are ignored so defaults and env still apply."""
    given = {name: value for name, value in overrides.items() if value is not None}
    return Settings(**given)
