"""Logging to stderr only, with every secret redacted before a record is written."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

_HEADER_SECRET = re.compile(
    r"(?i)(authorization|x-api-key|x-goog-api-key)(['\"]?\s*[:=]\s*['\"]?)(bearer\s+)?[^\s'\",}]+"
)
_SK_TOKEN = re.compile(r"\bsk-[A-Za-z0-9_\-]{6,}")
REDACTED = "[REDACTED]"
# Shorter values (test keys like "k") would be replaced inside ordinary words; real keys are far longer.
MIN_SECRET_CHARS = 8


def scrub(text: str, secret: str | None) -> str:
    """`text` with `secret` replaced, when the secret is long enough to be one."""
    return text.replace(secret, REDACTED) if secret and len(secret) >= MIN_SECRET_CHARS else text


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove known secrets, auth header values and `sk-…` tokens from `text`."""
    for secret in secrets:
        text = scrub(text, secret)
    text = _HEADER_SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3) or ''}{REDACTED}", text)
    return _SK_TOKEN.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message with secrets removed; attach it to handlers, so it sees every logger."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self.secrets)
        if record.exc_info and record.exc_info[1] is not None:
            # Exception text (httpx errors can carry headers) is rendered by the formatter: pre-render it here.
            formatter = logging.Formatter()
            cleaned += "\n" + redact(formatter.formatException(record.exc_info), self.secrets)
            record.exc_info = None
            record.exc_text = None
        record.msg, record.args = cleaned, None
        return True


def configure_logging(level: str = "WARNING", secrets: Iterable[str] = ()) -> None:
    """Send all logs to stderr through the redacting filter. Call before the SDK is imported or built."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Per-request lines of the HTTP stack carry upstream URLs; keep them out unless debugging.
    stack_level = logging.DEBUG if root.level <= logging.DEBUG else max(logging.WARNING, root.level)
    for noisy in ("httpx2", "httpcore2", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(stack_level)
