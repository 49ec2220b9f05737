"""Every failure is an isError result with the status, the upstream message and a remedy; never a traceback."""

from __future__ import annotations

import pytest
from mcp import Client

from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.server import build_server

from .conftest import ALL_TOOLS, TEST_KEY, make_settings, text_of

pytestmark = pytest.mark.anyio


def assert_clean_error(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text
    assert TEST_KEY not in text


@pytest.mark.parametrize(
    ("model", "must_say"),
    [
        ("gpt-4o~status=404", ["HTTP 404", "Call list_models"]),
        ("gpt-4o~status=429", ["HTTP 429", "after 3 attempts", "retry", "choose another model"]),
        ("gpt-4o~status=429~empty", ["HTTP 429", "empty error body"]),
        ("gpt-4o~status=500", ["HTTP 500", "internal error", "request id: ", "after 3 attempts"]),
        ("gpt-4o~status=529~shape=anthropic", ["HTTP 529", "Overloaded"]),
        ("gpt-4o~status=403", ["HTTP 403", "insufficient_user_quota", "quota"]),
        ("gpt-4o~status=400", ["HTTP 400", "Fix the parameters"]),
        ("gpt-4o~status=502~html", ["HTTP 502", "non-JSON error body"]),
        ("no-such-model", ["HTTP 503", "model_not_found", "call list_models"]),
    ],
)
async def test_upstream_status_errors(client: Client, model: str, must_say: list[str]) -> None:
    result = await client.call_tool("ask_model", {"prompt": "x", "model": model})
    text = text_of(result)
    assert result.is_error, text
    for phrase in must_say:
        assert phrase in text, (phrase, text)
    assert_clean_error(text)


async def test_wrong_key_names_the_variable(emulator: BackgroundEmulator, mode: str) -> None:
    settings = make_settings(emulator, api_key="sk-wrong-key-0000000000")
    async with Client(build_server(settings), mode=mode) as client:
        for tool, args in (("ask_model", {"prompt": "x"}), ("list_models", {})):
            result = await client.call_tool(tool, args)
            text = text_of(result)
            assert result.is_error and "HTTP 401" in text and "Check MIXROUTER_API_KEY" in text
            assert "sk-wrong-key-0000000000" not in text


async def test_missing_key_still_lists_tools_and_names_the_variable(emulator: BackgroundEmulator, mode: str) -> None:
    settings = make_settings(emulator, api_key=None)
    before = emulator.recorder.count()
    async with Client(build_server(settings), mode=mode) as client:
        assert {t.name for t in (await client.list_tools()).tools} == ALL_TOOLS
        result = await client.call_tool("ask_model", {"prompt": "x"})
    assert result.is_error and "MIXROUTER_API_KEY" in text_of(result)
    assert emulator.recorder.count() == before  # nothing was sent


async def test_retry_then_success(client: Client, emulator: BackgroundEmulator, mode: str) -> None:
    model = f"gpt-4o~status=503~failfirst=2~served=gpt-4o-{mode}"  # failfirst counts per exact model string
    result = await client.call_tool("ask_model", {"prompt": "retry me", "model": model})
    assert not result.is_error, text_of(result)
    assert sum(1 for e in emulator.recorder.exchanges() if e.model == model) == 3


async def test_retry_after_longer_than_the_deadline_is_not_waited_for(emulator: BackgroundEmulator) -> None:
    settings = make_settings(emulator, call_deadline_s=2)
    async with Client(build_server(settings)) as client:
        result = await client.call_tool("ask_model", {"prompt": "x", "model": "gpt-4o~status=429~retryafter=600"})
    text = text_of(result)
    assert result.is_error and "Retry after 600 s" in text and "after 1 attempts" not in text


@pytest.mark.parametrize(
    ("args", "must_say"),
    [
        ({"prompt": ""}, "at least 1 character"),
        ({"prompt": "   \n\t"}, "not only whitespace"),
        ({"prompt": "x", "temperature": 5}, "less than or equal to 2"),
        ({"prompt": "x", "temperature": "hot"}, "valid number"),
        ({"prompt": "x", "max_tokens": 0}, "greater than or equal to 1"),
        ({"prompt": "x", "max_tokens": "lots"}, "valid integer"),
        ({"prompt": "x", "model": "bad model id!"}, "should match pattern"),
        ({"prompt": "x", "top_p": 0}, "greater than 0"),
        ({}, "prompt"),
        ({"prompt": ["not", "a", "string"]}, "valid string"),
    ],
)
async def test_bad_input_never_reaches_mixrouter(
    client: Client, emulator: BackgroundEmulator, args: dict[str, object], must_say: str
) -> None:
    before = emulator.recorder.count()
    result = await client.call_tool("ask_model", args)
    text = text_of(result)
    assert result.is_error and must_say in text, text
    assert emulator.recorder.count() == before
    assert_clean_error(text)


async def test_server_keeps_serving_after_errors(client: Client) -> None:
    for model in ("gpt-4o~status=500", "nope", "gpt-4o~badjson"):
        assert (await client.call_tool("ask_model", {"prompt": "x", "model": model})).is_error
    assert not (await client.call_tool("ask_model", {"prompt": "x", "model": "gpt-4o"})).is_error
