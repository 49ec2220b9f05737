"""Parameters a model would refuse are dropped or renamed with a note; images reach each wire in its own
encoding; local files are read only from allowed directories, and only when they are real images."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from mcp import Client

from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.server import build_server

from .conftest import make_settings, text_of

pytestmark = pytest.mark.anyio
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


async def test_o_series_sampling_dropped_and_max_tokens_renamed(client: Client, emulator: BackgroundEmulator) -> None:
    # The emulator, like OpenAI, refuses max_tokens and temperature on o3: success proves the adaptation.
    args = {"prompt": "x", "model": "o3", "temperature": 0.2, "max_tokens": 50}
    result = await client.call_tool("ask_model", args)
    assert not result.is_error, text_of(result)
    body = emulator.recorder.exchanges()[-1].body
    assert "temperature" not in body and "max_tokens" not in body and body["max_completion_tokens"] == 50
    assert "Note: temperature not sent" in text_of(result)


async def test_claude_both_sampling_params(client: Client) -> None:
    args = {"prompt": "x", "model": "claude-sonnet-4-5-20250929", "temperature": 0.2, "top_p": 0.5}
    result = await client.call_tool("ask_model", args)
    assert not result.is_error and "top_p not sent" in text_of(result)
    assert (result.structured_content or {})["wire"] == "messages"


async def test_responses_only_model_goes_to_responses(client: Client, emulator: BackgroundEmulator) -> None:
    result = await client.call_tool("ask_model", {"prompt": "x", "model": "gpt-5.1-codex"})
    assert not result.is_error and emulator.recorder.exchanges()[-1].path == "/v1/responses"


async def test_forcing_chat_on_a_responses_only_model_explains(client: Client) -> None:
    result = await client.call_tool("ask_model", {"prompt": "x", "model": "gpt-5.2-pro", "api": "chat"})
    assert result.is_error and "only supported in v1/responses" in text_of(result)


@pytest.mark.parametrize(
    ("model", "api", "check"),
    [
        (
            "gpt-4o",
            "chat",
            lambda b: b["messages"][-1]["content"][1]["image_url"]["url"].startswith("data:image/png;base64,"),
        ),
        ("gpt-4o", "responses", lambda b: b["input"][-1]["content"][1]["image_url"].startswith("data:image/png")),
        (
            "claude-sonnet-4-5-20250929",
            "auto",
            lambda b: b["messages"][-1]["content"][0]["source"]["media_type"] == "image/png",
        ),
        ("gemini-2.5-flash", "auto", lambda b: b["contents"][-1]["parts"][1]["inlineData"]["mimeType"] == "image/png"),
    ],
)
async def test_local_image_reaches_every_wire(
    emulator: BackgroundEmulator, tmp_path: Path, model: str, api: str, check: object
) -> None:
    (tmp_path / "dot.png").write_bytes(PNG)
    settings = make_settings(emulator, mcp_allowed_dirs=str(tmp_path))
    async with Client(build_server(settings)) as client:
        args = {"prompt": "what is this?", "model": model, "api": api, "images": [str(tmp_path / "dot.png")]}
        result = await client.call_tool("ask_model", args)
    assert not result.is_error, text_of(result)
    assert (result.structured_content or {})["text"].endswith("(with 1 image)")
    assert check(emulator.recorder.exchanges()[-1].body)  # type: ignore[operator]


async def test_url_and_data_url_images(client: Client, emulator: BackgroundEmulator) -> None:
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    args = {"prompt": "x", "model": "claude-sonnet-4-5-20250929", "images": ["https://example.invalid/a.jpg", data_url]}
    result = await client.call_tool("extended_thinking", args)
    assert not result.is_error and "(with 2 images)" in (result.structured_content or {})["answer"]
    blocks = emulator.recorder.exchanges()[-1].body["messages"][-1]["content"]
    assert blocks[0]["source"] == {"type": "url", "url": "https://example.invalid/a.jpg"}


def refusals(tmp_path: Path) -> list[tuple[str, str]]:
    allowed, outside = tmp_path / "allowed", tmp_path / "outside"
    allowed.mkdir()
    outside.mkdir()
    (outside / "secret.png").write_bytes(PNG)
    (allowed / "escape.png").symlink_to(outside / "secret.png")
    (allowed / "notes.png").write_text("not really a png")
    (allowed / "big.png").write_bytes(PNG + b"\0" * 5000)
    return [
        (str(outside / "secret.png"), "outside the allowed directories"),
        (str(allowed / "escape.png"), "outside the allowed directories"),
        (str(allowed / "notes.png"), "is not an image"),
        (str(allowed / "big.png"), "the limit is 2,048 bytes"),
        (str(allowed / "missing.png"), "no image file"),
        (str(allowed), "not a regular file"),
        ("file:///etc/passwd", "unsupported image reference"),
        ("data:text/plain;base64,aGk=", "data:image/png;base64"),
        ("data:image/png;base64,@@@", "not valid base64"),
    ]


async def test_images_refused_before_any_upstream_call(emulator: BackgroundEmulator, tmp_path: Path) -> None:
    cases = refusals(tmp_path)
    settings = make_settings(emulator, mcp_allowed_dirs=str(tmp_path / "allowed"), max_image_bytes=2048)
    before = emulator.recorder.count()
    async with Client(build_server(settings)) as client:
        for ref, must_say in cases:
            result = await client.call_tool("ask_model", {"prompt": "x", "images": [ref]})
            assert result.is_error and must_say in text_of(result), (ref, text_of(result))
        too_many = await client.call_tool("ask_model", {"prompt": "x", "images": ["https://e.invalid/x.png"] * 9})
        assert too_many.is_error and "at most 8" in text_of(too_many)
    assert emulator.recorder.count() == before


def test_default_allowed_dir_is_the_working_directory(emulator: BackgroundEmulator) -> None:
    assert make_settings(emulator).allowed_dirs() == [Path(os.getcwd()).resolve()]
