"""What a call cost, through the MCP client against the emulator's price list, on every wire format.

Expected costs are worked out here from the emulator's own ratio table and new-api's units ($2 per million input
tokens at ratio 1), never from our code's functions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.emulator.billing import CREATE_CACHE_RATIO, FIXED_PRICES, RATIOS
from mixrouter_mcp.server import build_server

from .conftest import TEST_KEY, make_settings, text_of

pytestmark = pytest.mark.anyio


@pytest.fixture
def priced() -> Iterator[BackgroundEmulator]:
    """An emulator of its own, so a test may hide its billing endpoints; it also serves an unpriced model."""
    models = [*RATIOS, *FIXED_PRICES, "house-model-v1"]
    with BackgroundEmulator(api_key=TEST_KEY, models=models) as running:
        yield running


def expected_usd(model: str, usage: dict[str, int], cache_writes: int = 0) -> float:
    """new-api's formula: uncached input, cache reads and writes, output (reasoning included) at their ratios."""
    ratio, completion, cache = RATIOS[model]
    per_token = ratio * 2 / 1_000_000
    uncached = usage["input_tokens"] - usage["cached_tokens"] - cache_writes
    create = CREATE_CACHE_RATIO.get(model, 1.25)
    return per_token * (
        uncached + usage["cached_tokens"] * cache + cache_writes * create + usage["output_tokens"] * completion
    )


async def ask(client: Client, tool: str = "ask_model", **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, {"prompt": "Price this answer, please.", **arguments})
    assert not result.is_error, text_of(result)
    data: dict[str, Any] = result.structured_content or {}
    data["_text"] = text_of(result)
    return data


@pytest.mark.parametrize(
    ("model", "api"),
    [("gpt-4o", "chat"), ("gpt-4o", "responses"), ("gemini-2.5-flash", "gemini"), ("deepseek-chat", "chat")],
)
async def test_cost_with_cache_reads_on_each_wire(priced: BackgroundEmulator, model: str, api: str) -> None:
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        data = await ask(client, model=f"{model}~cached=4~words=30", api=api)
    assert data["wire"] == api and data["usage"]["cached_tokens"] == 4
    assert data["cost_source"] == "computed"
    assert data["cost_usd"] == pytest.approx(expected_usd(model, data["usage"]), rel=1e-6)
    assert data["_text"].splitlines()[-1].count("$") == 1  # the footer shows it


async def test_cost_with_cache_writes_and_reads_on_messages(priced: BackgroundEmulator) -> None:
    model = "claude-sonnet-4-5-20250929"
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        data = await ask(client, model=f"{model}~cached=3~cachewrite=2", api="messages")
    assert data["wire"] == "messages" and data["usage"]["cached_tokens"] == 3
    assert data["cost_usd"] == pytest.approx(expected_usd(model, data["usage"], cache_writes=2), rel=1e-6)


async def test_cost_with_cache_writes_on_claude_over_chat(priced: BackgroundEmulator) -> None:
    model = "claude-opus-4-5-20251101"
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        data = await ask(client, model=f"{model}~cachewrite=3", api="chat")
    assert data["cost_usd"] == pytest.approx(expected_usd(model, data["usage"], cache_writes=3), rel=1e-6)


@pytest.mark.parametrize(
    ("model", "api"),
    [("gpt-5", "responses"), ("gemini-2.5-pro", "gemini"), ("deepseek-reasoner", "chat"), ("qwen3-max", "chat")],
)
async def test_reasoning_tokens_are_billed_as_output(priced: BackgroundEmulator, model: str, api: str) -> None:
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        data = await ask(client, "extended_thinking", model=model, api=api, effort="low")
    assert data["usage"]["reasoning_tokens"] > 0, data["usage"]
    assert data["cost_source"] == "computed"
    assert data["cost_usd"] == pytest.approx(expected_usd(model, data["usage"]), rel=1e-6)


async def test_the_gateways_own_figure_wins(priced: BackgroundEmulator) -> None:
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        chat = await ask(client, model="gpt-4o~cost=0.0123")
        messages = await ask(client, model="claude-sonnet-4-5-20250929~cost=0.5", api="messages")
    assert (chat["cost_usd"], chat["cost_source"]) == (0.0123, "gateway")
    assert (messages["cost_usd"], messages["cost_source"]) == (0.5, "gateway")
    assert "$0.0123 (gateway)" in chat["_text"]


async def test_an_unpriced_model_costs_unknown_never_zero(priced: BackgroundEmulator) -> None:
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        data = await ask(client, model="house-model-v1")
    assert data["cost_usd"] is None and data["cost_source"] == "unknown"
    assert "cost unknown" in data["_text"]
    assert any("lists no price for house-model-v1" in note for note in data["notes"])


