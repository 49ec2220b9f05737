"""Issue 11, the items beyond hostile bodies: video downloads (deadline, partial files, symlinks, redirects,
task ids), store failures (one message, unconfirmed Redis writes, credentials, disk full), the result store,
paged conversations, strict numbers and Retry-After values that would hammer the upstream."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, MCPError

from mixrouter_mcp.config import Settings
from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.emulator.scripted import Reply, ScriptedUpstream
from mixrouter_mcp.emulator.videos import SAMPLE_MP4
from mixrouter_mcp.server import build_server
from mixrouter_mcp.store import Limits, SqliteStore, Turn

from .conftest import make_settings, scripted_settings, text_of
from .processes import SERVER_COMMAND, free_port, server_env

pytestmark = pytest.mark.anyio
MP4 = {"content-type": "video/mp4"}


def entries(directory: Path) -> list[Path]:
    return list(directory.iterdir())


def video_ready(upstream: ScriptedUpstream, task_id: str, file_path: str) -> None:
    """mixrouter says the task succeeded, with a video URL on the scripted host."""
    task = {"id": task_id, "status": "completed", "metadata": {"url": f"{upstream.url}{file_path}"}}
    upstream.script(Reply(body=json.dumps(task).encode()), f"/v1/videos/{task_id}")


# ------------------------------------------------------------------------------------- 5, 6, 15: video downloads


async def test_a_trickling_download_stops_at_the_deadline_and_leaves_no_file(
    scripted: ScriptedUpstream, tmp_path: Path
) -> None:
    video_ready(scripted, "task-slow", "/files/slow.mp4")
    scripted.script(Reply(headers=MP4, body=(b"\x00" for _ in range(100)), gap=2.0), "/files/")
    settings = scripted_settings(scripted, mcp_allowed_dirs=str(tmp_path), call_deadline_s=1.0)
    async with Client(build_server(settings)) as client:
        started = anyio.current_time()
        result = await client.call_tool("video", {"task_id": "task-slow", "save": True})
        assert anyio.current_time() - started < 5
    assert result.is_error and "did not finish within the 1 s deadline" in text_of(result)
    assert entries(tmp_path) == []


async def test_a_cancelled_download_leaves_no_partial_file(scripted: ScriptedUpstream, tmp_path: Path) -> None:
    video_ready(scripted, "task-cancel", "/files/c.mp4")
    scripted.script(Reply(headers=MP4, body=(SAMPLE_MP4[:100] for _ in range(1000)), gap=0.05), "/files/")
    async with Client(build_server(scripted_settings(scripted, mcp_allowed_dirs=str(tmp_path)))) as client:
        async with anyio.create_task_group() as group:
            group.start_soon(client.call_tool, "video", {"task_id": "task-cancel", "save": True})
            with anyio.fail_after(5):
                while not entries(tmp_path):  # noqa: ASYNC110 - the file appears once writing starts
                    await anyio.sleep(0.02)
            await anyio.sleep(0.2)
            group.cancel_scope.cancel()
        with anyio.fail_after(5):
            while entries(tmp_path):  # noqa: ASYNC110
                await anyio.sleep(0.02)


async def test_a_dangling_symlink_is_never_written_through(scripted: ScriptedUpstream, tmp_path: Path) -> None:
    allowed, outside = tmp_path / "allowed", tmp_path / "outside"
    allowed.mkdir()
    outside.mkdir()
    (allowed / "task-link.mp4").symlink_to(outside / "stolen.mp4")  # dangling: exists() is False
    video_ready(scripted, "task-link", "/files/v.mp4")
    scripted.script(Reply(headers=MP4, body=SAMPLE_MP4), "/files/")
    async with Client(build_server(scripted_settings(scripted, mcp_allowed_dirs=str(allowed)))) as client:
        result = await client.call_tool("video", {"task_id": "task-link", "save": True})
    assert not result.is_error, text_of(result)
    assert not (outside / "stolen.mp4").exists()
    assert result.structured_content["path"] == str(allowed / "task-link-1.mp4")  # type: ignore[index]
    assert (allowed / "task-link-1.mp4").read_bytes() == SAMPLE_MP4


async def test_a_redirected_video_url_is_followed_without_the_key(scripted: ScriptedUpstream, tmp_path: Path) -> None:
    video_ready(scripted, "task-cdn", "/files/signed.mp4")
    scripted.script(Reply(status=302, headers={"location": "/cdn/real.mp4"}), "/files/")
    scripted.script(Reply(headers=MP4, body=SAMPLE_MP4), "/cdn/")
    async with Client(build_server(scripted_settings(scripted, mcp_allowed_dirs=str(tmp_path)))) as client:
        result = await client.call_tool("video", {"task_id": "task-cdn", "save": True})
    assert not result.is_error, text_of(result)
    fetched = [r for r in scripted.requests if r.path.startswith(("/files/", "/cdn/"))]
    assert [r.path for r in fetched] == ["/files/signed.mp4", "/cdn/real.mp4"]
    assert all("authorization" not in r.headers for r in fetched)


@pytest.mark.parametrize("task_id", ["..", ".", "...", "-x"])
async def test_task_ids_that_would_move_the_path_are_refused(scripted: ScriptedUpstream, task_id: str) -> None:
    async with Client(build_server(scripted_settings(scripted))) as client:
        for save in (False, True):
            result = await client.call_tool("video", {"task_id": task_id, "save": save})
            assert result.is_error and "not a video task id" in text_of(result), text_of(result)
    assert scripted.requests == []  # the key went nowhere


async def test_a_task_id_from_upstream_that_would_move_the_path_is_refused(scripted: ScriptedUpstream) -> None:
    scripted.script(Reply(body=json.dumps({"id": "..", "status": "queued"}).encode()))
    async with Client(build_server(scripted_settings(scripted))) as client:
        result = await client.call_tool("video", {"prompt": "a cat", "wait_s": 0})
    assert result.is_error and "task id we cannot use" in text_of(result)
    assert [r.method for r in scripted.requests] == ["POST"]


# --------------------------------------------------------------------------------------- 15e: Retry-After


@pytest.mark.parametrize("value", ["0", "-5", "NaN", "inf"])
async def test_retry_after_values_that_would_hammer_are_not_obeyed(scripted: ScriptedUpstream, value: str) -> None:
    error = json.dumps({"error": {"message": "slow down", "type": "rate_limit_error"}}).encode()
    scripted.script(Reply(status=429, headers={"retry-after": value}, body=error))
    async with Client(build_server(scripted_settings(scripted, retry_backoff_s=0.2))) as client:
        result = await client.call_tool("ask_model", {"prompt": "x", "model": "gpt-4o"})
    text = text_of(result)
    assert result.is_error and "HTTP 429" in text and "inf" not in text and "nan" not in text.lower()
    first, second, third = (r.at for r in scripted.requests)
    assert second - first >= 0.14 and third - second >= 0.29  # our backoff (0.2 s, then 0.4 s, less jitter)


# ------------------------------------------------------------------------------------------ 15c: strict ints


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("ask_model", {"prompt": "x", "max_tokens": True}),
        ("ask_model", {"prompt": "x", "temperature": True}),
        ("video", {"prompt": "x", "duration": True}),
        ("read_result", {"result_id": "res_x", "offset": True}),
        ("video", {"task_id": "t1", "wait_s": False}),
    ],
)
async def test_booleans_are_not_numbers(scripted: ScriptedUpstream, tool: str, arguments: dict[str, Any]) -> None:
    async with Client(build_server(scripted_settings(scripted))) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error and "valid" in text_of(result).lower(), text_of(result)
    assert scripted.requests == []


# ------------------------------------------------------------------------------------------ 13: result store


async def test_an_answer_too_big_for_the_result_store_is_kept_cut_and_evicts_nothing(
    emulator: BackgroundEmulator,
) -> None:
    settings = make_settings(emulator, max_output_tokens=500, result_store_chars=20_000)
    async with Client(build_server(settings)) as client:
        small = (await client.call_tool("ask_model", {"prompt": "x", "model": "gpt-4o~words=800"})).structured_content
        huge = await client.call_tool("ask_model", {"prompt": "x", "model": "gpt-4o~words=9000"})
        assert "Only the first 10,000 characters are kept" in text_of(huge)
        huge_id = huge.structured_content["result_id"]  # type: ignore[index]
        end = await client.call_tool("read_result", {"result_id": huge_id, "offset": 9_990})
        assert not end.is_error and end.structured_content["total_chars"] == 10_000  # type: ignore[index]
        earlier = await client.call_tool("read_result", {"result_id": small["result_id"], "offset": 10})  # type: ignore[index]
        assert not earlier.is_error, text_of(earlier)


# ---------------------------------------------------------------------------------- 15a: paged conversations


async def test_get_conversation_is_paged_under_the_output_cap(emulator: BackgroundEmulator) -> None:
    async with Client(build_server(make_settings(emulator, max_output_tokens=500))) as client:
        conversation_id = None
        for number in range(8):
            arguments = {"prompt": f"turn {number} " + "z" * 1_000, "model": "gpt-4o"}
            if conversation_id:
                arguments["conversation_id"] = conversation_id
            conversation_id = (await client.call_tool("ask_model", arguments)).structured_content["conversation_id"]  # type: ignore[index]
        seen: list[str] = []
        from_turn: int | None = 0
        while from_turn is not None:
            page = await client.call_tool("conversations", {"conversation_id": conversation_id, "from_turn": from_turn})
            data = page.structured_content or {}
            assert len(text_of(page)) < 6_000 and data["total_turns"] == 16
            seen += [turn["content"][:7] for turn in data["turns"]]
            from_turn = data["next_turn"]
    assert len(seen) == 16 and seen[::2] == [f"turn {n} " for n in range(8)]


# --------------------------------------------------------------------------- 9, 10: store failures, Redis writes


async def test_a_store_that_is_down_says_so_the_same_way_everywhere(emulator: BackgroundEmulator) -> None:
    settings = make_settings(emulator, mcp_store=f"redis://127.0.0.1:{free_port()}/0?socket_connect_timeout=0.5")
    ref = {"conversation_id": "conv_abcdefgh12345678"}
    async with Client(build_server(settings)) as client:
        results = [
            await client.call_tool("conversations", {}),
            await client.call_tool("conversations", ref),
            await client.call_tool("delete_conversation", ref),
            await client.call_tool("ask_model", {"prompt": "x", **ref}),
        ]
        for result in results:
            assert result.is_error and "the conversation store is unavailable (ConnectionError" in text_of(result)
        with pytest.raises(MCPError, match="the conversation store is unavailable"):
            await client.read_resource(f"mixrouter://conversations/{ref['conversation_id']}")


class SlowReplies:
    """A TCP proxy to Redis that can hold back Redis's replies (the commands themselves get through at once)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.delay = 0.0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.port = 0

    def __enter__(self) -> SlowReplies:
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(asyncio.start_server(self._pipe, "127.0.0.1", 0), self._loop)
        self._server = started.result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._server.close)
        asyncio.run_coroutine_threadsafe(self._cancel_all(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    @staticmethod
    async def _cancel_all() -> None:
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    async def _pipe(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        redis_reader, redis_writer = await asyncio.open_connection("127.0.0.1", self.target_port)

        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter, slow: bool) -> None:
            try:
                while data := await source.read(65536):
                    if slow and self.delay:
                        await asyncio.sleep(self.delay)
                    sink.write(data)
                    await sink.drain()
            except ConnectionError:
                pass
            finally:
                sink.close()

        await asyncio.gather(copy(client_reader, redis_writer, False), copy(redis_reader, client_writer, True))


async def test_a_redis_write_that_times_out_keeps_its_id(emulator: BackgroundEmulator, redis_url: str) -> None:
    redis_port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    with SlowReplies(redis_port) as proxy:
        store = f"redis://127.0.0.1:{proxy.port}/0?socket_timeout=0.5"
        async with Client(build_server(make_settings(emulator, mcp_store=store))) as client:
            await client.call_tool("ask_model", {"prompt": "warm the connection pool", "model": "gpt-4o"})
            proxy.delay = 1.5
            answered = await client.call_tool("ask_model", {"prompt": "kept?", "model": "gpt-4o"})
            data = answered.structured_content or {}
            assert not answered.is_error and data["conversation_id"], data
            assert any("may or may not have been saved" in note for note in data["notes"]), data["notes"]
            proxy.delay = 0.0
            await anyio.sleep(1.6)  # the write Redis ran, while its reply was held back
            stored = await client.call_tool("conversations", {"conversation_id": data["conversation_id"]})
            assert not stored.is_error and "kept?" in text_of(stored), text_of(stored)


# ------------------------------------------------------------------------------------ 11, 12: credentials, disk


def test_the_redis_password_is_masked_in_doctor_repr_and_logs(emulator: BackgroundEmulator) -> None:
    import subprocess

    password = "hunter2-redis-password"
    store = f"redis://:{password}@127.0.0.1:{free_port()}/0"
    done = subprocess.run(
        [*SERVER_COMMAND, "doctor"],
        env=server_env(emulator, MIXROUTER_MCP_STORE=store, MIXROUTER_LOG_LEVEL="DEBUG"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert password not in done.stdout + done.stderr and "redis://:****@127.0.0.1" in done.stdout
    settings = Settings(_env_file=None, mcp_store=store)  # type: ignore[call-arg]
    assert password not in repr(settings) and password not in str(settings) and password in settings.secrets()


async def test_a_full_sqlite_disk_reports_the_real_error(tmp_path: Path, emulator: BackgroundEmulator) -> None:
    store = SqliteStore(tmp_path / "c.sqlite3", Limits(), max_mb=0.1)
    with pytest.raises(Exception, match="database or disk is full"):
        await store.append("conv_full", [Turn("user", "x" * 300_000)], new=True, title="t", system=None, models=[])
    await store.aclose()
    settings = make_settings(emulator, mcp_store=f"sqlite://{tmp_path / 'd.sqlite3'}", conversation_max_db_mb=0.1)
    async with Client(build_server(settings)) as client:
        result = await client.call_tool("ask_model", {"prompt": "y" * 300_000, "model": "gpt-4o"})
    notes = (result.structured_content or {})["notes"]
    assert not result.is_error and any("database or disk is full" in note for note in notes), notes
    assert not any("cannot rollback" in note for note in notes)
