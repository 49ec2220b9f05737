"""Files in context (issue 14), through the MCP client against the emulator: selection (globs, exclusions,
.gitignore, secrets, binaries, symlinks), the context budget and its manifest, dry runs, conversations that do not
resend unchanged files, and output_file."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from mixrouter_mcp.emulator import BackgroundEmulator
from mixrouter_mcp.server import build_server

from .conftest import TEST_KEY, make_settings, text_of
from .processes import SERVER_COMMAND, server_env

pytestmark = pytest.mark.anyio
_BLOCK = re.compile(r'<file path="([^"]+)" sha256="([0-9a-f]{16})">\n')


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A small project: a .gitignore with a negation, nested sources and tests, a binary, a huge file, secrets, an
    ignored build folder, and a symlink that leads outside the project."""
    root = tmp_path / "project"
    outside = tmp_path / "outside"
    _write(outside, {"stolen.py": "SECRET = 'outside the allowed directory'\n"})
    _write(
        root,
        {
            ".gitignore": "*.log\n!keep.log\nbuild/\n",
            "README.md": "# Demo\n",
            "src/app.py": "def main() -> None:\n    print('app')\n",
            "src/util/helpers.py": "def helper() -> int:\n    return 42\n",
            "src/util/test_helpers.py": "def test_helper() -> None:\n    assert True\n",
            "src/util/.gitignore": "generated.py\n",
            "src/util/generated.py": "X = 1\n",
            "src/data.bin": b"\x00\x01\x02binary\x00",
            "src/notes.log": "ignored\n",
            "src/keep.log": "kept by the negation\n",
            "src/deploy.pem": "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n",
            "src/config.py": "TOKEN = '-----BEGIN RSA PRIVATE KEY-----'\n",
            "build/out.py": "compiled = True\n",
            ".env": "MIXROUTER_API_KEY=sk-live\n",
            ".env.example": "MIXROUTER_API_KEY=\n",
            "huge.txt": "x" * 200_000,
        },
    )
    (root / "src" / "escape.py").symlink_to(outside / "stolen.py")
    return root


def _settings(emulator: BackgroundEmulator, root: Path, **overrides: Any) -> Any:
    values: dict[str, Any] = {"mcp_allowed_dirs": str(root), "max_file_bytes": 100_000, "mcp_store": "none"}
    return make_settings(emulator, **{**values, **overrides})


def _sent(emulator: BackgroundEmulator) -> list[tuple[str, str]]:
    """(path, hash) of each file block in the last user message the emulator received."""
    messages = emulator.recorder.exchanges()[-1].body["messages"]
    return _BLOCK.findall(messages[-1]["content"])


async def test_the_manifest_is_exact_and_the_upstream_receives_exactly_the_included_files(
    emulator: BackgroundEmulator, tree: Path
) -> None:
    files = ["src/**", "!**/test_*", "README.md", ".env", ".env.example", "huge.txt"]
    async with Client(build_server(_settings(emulator, tree))) as client:
        result = await client.call_tool("ask_model", {"prompt": "Review this.", "model": "gpt-4o", "files": files})
    assert not result.is_error, text_of(result)
    manifest = (result.structured_content or {})["files"]
    included = {path for path, value in manifest.items() if isinstance(value, int)}
    # A nested .gitignore is an ordinary text file (git tracks it too): it goes with the folder it sits in.
    assert included == {"src/app.py", "src/keep.log", "src/util/.gitignore", "src/util/helpers.py"} | {
        "README.md",
        ".env.example",
    }
    skipped = {path: value for path, value in manifest.items() if isinstance(value, str)}
    assert skipped == {
        "src/data.bin": "binary",
        "src/deploy.pem": "secrets file: never sent",
        "src/config.py": "holds a private key: never sent",
        "src/escape.py": "symlink leads outside the allowed directories",
        "src/notes.log": "ignored by .gitignore",
        "src/util/generated.py": "ignored by .gitignore",
        ".env": "secrets file: never sent",
        "huge.txt": "too large: 200,000 bytes (limit 100,000, MIXROUTER_MAX_FILE_BYTES)",
    }
    sent = _sent(emulator)
    expected = ["src/app.py", "src/keep.log", "src/util/.gitignore", "src/util/helpers.py", "README.md", ".env.example"]
    assert [path for path, _ in sent] == expected
    message = emulator.recorder.exchanges()[-1].body["messages"][-1]["content"]
    assert "def helper() -> int:\n    return 42\n</file>" in message and message.endswith("Review this.")
    for absent in ("outside the allowed directory", "sk-live", "compiled = True", "test_helper", "PRIVATE KEY"):
        assert absent not in message
    assert all(manifest[path] > 0 for path in included)
    assert "files: 6 included" in text_of(result)


