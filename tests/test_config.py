from __future__ import annotations

from pathlib import Path

import pytest

from mixrouter_mcp.config import Settings, load_settings

KEY = "sk-live-abcdefghijklmnop"


def test_key_is_masked_everywhere() -> None:
    settings = Settings(_env_file=None, api_key=KEY)  # type: ignore[call-arg]
    assert KEY not in repr(settings) and KEY not in str(settings)
    assert KEY not in settings.model_dump_json()
    assert settings.masked_key() == "sk-l…mnop"
    assert settings.api_key_value() == KEY


def test_defaults_and_blank_key() -> None:
    settings = Settings(_env_file=None, api_key="  ")  # type: ignore[call-arg]
    assert settings.api_key is None and settings.masked_key() == "(not set)"
    assert settings.base_url == "https://api.mixrouter.com"
    assert settings.call_deadline_s < 60  # below the 60 s most clients allow


def test_base_url_normalised() -> None:
    assert Settings(_env_file=None, base_url="https://x.example/v1/").base_url == "https://x.example"  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="http"):
        Settings(_env_file=None, base_url="ftp://x")  # type: ignore[call-arg]


def test_precedence_cli_over_env_over_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MIXROUTER_DEFAULT_MODEL=from-dotenv\nMIXROUTER_API_KEY=sk-dotenv-123456789\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings().default_model == "from-dotenv"
    assert load_settings().api_key_value() == "sk-dotenv-123456789"
    monkeypatch.setenv("MIXROUTER_DEFAULT_MODEL", "from-env")
    assert load_settings().default_model == "from-env"
    assert load_settings(default_model="from-cli", base_url=None).default_model == "from-cli"
