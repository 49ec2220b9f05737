import logging

from mixrouter_mcp.logs import RedactingFilter, redact

KEY = "sk-test-SECRET-abcdef123456"


def test_redact_headers_tokens_and_known_secrets() -> None:
    text = f"headers={{'Authorization': 'Bearer {KEY}', 'x-api-key': 'plainsecret'}} token {KEY} custom-key-99"
    cleaned = redact(text, ["custom-key-99"])
    assert KEY not in cleaned and "plainsecret" not in cleaned and "custom-key-99" not in cleaned
    assert "[REDACTED]" in cleaned


def test_filter_rewrites_messages_args_and_exceptions() -> None:
    record = logging.LogRecord("httpx2", logging.ERROR, __file__, 1, "sent %s", (f"Authorization: Bearer {KEY}",), None)
    try:
        raise RuntimeError(f"failed with {KEY}")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    assert RedactingFilter([KEY]).filter(record)
    assert KEY not in record.getMessage()
    assert "failed with [REDACTED]" in record.getMessage()


def test_secrets_too_short_to_be_keys_are_not_scrubbed_as_text() -> None:
    """A one-letter 'key' (a test setting) would otherwise be cut out of every word."""
    assert redact("ask a question", ["k"]) == "ask a question"
    assert redact("key sk-abcdefgh1 used", []) == "key [REDACTED] used"
