"""Fetching images by URL through the service: kept copies, and every refusal per item.

The safe fetcher's own tests (tests/core/net) cover the fetching rules in depth; these check
that the image space goes through it and reports each refusal on its own item, with nothing
else in the batch lost.
"""

from __future__ import annotations

import pytest

from core.images.ingest import name_from_url, parse_url_list
from core.images.service import ImageSpace
from core.net.errors import FetchRefused
from tests.core.images.conftest import PHOTO, SMALL
from tests.core.images.service_helpers import counter, image_count, new_account
from tests.core.net.servers import RunningServer


async def test_a_url_is_fetched_and_kept_with_its_source(
    space: ImageSpace, cdn: RunningServer, sessions
) -> None:
    actor = await new_account(sessions)
    url = cdn.url("/photo.jpg", host="cdn.test")
    outcome = await space.fetch_url(actor, url)
    assert outcome.status == "stored" and outcome.image is not None
    assert outcome.image.source_url == url and outcome.image.name == "photo.jpg"
    assert outcome.image.byte_size == len(PHOTO)
    assert cdn.log.hosts == [f"cdn.test:{cdn.port}"]
    again = await space.fetch_url(actor, url)
    assert again.status == "duplicate" and again.image and again.image.id == outcome.image.id


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/a.jpg", "blocked_address"),
        ("http://[::1]/a.jpg", "blocked_address"),
        ("http://10.0.0.5/a.jpg", "blocked_address"),
        ("http://169.254.169.254/latest/meta-data/", "blocked_address"),
        ("http://intranet.test/a.jpg", "blocked_address"),  # resolves to 10.1.2.3
        ("file:///etc/passwd", "scheme"),
        ("gopher://127.0.0.1:6379/_INFO", "scheme"),
    ],
)
async def test_a_single_fetch_refuses_private_targets(
    strict_space: ImageSpace, sessions, url: str, reason: str
) -> None:
    actor = await new_account(sessions)
    with pytest.raises(FetchRefused) as caught:
        await strict_space.fetch_url(actor, url)
    assert caught.value.reason == reason


async def test_a_batch_reports_each_refusal_and_keeps_the_rest(
    space: ImageSpace, cdn: RunningServer, sessions
) -> None:
    actor = await new_account(sessions)
    port = cdn.port
    good = cdn.url("/photo.jpg", host="cdn.test")
    small = cdn.url("/small.png", host="cdn.test")
    urls = [
        good,
        f"http://127.0.0.2:{port}/photo.jpg",  # loopback that is not allowed
        "http://[::1]/a.jpg",
        "http://10.0.0.5/a.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "http://intranet.test/a.jpg",
        cdn.url(f"/redirect?to=http://internal.test:{port}/photo.jpg", host="cdn.test"),
        cdn.url("/redirect?to=http://169.254.169.254/", host="cdn.test"),
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        cdn.url("/page.html", host="cdn.test"),
        cdn.url("/script.svg", host="cdn.test"),
        cdn.url("/missing.jpg", host="cdn.test"),
        "http://nowhere.test/a.jpg",
        small,
        good,  # listed twice: fetched once
    ]
    result = await space.fetch_urls(actor, urls)
    summary = [(item.name, item.status, item.reason) for item in result.items]
    assert summary == [
        (good, "stored", None),
        (urls[1], "refused", "blocked_address"),
        (urls[2], "refused", "blocked_address"),
        (urls[3], "refused", "blocked_address"),
        (urls[4], "refused", "blocked_address"),
        (urls[5], "refused", "blocked_address"),
        (urls[6], "refused", "blocked_address"),
        (urls[7], "refused", "blocked_address"),
        (urls[8], "refused", "scheme"),
        (urls[9], "refused", "scheme"),
        (urls[10], "refused", "not_image"),
        (urls[11], "refused", "svg"),
        (urls[12], "refused", "http_status"),
        (urls[13], "refused", "unknown_host"),
        (small, "stored", None),
    ]
    assert all(item.message for item in result.items if not item.ok)
    assert "web page" in (result.items[10].message or "")
    # Only the test CDN was ever asked anything; no private address was reached.
    asked = ["/photo.jpg", "/redirect", "/redirect", "/page.html", "/script.svg", "/missing.jpg"]
    assert sorted(cdn.log.paths) == sorted([*asked, "/small.png"])
    assert await image_count(sessions, actor.account_id) == 2
    assert await counter(sessions, actor.account_id) == len(PHOTO) + len(SMALL)


def test_a_pasted_list_gives_each_url_once() -> None:
    text = """
    # from the supplier's page
    https://a.example/1.jpg
    "https://a.example/2.jpg",  <https://a.example/3.jpg>
    https://a.example/1.jpg

    https://a.example/4.jpg?w=800,h=800
    """
    assert parse_url_list(text) == [
        "https://a.example/1.jpg",
        "https://a.example/2.jpg",
        "https://a.example/3.jpg",
        "https://a.example/4.jpg?w=800,h=800",
    ]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://img.example/shop/%E6%9D%AF%E5%AD%90.jpg?x=1", "杯子.jpg"),
        ("https://img.example/", "img.example"),
        ("https://img.example/a/b/", "img.example"),
    ],
)
def test_names_come_from_the_url(url: str, name: str) -> None:
    assert name_from_url(url) == name