async def test_a_hidden_price_list_is_said_and_asked_again_later(priced: BackgroundEmulator) -> None:
    priced.billing.pricing = False
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        first = await ask(client, model="gpt-4o")
        second = await ask(client, model="gpt-4o")
    assert first["cost_usd"] is None and second["cost_usd"] is None
    assert any("GET /api/pricing) answered 404" in n and "MIXROUTER_PRICES_FILE" in n for n in first["notes"])
    assert priced.billing.reads["pricing"] == 1  # not asked again on every call


async def test_the_price_list_is_read_once_per_ttl(priced: BackgroundEmulator) -> None:
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        for _ in range(3):
            await ask(client, model="gpt-4o-mini")
    assert priced.billing.reads["pricing"] == 1


async def test_a_prices_file_replaces_the_gateways_list(priced: BackgroundEmulator, tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"models": {"house-model-v1": {"input": 3.0, "output": 15.0}}}))
    settings = make_settings(priced, mcp_store="none", prices_file=str(prices))
    async with Client(build_server(settings)) as client:
        data = await ask(client, model="house-model-v1")
    usage = data["usage"]
    assert data["cost_usd"] == pytest.approx((usage["input_tokens"] * 3 + usage["output_tokens"] * 15) / 1e6)
    assert priced.billing.reads["pricing"] == 0


async def test_the_key_group_ratio_applies(priced: BackgroundEmulator) -> None:
    priced.billing.group, priced.billing.group_ratio = "vip", 0.5
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        data = await ask(client, model="gpt-4o")
    assert data["cost_usd"] == pytest.approx(expected_usd("gpt-4o", data["usage"]) * 0.5, rel=1e-6)


async def test_a_panel_sums_members_and_judge(priced: BackgroundEmulator) -> None:
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        result = await client.call_tool(
            "compare_models",
            {
                "prompt": "Which is best?",
                "models": ["gpt-4o", "deepseek-chat", "no-such-model"],
                "judge_model": "gpt-5",
            },
        )
    data = result.structured_content or {}
    members = [r["cost_usd"] for r in data["results"]]
    assert members[2] == 0 and data["results"][2]["ok"] is False  # refused upstream: nothing billed
    judge = [e for e in priced.recorder.exchanges() if e.model == "gpt-5"]
    assert len(judge) == 1 and data["cost_source"] == "computed"
    assert data["cost_usd"] > sum(members) > 0  # the judge's cost is on top of the panel's
    assert "| cost |" in text_of(result) and " in all." in text_of(result).splitlines()[0]


async def test_a_panel_with_an_unpriced_member_has_no_total(priced: BackgroundEmulator) -> None:
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        result = await client.call_tool("compare_models", {"prompt": "Hi", "models": ["gpt-4o", "house-model-v1"]})
    data = result.structured_content or {}
    assert data["cost_usd"] is None and data["cost_source"] == "unknown"
    assert any(n.startswith("cost unknown for house-model-v1") for n in data["notes"])


async def test_usage_resource_reads_the_key_quota_and_todays_spend(priced: BackgroundEmulator, tmp_path: Path) -> None:
    priced.billing.granted_usd, priced.billing.used_usd = 20.0, 7.25
    settings = make_settings(priced, mcp_store=f"sqlite://{tmp_path / 'store.sqlite3'}", daily_budget_usd=5)
    async with Client(build_server(settings)) as client:
        spent = await ask(client, model="gpt-4o")
        report = json.loads((await client.read_resource("mixrouter://usage")).contents[0].text)  # type: ignore[union-attr]
    assert report["key"] == {
        "name": "emulator key",
        "unlimited": False,
        "granted_usd": 20.0,
        "used_usd": 7.25,
        "available_usd": 12.75,
        "expires_at": None,
    }
    today = report["today"]
    assert today["spent_usd"] == pytest.approx(spent["cost_usd"], abs=1e-6) and today["calls"] == 1
    assert today["daily_budget_usd"] == 5 and today["left_usd"] == pytest.approx(5 - spent["cost_usd"], abs=1e-6)
    assert "SQLite" in today["kept_in"] and report["prices"]["source"] == "mixrouter /api/pricing"


async def test_usage_resource_when_the_gateway_hides_the_quota(priced: BackgroundEmulator) -> None:
    priced.billing.token_usage = False
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        report = json.loads((await client.read_resource("mixrouter://usage")).contents[0].text)  # type: ignore[union-attr]
    assert report["key"]["error"] == "mixrouter does not expose GET /api/usage/token/"
    assert "memory" in report["today"]["kept_in"]
