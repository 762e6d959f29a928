# ruff: noqa: RUF001  (the pages show dimensions with the multiplication sign)
"""The image space pages: upload, the grid, one image, pad, delete with confirmation."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest
from litestar import Litestar

from core.config import Settings
from core.models import ProductState
from core.registry import Registry
from tests.core.images.factories import make_image
from tests.core.images.service_helpers import new_product, product_images
from tests.web.helpers import SignedIn, runtime_of
from tests.web.images_support import PHOTO, SMALL, image_registry, set_quota, upload_form


@pytest.fixture
def registry(settings: Settings) -> Registry:
    return image_registry(settings)


@pytest.fixture
async def owner(signed_in_client: Callable[..., Awaitable[SignedIn]]) -> SignedIn:
    """An owner who reads English (the assertions quote the English messages)."""
    return await signed_in_client(locale="en")


def image_ids(html: str) -> list[int]:
    return sorted({int(i) for i in re.findall(r'href="/images/(\d+)"', html)})


async def test_upload_keeps_good_files_and_names_the_refused_one(owner: SignedIn) -> None:
    sent = await upload_form(
        owner.client,
        "/images/upload",
        [("front.jpg", PHOTO), ("notes.jpg", b"just some text"), ("icon.png", SMALL)],
    )
    assert sent.status_code == 303, sent.text
    page = await owner.get("/images")
    html = page.text
    assert "2 stored, 0 already in the image space, 1 refused." in html
    assert "notes.jpg was refused:" in html
    assert "front.jpg" in html and "icon.png" in html
    assert len(image_ids(html)) == 2
    assert "/thumb" in html
    assert "1000×900" in html and "300×200" in html
    assert html.count("Under 800×800</span>") == 1  # the small one only

    searched = await owner.get("/images?q=ICON")
    assert "icon.png" in searched.text and "front.jpg" not in searched.text


async def test_quota_refusal_gives_the_numbers(app: Litestar, owner: SignedIn) -> None:
    await set_quota(app, owner.account_id, 1000)
    sent = await upload_form(owner.client, "/images/upload", [("front.jpg", PHOTO)])
    assert sent.status_code == 303
    html = (await owner.get("/images")).text
    assert "front.jpg" in html
    refusal = re.search(r"front\.jpg was refused:[^<]*", html)
    assert refusal, html
    assert "1000 B" in refusal.group(0)
    assert image_ids(html) == []


async def test_pagination_is_server_side(owner: SignedIn) -> None:
    for start in (0, 20, 40):
        files = [(f"p{n}.png", make_image(20 + n, 20, "PNG")) for n in range(start, start + 20)]
        await upload_form(owner.client, "/images/upload", files[: 50 - start])
    first = await owner.get("/images?sort=name")
    second = await owner.get("/images?sort=name&page=2")
    assert len(image_ids(first.text)) == 48
    assert len(image_ids(second.text)) == 2
    assert "page=2" in first.text


async def test_detail_pad_and_delete_with_confirmation(app: Litestar, owner: SignedIn) -> None:
    await upload_form(owner.client, "/images/upload", [("icon.png", SMALL)])
    [image_id] = image_ids((await owner.get("/images")).text)
    sessions = runtime_of(app).sessions
    draft = await new_product(
        sessions,
        owner.account_id,
        ProductState.DRAFT,
        title="Draft kettle",
        images=[{"image_id": image_id}],
    )
    published = await new_product(
        sessions,
        owner.account_id,
        ProductState.PUBLISHED,
        title="Live kettle",
        images=[{"image_id": image_id, "platform_url": "https://cdn.example/k.jpg"}],
    )

    detail = await owner.get(f"/images/{image_id}")
    assert detail.status_code == 200
    assert "/i/" in detail.text and "300×200" in detail.text and "PNG" in detail.text
    assert "Draft kettle" in detail.text and "Live kettle" in detail.text

    padded = await owner.post(f"/images/{image_id}/pad")
    assert padded.status_code == 303
    new_id = int(padded.headers["location"].rsplit("/", 1)[1])
    assert new_id != image_id
    assert "800×800" in (await owner.get(f"/images/{new_id}")).text

    confirm = await owner.get(f"/images/{image_id}/delete")
    assert "Draft kettle" in confirm.text  # named: it loses the image
    assert f'name="confirm_product_ids" value="{draft}"' in confirm.text
    assert f'value="{published}"' not in confirm.text

    done = await owner.post(
        "/images/delete",
        {"image_ids": str(image_id), "confirmed": "1", "confirm_product_ids": str(draft)},
    )
    assert done.status_code == 303
    assert (await owner.get(f"/images/{image_id}")).status_code == 404
    assert await product_images(sessions, draft) == []
    [kept] = await product_images(sessions, published)
    assert kept.image_id is None and kept.platform_url == "https://cdn.example/k.jpg"


async def test_free_space_lists_published_only_first(app: Litestar, owner: SignedIn) -> None:
    await upload_form(owner.client, "/images/upload", [("live.jpg", PHOTO), ("lone.png", SMALL)])
    ids = image_ids((await owner.get("/images?sort=name")).text)
    live_id, lone_id = ids[0], ids[1]
    await new_product(
        runtime_of(app).sessions,
        owner.account_id,
        ProductState.PUBLISHED,
        images=[{"image_id": live_id, "platform_url": "https://cdn.example/x.jpg"}],
    )
    html = (await owner.get("/images/free-space")).text
    assert html.index("live.jpg") < html.index("lone.png")
    preview = await owner.post("/images/delete", {"image_ids": [str(live_id), str(lone_id)]})
    assert preview.status_code == 200
    assert 'name="confirmed"' in preview.text


async def test_a_big_batch_becomes_a_job(owner: SignedIn) -> None:
    files = [(f"p{n}.png", make_image(20 + n, 20, "PNG")) for n in range(21)]
    sent = await upload_form(owner.client, "/images/upload", files)
    assert re.fullmatch(r"/images\?job=\d+", sent.headers["location"])
    job_id = int(sent.headers["location"].split("=")[1])
    job = (await owner.get(f"/api/v1/jobs/{job_id}")).json()
    assert job["name"] == "images.upload_batch"


async def test_fetch_urls_starts_a_job_with_progress(owner: SignedIn) -> None:
    sent = await owner.post(
        "/images/fetch", {"urls": "https://example.com/a.jpg\nhttps://example.com/b.jpg\n"}
    )
    assert sent.status_code == 303
    location = sent.headers["location"]
    assert re.fullmatch(r"/images\?job=\d+", location)
    page = await owner.get(location)
    assert "job-progress" in page.text


async def test_another_accounts_image_is_not_found(
    owner: SignedIn, signed_in_client: Callable[..., Awaitable[SignedIn]]
) -> None:
    await upload_form(owner.client, "/images/upload", [("front.jpg", PHOTO)])
    [image_id] = image_ids((await owner.get("/images")).text)
    other = await signed_in_client(account_name="Other")
    assert (await other.get(f"/images/{image_id}")).status_code == 404
    assert (await other.get(f"/images/{image_id}/delete")).status_code == 404
    assert (await other.post(f"/images/{image_id}/pad")).status_code == 404
    deleting = await other.post("/images/delete", {"image_ids": str(image_id), "confirmed": "1"})
    assert deleting.status_code == 404
    assert "front.jpg" not in (await other.get("/images")).text
    assert (await owner.get(f"/images/{image_id}")).status_code == 200
