"""Exchanges are saved to SQLite behind the answer once the store has confirmed a write: this process still reads
its own conversations whole and in order, a write that fails behind an answer is reported on the next read, the
write after a failure is waited for again, and a write running at shutdown still lands."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.server import build_server
from mixrouter_mcp.store import ConversationStore, Limits, StoreUnavailable, Turn, writing_behind
from mixrouter_mcp.store.guarded import GuardedStore
from mixrouter_mcp.store.sqlite import SqliteStore

from .conftest import make_settings, text_of

pytestmark = pytest.mark.anyio


class SlowSqlite(SqliteStore):
    """The real SQLite store, each write taking a while first (a busy disk, another process holding the lock)."""

    def __init__(self, path: Path, delay_s: float) -> None:
        super().__init__(path, Limits())
        self.delay_s = delay_s
        self.writes_started = 0

    async def append(
        self, conversation_id: str, turns: list[Turn], *, new: bool, title: str, system: str | None, models: list[str]
    ) -> str:
        self.writes_started += 1
        await anyio.sleep(self.delay_s)
        return await super().append(conversation_id, turns, new=new, title=title, system=system, models=models)


def exchange(n: int) -> list[Turn]:
    return [Turn("user", f"q{n}", tool="ask_model"), Turn("assistant", f"a{n}", "m", "ask_model")]


async def append(store: ConversationStore, conversation_id: str, n: int, *, new: bool = False) -> str:
    return await store.append(conversation_id, exchange(n), new=new, title="t", system=None, models=["m"])


async def test_writes_after_the_first_return_at_once_and_reads_see_them_in_order(tmp_path: Path) -> None:
    backend = SlowSqlite(tmp_path / "c.sqlite3", delay_s=0.05)
    async with anyio.create_task_group() as group:
        store = writing_behind(GuardedStore(backend), group)
        with anyio.fail_after(5):
            await append(store, "conv_a", 0, new=True)  # the first write is waited for
            started = anyio.current_time()
            for n in range(1, 6):
                await append(store, "conv_a", n)
            returned_in = anyio.current_time() - started
            conversation = await store.get("conv_a")
        assert returned_in < 0.05 * 5  # five writes of 50 ms each were not waited for
        assert [turn.content for turn in conversation.turns] == [x for n in range(6) for x in (f"q{n}", f"a{n}")]
        await store.aclose()


async def test_a_write_running_at_shutdown_still_lands(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    async with anyio.create_task_group() as group:
        store = writing_behind(GuardedStore(SlowSqlite(path, delay_s=0.2)), group)
        await append(store, "conv_b", 0, new=True)
        await append(store, "conv_b", 1)
        group.cancel_scope.cancel()  # the server stops at once
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM turns WHERE conversation_id = 'conv_b'").fetchone() == (4,)


async def test_a_long_backlog_makes_the_next_write_wait(tmp_path: Path) -> None:
    backend = SlowSqlite(tmp_path / "c.sqlite3", delay_s=0.01)
    async with anyio.create_task_group() as group:
        store = writing_behind(GuardedStore(backend), group)
        await append(store, "conv_c", 0, new=True)
        for n in range(1, 65):
            await append(store, f"conv_{n}", n, new=True)
        assert backend.writes_started < 65  # 64 writes in flight, none waited for
        await append(store, "conv_c", 65)  # the 65th waits for the backlog and for itself
        assert backend.writes_started == 66
        assert len((await store.get("conv_c")).turns) == 4
        await store.aclose()


async def test_a_failed_write_behind_an_answer_is_reported_and_the_next_is_waited_for(
    tmp_path: Path, emulator: BackgroundEmulator
) -> None:
    path = tmp_path / "small.sqlite3"
    settings = make_settings(emulator, mcp_store=f"sqlite://{path}", conversation_max_db_mb=0.1)
    async with Client(build_server(settings)) as client:

        async def ask(prompt: str, **more: Any) -> dict[str, Any]:
            result = await client.call_tool("ask_model", {"prompt": prompt, "model": "gpt-4o", **more})
            assert not result.is_error, text_of(result)
            return dict(result.structured_content or {})

        first = await ask("small")
        assert not first["notes"]
        too_big = await ask("y" * 300_000, conversation_id=first["conversation_id"])
        assert not any("disk is full" in note for note in too_big["notes"])  # the answer did not wait for it
        read = await client.call_tool("conversations", {"conversation_id": first["conversation_id"]})
        assert read.is_error and "could not be saved" in text_of(read) and "disk is full" in text_of(read)
        kept = await client.call_tool("conversations", {"conversation_id": first["conversation_id"]})
        assert not kept.is_error and "small" in text_of(kept)  # said once; what was saved before is still there
        again = await ask("y" * 300_000)  # after a failure the next write is waited for: a note in the answer
        assert any("database or disk is full" in note for note in again["notes"]), again["notes"]


async def test_a_store_down_from_the_start_is_never_trusted(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "c.sqlite3").mkdir()  # a directory where the file should be: every open fails
    async with anyio.create_task_group() as group:
        store = writing_behind(GuardedStore(SqliteStore(tmp_path / "dir" / "c.sqlite3", Limits())), group)
        for n in range(2):
            with pytest.raises(StoreUnavailable):
                await append(store, f"conv_{n}", n, new=True)
