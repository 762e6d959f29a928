"""Deleting images (rule 17) and freeing space (rule 19)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import update
from sqlmodel import col

from core.actor import Access, Actor, Area
from core.errors import RuleViolation
from core.images.service import ImageSpace
from core.images.storage_local import LocalImageStorage
from core.images.store import original_key
from core.images.views import ImageView
from core.models import Product, ProductState
from tests.core.images.conftest import PHOTO, SMALL
from tests.core.images.factories import make_image
from tests.core.images.service_helpers import (
    blob_hashes,
    counter,
    new_account,
    new_product,
    new_store,
    product_images,
)

PLATFORM_COPY = "https://contestimg.wish.com/api/webimage/abc-large.jpg"


async def upload(space: ImageSpace, actor: Actor, data: bytes, name: str) -> ImageView:
    outcome = await space.upload(actor, data, name=name)
    assert outcome.image is not None
    return outcome.image


async def test_preview_names_the_products_and_delete_honours_rule_17(
    space: ImageSpace, storage: LocalImageStorage, sessions
) -> None:
    actor = await new_account(sessions)
    photo = await upload(space, actor, PHOTO, "photo.jpg")
    other = await upload(space, actor, SMALL, "small.png")
    draft = await new_product(
        sessions,
        actor.account_id,
        ProductState.DRAFT,
        title="Mug draft",
        images=[{"image_id": photo.id}, {"image_id": other.id}],
    )
    boxed = await new_product(
        sessions,
        actor.account_id,
        ProductState.COLLECTION_BOX,
        title="Collected mug",
        images=[{"image_id": other.id}, {"image_id": photo.id, "external_url": "https://x/a.jpg"}],
    )
    failed = await new_product(
        sessions, actor.account_id, ProductState.PUBLISH_FAILED, images=[{"image_id": photo.id}]
    )
    published = await new_product(
        sessions,
        actor.account_id,
        ProductState.PUBLISHED,
        title="Mug on Wish",
        images=[{"image_id": photo.id, "platform_url": PLATFORM_COPY}],
    )
    delisted = await new_product(
        sessions,
        actor.account_id,
        ProductState.DELISTED,
        images=[{"image_id": photo.id, "platform_url": PLATFORM_COPY}],
    )

    preview = await space.delete_preview(actor, [photo.id])
    assert preview.can_delete and preview.freed_bytes == len(PHOTO)
    assert [
        (u.product_id, u.title, u.state, u.main_image) for u in preview.unpublished_products
    ] == [
        (draft, "Mug draft", "draft", True),
        (boxed, "Collected mug", "collection_box", False),
        (failed, "product", "publish_failed", True),
    ]
    assert [u.product_id for u in preview.published_products] == [published, delisted]
    assert preview.blocked_products == [] and preview.hidden_products == 0

    result = await space.delete(
        actor, [photo.id], confirm_product_ids=preview.unpublished_product_ids
    )
    assert result.deleted_image_ids == [photo.id] and result.freed_bytes == len(PHOTO)
    assert result.products_changed == sorted([draft, boxed, failed])
    assert result.usage.used_bytes == len(SMALL) == await counter(sessions, actor.account_id)
    # Unpublished products lost the image and only it.
    assert [row.image_id for row in await product_images(sessions, draft)] == [other.id]
    assert [row.image_id for row in await product_images(sessions, boxed)] == [other.id]
    assert await product_images(sessions, failed) == []
    # Published ones keep their row and the platform's copy.
    for product_id in (published, delisted):
        [row] = await product_images(sessions, product_id)
        assert (row.image_id, row.platform_url) == (None, PLATFORM_COPY)
    # The file went with the last image that used it.
    assert not await storage.exists(original_key(_hash_of(PHOTO)))
    assert [image.id for image in (await space.search(actor)).items] == [other.id]


def _hash_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("state", "fields", "updating", "reason_part"),
    [
        (ProductState.PUBLISHING, {}, False, "being published"),
        (ProductState.PUBLISHED, {"platform_url": PLATFORM_COPY}, True, "being published"),
        (ProductState.PUBLISHED, {}, False, "sync the product first"),
    ],
    ids=["publishing", "published-updating", "published-without-platform-copy"],
)
async def test_a_product_in_flight_or_without_platform_copy_blocks_the_delete(
    space: ImageSpace, sessions, state, fields, updating: bool, reason_part: str
) -> None:
    actor = await new_account(sessions)
    photo = await upload(space, actor, PHOTO, "photo.jpg")
    draft = await new_product(
        sessions, actor.account_id, ProductState.DRAFT, images=[{"image_id": photo.id}]
    )
    blocker = await new_product(
        sessions, actor.account_id, state, title="Busy", images=[{"image_id": photo.id, **fields}]
    )
    if updating:
        async with sessions() as session:
            await session.exec(
                update(Product).where(col(Product.id) == blocker).values(is_updating=True)
            )
            await session.commit()
    preview = await space.delete_preview(actor, [photo.id])
    assert not preview.can_delete
    [use] = preview.blocked_products
    assert use.product_id == blocker and reason_part in (use.reason or "")
    with pytest.raises(RuleViolation) as caught:
        await space.delete(actor, [photo.id])
    assert "Busy" in str(caught.value) and reason_part in str(caught.value)
    # Nothing changed.
    assert (await space.get(actor, photo.id)).id == photo.id
    assert [row.image_id for row in await product_images(sessions, draft)] == [photo.id]
    assert await counter(sessions, actor.account_id) == len(PHOTO)


async def test_a_delete_confirmed_on_an_old_preview_is_refused(space: ImageSpace, sessions) -> None:
    actor = await new_account(sessions)
    photo = await upload(space, actor, PHOTO, "photo.jpg")
    preview = await space.delete_preview(actor, [photo.id])
    assert preview.unpublished_product_ids == []
    draft = await new_product(
        sessions, actor.account_id, ProductState.DRAFT, images=[{"image_id": photo.id}]
    )
    with pytest.raises(RuleViolation, match="preview again"):
        await space.delete(actor, [photo.id], confirm_product_ids=[])
    assert [row.image_id for row in await product_images(sessions, draft)] == [photo.id]


async def test_a_file_shared_with_another_account_is_kept(
    space: ImageSpace, storage: LocalImageStorage, sessions
) -> None:
    first, second = await new_account(sessions), await new_account(sessions)
    mine = await upload(space, first, PHOTO, "a.jpg")
    theirs = await upload(space, second, PHOTO, "b.jpg")
    await space.delete(first, [mine.id])
    assert await blob_hashes(sessions) == {_hash_of(PHOTO)}
    assert await storage.get(original_key(_hash_of(PHOTO))) == PHOTO
    assert (await space.get(second, theirs.id)).byte_size == len(PHOTO)
    assert await counter(sessions, first.account_id) == 0
    assert await counter(sessions, second.account_id) == len(PHOTO)


async def test_products_in_stores_a_staff_member_cannot_see_are_only_counted(
    space: ImageSpace, sessions
) -> None:
    owner = await new_account(sessions)
    photo = await upload(space, owner, PHOTO, "photo.jpg")
    seen_store = await new_store(sessions, owner.account_id)
    hidden_store = await new_store(sessions, owner.account_id)
    seen = await new_product(
        sessions,
        owner.account_id,
        ProductState.DRAFT,
        store_id=seen_store,
        images=[{"image_id": photo.id}],
    )
    await new_product(
        sessions,
        owner.account_id,
        ProductState.DRAFT,
        store_id=hidden_store,
        title="Secret",
        images=[{"image_id": photo.id}],
    )
    staff = Actor(
        owner.account_id,
        is_owner=False,
        access={Area.IMAGES: Access.WRITE},
        store_ids=frozenset({seen_store}),
    )
    preview = await space.delete_preview(staff, [photo.id])
    assert [u.product_id for u in preview.unpublished_products] == [seen]
    assert preview.hidden_products == 1 and "Secret" not in repr(preview)


async def test_free_space_lists_published_only_images_first_then_unused_ones(
    space: ImageSpace, sessions
) -> None:
    actor = await new_account(sessions)
    big = await upload(space, actor, make_image(1600, 1600, "JPEG", quality=95), "big.jpg")
    published_only = await upload(space, actor, PHOTO, "on-wish.jpg")
    unused = await upload(space, actor, SMALL, "unused.png")
    in_draft = await upload(space, actor, make_image(900, 900, "PNG"), "draft.png")
    no_copy = await upload(space, actor, make_image(820, 820, "WEBP"), "no-copy.webp")
    copy = {"platform_url": PLATFORM_COPY}
    await new_product(
        sessions,
        actor.account_id,
        ProductState.PUBLISHED,
        images=[{"image_id": big.id, **copy}, {"image_id": published_only.id, **copy}],
    )
    await new_product(
        sessions,
        actor.account_id,
        ProductState.DELISTED,
        images=[{"image_id": published_only.id, **copy}],
    )
    await new_product(
        sessions, actor.account_id, ProductState.DRAFT, images=[{"image_id": in_draft.id}]
    )
    await new_product(
        sessions, actor.account_id, ProductState.PUBLISHED, images=[{"image_id": no_copy.id}]
    )
    view = await space.free_space(actor, limit=1)
    assert [entry.image.id for entry in view.published_only.items] == [big.id]  # largest first
    assert view.published_only.total_count == 2
    assert view.published_only.total_bytes == big.byte_size + published_only.byte_size
    assert [entry.image.id for entry in view.unused.items] == [unused.id]
    assert (view.unused.total_count, view.unused.total_bytes) == (1, unused.byte_size)
    full = await space.free_space(actor)
    assert [(e.image.id, e.published_products) for e in full.published_only.items] == [
        (big.id, 1),
        (published_only.id, 2),
    ]
    assert full.usage.image_count == 5
