"""Public image URLs: what marketplaces download, with strong ETags and year-long caching."""

from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from litestar.testing import AsyncTestClient
from PIL import Image as PILImage

from core.actor import Actor
from core.config import Settings, load_settings
from core.images.service import ImageSpace
from core.images.views import ImageView
from core.models import Account
from core.plugins import make_plugin_manager
from core.registry import Registry, build_registry
from plugins import images as images_plugin
from plugins import storage_local as storage_plugin
from tests.core.images.factories import make_image
from web.app import create_app

PHOTO = make_image(1000, 800, "JPEG")
CACHE = "public, max-age=31536000, immutable"


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    return load_settings(
        env={},
        data_dir=settings.data_dir,
        database_url=settings.database_url,
        redis_url=settings.redis_url,
        queue_name=settings.queue_name,
        plugins=[],
        public_base_url="https://shop.example.com/tw",
    )


@pytest.fixture
def registry(web_settings: Settings) -> Registry:
    pm = make_plugin_manager(
        web_settings,
        plugins={"images": images_plugin, "storage_local": storage_plugin},
        discover=False,
    )
    return build_registry(web_settings, pm)


@pytest.fixture
def space(sessions, web_settings: Settings, registry: Registry) -> ImageSpace:
    return ImageSpace(sessions, web_settings, registry.storage_backends["local"])


@pytest.fixture
async def client(
    web_settings: Settings, registry: Registry, engine
) -> AsyncIterator[AsyncTestClient]:
    """The app on the test database (the engine fixture made its tables)."""
    app = create_app(web_settings, registry=registry)
    async with AsyncTestClient(app) as test_client:
        yield test_client


async def stored(space: ImageSpace, sessions, data: bytes = PHOTO) -> tuple[Actor, ImageView]:
    async with sessions() as session:
        account = Account(name="seller")
        session.add(account)
        await session.commit()
        assert account.id is not None
    actor = Actor.system(account.id)
    outcome = await space.upload(actor, data, name="front.jpg")
    assert outcome.image is not None
    return actor, outcome.image


def path_of(url: str) -> str:
    """The path the app serves: the public base URL's own prefix is the proxy's business."""
    path = urlsplit(url).path
    assert path.startswith("/tw/i/")
    return path.removeprefix("/tw")


async def test_an_image_is_served_with_its_type_and_caching_headers(
    client: AsyncTestClient, space: ImageSpace, sessions
) -> None:
    _, image = await stored(space, sessions)
    assert image.url.startswith("https://shop.example.com/tw/i/") and image.url.endswith(".jpg")
    response = await client.get(path_of(image.url))
    assert response.status_code == 200
    assert response.content == PHOTO
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["etag"] == f'"{hashlib.sha256(PHOTO).hexdigest()}"'
    assert response.headers["cache-control"] == CACHE
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("inline")
    bare = path_of(image.url).rsplit(".", 1)[0]
    also = await client.get(bare)
    assert also.status_code == 200 and also.content == PHOTO


async def test_a_matching_if_none_match_answers_304(
    client: AsyncTestClient, space: ImageSpace, sessions
) -> None:
    _, image = await stored(space, sessions)
    etag = f'"{hashlib.sha256(PHOTO).hexdigest()}"'
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = await client.get(path_of(image.url), headers={"If-None-Match": header})
        assert response.status_code == 304, header
        assert response.content == b""
        assert response.headers["etag"] == etag and response.headers["cache-control"] == CACHE
    changed = await client.get(path_of(image.url), headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200 and changed.content == PHOTO


async def test_the_thumbnail_has_its_own_url_type_and_etag(
    client: AsyncTestClient, space: ImageSpace, sessions
) -> None:
    _, image = await stored(space, sessions)
    response = await client.get(path_of(image.thumb_url))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/webp"
    etag = f'"{hashlib.sha256(PHOTO).hexdigest()}-thumb"'
    assert response.headers["etag"] == etag and response.headers["cache-control"] == CACHE
    with PILImage.open(io.BytesIO(response.content)) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("WEBP", (240, 192))
    again = await client.get(path_of(image.thumb_url), headers={"If-None-Match": etag})
    assert again.status_code == 304


async def test_head_answers_the_headers_without_the_bytes(
    client: AsyncTestClient, space: ImageSpace, sessions
) -> None:
    _, image = await stored(space, sessions)
    response = await client.head(path_of(image.url))
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == CACHE
    assert (await client.head("/i/" + "A" * 32)).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/i/" + "A" * 32,  # well-formed, unknown
        "/i/" + "A" * 32 + "/thumb",
        "/i/short",
        "/i/..%2F..%2Fetc%2Fpasswd",
        "/i/" + "0" * 64,  # a content hash is not a token
    ],
)
async def test_unknown_tokens_are_404(client: AsyncTestClient, path: str) -> None:
    assert (await client.get(path)).status_code == 404


async def test_a_wrong_extension_and_a_deleted_image_are_404(
    client: AsyncTestClient, space: ImageSpace, sessions
) -> None:
    actor, image = await stored(space, sessions)
    path = path_of(image.url)
    assert (await client.get(path.replace(".jpg", ".png"))).status_code == 404
    assert (await client.get(path.replace(".jpg", ".jpeg"))).status_code == 200
    assert (
        await client.get(path_of(image.thumb_url).replace("/thumb", ".jpg/thumb"))
    ).status_code == 404
    await space.delete(actor, [image.id])
    assert (await client.get(path)).status_code == 404
    assert (await client.get(path_of(image.thumb_url))).status_code == 404
