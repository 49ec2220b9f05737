"""The terminal commands against the emulator, as a user runs them: models, ask (and --think), compare, doctor."""

from __future__ import annotations

import subprocess
from pathlib import Path

from mixrouter_mcp.emulator import BackgroundEmulator

from .conftest import TEST_KEY
from .processes import SERVER_COMMAND, server_env


def run(
    emulator: BackgroundEmulator, *args: str, cwd: Path | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SERVER_COMMAND, *args], env=server_env(emulator, **env), capture_output=True, text=True, timeout=60, cwd=cwd
    )


def test_models(emulator: BackgroundEmulator) -> None:
    done = run(emulator, "models", "gemini")
    assert (
        done.returncode == 0 and "models matching 'gemini'" in done.stdout and "gemini-2.5-pro (google)" in done.stdout
    )


def test_ask_and_think(emulator: BackgroundEmulator) -> None:
    done = run(emulator, "ask", "Is the CLI real?", "-m", "qwen3-max")
    assert done.returncode == 0 and done.stdout.startswith("[qwen3-max] You asked: Is the CLI real?")
    assert "— qwen3-max · " in done.stdout and " · $0.0" in done.stdout  # the footer prints what the call cost
    thought = run(emulator, "ask", "Why?", "-m", "claude-sonnet-4-5-20250929", "--think", "low")
    assert thought.returncode == 0 and "── reasoning of claude-sonnet-4-5-20250929" in thought.stdout
    assert "messages thinking.budget_tokens=2048" in thought.stdout


def test_compare_with_a_judge(emulator: BackgroundEmulator) -> None:
    done = run(emulator, "compare", "2+2?", "-m", "gpt-4o", "-m", "gemini-2.5-flash~words=9", "--judge", "gpt-4o-mini")
    assert done.returncode == 0
    assert "Asked 2 models at once" in done.stdout and "━━ [2] gemini-2.5-flash~words=9" in done.stdout
    assert "Ranking: 1. gemini-2.5-flash~words=9, 2. gpt-4o" in done.stdout
    assert " in all" in done.stdout and "$" in done.stdout  # the panel and the judge, summed


def test_a_budget_refuses_and_a_fallback_answers(emulator: BackgroundEmulator) -> None:
    refused = run(emulator, "compare", "x", "-m", "gpt-4o", "-m", "claude-opus-4-5-20251101", "--max-cost", "0.0001")
    assert refused.returncode == 1 and "max_cost_usd" in refused.stderr and "$" in refused.stderr
    rescued = run(emulator, "ask", "x", "-m", "gpt-9-preview", "--fallback", "gpt-4o-mini")
    assert rescued.returncode == 0 and "answered by fallback gpt-4o-mini" in rescued.stdout


def test_errors_exit_non_zero_on_stderr(emulator: BackgroundEmulator) -> None:
    done = run(emulator, "ask", "x", "-m", "no-such-model")
    assert done.returncode == 1 and done.stdout == "" and "call list_models" in done.stderr


def test_doctor_reports_sources_masks_the_key_and_checks_the_service(
    emulator: BackgroundEmulator, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("MIXROUTER_DEFAULT_MODEL=deepseek-chat\n")
    done = run(emulator, "--deadline", "30", "doctor", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "from environment (MIXROUTER_API_KEY)" in out and TEST_KEY not in out and "sk-t…8a0b" in out
    assert "default_model    deepseek-chat" in out and f".env ({tmp_path / '.env'})" in out
    assert "call_deadline_s  30.0" in out and "from command-line flag" in out
    assert "✓ " in out and "reachable: 22 models" in out and "one-token call to deepseek-chat answered" in out
    assert "✓ key quota: " in out and "✓ spent today (" in out and "✓ prices: " in out


def test_doctor_without_a_key(emulator: BackgroundEmulator) -> None:
    done = run(emulator, "doctor", MIXROUTER_API_KEY="")
    assert done.returncode == 1 and "no API key: set MIXROUTER_API_KEY" in done.stdout


def test_doctor_with_a_wrong_key(emulator: BackgroundEmulator) -> None:
    done = run(emulator, "doctor", MIXROUTER_API_KEY="sk-wrong-key-123456")
    assert done.returncode == 1 and "did not list models" in done.stdout and "HTTP 401" in done.stderr


def test_the_example_client_script_runs_offline() -> None:
    import sys

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, str(root / "examples" / "client.py"), "--offline"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=root,
    )
    assert done.returncode == 0, done.stderr
    assert "ask_model:" in done.stdout and "extended_thinking (same conversation" in done.stdout
    assert "Asked 3 models at once" in done.stdout and "judge: claude-sonnet-4-5-20250929" in done.stdout


def test_version_has_one_source(emulator: BackgroundEmulator) -> None:
    from importlib.metadata import version

    import mixrouter_mcp

    done = run(emulator, "--version")
    assert done.returncode == 0 and done.stdout.strip() == f"mixrouter-mcp {mixrouter_mcp.__version__}"
    assert version("mixrouter-mcp") == mixrouter_mcp.__version__  # the installed metadata reads the same attribute


def test_files_stdin_output_and_dry_run(emulator: BackgroundEmulator, tmp_path: Path) -> None:
    """`-f` sends files, `-` reads the prompt from stdin, `-o` saves the answer, `--dry-run` calls nothing."""
    (tmp_path / "app.py").write_text("def add(a, b):\n    return a - b\n")
    env = server_env(emulator, MIXROUTER_MCP_STORE="none")
    piped = subprocess.run(
        [*SERVER_COMMAND, "ask", "-", "-m", "gpt-4o", "-f", "app.py", "-o", "review.md"],
        input="Find the bug.",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert piped.returncode == 0, piped.stderr
    saved = (tmp_path / "review.md").read_text()
    assert "return a - b" in saved and "Find the bug." in saved  # the emulator echoes what it was sent
    before = emulator.recorder.count()
    dry = run(
        emulator, "compare", "Review.", "-m", "gpt-4o", "-m", "qwen3-max", "-f", "*.py", "--dry-run", cwd=tmp_path
    )
    assert dry.returncode == 0 and "nothing was sent" in dry.stdout and "app.py" in dry.stdout, dry.stderr
    assert emulator.recorder.count() == before
    missing = run(emulator, "ask", "x", "-f", "nope.txt", cwd=tmp_path)
    assert missing.returncode == 1 and "no file or directory at 'nope.txt'" in missing.stderr


def test_a_reader_that_stops_early_gets_no_traceback(emulator: BackgroundEmulator) -> None:
    """`mixrouter-mcp models | head -1`: the reader is gone before the list is written."""
    process = subprocess.Popen(
        [*SERVER_COMMAND, "models"], env=server_env(emulator), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # long before the child has started, let alone listed the models
    with process.stderr:
        stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141 and "Traceback" not in stderr, stderr
