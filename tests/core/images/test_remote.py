from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.images.errors import ImageRejected
from core.images.inspect import ImageLimits
from core.images.remote import fetch_image
from core.net.errors import FetchRefused
from core.net.safe_fetch import SafeFetcher
from tests.core.images.factories import make_image
from tests.core.net.servers import RunningServer, serve

PHOTO = make_image(1000, 1000, "JPEG")


async def resolve_cdn(host: str) -> list[str]:
    return ["127.0.0.1"] if host == "cdn.test" else []


@pytest.fixture
def cdn() -> Iterator[RunningServer]:
    with serve("127.0.0.1") as server:
        server.files.update(
            {
                "/photo.jpg": (PHOTO, "image/jpeg"),
                "/mislabelled": (PHOTO, "application/octet-stream"),
                "/product.html": (b"<!doctype html><html><img src=x></html>", "text/html"),
                "/drawing.svg": (b"<svg><script>alert(1)</script></svg>", "image/svg+xml"),
            }
        )
        yield server


@pytest.fixture
def fetcher() -> SafeFetcher:
    return SafeFetcher(resolver=resolve_cdn, allowed_networks=["127.0.0.1/32"])


@pytest.mark.parametrize("path", ["/photo.jpg", "/mislabelled"])
async def test_image_is_fetched_and_inspected(
    cdn: RunningServer, fetcher: SafeFetcher, path: str
) -> None:
    url = cdn.url(path, host="cdn.test")
    fetched = await fetch_image(fetcher, url)
    assert fetched.data == PHOTO
    assert fetched.final_url == url
    assert (fetched.info.format, fetched.info.width, fetched.info.is_small) == ("JPEG", 1000, False)


async def test_a_web_page_gets_a_helpful_refusal(cdn: RunningServer, fetcher: SafeFetcher) -> None:
    with pytest.raises(ImageRejected) as caught:
        await fetch_image(fetcher, cdn.url("/product.html", host="cdn.test"))
    assert caught.value.reason == "not_image"
    assert "web page" in str(caught.value)


async def test_svg_by_url_is_refused(cdn: RunningServer, fetcher: SafeFetcher) -> None:
    with pytest.raises(ImageRejected) as caught:
        await fetch_image(fetcher, cdn.url("/drawing.svg", host="cdn.test"))
    assert caught.value.reason == "svg"


async def test_the_byte_limit_bounds_the_download(cdn: RunningServer, fetcher: SafeFetcher) -> None:
    with pytest.raises(FetchRefused) as caught:
        await fetch_image(
            fetcher, cdn.url("/photo.jpg", host="cdn.test"), limits=ImageLimits(max_bytes=1000)
        )
    assert caught.value.reason == "too_large"


async def test_private_addresses_stay_refused(fetcher: SafeFetcher) -> None:
    with pytest.raises(FetchRefused) as caught:
        await fetch_image(fetcher, "http://169.254.169.254/latest/meta-data/")
    assert caught.value.reason == "blocked_address"
