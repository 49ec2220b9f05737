"""Every failure is an isError result with the status, the upstream message and a remedy; never a traceback."""

from __future__ import annotations

import pytest
from mcp import Client

from mixrouter_mcp.config import Settings
from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.server import build_server
from mixrouter_mcp.tools.support.failures import error_text
from mixrouter_mcp.upstream import errors as up

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


async def test_refused_arguments_read_as_a_list_of_what_to_fix(client: Client) -> None:
    """One line per bad argument with what was sent; none of pydantic's class names, error codes or docs URLs."""
    args = {"prompt": "", "temperature": 5, "max_tokens": "lots", "api": "soap"}
    text = text_of(result := await client.call_tool("ask_model", args))
    assert result.is_error
    assert text.startswith("Error executing tool ask_model: invalid arguments, nothing was done:\n"), text
    assert "- prompt: String should have at least 1 character (got '')" in text
    assert "- temperature: Input should be less than or equal to 2 (got 5)" in text
    assert "- max_tokens: Input should be a valid integer (got 'lots')" in text
    assert "- api: Input should be 'auto', 'chat', 'responses', 'messages' or 'gemini' (got 'soap')" in text
    assert text.endswith("\nFix them and call again.")
    for noise in ("ask_modelArguments", "errors.pydantic.dev", "[type=", "input_value"):
        assert noise not in text, (noise, text)
    own = text_of(await client.call_tool("ask_model", {"prompt": "x", "max_cost_usd": 0}))
    assert "- max_cost_usd: must be more than 0 (US dollars) (got 0)" in own, own


@pytest.mark.parametrize(
    ("tool", "arguments", "meaning"),
    [
        ("ask_model", {"prompt": "x", "model": "gpt 4o"}, "a model id is letters, digits"),
        ("ask_model", {"prompt": "x", "conversation_id": "abc"}, "a conversation_id is one an earlier answer returned"),
        ("conversations", {"conversation_id": "my chat"}, "a conversation_id is one an earlier answer returned"),
        ("video", {"task_id": "task 1"}, "a task_id is one an earlier video call returned"),
    ],
)
async def test_a_broken_pattern_is_said_in_words(
    client: Client, tool: str, arguments: dict[str, object], meaning: str
) -> None:
    """The published schemas carry no regex, so a refusal says what the pattern means."""
    result = await client.call_tool(tool, arguments)
    text = text_of(result)
    assert result.is_error and "should match pattern" in text and meaning in text, text


async def test_a_refused_long_value_is_shown_cut(client: Client) -> None:
    text = text_of(await client.call_tool("ask_model", {"prompt": "x", "model": "m " * 5_000}))
    assert "- model: String should have at most 200 characters (got 'm m m" in text, text
    assert "m m... (10,002 characters))" in text, text
    assert len(text) < 400, text


@pytest.mark.parametrize(
    ("tool", "args", "must_say"),
    [
        (
            "ask_model",
            {"prompt": "x", "modle": "claude-opus-4-7"},
            "- modle: ask_model has no such argument (did you mean 'model'?)",
        ),
        (
            "ask_model",
            {"prompt": "x", "max_cost": 0.01},
            "- max_cost: ask_model has no such argument (did you mean 'max_cost_usd'?)",
        ),
        (
            "compare_models",
            {"prompt": "x", "models": ["gpt-4o", "qwen3-max"], "judge": "gpt-4o"},
            "(did you mean 'judge_model'?)",
        ),
        ("list_models", {"filter": "claude"}, "- filter: list_models has no such argument\nIts arguments: contains."),
    ],
)
async def test_an_unknown_argument_is_refused_before_any_call(
    client: Client, emulator: BackgroundEmulator, tool: str, args: dict[str, object], must_say: str
) -> None:
    """A misspelt argument would otherwise be dropped in silence: the call made on the default model, or with no
    budget at all."""
    before = emulator.recorder.count()
    result = await client.call_tool(tool, args)
    text = text_of(result)
    assert result.is_error and must_say in text, text
    assert text.startswith(f"Error executing tool {tool}: invalid arguments, nothing was done:\n"), text
    assert emulator.recorder.count() == before


async def test_an_unknown_tool_is_still_the_sdks_to_refuse(client: Client) -> None:
    result = await client.call_tool("no_such_tool", {"prompt": "x"})
    assert result.is_error and text_of(result) == "Unknown tool: no_such_tool"


async def test_server_keeps_serving_after_errors(client: Client) -> None:
    for model in ("gpt-4o~status=500", "nope", "gpt-4o~badjson"):
        assert (await client.call_tool("ask_model", {"prompt": "x", "model": model})).is_error
    assert not (await client.call_tool("ask_model", {"prompt": "x", "model": "gpt-4o"})).is_error


@pytest.mark.parametrize(
    ("tool", "arguments", "closest"),
    [
        ("ask_model", {"prompt": "x", "model": "gpt4o"}, "gpt-4o"),
        ("extended_thinking", {"prompt": "x", "model": "claude-sonnet-4-5"}, "claude-sonnet-4-5-20250929"),
        ("compare_models", {"prompt": "x", "models": ["gpt-4o-mini", "gemini-2.5-pr"]}, "gemini-2.5-pro"),
    ],
)
async def test_a_model_mixrouter_does_not_serve_names_the_closest_it_does(
    client: Client, tool: str, arguments: dict[str, object], closest: str
) -> None:
    """A typo or a missing date suffix: the message names the served ids nearest to it, read from /v1/models."""
    result = await client.call_tool(tool, arguments)
    text = text_of(result)
    assert "model_not_found" in text
    assert f"the closest it serves: {closest}" in text, text
    assert_clean_error(text)


def test_model_not_found_remedies_by_what_the_list_says() -> None:
    settings = Settings(_env_file=None, api_key=TEST_KEY)  # type: ignore[call-arg]
    error = up.ModelNotFound("no channel", status=503, code="model_not_found")
    unread = error_text(error, model="gpt-4o", settings=settings)
    listed = error_text(error, model="gpt-4o", settings=settings, served=["gpt-4o", "gpt-5"])
    far = error_text(error, model="zzzz", settings=settings, served=["gpt-4o", "gpt-5"])
    assert "call list_models for valid ids" in unread
    assert "lists model 'gpt-4o' but has no channel serving it" in listed
    assert "nor one with a close name" in far and "call list_models" in far
