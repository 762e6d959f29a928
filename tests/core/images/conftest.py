"""Fixtures of the image-space service tests: the service on the test database and a CDN."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.config import Settings, load_settings
from core.images.service import ImageSpace
from core.images.storage_local import LocalImageStorage
from core.net.safe_fetch import SafeFetcher
from tests.core.images.factories import make_image
from tests.core.net.servers import RunningServer, serve

LOOPBACK_ONLY = ["127.0.0.1/32"]  # the test CDN is "public"; 127.0.0.2 stays forbidden
DNS = {"cdn.test": ["127.0.0.1"], "internal.test": ["127.0.0.2"], "intranet.test": ["10.1.2.3"]}

PHOTO = make_image(1000, 1000, "JPEG")
SMALL = make_image(300, 200, "PNG")


async def fake_dns(host: str) -> list[str]:
    return DNS.get(host, [])


@pytest.fixture
def space_settings(settings: Settings) -> Settings:
    return load_settings(
        env={},
        data_dir=settings.data_dir,
        database_url=settings.database_url,
        redis_url=settings.redis_url,
        queue_name=settings.queue_name,
        plugins=[],
        public_base_url="https://img.example.com",
        image_max_bytes=5 * 1024 * 1024,
    )


@pytest.fixture
def storage(space_settings: Settings) -> LocalImageStorage:
    return LocalImageStorage(space_settings.data_dir / "images")


@pytest.fixture
def space(sessions, space_settings: Settings, storage: LocalImageStorage) -> ImageSpace:
    fetcher = SafeFetcher(resolver=fake_dns, allowed_networks=LOOPBACK_ONLY)
    return ImageSpace(sessions, space_settings, storage, fetcher=fetcher)


@pytest.fixture
def strict_space(sessions, space_settings: Settings, storage: LocalImageStorage) -> ImageSpace:
    """The image space as production runs it: no network allowed beyond public addresses."""
    return ImageSpace(sessions, space_settings, storage, fetcher=SafeFetcher(resolver=fake_dns))


@pytest.fixture
def cdn() -> Iterator[RunningServer]:
    with serve("127.0.0.1") as server:
        server.files.update(
            {
                "/photo.jpg": (PHOTO, "image/jpeg"),
                "/small.png": (SMALL, "application/octet-stream"),
                "/page.html": (b"<!doctype html><html><img src=x></html>", "text/html"),
                "/script.svg": (b"<svg><script>alert(1)</script></svg>", "image/svg+xml"),
            }
        )
        yield server
