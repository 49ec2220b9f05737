"""Budgets through the MCP client: refused before any upstream request (the emulator's recorder proves it), and a
daily cap that holds across a restart (SQLite) and across two workers (Redis)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.emulator.billing import FIXED_PRICES, RATIOS
from mixrouter_mcp.server import build_server

from .conftest import TEST_KEY, make_settings, text_of
from .processes import http_server

pytestmark = pytest.mark.anyio
PANEL = ["gpt-4o", "claude-opus-4-5-20251101", "gemini-2.5-pro", "deepseek-chat"]


@pytest.fixture
def priced() -> Iterator[BackgroundEmulator]:
    with BackgroundEmulator(api_key=TEST_KEY, models=[*RATIOS, *FIXED_PRICES, "house-model-v1"]) as running:
        yield running


def model_requests(emulator: BackgroundEmulator) -> list[str]:
    return [e.model for e in emulator.recorder.exchanges() if e.method == "POST"]


async def call(client: Client, tool: str, **arguments: Any) -> tuple[bool, str, dict[str, Any]]:
    result = await client.call_tool(tool, {"prompt": "What will this cost?", **arguments})
    return bool(result.is_error), text_of(result), result.structured_content or {}


async def test_max_cost_refuses_before_calling(priced: BackgroundEmulator) -> None:
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        failed, text, _ = await call(client, "ask_model", model="gpt-4o", max_tokens=2000, max_cost_usd=0.001)
    assert failed and "refused before any model was called" in text
    # 2,000 output tokens at $10 per million: about two cents, and the refusal says so and what to change.
    assert "may cost up to $0.0200" in text and "max_cost_usd=$0.001000" in text
    assert "Raise max_cost_usd, set a lower max_tokens" in text
    assert model_requests(priced) == []


async def test_max_cost_lets_a_cheap_call_through(priced: BackgroundEmulator) -> None:
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        failed, text, data = await call(client, "ask_model", model="gpt-4o-mini", max_tokens=200, max_cost_usd=0.01)
    assert not failed, text
    assert 0 < data["cost_usd"] < 0.01 and model_requests(priced) == ["gpt-4o-mini"]


async def test_thinking_budget_counts_in_the_estimate(priced: BackgroundEmulator) -> None:
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        failed, text, _ = await call(
            client, "extended_thinking", model="claude-sonnet-4-5-20250929", effort="max", max_cost_usd=0.2
        )
    # 32,000 thinking tokens plus 4,096 for the answer, at $15 per million: about 54 cents.
    assert failed and "up to 36,096 output tokens" in text and "may cost up to $0.5415" in text
    assert model_requests(priced) == []


async def test_an_over_budget_panel_sends_nothing(priced: BackgroundEmulator) -> None:
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        failed, text, _ = await call(
            client, "compare_models", models=PANEL, judge_model="gpt-5", max_tokens=4000, max_cost_usd=0.05
        )
    assert failed and "over 5 calls" in text and "over max_cost_usd=$0.0500" in text
    assert model_requests(priced) == []


async def test_a_panel_within_budget_runs(priced: BackgroundEmulator) -> None:
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        failed, text, data = await call(client, "compare_models", models=PANEL, max_tokens=100, max_cost_usd=0.5)
    assert not failed, text
    assert data["succeeded"] == 4 and 0 < data["cost_usd"] < 0.5
    assert sorted(model_requests(priced)) == sorted(PANEL)


async def test_a_budget_with_no_price_fails_closed(priced: BackgroundEmulator) -> None:
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        failed, text, _ = await call(client, "ask_model", model="house-model-v1", max_cost_usd=1)
    assert failed and "cannot check max_cost_usd: no price is known for house-model-v1" in text
    assert "(mixrouter /api/pricing lists no price for it)" in text  # the list was read; it does not name the model
    assert "MIXROUTER_PRICES_FILE" in text and model_requests(priced) == []


async def test_a_fallback_without_a_price_is_left_out_under_a_budget(priced: BackgroundEmulator) -> None:
    async with Client(build_server(make_settings(priced, mcp_store="none"))) as client:
        failed, text, _ = await call(
            client, "ask_model", model="gpt-4o~status=503", fallback_models=["house-model-v1"], max_cost_usd=1
        )
    assert failed and "fallback house-model-v1 left out: a budget is in force and no price is known for it" in text
    assert set(model_requests(priced)) == {"gpt-4o~status=503"}


def capped(emulator: BackgroundEmulator, store: str, cap: float) -> Any:
    return make_settings(emulator, mcp_store=store, daily_budget_usd=cap)


async def test_the_daily_cap_holds_across_a_restart(priced: BackgroundEmulator, tmp_path: Path) -> None:
    store = f"sqlite://{tmp_path / 'store.sqlite3'}"
    # The gateway bills $0.04 for the first call (its own figure); the cap is $0.05.
    async with Client(build_server(capped(priced, store, 0.05))) as client:
        failed, text, data = await call(client, "ask_model", model="gpt-4o~cost=0.04", max_tokens=500)
    assert not failed, text
    assert data["cost_usd"] == 0.04
    async with Client(build_server(capped(priced, store, 0.05))) as restarted:
        failed, text, _ = await call(restarted, "ask_model", model="gpt-4o", max_tokens=1500)
        small_failed, small_text, _ = await call(restarted, "ask_model", model="gpt-4o-mini", max_tokens=100)
    assert failed and "today's spend is $0.0400 of the $0.0500 daily budget, so $0.0100 is left" in text
    assert "Raise MIXROUTER_DAILY_BUDGET_USD" in text and "wait for the UTC day to turn" in text
    assert not small_failed, small_text  # what still fits goes through
    assert model_requests(priced) == ["gpt-4o~cost=0.04", "gpt-4o-mini"]


async def test_the_daily_cap_is_shared_by_two_workers(priced: BackgroundEmulator, redis_url: str) -> None:
    # Each call may cost up to $0.03 (3,000 output tokens at $10/M); the cap fits one of them, not both.
    settings = capped(priced, redis_url, 0.05)
    outcomes: list[tuple[bool, str]] = []

    async def worker() -> None:
        async with Client(build_server(settings)) as client:
            failed, text, _ = await call(client, "ask_model", model="gpt-4o~delay=0.5~cost=0.03", max_tokens=3000)
            outcomes.append((failed, text))

    async with anyio.create_task_group() as group:
        group.start_soon(worker)
        group.start_soon(worker)
    refused = [text for failed, text in outcomes if failed]
    assert len(refused) == 1 and "daily budget" in refused[0], outcomes
    assert len(model_requests(priced)) == 1
    async with Client(build_server(settings)) as third:
        failed, text, _ = await call(third, "ask_model", model="gpt-4o", max_tokens=2500)
    assert failed and "today's spend is $0.0300" in text


async def test_the_daily_cap_holds_over_two_worker_processes(priced: BackgroundEmulator, redis_url: str) -> None:
    # `--http --workers 2` on one port: fresh connections are spread over both processes, which share the Redis cap.
    # Four calls at once, each estimated at up to $0.03 and billed $0.03 by the gateway; the $0.07 cap fits two.
    budget = {"MIXROUTER_MCP_STORE": redis_url, "MIXROUTER_DAILY_BUDGET_USD": "0.07"}
    outcomes: list[bool] = []
    with http_server(priced, "--workers", "2", **budget) as server:

        async def caller() -> None:
            async with Client(server.url) as client:
                failed, _, _ = await call(client, "ask_model", model="gpt-4o~delay=0.5~cost=0.03", max_tokens=3000)
                outcomes.append(failed)

        async with anyio.create_task_group() as group:
            for _ in range(4):
                group.start_soon(caller)
    assert sorted(outcomes) == [False, False, True, True]
    assert len(model_requests(priced)) == 2


async def test_a_store_that_cannot_keep_the_cap_refuses(priced: BackgroundEmulator) -> None:
    settings = capped(priced, "redis://127.0.0.1:1/0", 1.0)  # nothing listens on port 1
    async with Client(build_server(settings)) as client:
        failed, text, _ = await call(client, "ask_model", model="gpt-4o-mini", max_tokens=100)
    assert failed and "the daily budget cannot be checked, so nothing was sent" in text
    assert model_requests(priced) == []
