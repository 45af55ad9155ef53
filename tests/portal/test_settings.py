"""Settings come from EFORMS_* variables; bad ones stop the app with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from portal import create_app
from portal.cli import cli
from portal.settings import Settings, SettingsError


def test_defaults_run_everything_locally(tmp_path: Path) -> None:
    settings = Settings.from_env({"EFORMS_DATA_DIR": str(tmp_path)})
    assert settings.resolved_database_url == f"sqlite:///{(tmp_path / 'eforms.db').resolve()}"
    assert settings.default_locale == "vi"
    assert settings.resolved_cookie_secure is False


def test_typed_values_are_parsed() -> None:
    settings = Settings.from_env(
        {
            "EFORMS_PORT": "8080",
            "EFORMS_COOKIE_SECURE": "yes",
            "EFORMS_DATABASE_URL": "postgresql://u:p@db:5432/eforms",
        }
    )
    assert settings.port == 8080 and settings.resolved_cookie_secure is True


def test_https_base_url_makes_cookies_secure() -> None:
    settings = Settings.from_env({"EFORMS_BASE_URL": "https://dichvucong.example.vn"})
    assert settings.resolved_cookie_secure is True


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"EFORMS_DATABASE_URL": "nonsense"}, "EFORMS_DATABASE_URL"),
        ({"EFORMS_DATABASE_URL": "mysql://root@localhost/x"}, "EFORMS_DATABASE_URL"),
        ({"EFORMS_PORT": "eighty"}, "EFORMS_PORT"),
        ({"EFORMS_COOKIE_SECURE": "maybe"}, "EFORMS_COOKIE_SECURE"),
        ({"EFORMS_DATABSE_URL": "sqlite://"}, "EFORMS_DATABSE_URL"),
        ({"EFORMS_DEFAULT_LOCALE": "fr"}, "EFORMS_DEFAULT_LOCALE"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env(env)
    assert variable in info.value.message_en and variable in info.value.message_vi


def test_app_refuses_to_start_with_malformed_database_url(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="EFORMS_DATABASE_URL"):
        create_app(Settings(data_dir=tmp_path, database_url="postgres:/broken::"))


def test_cli_refuses_malformed_database_url_with_message(tmp_path: Path) -> None:
    from portal.cli import main

    env = {"EFORMS_DATA_DIR": str(tmp_path), "EFORMS_DATABASE_URL": "not-a-url"}
    result = CliRunner().invoke(cli, ["db", "upgrade"], env=env)
    assert result.exit_code != 0
    assert isinstance(result.exception, SettingsError)
    assert "EFORMS_DATABASE_URL" in str(result.exception)
    assert callable(main)


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = settings.ensure_secret_key()
    assert len(first) > 40
    assert settings.ensure_secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
