from __future__ import annotations

import pytest
from mcp import Client

from .conftest import text_of

pytestmark = pytest.mark.anyio


async def test_lists_all_models_with_owner(client: Client) -> None:
    result = await client.call_tool("list_models", {})
    data = result.structured_content or {}
    ids = [m["id"] for m in data["models"]]
    assert data["count"] == data["total"] == len(ids) >= 10
    assert ids == sorted(ids)
    claude = next(m for m in data["models"] if m["id"] == "claude-sonnet-4-5-20250929")
    assert claude["owner"] == "anthropic" and "anthropic" in claude["endpoints"]


async def test_filter_is_case_insensitive_substring(client: Client) -> None:
    data = (await client.call_tool("list_models", {"contains": "GEMINI"})).structured_content or {}
    assert data["count"] >= 2 and all("gemini" in m["id"] for m in data["models"])


async def test_no_match_says_so(client: Client) -> None:
    result = await client.call_tool("list_models", {"contains": "zzz-none"})
    assert not result.is_error and "No model id contains 'zzz-none'" in text_of(result)