async def test_a_file_that_does_not_fit_is_left_out_whole_and_later_ones_still_go(
    emulator: BackgroundEmulator, tmp_path: Path
) -> None:
    _write(tmp_path, {"a.txt": "a" * 20_000, "b.txt": "b" * 20_000, "c.txt": "c" * 400})
    # gpt-4o's 128k window less 120k for the answer leaves ~8k tokens: a (~5k) fits, b does not, c still does.
    arguments = {"prompt": "Sum up.", "model": "gpt-4o", "files": ["*.txt"], "max_tokens": 120_000}
    async with Client(build_server(_settings(emulator, tmp_path))) as client:
        result = await client.call_tool("ask_model", arguments)
    assert not result.is_error, text_of(result)
    manifest = (result.structured_content or {})["files"]
    assert isinstance(manifest["a.txt"], int) and isinstance(manifest["c.txt"], int)
    assert re.fullmatch(r"does not fit: ~5,0\d\d tokens, [\d,]+ left", manifest["b.txt"])
    assert [path for path, _ in _sent(emulator)] == ["a.txt", "c.txt"]
    assert "b" * 100 not in emulator.recorder.exchanges()[-1].body["messages"][-1]["content"]


async def test_dry_run_reports_the_manifest_and_cost_and_calls_no_model(
    emulator: BackgroundEmulator, tree: Path
) -> None:
    before = len(emulator.recorder.exchanges())
    arguments = {"prompt": "Review.", "model": "gpt-4o", "files": ["src/**/*.py"], "dry_run": True}
    async with Client(build_server(_settings(emulator, tree))) as client:
        result = await client.call_tool("ask_model", arguments)
        thinking = await client.call_tool("extended_thinking", {**arguments, "model": "claude-sonnet-4-5"})
        panel_arguments = {k: v for k, v in arguments.items() if k != "model"}
        panel = await client.call_tool("compare_models", {**panel_arguments, "models": ["gpt-4o", "gemini-2.5-pro"]})
    assert not result.is_error, text_of(result)
    data = result.structured_content or {}
    assert data["finish_reason"] == "dry_run" and data["cost_source"] == "estimate" and data["cost_usd"] > 0
    python_files = {"src/app.py", "src/util/helpers.py", "src/util/test_helpers.py", "src/config.py", "src/escape.py"}
    assert set(data["files"]) == python_files | {"src/util/generated.py"}
    assert data["usage"]["input_tokens"] > sum(v for v in data["files"].values() if isinstance(v, int))
    assert "Files to send (3" in text_of(result) and "nothing was sent" in text_of(result)
    assert (thinking.structured_content or {})["cost_source"] == "estimate"
    compared = panel.structured_content or {}
    assert compared["results"] == [] and compared["cost_usd"] > data["cost_usd"]
    assert [e for e in emulator.recorder.exchanges()[before:] if e.path.startswith("/v1")] == []


