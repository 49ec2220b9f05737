"""The README's first command works offline, with no key, and shows what a user would see."""

import subprocess
import sys


def test_demo_runs_offline() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mixrouter_mcp", "demo"], capture_output=True, text=True, timeout=120, check=True
    )
    out = done.stdout
    assert "Connected over stdio" in out and "ask_model" in out and "list_models" in out
    assert "**5050**" in out and "budget:thinking>" not in out.split("kept out of the answer")[1]
    assert "gemini thinkingConfig.thinkingBudget=8192" in out and "── reasoning of gemini-2.5-pro" in out
    assert "[isError]" in out and "call list_models" in out
