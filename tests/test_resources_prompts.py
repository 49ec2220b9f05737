"""The models catalogue resource and the delegation prompts, through the MCP client in both eras."""

from __future__ import annotations

import json

import pytest
from mcp import Client

pytestmark = pytest.mark.anyio


async def test_models_catalogue(client: Client) -> None:
    resources = (await client.list_resources()).resources
    assert any(r.uri == "mixrouter://models" for r in resources)
    contents = (await client.read_resource("mixrouter://models")).contents[0]
    assert contents.mime_type == "application/json"
    catalogue = {m["id"]: m for m in json.loads(contents.text)["models"]}  # type: ignore[union-attr]
    claude = catalogue["claude-sonnet-4-5-20250929"]
    assert (claude["family"], claude["wire"], claude["thinking"]) == ("claude", "messages", True)
    assert catalogue["gpt-5.2-pro"]["responses_only"] and catalogue["gpt-5.2-pro"]["wire"] == "responses"
    assert catalogue["gpt-5"]["thinking_wire"] == "responses" and catalogue["gpt-4o"]["thinking"] is False
    assert catalogue["gemini-2.5-pro"]["context_window"] == 1_000_000
    assert catalogue["doubao-seedance-1-0-lite-i2v-250428"]["video"] is True


async def test_prompts(client: Client) -> None:
    names = {p.name for p in (await client.list_prompts()).prompts}
    assert names == {"second_opinion", "code_review", "compare_and_judge"}
    second = await client.get_prompt("second_opinion", {"question": "Is P=NP?", "model": "gemini-2.5-pro"})
    text = second.messages[0].content.text  # type: ignore[union-attr]
    assert "ask_model with the model 'gemini-2.5-pro'" in text and text.endswith("Is P=NP?")
    review = await client.get_prompt("code_review", {"code": "def f(): pass", "focus": "security"})
    assert "extended_thinking" in review.messages[0].content.text  # type: ignore[union-attr]
    judged = await client.get_prompt("compare_and_judge", {"question": "q", "models": "a, b", "judge": "c"})
    assert "judge_model 'c'" in judged.messages[0].content.text  # type: ignore[union-attr]
