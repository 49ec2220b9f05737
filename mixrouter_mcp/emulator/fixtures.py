"""A pytest fixture for your own tests: a mixrouter emulator on a free loopback port, fresh for each test.

Enable it in a `conftest.py` with `pytest_plugins = ["mixrouter_mcp.emulator.fixtures"]` (it is not loaded
otherwise), then::

    @pytest.mark.mixrouter_emulator(models=["gpt-4o", "my-model"], replies={"my-model": "42"})
    def test_my_agent(mixrouter_emulator):
        client = OpenAI(base_url=mixrouter_emulator.url + "/v1", api_key=mixrouter_emulator.api_key)
        ...
        assert mixrouter_emulator.recorder.exchanges()[-1].body["model"] == "my-model"

The marker's keywords go to `BackgroundEmulator` (`api_key`, `models`, `replies`); `mixrouter_env` gives the
environment variables that point mixrouter-mcp (or any OpenAI-compatible client reading them) at it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import BackgroundEmulator

MARKER = "mixrouter_emulator"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(api_key=..., models=..., replies=...): configure the emulator")


@pytest.fixture
def mixrouter_emulator(request: pytest.FixtureRequest) -> Iterator[BackgroundEmulator]:
    """A running emulator with its own state; stopped after the test."""
    marker = request.node.get_closest_marker(MARKER)
    options = dict(marker.kwargs) if marker else {}
    with BackgroundEmulator(**options) as emulator:
        yield emulator


@pytest.fixture
def mixrouter_env(mixrouter_emulator: BackgroundEmulator) -> dict[str, str]:
    """MIXROUTER_BASE_URL and MIXROUTER_API_KEY for the emulator (to merge into a subprocess's environment)."""
    return {"MIXROUTER_BASE_URL": mixrouter_emulator.url, "MIXROUTER_API_KEY": mixrouter_emulator.api_key}
