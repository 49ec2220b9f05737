"""compare_models: concurrent, independent, ordered, bounded, cancellable, judged anonymously."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from mixrouter_mcp.emulator import BackgroundEmulator, Exchange
from mixrouter_mcp.server import build_server

from .conftest import make_settings, text_of
from .processes import SERVER_COMMAND, server_env

pytestmark = pytest.mark.anyio


def exchanges_for(emulator: BackgroundEmulator, models: list[str]) -> list[Exchange]:
    return [e for e in emulator.recorder.exchanges() if e.model in models]


def max_overlap(exchanges: list[Exchange]) -> int:
    """The most exchanges that were open at the same moment."""
    events = sorted([(e.started, 1) for e in exchanges] + [(e.ended or float("inf"), -1) for e in exchanges])
    open_now = peak = 0
    for _, step in events:
        open_now += step
        peak = max(peak, open_now)
    return peak


async def compare(client: Client, **args: Any) -> tuple[bool, dict[str, Any], str]:
    result = await client.call_tool("compare_models", {"prompt": "Is P=NP?", **args})
    return bool(result.is_error), dict(result.structured_content or {}), text_of(result)


async def test_calls_overlap_and_results_keep_the_requested_order(
    client: Client, emulator: BackgroundEmulator, mode: str
) -> None:
    models = [
        f"{m}~delay=0.3~served=overlap-{mode}-{i}"
        for i, m in enumerate(["gpt-4o", "qwen3-max", "deepseek-chat", "gpt-4.1"])
    ]
    is_error, data, text = await compare(client, models=models)
    assert not is_error and data["succeeded"] == 4 and data["failed"] == 0
    assert [r["model"] for r in data["results"]] == models
    assert max_overlap(exchanges_for(emulator, models)) == 4  # all four were in flight together
    for number, model in enumerate(models, 1):
        assert f"━━ [{number}] {model}" in text
    assert "| # | model | status | latency | tokens in / out |" in text


async def test_one_500_and_one_timeout_do_not_fail_the_others(client: Client) -> None:
    models = ["gpt-4o", "qwen3-max~status=500", "deepseek-chat~delay=5", "gemini-2.5-flash"]
    is_error, data, text = await compare(client, models=models, timeout_s=1)
    assert not is_error and data["succeeded"] == 2 and data["failed"] == 2
    by_model = {r["model"]: r for r in data["results"]}
    assert "HTTP 500" in by_model["qwen3-max~status=500"]["error"]
    assert "did not finish within the 1 s deadline" in by_model["deepseek-chat~delay=5"]["error"]
    assert by_model["gpt-4o"]["ok"] and by_model["gpt-4o"]["text"] == "[gpt-4o] You asked: Is P=NP?"
    assert "FAILED" in text and "HTTP 500" in text


async def test_is_error_only_when_every_model_failed(client: Client) -> None:
    is_error, data, _ = await compare(client, models=["gpt-4o~status=401", "qwen3-max~status=404"])
    assert is_error and data["succeeded"] == 0 and data["failed"] == 2


@pytest.mark.parametrize(
    ("models", "must_say"),
    [
        (["gpt-4o"], "at least 2 different models"),
        (["gpt-4o", "gpt-4o", "gpt-4o"], "at least 2 different models"),
        ([f"gpt-4o~served=m{i}" for i in range(9)], "at most 8 models"),
        ([f"gpt-4o~served=m{i}" for i in range(50)], "at most 8 models"),
        ([], "at least 1 item"),
        ("gpt-4o", "valid list"),
    ],
)
async def test_panel_size_is_checked_before_any_call(
    client: Client, emulator: BackgroundEmulator, models: Any, must_say: str
) -> None:
    before = emulator.recorder.count()
    is_error, _, text = await compare(client, models=models)
    assert is_error and must_say in text
    assert emulator.recorder.count() == before


async def test_duplicates_are_removed(client: Client) -> None:
    _, data, _ = await compare(client, models=["gpt-4o", "qwen3-max", "gpt-4o"])
    assert [r["model"] for r in data["results"]] == ["gpt-4o", "qwen3-max"]


async def test_judge_sees_anonymised_answers_and_labels_map_back(client: Client, emulator: BackgroundEmulator) -> None:
    models = ["gpt-4o~words=5", "claude-sonnet-4-5-20250929~words=40", "qwen3-max~words=20"]
    _, data, text = await compare(client, models=models, judge_model="gpt-4o-mini")
    verdict = data["judge"]
    assert verdict["ok"] and verdict["judge_model"] == "gpt-4o-mini"
    # The emulated judge ranks the longest answer first.
    assert verdict["ranking"] == ["claude-sonnet-4-5-20250929~words=40", "qwen3-max~words=20", "gpt-4o~words=5"]
    assert sorted(verdict["labels"]) == ["A", "B", "C"] and sorted(verdict["labels"].values()) == sorted(models)
    assert verdict["best_answer"] and verdict["agreements"] and verdict["disagreements"]
    judge_body = next(e for e in reversed(emulator.recorder.exchanges()) if e.model == "gpt-4o-mini").body
    judge_prompt = judge_body["messages"][-1]["content"]
    assert "Answer A:" in judge_prompt and not any(name in judge_prompt for name in ("gpt-4o~", "claude", "qwen"))
    assert "Ranking: 1. claude-sonnet-4-5-20250929~words=40" in text


async def test_judge_failure_keeps_the_panel(client: Client) -> None:
    is_error, data, text = await compare(client, models=["gpt-4o", "qwen3-max"], judge_model="gpt-4o~status=400")
    assert not is_error and data["succeeded"] == 2
    assert data["judge"]["ok"] is False and "HTTP 400" in data["judge"]["error"] and "no verdict" in text


async def test_effort_makes_each_model_think(client: Client) -> None:
    _, data, _ = await compare(client, models=["deepseek-chat", "gemini-2.5-pro"], effort="low")
    assert all(r["reasoning"] for r in data["results"])


async def test_progress_in_order_with_heartbeats(emulator: BackgroundEmulator, mode: str) -> None:
    seen: list[tuple[float, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, message))

    settings = make_settings(emulator, progress_interval_s=0.1)
    models = ["gpt-4o~words=12~gap=0.05", "qwen3-max~ttft=0.4", "deepseek-chat"]
    async with Client(build_server(settings), mode=mode) as client:
        await client.call_tool("compare_models", {"prompt": "x", "models": models}, progress_callback=on_progress)
    values = [value for value, _ in seen]
    assert values == sorted(values) and len(set(values)) == len(values)
    messages = [m or "" for _, m in seen]
    assert messages[0].startswith("asking 3 models at once")
    assert sum("/3 done:" in m for m in messages) == 3 and "3/3 done:" in messages[-1]
    assert any("waiting for the first token" in m or "answering" in m for m in messages)  # heartbeats


async def test_server_wide_limit_bounds_open_upstream_requests(emulator: BackgroundEmulator) -> None:
    models = [f"gpt-4o~delay=0.2~served=bounded-{i}" for i in range(4)]
    async with Client(build_server(make_settings(emulator, max_connections=2))) as client:
        is_error, data, _ = await compare(client, models=models)
    assert not is_error and data["succeeded"] == 4
    assert max_overlap(exchanges_for(emulator, models)) == 2


async def _wait_until(predicate: Any) -> None:
    """Poll state the emulator's own thread writes (an anyio.Event cannot cross that thread)."""
    with anyio.fail_after(5):
        while not predicate():  # noqa: ASYNC110
            await anyio.sleep(0.02)


