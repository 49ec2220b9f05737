"""Video generation through the MCP client against the emulator: generate → wait → download, a task that outlives
wait_s, a failure with its reason, an unknown task id; both of mixrouter's path shapes."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.server import build_server
from mixrouter_mcp.upstream.protocols import videos

from .conftest import make_settings, text_of

pytestmark = pytest.mark.anyio
SEEDANCE = "doubao-seedance-1-0-lite-i2v-250428"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture(params=["videos", "generations"])
def video_settings(request: pytest.FixtureRequest, emulator: BackgroundEmulator, tmp_path: Path) -> Any:
    return make_settings(
        emulator, video_api=request.param, video_poll_s=0.05, mcp_allowed_dirs=str(tmp_path), mcp_store="none"
    )


async def call(client: Client, tool: str, **args: Any) -> tuple[bool, dict[str, Any], str]:
    result = await client.call_tool(tool, args)
    return bool(result.is_error), dict(result.structured_content or {}), text_of(result)


async def test_generate_wait_download(
    video_settings: Any, emulator: BackgroundEmulator, tmp_path: Path, mode: str
) -> None:
    (tmp_path / "frame.png").write_bytes(PNG)
    progress: list[str] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(message or "")

    async with Client(build_server(video_settings), mode=mode) as client:
        args = {
            "prompt": "a paper boat on a pond",
            "model": f"{SEEDANCE}~videotime=0.5",
            "image": str(tmp_path / "frame.png"),
            "ratio": "16:9",
            "duration": 5,
            "resolution": "720p",
            "seed": 11,
            "watermark": False,
        }
        result = await client.call_tool("video", args, progress_callback=on_progress)
        data = result.structured_content or {}
        assert not result.is_error, text_of(result)
        assert data["status"] == "succeeded" and data["done"] and data["progress"] == 100
        assert data["video_url"].endswith(f"/_emulator/files/{data['task_id']}.mp4")
        assert f'video(task_id="{data["task_id"]}", save=true)' in data["next_step"]
        # new-api bills a video task once, at submit, at its per-call price (the emulator lists $0.50).
        assert (data["cost_usd"], data["cost_source"]) == (0.5, "computed") and "Cost: $0.50" in text_of(result)
        submitted = next(e for e in emulator.recorder.exchanges() if e.method == "POST" and "video" in e.path).body
        assert submitted["images"][0].startswith("data:image/png;base64,")  # the local first frame
        assert submitted["metadata"] == {
            "image_role": "first_frame",
            "resolution": "720p",
            "ratio": "16:9",
            "seed": 11,
            "watermark": False,
            "duration": 5,
        }
        assert any(": running " in m or ": queued" in m for m in progress) and "succeeded" in progress[-1]
        is_error, saved, text = await call(client, "video", save=True, task_id=data["task_id"])
    assert not is_error, text
    assert (saved["cost_usd"], saved["cost_source"]) == (0.0, "computed")  # checking a task is free
    path = anyio.Path(saved["path"])
    assert Path(path).parent == tmp_path and path.suffix == ".mp4" and saved["bytes"] == (await path.stat()).st_size
    assert (await path.read_bytes())[4:8] == b"ftyp"  # a real MP4
    assert not any(
        e.headers.get("authorization") for e in emulator.recorder.exchanges() if "/_emulator/files/" in e.path
    )


async def test_a_task_that_outlives_wait_s(video_settings: Any) -> None:
    async with Client(build_server(video_settings)) as client:
        is_error, started, _ = await call(client, "video", prompt="slow", model=f"{SEEDANCE}~videotime=1.5", wait_s=0.2)
        assert not is_error and not started["done"] and started["status"] in ("queued", "running")
        assert f'video(task_id="{started["task_id"]}")' in started["next_step"]
        is_error, finished, _ = await call(client, "video", task_id=started["task_id"], wait_s=10)
    assert not is_error and finished["status"] == "succeeded" and finished["video_url"]


async def test_a_failed_task_gives_its_reason(video_settings: Any) -> None:
    async with Client(build_server(video_settings)) as client:
        is_error, data, text = await call(
            client, "video", prompt="x", model=f"{SEEDANCE}~videotime=0.2~videofail=sensitive"
        )
        assert is_error and data["status"] == "failed" and data["done"]
        reason = "The request failed because the output video may contain sensitive information."
        assert data["error"] == reason and reason in text  # word for word
        refused, _, text = await call(client, "video", save=True, task_id=data["task_id"])
        assert refused and "ended without a video" in text and "Saved" not in text


async def test_a_video_over_the_daily_cap_is_refused_before_submit(
    emulator: BackgroundEmulator, tmp_path: Path
) -> None:
    settings = make_settings(emulator, video_poll_s=0.05, mcp_store=f"sqlite://{tmp_path / 's.sqlite3'}")
    before = emulator.recorder.count()
    async with Client(build_server(settings.model_copy(update={"daily_budget_usd": 0.4}))) as client:
        is_error, _, text = await call(client, "video", prompt="a paper boat", model=f"{SEEDANCE}~videotime=0.2")
    assert is_error and "may cost up to $0.50" in text and "daily budget" in text
    assert emulator.recorder.count() == before  # nothing was submitted


async def test_unknown_task_id(video_settings: Any) -> None:
    async with Client(build_server(video_settings)) as client:
        is_error, _, text = await call(client, "video", task_id="cgt-no-such-task")
        assert is_error and "no video task 'cgt-no-such-task'" in text and "task_not_exist" in text
        is_error, _, text = await call(client, "video", save=True, task_id="cgt-no-such-task")
        assert is_error and "no video task" in text


async def test_save_refuses_foreign_directories_and_takes_a_prompt_or_a_task(
    video_settings: Any, tmp_path: Path
) -> None:
    async with Client(build_server(video_settings)) as client:
        _, done, _ = await call(client, "video", prompt="x", model=f"{SEEDANCE}~videotime=0.1")
        is_error, _, text = await call(client, "video", save=True, task_id=done["task_id"], directory="/etc")
        assert is_error and "outside the allowed directories" in text
        is_error, _, text = await call(client, "video", prompt="x", task_id=done["task_id"])
        assert is_error and "a prompt to start a video, or the task_id of one to check" in text
        is_error, _, text = await call(client, "video")
        assert is_error and "a prompt to start a video, or the task_id of one to check" in text
        is_error, saved, _ = await call(client, "video", save=True, task_id=done["task_id"])
        assert not is_error and await anyio.Path(saved["path"]).exists() and saved["next_step"] == "Saved."


async def test_a_model_that_makes_no_video(video_settings: Any) -> None:
    async with Client(build_server(video_settings)) as client:
        is_error, _, text = await call(client, "video", prompt="x", model="gpt-4o")
    assert is_error and "does not support video generation" in text


@pytest.mark.parametrize(
    ("body", "status", "url", "progress"),
    [
        ({"id": "t", "status": "in_progress", "progress": 40}, "running", None, 40),
        (
            {"id": "t", "status": "completed", "metadata": {"url": "https://v/x.mp4"}},
            "succeeded",
            "https://v/x.mp4",
            100,
        ),
        (
            {
                "code": "success",
                "data": {"task_id": "t", "status": "SUCCESS", "progress": "100%", "result_url": "https://v/y.mp4"},
            },
            "succeeded",
            "https://v/y.mp4",
            100,
        ),
        ({"code": "success", "data": {"task_id": "t", "status": "NOT_START", "progress": "0%"}}, "queued", None, 0),
        (
            {"task_id": "t", "status": "succeeded", "content": {"video_url": "https://v/z.mp4"}},
            "succeeded",
            "https://v/z.mp4",
            100,
        ),
        ({"id": "t", "status": "expired"}, "expired", None, None),
        ({"id": "t", "status": "canceled"}, "cancelled", None, None),
        ({"id": "t", "status": "mystery"}, "unknown", None, None),
    ],
)
def test_statuses_and_urls_are_normalised(
    body: dict[str, Any], status: str, url: str | None, progress: int | None
) -> None:
    task = videos.parse_task(body, "t")
    assert (task.status, task.video_url, task.progress) == (status, url, progress)


def test_submit_ids_from_either_shape() -> None:
    assert videos.parse_submit({"task_id": "cgt-1"}) == "cgt-1"
    assert videos.parse_submit({"id": "task_2", "object": "video", "status": "queued"}) == "task_2"


async def test_a_blank_video_prompt_is_refused_before_any_request(video_settings: Any, emulator: Any) -> None:
    seen = len(emulator.recorder.exchanges())
    async with Client(build_server(video_settings)) as client:
        is_error, _, text = await call(client, "video", prompt="   ")
    assert is_error and "only whitespace" in text
    assert emulator.recorder.exchanges()[seen:] == []  # refused here: mixrouter never saw it


async def test_a_seed_out_of_range_is_refused_before_any_request(video_settings: Any, emulator: Any) -> None:
    before = emulator.recorder.count()
    async with Client(build_server(video_settings)) as client:
        is_error, _, text = await call(client, "video", prompt="a boat", seed=2**32)
    assert is_error and "from -1 (random) to 4294967295" in text
    assert emulator.recorder.count() == before
