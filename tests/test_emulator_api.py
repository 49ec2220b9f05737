"""The emulator as users embed it in their own tests: create_app(models=..., replies=...), isolated instances,
no work at import, and the pytest fixture."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx2
import pytest
from mcp import Client

from mixrouter_mcp.config import Settings
from mixrouter_mcp.emulator import BackgroundEmulator, EmulatedModel
from mixrouter_mcp.server import build_server

pytestmark = pytest.mark.anyio


def chat(emulator: BackgroundEmulator, model: str, prompt: str = "hi") -> httpx2.Response:
    body = {"model": model, "messages": [{"role": "user", "content": prompt}]}
    headers = {"Authorization": f"Bearer {emulator.api_key}"}
    return httpx2.post(f"{emulator.url}/v1/chat/completions", json=body, headers=headers, timeout=10)


def test_instances_share_no_counters() -> None:
    with BackgroundEmulator() as first, BackgroundEmulator() as second:
        ids = [chat(first, "gpt-4o").json()["id"], chat(first, "gpt-4o").json()["id"]]
        assert chat(second, "gpt-4o").json()["id"] == ids[0]  # a new instance starts its own sequence
    assert ids == ["chatcmpl-emu00000001", "chatcmpl-emu00000002"]


def test_models_replace_the_catalogue() -> None:
    mine = EmulatedModel("acme-reasoner", "acme", ("openai",), "always")
    with BackgroundEmulator(models=["gpt-4o", "house-model", mine]) as emulator:
        listed = httpx2.get(
            f"{emulator.url}/v1/models", headers={"Authorization": f"Bearer {emulator.api_key}"}, timeout=10
        ).json()
        assert [m["id"] for m in listed["data"]] == ["gpt-4o", "house-model", "acme-reasoner"]
        assert listed["data"][1]["owned_by"] == "custom"
        assert chat(emulator, "house-model").json()["choices"][0]["message"]["content"] == "[house-model] You asked: hi"
        assert chat(emulator, "acme-reasoner").json()["choices"][0]["message"]["reasoning_content"]
        refused = chat(emulator, "claude-sonnet-4-5-20250929")
        assert refused.status_code == 503 and "model_not_found" in refused.text


async def test_replies_reach_an_mcp_client() -> None:
    def by_prompt(model: str, prompt: str) -> str | None:
        return f"{model} says 4" if prompt == "2+2?" else None

    for replies in ({"gpt-4o": "scripted answer"}, by_prompt):
        with BackgroundEmulator(replies=replies) as emulator:
            settings = Settings(_env_file=None, api_key=emulator.api_key, base_url=emulator.url, mcp_store="none")  # type: ignore[call-arg]
            async with Client(build_server(settings)) as client:
                result = await client.call_tool("ask_model", {"prompt": "2+2?", "model": "gpt-4o"})
                other = await client.call_tool("ask_model", {"prompt": "else", "model": "gpt-4o-mini"})
        data: dict[str, Any] = result.structured_content or {}
        expected = "scripted answer" if isinstance(replies, dict) else "gpt-4o says 4"
        assert data["text"] == expected
        assert (other.structured_content or {})["text"] == "[gpt-4o-mini] You asked: else"  # the default


def test_importing_the_emulator_starts_and_reads_nothing() -> None:
    probe = (
        "import sys, threading\n"
        "import mixrouter_mcp.emulator as e, mixrouter_mcp.emulator.videos as v\n"
        "assert threading.active_count() == 1, threading.enumerate()\n"
        "assert v.sample_mp4.cache_info().currsize == 0\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ok" and not done.stderr, done.stderr


@pytest.mark.mixrouter_emulator(models=["gpt-4o"], replies={"gpt-4o": "from the fixture"})
def test_the_pytest_fixture(mixrouter_emulator: BackgroundEmulator, mixrouter_env: dict[str, str]) -> None:
    assert mixrouter_env == {
        "MIXROUTER_BASE_URL": mixrouter_emulator.url,
        "MIXROUTER_API_KEY": mixrouter_emulator.api_key,
    }
    answer = chat(mixrouter_emulator, "gpt-4o").json()["choices"][0]["message"]["content"]
    assert answer == "from the fixture"
    assert [e.model for e in mixrouter_emulator.recorder.exchanges()] == ["gpt-4o"]
