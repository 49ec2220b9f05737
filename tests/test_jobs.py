"""Jobs through the MCP client: a call past its deadline comes back as a job id with its text so far, goes on in
the background, and can be read (get_job) or stopped (cancel_job), from this server, after a restart, from a
second stdio process sharing SQLite, and from the other worker of `--http --workers 2` sharing Redis."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.server import build_server

from .conftest import TEST_KEY, make_settings, text_of, wait_until
from .processes import SERVER_COMMAND, http_server, server_env

pytestmark = pytest.mark.anyio
# 80 words, one every 0.05 s: about 4 s of streaming, so a 2 s deadline lands mid-answer.
SLOW = "gpt-4o~words=80~gap=0.05"


def exchanges(emulator: BackgroundEmulator, model: str) -> list[Any]:
    return [e for e in emulator.recorder.exchanges() if e.model == model]


def data(result: Any) -> dict[str, Any]:
    return dict(result.structured_content or {})


async def start(client: Client, model: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool("ask_model", {"prompt": "Write at length.", "model": model, **arguments})
    assert not result.is_error, text_of(result)
    started = data(result)
    assert started["finish_reason"] == "running" and started["job_id"], started
    assert f'get_job(job_id="{started["job_id"]}"' in text_of(result)
    return started


async def test_a_call_past_its_deadline_becomes_a_job_and_finishes(emulator: BackgroundEmulator) -> None:
    model = f"{SLOW}~served=job-done"
    async with Client(build_server(make_settings(emulator, call_deadline_s=2, mcp_store="none"))) as client:
        started = await start(client, model)
        partial = started["text"]
        assert 0 < len(partial.split()) < 80  # the text so far, not nothing and not all
        assert exchanges(emulator, model)[0].outcome == "open"  # the upstream call goes on
        ended = await client.call_tool("get_job", {"job_id": started["job_id"], "wait_s": 20})
    view = data(ended)
    assert not ended.is_error and view["state"] == "done", text_of(ended)
    answer = view["result"]
    assert len(answer["text"].split()) == 80 and answer["text"].startswith(partial.rstrip())
    assert answer["usage"]["output_tokens"] > 0 and view["job_id"] == started["job_id"]
    assert answer["text"] in view["text"]
    assert exchanges(emulator, model)[0].outcome == "completed"


async def test_the_text_so_far_grows_while_the_job_runs(emulator: BackgroundEmulator) -> None:
    model = f"{SLOW}~served=job-grows"
    async with Client(build_server(make_settings(emulator, mcp_store="none"))) as client:
        started = await start(client, model, background=True)  # the job id at once, not after a deadline
        assert len(started["text"].split()) < 20
        await anyio.sleep(1.0)
        early = data(await client.call_tool("get_job", {"job_id": started["job_id"]}))
        await anyio.sleep(1.0)
        later = data(await client.call_tool("get_job", {"job_id": started["job_id"]}))
    assert early["state"] == later["state"] == "running"
    assert 0 < len(early["text"].split()) < len(later["text"].split()) < 80
    assert "get_job" in later["notes"][-1]


async def test_cancel_job_closes_the_upstream_stream(emulator: BackgroundEmulator, mode: str) -> None:
    model = f"{SLOW}~served=job-cancel-{mode}"
    async with Client(build_server(make_settings(emulator, mcp_store="none")), mode=mode) as client:
        started = await start(client, model, background=True)
        await wait_until(lambda: bool(exchanges(emulator, model)))
        await anyio.sleep(0.8)
        cancelled = await client.call_tool("cancel_job", {"job_id": started["job_id"]})
        view = data(cancelled)
        assert not cancelled.is_error and view["state"] == "cancelled"
        assert 0 < len(view["text"].split()) < 80 and "upstream stream was closed" in view["notes"][-1]
        await wait_until(lambda: exchanges(emulator, model)[0].outcome == "disconnected", seconds=2)
        again = data(await client.call_tool("get_job", {"job_id": started["job_id"]}))
        assert again["state"] == "cancelled" and again["text"] == view["text"]


async def test_a_restart_mid_job_leaves_an_interrupted_record(emulator: BackgroundEmulator, tmp_path: Path) -> None:
    model = f"{SLOW}~served=job-restart"
    settings = make_settings(emulator, call_deadline_s=2, mcp_store=f"sqlite://{tmp_path / 'store.db'}")
    async with Client(build_server(settings)) as first:
        started = await start(first, model)
        await anyio.sleep(0.5)  # the server stops with the upstream still streaming
    await wait_until(lambda: exchanges(emulator, model)[0].outcome == "disconnected")
    async with Client(build_server(settings)) as second:
        read = await second.call_tool("get_job", {"job_id": started["job_id"], "wait_s": 1})
    view = data(read)
    assert not read.is_error and view["state"] == "interrupted", text_of(read)
    assert view["text"].startswith(started["text"].rstrip()) and len(view["text"].split()) < 80
    assert "Ask again to redo it" in view["notes"][-1]


async def test_a_panel_past_its_deadline_returns_the_answers_so_far(emulator: BackgroundEmulator) -> None:
    slow, fast = f"{SLOW}~served=panel-slow", "deepseek-chat~served=panel-fast"
    async with Client(build_server(make_settings(emulator, call_deadline_s=2, mcp_store="none"))) as client:
        result = await client.call_tool("compare_models", {"prompt": "Write at length.", "models": [slow, fast]})
        started = data(result)
        assert not result.is_error and started["job_id"], text_of(result)
        assert [r["model"] for r in started["results"]] == [fast]  # the fast one answered; the slow one goes on
        assert "1 of 2 models have answered so far" in started["notes"]
        ended = await client.call_tool("get_job", {"job_id": started["job_id"], "wait_s": 20})
    view = data(ended)
    assert not ended.is_error and view["state"] == "done", text_of(ended)
    assert view["result"]["succeeded"] == 2 and view["tool"] == "compare_models"
    assert exchanges(emulator, slow)[0].outcome == "completed"


async def test_cancelling_a_panel_closes_every_member_stream(emulator: BackgroundEmulator) -> None:
    first, second = f"{SLOW}~served=panel-c1", f"{SLOW}~served=panel-c2"
    async with Client(build_server(make_settings(emulator, mcp_store="none"))) as client:
        arguments = {"prompt": "Write at length.", "models": [first, second], "background": True}
        started = data(await client.call_tool("compare_models", arguments))
        await anyio.sleep(1.0)
        running = data(await client.call_tool("get_job", {"job_id": started["job_id"]}))
        assert running["state"] == "running" and "still running: gpt-4o" in running["text"]
        cancelled = data(await client.call_tool("cancel_job", {"job_id": started["job_id"]}))
    assert cancelled["state"] == "cancelled"
    await wait_until(lambda: all(exchanges(emulator, m)[0].outcome == "disconnected" for m in (first, second)))


async def test_unknown_job_ids_are_refused_clearly(emulator: BackgroundEmulator) -> None:
    async with Client(build_server(make_settings(emulator, mcp_store="none"))) as client:
        for tool in ("get_job", "cancel_job"):
            result = await client.call_tool(tool, {"job_id": "job-does-not-exist"})
            assert result.is_error and "no job 'job-does-not-exist' here" in text_of(result)
            assert "MIXROUTER_JOB_TTL_S" in text_of(result)


async def test_a_job_that_fails_is_an_error_when_read(emulator: BackgroundEmulator) -> None:
    model = "gpt-4o~delay=0.5~status=400~served=job-fails"
    async with Client(build_server(make_settings(emulator, mcp_store="none"))) as client:
        started = await start(client, model, background=True)
        ended = await client.call_tool("get_job", {"job_id": started["job_id"], "wait_s": 10})
    assert ended.is_error and data(ended)["state"] == "failed" and TEST_KEY not in text_of(ended)


def stdio_params(emulator: BackgroundEmulator, store: Path) -> StdioServerParameters:
    env = server_env(emulator, MIXROUTER_MCP_STORE=f"sqlite://{store}", MIXROUTER_CALL_DEADLINE_S="2")
    return StdioServerParameters(command=SERVER_COMMAND[0], args=SERVER_COMMAND[1:], env=env)


def stdio_server_pid() -> int:
    """The newest stdio server this test process started (its child running mixrouter_mcp)."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("PPid:"))
        if ppid == os.getpid() and "mixrouter_mcp" in cmdline and "--http" not in cmdline:
            found.append(int(entry.name))
    assert found, "no stdio server process found"
    return max(found)


