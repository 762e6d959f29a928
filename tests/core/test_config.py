from pathlib import Path

import pytest

from core.config import ConfigError, load_settings


def test_defaults_put_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    settings = load_settings(env={}, data_dir=tmp_path)
    assert (
        settings.effective_database_url == f"sqlite+aiosqlite:///{tmp_path.resolve()}/tradewind.db"
    )
    assert settings.redis_url is None
    assert settings.plugins is None


def test_env_wins_over_file(tmp_path: Path) -> None:
    config = tmp_path / "tradewind.toml"
    config.write_text('port = 9000\nhost = "0.0.0.0"\n[plugin.wish]\nclient_id = "abc"\n')
    settings = load_settings(
        env={
            "TRADEWIND_CONFIG": str(config),
            "TRADEWIND_PORT": "9100",
            "TRADEWIND_PLUGIN__WISH__CLIENT_SECRET": "s3cret",
        },
    )
    assert settings.port == 9100
    assert settings.host == "0.0.0.0"
    assert settings.plugin_settings("wish") == {"client_id": "abc", "client_secret": "s3cret"}
    shown = settings.redacted()
    assert shown["plugin"]["wish"]["client_secret"] == "***"
    assert shown["plugin"]["wish"]["client_id"] == "abc"


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"TRADEWIND_PORT": "eighty"}, "setting 'port'"),
        ({"TRADEWIND_PORT": "70000"}, "setting 'port'"),
        ({"TRADEWIND_DATABASE_URL": "mysql://x"}, "setting 'database_url'"),
        ({"TRADEWIND_REDIS_URL": "http://x"}, "setting 'redis_url'"),
        ({"TRADEWIND_DEFAULT_LOCALE": "fr"}, "setting 'default_locale'"),
        ({"TRADEWIND_PLUGIN__WISH": "x"}, "TRADEWIND_PLUGIN__WISH"),
    ],
)
def test_wrong_values_name_the_setting(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(env=env)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message


def test_unknown_key_in_file_is_named(tmp_path: Path) -> None:
    config = tmp_path / "t.toml"
    config.write_text("prot = 1\n")
    with pytest.raises(ConfigError, match="unknown setting 'prot'"):
        load_settings(config_path=config, env={})


def test_broken_toml_and_missing_file(tmp_path: Path) -> None:
    broken = tmp_path / "b.toml"
    broken.write_text("port = = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(config_path=broken, env={})
    with pytest.raises(ConfigError, match="not found"):
        load_settings(config_path=tmp_path / "missing.toml", env={})


def test_plugins_list_from_env() -> None:
    selected = load_settings(env={"TRADEWIND_PLUGINS": "wish, aliexpress"}).plugins
    assert selected == ["wish", "aliexpress"]
    assert load_settings(env={"TRADEWIND_PLUGINS": ""}).plugins == []


def test_secrets_are_generated_once_and_kept_private(tmp_path: Path) -> None:
    settings = load_settings(env={}, data_dir=tmp_path)
    first = settings.secret("encryption_key")
    assert settings.secret("encryption_key") == first
    assert (tmp_path / "encryption_key").stat().st_mode & 0o077 == 0
    assert "***" not in first
    assert settings.redacted()["encryption_key"] == "(generated in data_dir)"


def test_postgres_url_is_normalised_and_password_redacted() -> None:
    settings = load_settings(env={"TRADEWIND_DATABASE_URL": "postgresql://u:pw@db/x"})
    assert settings.effective_database_url == "postgresql+asyncpg://u:pw@db/x"
    assert settings.redacted()["database_url"] == "postgresql+asyncpg://u:***@db/x"
