"""Configuration: ``tradewind.toml`` overlaid by ``TRADEWIND_*`` environment variables.

Precedence (highest first): environment, config file, defaults. The config file is the one
named by ``--config`` or ``TRADEWIND_CONFIG``, else ``./tradewind.toml`` when it exists.

Every setting is a field of :class:`Settings` with a description; ``tradewind config show``
prints the effective values with secrets redacted. A wrong value raises :class:`ConfigError`
with one line that names the setting and says what is expected.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

ENV_PREFIX = "TRADEWIND_"
DEFAULT_CONFIG_FILE = "tradewind.toml"


class ConfigError(Exception):
    """A setting is missing, unknown or has a wrong value; the message is one line."""


class Settings(BaseModel):
    """The effective configuration of one Tradewind deployment."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    data_dir: Path = Field(
        Path("data"),
        description="Folder for the SQLite file, images, generated keys and the embedded Redis.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy async URL, e.g. postgresql+asyncpg://user@host/db. "
        "Unset: a SQLite file in the data folder.",
    )
    redis_url: str | None = Field(
        None,
        description="Redis URL for the job queue, e.g. redis://127.0.0.1:6379/0. "
        "Unset: `tradewind serve` starts an embedded redis-server and an in-process worker.",
    )
    queue_name: str = Field(
        "tradewind:queue", min_length=1, description="Redis key of the job queue."
    )
    plugins: list[str] | None = Field(
        None,
        description="Plugins to load, by id. Unset: every installed plugin; empty: none.",
    )
    plugins_dir: Path | None = Field(
        None, description="Folder of single-file plugins (*.py) loaded at start-up."
    )
    host: str = Field("127.0.0.1", description="Address `tradewind serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `tradewind serve` listens on.")
    web_workers: int = Field(
        1,
        ge=1,
        le=64,
        description="Web processes `tradewind serve` runs on its port, each with its own "
        "in-process job worker: one per CPU core serves the most pages.",
    )
    public_base_url: str | None = Field(
        None,
        description="URL at which browsers and platforms reach this deployment "
        "(OAuth callbacks, image URLs). Unset: http://{host}:{port}.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Key that signs session cookies. Unset: generated once into the data folder.",
    )
    encryption_key: SecretStr | None = Field(
        None,
        description="Fernet key that encrypts store credentials at rest; several "
        "comma-separated keys rotate them (the first encrypts, all decrypt). "
        "Unset: generated once into the data folder.",
    )
    in_process_worker: bool | None = Field(
        None,
        description="Run a job worker inside `tradewind serve`. "
        "Unset: on when redis_url is unset (the embedded default), off otherwise.",
    )
    templates_dir: Path | None = Field(
        None,
        description="Folder of Jinja templates that override the built-in and plugin ones.",
    )
    worker_concurrency: int = Field(
        10, ge=1, le=1000, description="Jobs one worker runs at the same time."
    )
    job_timeout: int = Field(
        600, ge=1, description="Seconds after which a running job is abandoned and retried."
    )
    job_max_tries: int = Field(
        5, ge=1, le=100, description="Attempts of a job before it is recorded as failed."
    )
    job_retention_days: int = Field(
        30, ge=1, description="Days finished job records are kept before housekeeping purges them."
    )
    image_quota_bytes: int = Field(
        1024**3,  # core.models.accounts.DEFAULT_IMAGE_QUOTA_BYTES, without importing the models
        ge=0,
        description="Image space of a new account, in bytes (default 1 GiB); operators may "
        "change it per account afterwards.",
    )
    image_max_bytes: int = Field(
        50 * 1024 * 1024,
        ge=1024,
        description="Largest single image accepted, in bytes (uploads, ZIP members, URL fetches).",
    )
    image_storage: str = Field(
        "local",
        min_length=1,
        description="Id of the storage backend that keeps image files: 'local' (the data "
        "folder) or one a plugin registers (e.g. an S3-compatible store).",
    )
    fetch_allowed_networks: list[str] = Field(
        default_factory=list,
        description="Non-public networks that image URL fetching may reach anyway, e.g. "
        "127.0.0.1/32 for the local demo and tests. Leave empty in production.",
    )
    default_locale: str = Field("zh_CN", description="UI language for new users (zh_CN or en).")
    log_level: str = Field("INFO", description="Logging level: DEBUG, INFO, WARNING, ERROR.")
    plugin: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Per-plugin settings: [plugin.<id>] tables in the config file, "
        "TRADEWIND_PLUGIN__<ID>__<KEY> in the environment.",
    )

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in ("zh_CN", "en"):
            raise ValueError("must be zh_CN or en")
        return value

    @field_validator("fetch_allowed_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        from core.net.addresses import parse_networks

        parse_networks(value)  # raises ValueError naming the bad entry
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return upper

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.startswith(("postgres://", "postgresql://")):
            # Operators paste libpq URLs; the async driver is the only one we ship.
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite://"):
            return "sqlite+aiosqlite://" + value.split("://", 1)[1]
        if not value.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
            raise ValueError("must be a postgresql:// or sqlite:// URL")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value

    # -- derived values -------------------------------------------------------------------

    @property
    def effective_database_url(self) -> str:
        """The database URL in use: the configured one or the SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'tradewind.db').resolve()}"

    @property
    def effective_public_base_url(self) -> str:
        """Base URL for links that leave the process (OAuth callbacks, image URLs)."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        return f"http://{self.host}:{self.port}"

    @property
    def runs_in_process_worker(self) -> bool:
        """Whether `tradewind serve` also runs a worker (always with the embedded Redis)."""
        if self.redis_url is None:
            return True
        return bool(self.in_process_worker)

    def plugin_settings(self, plugin_id: str) -> dict[str, Any]:
        """The raw settings table of one plugin (empty when none were given)."""
        return dict(self.plugin.get(plugin_id, {}))

    def secret(self, name: str) -> str:
        """Return ``secret_key`` or ``encryption_key``, generating and keeping it when unset.

        A generated key is written once to ``<data_dir>/<name>`` with mode 0600, so the
        embedded default needs no setup and keeps working across restarts.
        """
        configured: SecretStr | None = getattr(self, name)
        if configured is not None:
            return configured.get_secret_value()
        path = self.data_dir / name
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if name == "encryption_key":
            from cryptography.fernet import Fernet

            value = Fernet.generate_key().decode()
        else:
            value = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(value)
        return value

    def redacted(self) -> dict[str, Any]:
        """The effective settings as plain data with every secret replaced by ``'***'``."""
        data = self.model_dump(mode="json")
        for name in ("secret_key", "encryption_key"):
            data[name] = "***" if getattr(self, name) is not None else "(generated in data_dir)"
        data["database_url"] = _redact_url(self.effective_database_url)
        if self.redis_url:
            data["redis_url"] = _redact_url(self.redis_url)
        data["plugin"] = {
            pid: {k: ("***" if _looks_secret(k) else v) for k, v in table.items()}
            for pid, table in self.plugin.items()
        }
        return data


def _looks_secret(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in ("secret", "password", "token", "key"))


def _redact_url(url: str) -> str:
    """Hide the password part of ``scheme://user:password@host``."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else url


_LIST_SETTINGS = {"plugins", "fetch_allowed_networks"}


def _env_overrides(env: Mapping[str, str]) -> dict[str, Any]:
    """Turn ``TRADEWIND_*`` variables into a settings dict (plugin tables nested)."""
    data: dict[str, Any] = {}
    known = set(Settings.model_fields)
    for name, raw in env.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX + "CONFIG":
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key.startswith("plugin__"):
            parts = key.split("__")
            if len(parts) != 3 or not parts[1] or not parts[2]:
                raise ConfigError(f"{name}: expected TRADEWIND_PLUGIN__<ID>__<KEY>")
            data.setdefault("plugin", {}).setdefault(parts[1], {})[parts[2]] = raw
        elif key in _LIST_SETTINGS:
            data[key] = [item.strip() for item in raw.split(",") if item.strip()]
        elif key in known:
            data[key] = raw
        # Other TRADEWIND_* names (test helpers, future settings) are ignored on purpose.
    return data


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file {path}: not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: not valid TOML ({exc})") from None


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_settings(
    config_path: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build the effective :class:`Settings`.

    Args:
        config_path: the config file; ``None`` means ``TRADEWIND_CONFIG`` or
            ``./tradewind.toml`` if present.
        env: the environment to read (default ``os.environ``); tests pass their own.
        **overrides: values that win over everything (command-line options).

    Raises:
        ConfigError: one line naming the first wrong setting.
    """
    env = os.environ if env is None else env
    file_data: dict[str, Any] = {}
    if config_path is None and env.get(ENV_PREFIX + "CONFIG"):
        config_path = env[ENV_PREFIX + "CONFIG"]
    if config_path is not None:
        file_data = _read_file(Path(config_path))
    elif Path(DEFAULT_CONFIG_FILE).is_file():
        file_data = _read_file(Path(DEFAULT_CONFIG_FILE))
    data = _merge(_merge(file_data, _env_overrides(env)), overrides)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_first_error(exc)) from None


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "settings"
    if error["type"] == "extra_forbidden":
        return f"unknown setting '{where}' (known: {', '.join(sorted(Settings.model_fields))})"
    given = error.get("input")
    hide = isinstance(given, dict) or where.endswith(("_url", "_key")) or where.startswith("plugin")
    shown = "" if hide else f" (got {given!r})"
    message = error["msg"].removeprefix("Value error, ")
    return f"setting '{where}': {message}{shown}"