async def test_a_conversation_does_not_resend_unchanged_files(emulator: BackgroundEmulator, tree: Path) -> None:
    settings = _settings(emulator, tree, mcp_store=f"sqlite:///{tree.parent / 'conversations.db'}")
    files = ["src/app.py", "src/util/helpers.py"]
    async with Client(build_server(settings)) as client:
        first = await client.call_tool("ask_model", {"prompt": "Read these.", "model": "gpt-4o", "files": files})
        conversation = (first.structured_content or {})["conversation_id"]
        assert [p for p, _ in _sent(emulator)] == files
        second = await client.call_tool(
            "ask_model", {"prompt": "And now?", "model": "gpt-4o", "files": files, "conversation_id": conversation}
        )
        assert not second.is_error, text_of(second)
        messages = emulator.recorder.exchanges()[-1].body["messages"]
        assert _BLOCK.findall(messages[-1]["content"]) == []  # the new turn carries no file again...
        assert [p for p, _ in _BLOCK.findall(messages[0]["content"])] == files  # ...the history still does
        unchanged = (second.structured_content or {})["files"]
        assert set(unchanged.values()) == {"unchanged since sent earlier in this conversation: not sent again"}
        (tree / "src" / "app.py").write_text("def main() -> None:\n    print('changed')\n")
        third = await client.call_tool(
            "ask_model", {"prompt": "Again.", "model": "gpt-4o", "files": files, "conversation_id": conversation}
        )
    assert [p for p, _ in _sent(emulator)] == ["src/app.py"]
    data = third.structured_content or {}
    assert isinstance(data["files"]["src/app.py"], int) and isinstance(data["files"]["src/util/helpers.py"], str)
    assert any("changed since sent earlier in this conversation, sent again: src/app.py" in n for n in data["notes"])
    assert "print('changed')" in emulator.recorder.exchanges()[-1].body["messages"][-1]["content"]


async def test_compare_models_sends_every_member_the_same_files(emulator: BackgroundEmulator, tree: Path) -> None:
    arguments = {"prompt": "Review.", "models": ["gpt-4o", "gemini-2.5-pro"], "files": ["src/app.py", "README.md"]}
    async with Client(build_server(_settings(emulator, tree))) as client:
        result = await client.call_tool("compare_models", arguments)
    assert not result.is_error, text_of(result)
    chat, gemini = emulator.recorder.exchanges()[-2:]
    bodies = sorted([chat, gemini], key=lambda e: e.model)
    texts = [str(e.body) for e in bodies]
    assert all("src/app.py" in t and "README.md" in t for t in texts)
    notes = (result.structured_content or {})["notes"]
    assert any("files fitted to gpt-4o" in n for n in notes)


async def test_output_file_keeps_the_caller_context_small(emulator: BackgroundEmulator, tmp_path: Path) -> None:
    prompt = "\n".join(f"line {n}" for n in range(200))  # the emulator echoes it: a 200-line answer
    async with Client(build_server(_settings(emulator, tmp_path))) as client:
        result = await client.call_tool(
            "ask_model", {"prompt": prompt, "model": "gpt-4o", "output_file": "reviews/review.md"}
        )
    assert not result.is_error, text_of(result)
    written = tmp_path / "reviews" / "review.md"
    data = result.structured_content or {}
    assert data["output_file"] == str(written)
    body = written.read_text()
    assert body.startswith("[gpt-4o] You asked: line 0\n") and "line 199" in body and "— gpt-4o · " in body
    assert "line 199" not in data["text"] and data["text"].startswith("[gpt-4o] You asked: line 0")
    assert f"the whole answer is in {written}" in data["text"]
    links = [block for block in result.content if block.type == "resource_link"]
    assert len(links) == 1 and links[0].uri == written.as_uri() and links[0].mime_type == "text/markdown"


async def test_output_file_for_thinking_and_panels(emulator: BackgroundEmulator, tmp_path: Path) -> None:
    async with Client(build_server(_settings(emulator, tmp_path))) as client:
        thought = await client.call_tool(
            "extended_thinking", {"prompt": "Why?", "model": "deepseek-reasoner", "output_file": "why.md"}
        )
        panel = await client.call_tool(
            "compare_models", {"prompt": "Which?", "models": ["gpt-4o", "qwen3-max"], "output_file": "panel.md"}
        )
    assert not thought.is_error and not panel.is_error
    assert "## Reasoning of deepseek-reasoner" in (tmp_path / "why.md").read_text()
    whole = (tmp_path / "panel.md").read_text()
    assert "[gpt-4o] You asked: Which?" in whole and "[qwen3-max] You asked: Which?" in whole
    assert (panel.structured_content or {})["output_file"] == str(tmp_path / "panel.md")


