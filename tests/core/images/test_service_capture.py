"""Saving all external images of products into the image space (rule 18)."""

from __future__ import annotations

import pytest

from core.actor import Access, Actor, Area, PermissionDenied
from core.errors import NotFound
from core.images.service import ImageSpace
from core.models import ProductState
from tests.core.images.conftest import PHOTO, SMALL
from tests.core.images.factories import make_image
from tests.core.images.service_helpers import counter, new_account, new_product, product_images
from tests.core.net.servers import RunningServer


async def test_external_images_of_unpublished_products_become_our_copies(
    space: ImageSpace, cdn: RunningServer, sessions
) -> None:
    actor = await new_account(sessions)
    photo = cdn.url("/photo.jpg", host="cdn.test")
    small = cdn.url("/small.png", host="cdn.test")
    private = f"http://127.0.0.2:{cdn.port}/photo.jpg"
    page = cdn.url("/page.html", host="cdn.test")
    kept = await space.upload(actor, make_image(850, 850, "PNG"), name="kept.png")
    assert kept.image is not None
    draft = await new_product(
        sessions,
        actor.account_id,
        ProductState.DRAFT,
        images=[
            {"external_url": photo},
            {"external_url": small},
            {"external_url": private},
            {"external_url": page},
            {"image_id": kept.image.id},
        ],
    )
    boxed = await new_product(
        sessions, actor.account_id, ProductState.COLLECTION_BOX, images=[{"external_url": photo}]
    )
    published = await new_product(
        sessions, actor.account_id, ProductState.PUBLISHED, images=[{"external_url": photo}]
    )

    result = await space.capture_product_images(actor, [draft, boxed, published])
    summary = [(i.name, i.status, i.reason, i.products_updated) for i in result.items]
    assert summary == [
        (photo, "stored", None, 2),
        (small, "stored", None, 1),
        (private, "refused", "blocked_address", 0),
        (page, "refused", "not_image", 0),
    ]
    assert result.skipped_published == 1
    photo_id = result.items[0].image.id if result.items[0].image else None
    small_id = result.items[1].image.id if result.items[1].image else None
    rows = await product_images(sessions, draft)
    assert [(r.image_id, r.external_url) for r in rows] == [
        (photo_id, None),
        (small_id, None),
        (None, private),
        (None, page),
        (kept.image.id, None),
    ]
    [boxed_row] = await product_images(sessions, boxed)
    assert (boxed_row.image_id, boxed_row.external_url) == (photo_id, None)
    [published_row] = await product_images(sessions, published)
    assert (published_row.image_id, published_row.external_url) == (None, photo)
    stored = await space.get(actor, photo_id or 0)
    assert stored.source_url == photo
    assert (
        await counter(sessions, actor.account_id) == len(PHOTO) + len(SMALL) + kept.image.byte_size
    )
    assert cdn.log.paths.count("/photo.jpg") == 1

    # Again: only the refused ones are still external; nothing captured is fetched again.
    again = await space.capture_product_images(actor, [draft, boxed, published])
    assert [(i.name, i.status) for i in again.items] == [(private, "refused"), (page, "refused")]
    assert cdn.log.paths.count("/photo.jpg") == 1


async def test_a_url_already_fetched_is_reused_without_downloading(
    space: ImageSpace, cdn: RunningServer, sessions
) -> None:
    actor = await new_account(sessions)
    photo = cdn.url("/photo.jpg", host="cdn.test")
    fetched = await space.fetch_url(actor, photo)
    assert fetched.image is not None
    product = await new_product(
        sessions, actor.account_id, ProductState.DRAFT, images=[{"external_url": photo}]
    )
    result = await space.capture_product_images(actor, [product])
    assert [(i.status, i.products_updated) for i in result.items] == [("duplicate", 1)]
    assert [row.image_id for row in await product_images(sessions, product)] == [fetched.image.id]
    assert cdn.log.paths == ["/photo.jpg"]


async def test_capture_is_scoped_to_the_account_and_needs_product_rights(
    space: ImageSpace, sessions
) -> None:
    owner, stranger = await new_account(sessions), await new_account(sessions)
    product = await new_product(
        sessions, owner.account_id, ProductState.DRAFT, images=[{"external_url": "https://x/a.jpg"}]
    )
    with pytest.raises(NotFound):
        await space.capture_product_images(stranger, [product])
    images_only = Actor(owner.account_id, is_owner=False, access={Area.IMAGES: Access.WRITE})
    with pytest.raises(PermissionDenied):
        await space.capture_product_images(images_only, [product])
