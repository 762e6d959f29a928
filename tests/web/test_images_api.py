"""The image space JSON API: upload, list, get, usage, fetch, pad, delete, free space."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from litestar import Litestar

from core.config import Settings
from core.images.inspect import human_size
from core.models import ProductState
from core.registry import Registry
from tests.core.images.service_helpers import new_product, product_images
from tests.web.helpers import SignedIn, runtime_of, send_json
from tests.web.images_support import PHOTO, SMALL, image_registry, set_quota, upload_form


@pytest.fixture
def registry(settings: Settings) -> Registry:
    return image_registry(settings)


async def upload(owner: SignedIn, *files: tuple[str, bytes]) -> list[dict[str, object]]:
    answer = await upload_form(owner.client, "/api/v1/images", list(files))
    assert answer.status_code == 200, answer.text
    items: list[dict[str, object]] = answer.json()["items"]
    return items


async def test_upload_list_get_and_usage(owner: SignedIn) -> None:
    items = await upload(
        owner, ("front.jpg", PHOTO), ("bad.png", b"\x89PNG\r\n\x1a\n"), ("icon.png", SMALL)
    )
    assert [item["status"] for item in items] == ["stored", "refused", "stored"]
    assert items[1]["reason"] == "truncated" and items[1]["message"]
    again = await upload(owner, ("copy.jpg", PHOTO))
    assert again[0]["status"] == "duplicate"

    listing = (await owner.get("/api/v1/images?sort=name")).json()
    assert listing["total"] == 2
    assert [image["name"] for image in listing["items"]] == ["front.jpg", "icon.png"]
    small = (await owner.get("/api/v1/images?small_only=true")).json()
    assert [image["name"] for image in small["items"]] == ["icon.png"]
    assert small["items"][0]["warning"]

    image_id = listing["items"][0]["id"]
    one = (await owner.get(f"/api/v1/images/{image_id}")).json()
    assert one["width"] == 1000 and one["height"] == 900 and one["format"] == "JPEG"
    assert "/i/" in one["url"] and one["thumb_url"].endswith("/thumb")

    usage = (await owner.get("/api/v1/images/usage")).json()
    assert usage["image_count"] == 2
    assert usage["used_bytes"] == len(PHOTO) + listing["items"][1]["byte_size"]


async def test_quota_refusal_has_the_numbers(app: Litestar, owner: SignedIn) -> None:
    await set_quota(app, owner.account_id, 2000)
    [item] = await upload(owner, ("front.jpg", PHOTO))
    assert item["status"] == "refused" and item["reason"] == "quota_exceeded"
    message = str(item["message"])  # in the user's language, like the pages
    assert message.startswith("图片空间已满") and "0 B / 2.0 KB" in message
    assert f"还需要 {human_size(len(PHOTO))}" in message
    await owner.post("/locale", {"locale": "en", "next": "/"})
    [item] = await upload(owner, ("front.jpg", PHOTO))
    message = str(item["message"])
    assert "0 B of 2.0 KB used" in message
    assert f"need {human_size(len(PHOTO))} more" in message


async def test_upload_without_files_is_a_clear_400(owner: SignedIn) -> None:
    answer = await upload_form(owner.client, "/api/v1/images", [], field="files")
    assert answer.status_code == 400
    assert "files" in answer.text


async def test_fetch_starts_a_job(owner: SignedIn) -> None:
    answer = await send_json(
        owner.client,
        "POST",
        "/api/v1/images/fetch",
        {"text": "https://example.com/a.jpg\nhttps://example.com/b.jpg", "urls": []},
    )
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["job_id"]
    job = (await owner.get(f"/api/v1/jobs/{job_id}")).json()
    assert job["id"] == job_id
    empty = await send_json(owner.client, "POST", "/api/v1/images/fetch", {"urls": []})
    assert empty.status_code == 409


async def test_pad_preview_delete_and_free_space(app: Litestar, owner: SignedIn) -> None:
    [item] = await upload(owner, ("icon.png", SMALL))
    image_id = item["image"]["id"]  # type: ignore[index]
    sessions = runtime_of(app).sessions
    draft = await new_product(
        sessions,
        owner.account_id,
        ProductState.DRAFT,
        title="Draft kettle",
        images=[{"image_id": image_id}],
    )
    await new_product(
        sessions,
        owner.account_id,
        ProductState.PUBLISHED,
        title="Live kettle",
        images=[{"image_id": image_id, "platform_url": "https://cdn.example/k.jpg"}],
    )

    padded = await send_json(owner.client, "POST", f"/api/v1/images/{image_id}/pad")
    assert padded.status_code == 201, padded.text
    square = padded.json()["image"]
    assert square["width"] == 800 and square["height"] == 800 and square["id"] != image_id

    free = (await owner.get("/api/v1/images/free-space")).json()
    assert free["unused"]["items"][0]["image"]["id"] == square["id"]

    preview = await send_json(
        owner.client, "POST", "/api/v1/images/delete-preview", {"image_ids": [image_id]}
    )
    body = preview.json()
    assert [p["title"] for p in body["unpublished_products"]] == ["Draft kettle"]
    assert [p["title"] for p in body["published_products"]] == ["Live kettle"]

    stale = await send_json(
        owner.client, "POST", "/api/v1/images/delete", {"image_ids": [image_id]}
    )
    assert stale.status_code == 409  # the draft was not confirmed
    done = await send_json(
        owner.client,
        "POST",
        "/api/v1/images/delete",
        {"image_ids": [image_id], "confirm_product_ids": [draft]},
    )
    assert done.status_code == 200, done.text
    assert done.json()["deleted_image_ids"] == [image_id]
    assert await product_images(sessions, draft) == []
    assert (await owner.get(f"/api/v1/images/{image_id}")).status_code == 404


async def test_another_accounts_image_is_404(
    owner: SignedIn, signed_in_client: Callable[..., Awaitable[SignedIn]]
) -> None:
    [item] = await upload(owner, ("front.jpg", PHOTO))
    image_id = item["image"]["id"]  # type: ignore[index]
    other = await signed_in_client(account_name="Other")
    assert (await other.get(f"/api/v1/images/{image_id}")).status_code == 404
    for url, body in [
        (f"/api/v1/images/{image_id}/pad", None),
        ("/api/v1/images/delete-preview", {"image_ids": [image_id]}),
        ("/api/v1/images/delete", {"image_ids": [image_id]}),
    ]:
        assert (await send_json(other.client, "POST", url, body)).status_code == 404, url
    assert (await other.get("/api/v1/images")).json()["total"] == 0


async def test_capture_starts_a_job_and_folders_can_be_created(
    app: Litestar, owner: SignedIn
) -> None:
    sessions = runtime_of(app).sessions
    product_id = await new_product(
        sessions,
        owner.account_id,
        ProductState.COLLECTION_BOX,
        images=[{"external_url": "https://example.com/x.jpg", "role": "main"}],
    )
    answer = await send_json(
        owner.client, "POST", "/api/v1/images/capture", {"product_ids": [product_id]}
    )
    assert answer.status_code == 202, answer.text
    job = (await owner.get(f"/api/v1/jobs/{answer.json()['job_id']}")).json()
    assert job["name"] == "images.capture_product_images"

    made = await send_json(owner.client, "POST", "/api/v1/images/folders", {"name": "主图"})
    assert made.status_code == 201, made.text
    folders = (await owner.get("/api/v1/images/folders")).json()
    assert [folder["name"] for folder in folders] == ["主图"]
    again = await send_json(owner.client, "POST", "/api/v1/images/folders", {"name": "主图"})
    assert again.status_code == 409
