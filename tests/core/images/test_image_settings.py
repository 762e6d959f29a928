"""The image-space settings."""

from __future__ import annotations

import pytest

from core.config import ConfigError, load_settings
from core.models import Account
from core.models.accounts import DEFAULT_IMAGE_QUOTA_BYTES


def test_defaults() -> None:
    settings = load_settings(env={})
    assert settings.image_quota_bytes == 1024**3 == DEFAULT_IMAGE_QUOTA_BYTES
    assert Account(name="x").image_quota_bytes == settings.image_quota_bytes
    assert settings.image_max_bytes == 50 * 1024 * 1024
    assert settings.image_storage == "local"
    assert settings.fetch_allowed_networks == []


def test_from_the_environment() -> None:
    settings = load_settings(
        env={
            "TRADEWIND_IMAGE_QUOTA_BYTES": "5368709120",
            "TRADEWIND_FETCH_ALLOWED_NETWORKS": "127.0.0.1/32, ::1/128",
            "TRADEWIND_IMAGE_STORAGE": "s3",
        }
    )
    assert settings.image_quota_bytes == 5 * 1024**3
    assert settings.fetch_allowed_networks == ["127.0.0.1/32", "::1/128"]
    assert settings.image_storage == "s3"


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"TRADEWIND_FETCH_ALLOWED_NETWORKS": "localhost"}, "fetch_allowed_networks"),
        ({"TRADEWIND_IMAGE_QUOTA_BYTES": "-1"}, "image_quota_bytes"),
        ({"TRADEWIND_IMAGE_MAX_BYTES": "10"}, "image_max_bytes"),
    ],
)
def test_wrong_values_name_the_setting(env: dict[str, str], setting: str) -> None:
    with pytest.raises(ConfigError, match=setting):
        load_settings(env=env)