async def test_a_job_from_one_stdio_process_is_read_by_another(emulator: BackgroundEmulator, tmp_path: Path) -> None:
    model = f"{SLOW}~served=job-stdio"
    params = stdio_params(emulator, tmp_path / "store.db")
    async with Client(params) as starter:
        started = await start(starter, model)  # past the 2 s deadline
        async with Client(params) as reader:
            running = data(await reader.call_tool("get_job", {"job_id": started["job_id"]}))
            assert running["state"] == "running" and running["text"].startswith(started["text"].rstrip())
            ended = await reader.call_tool("get_job", {"job_id": started["job_id"], "wait_s": 20})
    view = data(ended)
    assert not ended.is_error and view["state"] == "done", text_of(ended)
    assert len(view["result"]["text"].split()) == 80


async def test_a_killed_stdio_server_leaves_an_interrupted_job(emulator: BackgroundEmulator, tmp_path: Path) -> None:
    model = f"{SLOW}~served=job-killed"
    params = stdio_params(emulator, tmp_path / "store.db")
    async with Client(params) as doomed:
        started = await start(doomed, model)
        await anyio.sleep(1.5)  # at least one flush of the text so far reaches the store
        os.kill(stdio_server_pid(), signal.SIGKILL)  # no shutdown code runs: the record says `running`
        await wait_until(lambda: exchanges(emulator, model)[0].outcome == "disconnected")
        with pytest.raises(Exception):  # noqa: B017 - the session sees its server die, whatever the type
            await doomed.call_tool("get_job", {"job_id": started["job_id"]})
    async with Client(params) as after:
        read = await after.call_tool("get_job", {"job_id": started["job_id"]})
    view = data(read)
    assert view["state"] == "interrupted", text_of(read)
    assert len(started["text"].split()) <= len(view["text"].split()) < 80
    assert "stopped before the answer was complete" in " ".join(view["notes"])