async def _cancel_mid_compare(client: Client, emulator: BackgroundEmulator, tag: str) -> list[Exchange]:
    models = [f"{m}~words=40~stall=3~served={tag}" for m in ("gpt-4o", "qwen3-max", "claude-sonnet-4-5-20250929")]
    models.append(f"gemini-2.5-pro~delay=30~served={tag}")
    async with anyio.create_task_group() as group:
        group.start_soon(client.call_tool, "compare_models", {"prompt": "x", "models": models})
        await _wait_until(lambda: len(exchanges_for(emulator, models)) == 4)
        await anyio.sleep(0.2)  # the streams are open and stalled, the last one has not answered yet
        group.cancel_scope.cancel()
    await _wait_until(lambda: all(e.outcome != "open" for e in exchanges_for(emulator, models)))
    return exchanges_for(emulator, models)


async def test_cancel_closes_every_upstream_connection(client: Client, emulator: BackgroundEmulator, mode: str) -> None:
    exchanges = await _cancel_mid_compare(client, emulator, f"cancel-memory-{mode}")
    assert [e.outcome for e in exchanges] == ["disconnected"] * 4
    # The server keeps serving afterwards.
    assert not (await client.call_tool("ask_model", {"prompt": "still there?"})).is_error


async def test_cancel_over_stdio_closes_every_upstream_connection(emulator: BackgroundEmulator, mode: str) -> None:
    params = StdioServerParameters(command=SERVER_COMMAND[0], args=SERVER_COMMAND[1:], env=server_env(emulator))
    async with Client(params, mode=mode) as client:
        exchanges = await _cancel_mid_compare(client, emulator, f"cancel-stdio-{mode}")
        assert [e.outcome for e in exchanges] == ["disconnected"] * 4
        assert not (await client.call_tool("ask_model", {"prompt": "still there?"})).is_error
