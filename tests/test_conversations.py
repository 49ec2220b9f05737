"""Conversations continue across calls, tools and models; across a restart (SQLite) and across server processes
(Redis); stay within their bounds; and report damage or absence clearly."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
import redis
from mcp import Client, MCPError, StdioServerParameters

from mixrouter_mcp.emulator import BackgroundEmulator, Exchange
from mixrouter_mcp.server import build_server

from .conftest import make_settings, text_of
from .processes import SERVER_COMMAND, free_port, http_server, server_env

pytestmark = pytest.mark.anyio


def last_request(emulator: BackgroundEmulator) -> Exchange:
    return emulator.recorder.exchanges()[-1]


async def call(client: Client, tool: str, **args: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    assert not result.is_error, text_of(result)
    return dict(result.structured_content or {})


async def test_a_thread_across_tools_and_models(client: Client, emulator: BackgroundEmulator) -> None:
    first = await call(
        client, "ask_model", prompt="Is 5050 the sum of 1..100?", model="claude-sonnet-4-5-20250929", system="Be brief."
    )
    conversation_id = first["conversation_id"]
    assert conversation_id.startswith("conv_")
    second = await call(
        client, "ask_model", prompt="Do you agree?", model="gemini-2.5-pro", conversation_id=conversation_id
    )
    assert second["conversation_id"] == conversation_id
    body = last_request(emulator).body  # Gemini saw Claude's exchange as history, and the system prompt kept
    assert [c["role"] for c in body["contents"]] == ["user", "model", "user"]
    assert body["contents"][1]["parts"][0]["text"] == first["text"]
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    third = await call(
        client, "extended_thinking", prompt="Think it over.", model="deepseek-chat", conversation_id=conversation_id
    )
    assert third["conversation_id"] == conversation_id
    messages = last_request(emulator).body["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant", "user"]
    panel = await call(
        client,
        "compare_models",
        prompt="Final answers?",
        models=["gpt-4o", "qwen3-max"],
        conversation_id=conversation_id,
    )
    assert panel["conversation_id"] == conversation_id
    kept = await call(client, "conversations", conversation_id=conversation_id)
    assert [t["tool"] for t in kept["turns"]] == ["ask_model"] * 4 + ["extended_thinking"] * 2 + ["compare_models"] * 2
    assert kept["turns"][-1]["content"].startswith("[gpt-4o]\n[gpt-4o] You asked: Final answers?")
    assert set(kept["models"]) >= {"claude-sonnet-4-5-20250929", "gemini-2.5-pro", "deepseek-chat", "gpt-4o"}
    assert kept["title"] == "Is 5050 the sum of 1..100?" and kept["system"] == "Be brief."
    listed = await call(client, "conversations")
    assert listed["conversations"][0]["id"] == conversation_id and listed["conversations"][0]["turns"] == 8


async def test_delete_and_unknown_ids(client: Client) -> None:
    conversation_id = (await call(client, "ask_model", prompt="x"))["conversation_id"]
    assert (await call(client, "delete_conversation", conversation_id=conversation_id))["deleted"] is True
    assert (await call(client, "delete_conversation", conversation_id=conversation_id))["deleted"] is False
    for tool, args in (("ask_model", {"prompt": "x"}), ("conversations", {})):
        result = await client.call_tool(tool, {**args, "conversation_id": conversation_id})
        assert result.is_error and "no conversation" in text_of(result) and "conversations()" in text_of(result)
    bad = await client.call_tool("conversations", {"conversation_id": "../etc"})
    assert bad.is_error and "should match pattern" in text_of(bad)


async def test_the_resource_template(client: Client) -> None:
    conversation_id = (await call(client, "ask_model", prompt="resource me"))["conversation_id"]
    templates = (await client.list_resource_templates()).resource_templates
    assert any(t.uri_template == "mixrouter://conversations/{conversation_id}" for t in templates)
    contents = (await client.read_resource(f"mixrouter://conversations/{conversation_id}")).contents[0]
    assert contents.mime_type == "application/json"
    assert json.loads(contents.text)["turns"][0]["content"] == "resource me"  # type: ignore[union-attr]
    with pytest.raises(MCPError):
        await client.read_resource("mixrouter://conversations/conv_doesnotexist00")


async def test_history_is_trimmed_oldest_first_to_fit_the_context(client: Client, emulator: BackgroundEmulator) -> None:
    conversation_id = None
    for turn in range(3):
        args: dict[str, Any] = {"prompt": f"long answer {turn}", "model": "gpt-4o~words=2000"}
        if conversation_id:
            args["conversation_id"] = conversation_id
        conversation_id = (await call(client, "ask_model", **args))["conversation_id"]
    # gpt-4o has 128k tokens; asking for 124k of answer leaves room for one ~3k-token exchange only.
    data = await call(
        client,
        "ask_model",
        prompt="and now?",
        model="gpt-4o",
        system="Stay terse.",
        max_tokens=124_000,
        conversation_id=conversation_id,
    )
    messages = last_request(emulator).body["messages"]
    assert messages[0] == {"role": "system", "content": "Stay terse."}  # the system prompt is kept
    assert [m["content"] for m in messages[1:] if m["role"] == "user"] == ["long answer 2", "and now?"]
    assert any("2 oldest exchange(s) of the conversation were left out" in n for n in data["notes"])


async def test_restart_keeps_the_thread_in_sqlite(emulator: BackgroundEmulator, tmp_path: Path, mode: str) -> None:
    store = f"sqlite://{tmp_path / 'threads.sqlite3'}"
    params = StdioServerParameters(
        command=SERVER_COMMAND[0], args=SERVER_COMMAND[1:], env=server_env(emulator, MIXROUTER_MCP_STORE=store)
    )
    async with Client(params, mode=mode) as client:
        conversation_id = (await call(client, "ask_model", prompt="remember 42", model="qwen3-max"))["conversation_id"]
    assert (tmp_path / "threads.sqlite3").exists()
    async with Client(params, mode=mode) as client:  # a new server process
        await call(client, "ask_model", prompt="what did I say?", model="gpt-4o", conversation_id=conversation_id)
    contents = [m["content"] for m in last_request(emulator).body["messages"]]
    assert contents == ["remember 42", "[qwen3-max] You asked: remember 42", "what did I say?"]
    journal = sqlite3.connect(tmp_path / "threads.sqlite3").execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"


@pytest.fixture
def two_servers(emulator: BackgroundEmulator, redis_url: str) -> Iterator[list[str]]:
    """Two separate server processes (streamable HTTP) sharing one Redis."""
    with (
        http_server(emulator, MIXROUTER_MCP_STORE=redis_url) as first,
        http_server(emulator, MIXROUTER_MCP_STORE=redis_url) as second,
    ):
        yield [first.url, second.url]


async def test_a_thread_moves_between_server_processes_through_redis(
    two_servers: list[str], emulator: BackgroundEmulator
) -> None:
    first, second = two_servers
    async with Client(first) as client:
        conversation_id = (await call(client, "ask_model", prompt="on A", model="claude-sonnet-4-5-20250929"))[
            "conversation_id"
        ]
    async with Client(second) as client:
        await call(client, "ask_model", prompt="on B", model="gemini-2.5-flash", conversation_id=conversation_id)
        assert last_request(emulator).body["contents"][0]["parts"][0]["text"] == "on A"
    async with Client(first) as client:
        kept = await call(client, "conversations", conversation_id=conversation_id)
    assert [t["content"] for t in kept["turns"] if t["role"] == "user"] == ["on A", "on B"]


@pytest.fixture
def workers(emulator: BackgroundEmulator, redis_url: str) -> Iterator[str]:
    """`mixrouter-mcp --http --workers 2`: two worker processes behind one port, sharing Redis."""
    with http_server(emulator, "--workers", "2", MIXROUTER_MCP_STORE=redis_url) as server:
        yield server.url


async def test_several_workers_behind_one_port(workers: str, emulator: BackgroundEmulator) -> None:
    conversation_id = None
    for turn in range(6):  # fresh connections: the kernel spreads them over the workers
        async with Client(workers) as client:
            args: dict[str, Any] = {"prompt": f"turn {turn}"}
            if conversation_id:
                args["conversation_id"] = conversation_id
            conversation_id = (await call(client, "ask_model", **args))["conversation_id"]
        assert len(last_request(emulator).body["messages"]) == 2 * turn + 1


@pytest.fixture(params=["sqlite", "redis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "redis":
        return str(request.getfixturevalue("redis_url"))
    return f"sqlite://{tmp_path / 'bounds.sqlite3'}"


async def test_bounds_turns_threads_and_expiry(emulator: BackgroundEmulator, store_url: str) -> None:
    settings = make_settings(emulator, mcp_store=store_url, conversation_max_turns=4, conversation_max_threads=3)
    async with Client(build_server(settings)) as client:
        conversation_id = None
        for turn in range(5):
            args: dict[str, Any] = {"prompt": f"turn {turn}"}
            if conversation_id:
                args["conversation_id"] = conversation_id
            conversation_id = (await call(client, "ask_model", **args))["conversation_id"]
        kept = await call(client, "conversations", conversation_id=conversation_id)
        assert [t["content"] for t in kept["turns"] if t["role"] == "user"] == ["turn 3", "turn 4"]  # 4 turns kept
        others = [(await call(client, "ask_model", prompt=f"thread {i}"))["conversation_id"] for i in range(3)]
        listed = await call(client, "conversations")
        assert [c["id"] for c in listed["conversations"]] == others[::-1]  # the oldest thread was evicted
        gone = await client.call_tool("conversations", {"conversation_id": conversation_id})
        assert gone.is_error and "no conversation" in text_of(gone)
    short = make_settings(emulator, mcp_store=store_url, conversation_ttl_days=1.5 / 86400)  # 1.5 s
    async with Client(build_server(short)) as client:
        conversation_id = (await call(client, "ask_model", prompt="fleeting"))["conversation_id"]
        assert (await call(client, "conversations", conversation_id=conversation_id))["turns"]
        await anyio.sleep(2.1)
        expired = await client.call_tool("conversations", {"conversation_id": conversation_id})
        assert expired.is_error and "no conversation" in text_of(expired)


async def test_a_damaged_sqlite_record_is_a_clear_error(emulator: BackgroundEmulator, tmp_path: Path) -> None:
    path = tmp_path / "damaged.sqlite3"
    async with Client(build_server(make_settings(emulator, mcp_store=f"sqlite://{path}"))) as client:
        conversation_id = (await call(client, "ask_model", prompt="x"))["conversation_id"]
        with sqlite3.connect(path) as db:
            db.execute("UPDATE turns SET role = 'wizard' WHERE conversation_id = ?", (conversation_id,))
        for tool, args in (("conversations", {}), ("ask_model", {"prompt": "y"})):
            result = await client.call_tool(tool, {**args, "conversation_id": conversation_id})
            assert result.is_error and "is damaged" in text_of(result) and "start a new one" in text_of(result)
        await call(client, "ask_model", prompt="a new thread still works")


async def test_a_damaged_redis_record_is_a_clear_error(emulator: BackgroundEmulator, redis_url: str) -> None:
    async with Client(build_server(make_settings(emulator, mcp_store=redis_url))) as client:
        conversation_id = (await call(client, "ask_model", prompt="x"))["conversation_id"]
        with redis.Redis.from_url(redis_url) as connection:
            connection.rpush(f"mixrouter-mcp:conv:{conversation_id}:turns", "{not json")
        result = await client.call_tool("conversations", {"conversation_id": conversation_id})
        assert result.is_error and "is damaged" in text_of(result)


async def test_an_unreachable_store_never_loses_an_answer(emulator: BackgroundEmulator) -> None:
    settings = make_settings(emulator, mcp_store=f"redis://127.0.0.1:{free_port()}/0")
    async with Client(build_server(settings)) as client:
        result = await client.call_tool("ask_model", {"prompt": "x", "model": "gpt-4o"})
        data = result.structured_content or {}
        assert not result.is_error and data["text"] == "[gpt-4o] You asked: x"
        assert any("could not be saved" in note for note in data["notes"])
        resumed = await client.call_tool("ask_model", {"prompt": "x", "conversation_id": "conv_abcdefgh12345678"})
        assert resumed.is_error and "conversation store is unavailable" in text_of(resumed)


def test_default_store_lives_in_the_user_data_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mixrouter_mcp.store import default_sqlite_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_sqlite_path() == tmp_path / "mixrouter-mcp" / "conversations.sqlite3"


async def test_conversations_can_be_switched_off(emulator: BackgroundEmulator) -> None:
    async with Client(build_server(make_settings(emulator, mcp_store="none"))) as client:
        data = await call(client, "ask_model", prompt="private")
        assert data["conversation_id"] is None
        resumed = await client.call_tool("ask_model", {"prompt": "x", "conversation_id": "conv_abcdefgh12345678"})
        assert resumed.is_error and "switched off" in text_of(resumed)
        assert (await call(client, "conversations"))["count"] == 0
    written = [path async for path in anyio.Path(os.environ["XDG_DATA_HOME"]).glob("**/*.sqlite3")]
    assert written == []  # nothing persisted anywhere


async def test_a_model_that_reads_only_the_text_can_continue(client: Client, emulator: BackgroundEmulator) -> None:
    """Many clients show a model the text content alone: the id to continue with is there, for every tool."""

    def id_in(text: str) -> str:
        found = re.search(r"conversation_id=(conv_[A-Za-z0-9_-]+)", text)
        assert found, text
        return found.group(1)

    first = await client.call_tool("ask_model", {"prompt": "My name is Ada.", "model": "gpt-4o"})
    conversation_id = id_in(text_of(first))
    thought = await client.call_tool(
        "extended_thinking",
        {"prompt": "And my name?", "model": "deepseek-reasoner", "conversation_id": conversation_id},
    )
    assert id_in(text_of(thought)) == conversation_id
    assert "My name is Ada." in json.dumps(last_request(emulator).body)  # the history went with it
    panel = await client.call_tool(
        "compare_models", {"prompt": "Again?", "models": ["gpt-4o", "qwen3-max"], "conversation_id": conversation_id}
    )
    assert id_in(text_of(panel)) == conversation_id
