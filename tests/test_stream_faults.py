"""Broken, stalled and malformed answers give a clear isError, with any partial text returned and marked."""

from __future__ import annotations

import pytest
from mcp import Client

from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.server import build_server

from .conftest import make_settings, text_of, wait_until

pytestmark = pytest.mark.anyio


async def call(emulator: BackgroundEmulator, model: str, **settings: object) -> tuple[bool, str]:
    async with Client(build_server(make_settings(emulator, **settings))) as client:
        result = await client.call_tool("ask_model", {"prompt": "fault", "model": model})
    return bool(result.is_error), text_of(result)


async def test_stream_cut_before_done(emulator: BackgroundEmulator) -> None:
    is_error, text = await call(emulator, "gpt-4o~words=20~cut=6")
    assert is_error and "ended before the answer was complete" in text
    assert "[PARTIAL ANSWER, incomplete]" in text


async def test_stalled_stream_hits_the_idle_timeout(emulator: BackgroundEmulator) -> None:
    is_error, text = await call(emulator, "gpt-4o~words=20~stall=4", stream_idle_timeout_s=0.5)
    assert is_error and "no data for 0.5 s" in text and "[PARTIAL ANSWER, incomplete]" in text


# The idle timer starts at the first data event: a thinking model may be silent for minutes before its first token
# (new-api sends no `: PING` by default), so before it only the call deadline applies. After it, every data event
# keeps a stream alive, however long it runs, and keep-alive comments do not. The limit is 0.3 s in every case.
IDLE_CASES = [
    pytest.param("deepseek-reasoner~words=6~gap=0.05~delay=0.8", 6, id="silent-0.8s-before-headers"),
    pytest.param("deepseek-reasoner~words=6~gap=0.05~ttft=0.8", 6, id="silent-0.8s-before-first-token"),
    pytest.param("deepseek-reasoner~words=6~gap=0.05~delay=0.4~ttft=0.4", 6, id="silent-split-across-both"),
    pytest.param("gpt-4o~words=20~gap=0.1", 20, id="steady-for-2s-far-past-the-limit"),
    pytest.param("gpt-4o~words=6~ttft=0.8~gap=0.8", None, id="a-0.8s-gap-after-the-first-token-stalls"),
    pytest.param("gpt-4o~words=5~gap=0.4~pings=3", None, id="pings-in-a-0.4s-gap-do-not-reset-it"),
]


@pytest.mark.parametrize(("model", "words"), IDLE_CASES)
async def test_the_idle_timeout(emulator: BackgroundEmulator, model: str, words: int | None) -> None:
    """`words`: the stream is not a stall and brings at least that many words; None: it stalls out."""
    is_error, text = await call(emulator, model, stream_idle_timeout_s=0.3)
    if words is None:
        assert is_error and "no data for 0.3 s" in text
    else:
        assert not is_error, text
        assert len(text.split()) >= words


async def test_the_job_deadline_closes_the_upstream_request(emulator: BackgroundEmulator) -> None:
    # The call deadline hands the call back as a job; the job's own deadline then ends it, and says so.
    settings = make_settings(emulator, call_deadline_s=0.5, job_deadline_s=1.5)
    async with Client(build_server(settings)) as client:
        started = await client.call_tool("ask_model", {"prompt": "fault", "model": "gpt-4o~delay=5"})
        job_id = (started.structured_content or {})["job_id"]
        ended = await client.call_tool("get_job", {"job_id": job_id, "wait_s": 5})
    text = text_of(ended)
    assert ended.is_error and (ended.structured_content or {})["state"] == "failed"
    assert "deadline" in text and "MIXROUTER_JOB_DEADLINE_S" in text
    await wait_until(lambda: emulator.recorder.exchanges()[-1].outcome == "disconnected")


@pytest.mark.parametrize(
    ("model", "stream", "must_say"),
    [
        ("gpt-4o~error200", False, "do_request_failed"),
        ("gpt-4o~error200", True, "stream failed mid-answer"),
        ("gpt-4o~badjson", True, "invalid response from mixrouter"),
        ("gpt-4o~nochoices", False, "no choices"),
    ],
)
async def test_error_bodies_behind_200(emulator: BackgroundEmulator, model: str, stream: bool, must_say: str) -> None:
    is_error, text = await call(emulator, model, stream=stream)
    assert is_error and must_say in text, text


async def test_unreachable_mixrouter(emulator: BackgroundEmulator) -> None:
    is_error, text = await call(emulator, "gpt-4o", base_url="http://127.0.0.1:9")
    assert is_error and "cannot reach mixrouter" in text and "MIXROUTER_BASE_URL" in text