async def test_output_file_never_replaces_a_file(emulator: BackgroundEmulator, tmp_path: Path) -> None:
    """A calling model may name any file in the allowed directories, the user's own source included: what is
    there stays, and the answer goes to the first free name, which the result names."""
    source = tmp_path / "app.py"
    source.write_text("print('the user wrote this')\n")
    calls = [
        ("ask_model", {"prompt": "first", "model": "gpt-4o"}, "app-1.py"),
        ("extended_thinking", {"prompt": "second", "model": "deepseek-reasoner"}, "app-2.py"),
        ("compare_models", {"prompt": "third", "models": ["gpt-4o", "qwen3-max"]}, "app-3.py"),
    ]
    async with Client(build_server(_settings(emulator, tmp_path))) as client:
        for tool, arguments, name in calls:
            result = await client.call_tool(tool, {**arguments, "output_file": "app.py"})
            data = result.structured_content or {}
            assert not result.is_error and data["output_file"] == str(tmp_path / name), text_of(result)
            note = f"output_file app.py already exists and was left as it was: the answer is in {name}"
            assert note in data["notes"] and note in text_of(result), text_of(result)
            assert f"You asked: {arguments['prompt']}" in (tmp_path / name).read_text()
    assert source.read_text() == "print('the user wrote this')\n"
    assert sorted(os.listdir(tmp_path)) == ["app-1.py", "app-2.py", "app-3.py", "app.py"]  # no temporary file left


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"files": ["../outside/stolen.py"]}, "outside the allowed directories"),
        ({"files": ["missing/*.py"]}, "no file or directory at 'missing'"),
        ({"files": ["nope.py"]}, "no file or directory at 'nope.py'"),
        ({"files": ["!src/**"]}, "give at least one path"),
        ({"files": ["src/**"], "max_files": 3}, "select more than 3 files (MIXROUTER_MAX_FILES)"),
        ({"files": ["x"] * 101}, "at most 100 paths or globs"),
        ({"output_file": "../elsewhere.md"}, "outside the allowed directories"),
        ({"output_file": "src/"}, "names a folder"),
    ],
)
async def test_refusals_are_clear_and_cost_no_call(
    emulator: BackgroundEmulator, tree: Path, arguments: dict[str, Any], expected: str
) -> None:
    overrides = {"max_files": arguments.pop("max_files")} if "max_files" in arguments else {}
    before = len(emulator.recorder.exchanges())
    async with Client(build_server(_settings(emulator, tree, **overrides))) as client:
        result = await client.call_tool("ask_model", {"prompt": "x", "model": "gpt-4o", **arguments})
    assert result.is_error and expected in text_of(result), text_of(result)
    assert "Traceback" not in text_of(result)
    assert len(emulator.recorder.exchanges()) == before


async def test_files_and_output_file_over_a_real_stdio_subprocess(emulator: BackgroundEmulator, tree: Path) -> None:
    env = server_env(emulator, MIXROUTER_MCP_ALLOWED_DIRS=str(tree), MIXROUTER_MCP_STORE="none")
    params = StdioServerParameters(command=SERVER_COMMAND[0], args=SERVER_COMMAND[1:], env=env, cwd=str(tree))
    arguments = {"prompt": "Review.", "model": "gemini-2.5-pro", "files": ["src/**/*.py"], "output_file": "r.md"}
    async with Client(params) as client:
        result = await client.call_tool("ask_model", arguments)
    assert not result.is_error, text_of(result)
    data = result.structured_content or {}
    assert data["files"]["src/app.py"] > 0 and data["files"]["src/escape.py"].startswith("symlink leads outside")
    assert (tree / "r.md").exists() and TEST_KEY not in text_of(result)
    assert data["output_file"] == str(tree / "r.md")