async def on_a_worker(url: str, tool: str, arguments: dict[str, Any]) -> tuple[str, Any]:
    """Call `tool` in a fresh session on fresh connections (keep-alive off); return the worker process that
    answered the tools/call (its `mixrouter-worker` header) and the result."""
    workers: list[str] = []

    async def note(response: httpx2.Response) -> None:
        if b'"tools/call"' in response.request.content:
            workers.append(response.headers.get("mixrouter-worker", ""))

    limits = httpx2.Limits(max_keepalive_connections=0)
    http = httpx2.AsyncClient(limits=limits, event_hooks={"response": [note]}, timeout=30)
    async with http, Client(streamable_http_client(url, http_client=http)) as client:
        result = await client.call_tool(tool, arguments)
    assert len(workers) == 1 and workers[0], workers
    return workers[0], result


async def test_a_job_started_on_one_worker_is_read_from_the_other(emulator: BackgroundEmulator, redis_url: str) -> None:
    model = f"{SLOW}~served=job-workers"
    arguments = {"prompt": "Write at length.", "model": model, "background": True}
    with http_server(emulator, "--workers", "2", MIXROUTER_MCP_STORE=redis_url) as server:
        starter, result = await on_a_worker(server.url, "ask_model", arguments)
        job_id = data(result)["job_id"]
        for _ in range(40):  # fresh sessions until the other worker answers one
            reader, read = await on_a_worker(server.url, "get_job", {"job_id": job_id})
            if reader != starter:
                break
        else:
            pytest.fail(f"every session was served by worker {starter}")
        assert data(read)["state"] == "running", text_of(read)
        ended = await on_a_worker(server.url, "get_job", {"job_id": job_id, "wait_s": 20})
    view = data(ended[1])
    assert view["state"] == "done" and len(view["result"]["text"].split()) == 80, text_of(ended[1])


async def test_cancel_job_from_the_other_worker_closes_the_stream(emulator: BackgroundEmulator, redis_url: str) -> None:
    # The worker that runs a job holds its stream; the other one asks it through Redis to close it.
    with http_server(emulator, "--workers", "2", MIXROUTER_MCP_STORE=redis_url) as server:
        for attempt in range(20):
            model = f"{SLOW}~served=job-cross-cancel-{attempt}"
            arguments = {"prompt": "Write at length.", "model": model, "background": True}
            starter, result = await on_a_worker(server.url, "ask_model", arguments)
            await wait_until(lambda: bool(exchanges(emulator, model)))  # noqa: B023 - awaited in this iteration
            canceller, cancelled = await on_a_worker(server.url, "cancel_job", {"job_id": data(result)["job_id"]})
            if canceller != starter:
                break
        else:
            pytest.fail(f"every session was served by worker {starter}")
        view = data(cancelled)
        assert view["state"] == "cancelled", text_of(cancelled)
        await wait_until(lambda: exchanges(emulator, model)[0].outcome == "disconnected", seconds=5)
