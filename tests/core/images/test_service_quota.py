"""Quota accounting and shared files under concurrency, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update
from sqlmodel import col

from core.images.quota import QuotaExceeded
from core.images.service import ImageSpace
from core.images.storage_local import LocalImageStorage
from core.images.store import charge, original_key, thumbnail_key
from core.images.views import ItemOutcome
from core.models import Account
from tests.core.images.conftest import PHOTO
from tests.core.images.service_helpers import (
    blob_hashes,
    counter,
    flat_png,
    image_count,
    new_account,
    stored_sum,
)

DEADLINE_S = 60.0
"""Hang guard only; nothing here asserts a duration."""


async def test_concurrent_uploads_cannot_overrun_the_quota(space: ImageSpace, sessions) -> None:
    images = [flat_png(200, 200, (index, 40, 90)) for index in range(10)]
    size = len(images[0])
    assert {len(data) for data in images} == {size}
    actor = await new_account(sessions, quota=3 * size + size // 2)
    outcomes = await asyncio.wait_for(
        asyncio.gather(
            *(space.upload(actor, data, name=f"{i}.png") for i, data in enumerate(images)),
            return_exceptions=True,
        ),
        DEADLINE_S,
    )
    stored = [o for o in outcomes if isinstance(o, ItemOutcome) and o.status == "stored"]
    refused = [o for o in outcomes if isinstance(o, QuotaExceeded)]
    assert (len(stored), len(refused)) == (3, 7), outcomes
    assert await counter(sessions, actor.account_id) == 3 * size
    assert await stored_sum(sessions, actor.account_id) == 3 * size
    # Only the stored pictures keep files; the refused ones left nothing behind.
    assert len(await blob_hashes(sessions)) == 3


async def test_concurrent_uploads_of_one_picture_store_and_count_it_once(
    space: ImageSpace, sessions, storage: LocalImageStorage
) -> None:
    actor = await new_account(sessions)
    outcomes = await asyncio.wait_for(
        asyncio.gather(*(space.upload(actor, PHOTO, name=f"{i}.jpg") for i in range(8))),
        DEADLINE_S,
    )
    assert sorted(o.status for o in outcomes) == ["duplicate"] * 7 + ["stored"]
    assert len({o.image.id for o in outcomes if o.image}) == 1
    assert await image_count(sessions, actor.account_id) == 1
    assert await counter(sessions, actor.account_id) == len(PHOTO)
    [content_hash] = await blob_hashes(sessions)
    assert await storage.get(original_key(content_hash)) == PHOTO


async def _charge_alone(sessions, account_id: int, byte_count: int) -> None:
    async with sessions() as session, session.begin():
        await charge(session, account_id, byte_count)


async def test_a_charge_waits_for_an_open_one_and_then_sees_it(sessions) -> None:
    """Two transactions racing for the last free bytes: the second is refused."""
    actor = await new_account(sessions, quota=100)
    async with sessions() as first, first.begin():
        await charge(first, actor.account_id, 60)
        second = asyncio.create_task(_charge_alone(sessions, actor.account_id, 60))
        await asyncio.sleep(0.3)  # let the second reach its UPDATE
        assert not second.done()  # it waits for the first transaction's lock
    with pytest.raises(QuotaExceeded) as caught:
        await asyncio.wait_for(second, DEADLINE_S)
    assert "60 B of 100 B used" in str(caught.value)
    assert await counter(sessions, actor.account_id) == 60


async def test_a_delete_racing_an_upload_of_the_same_picture_keeps_its_file(
    space: ImageSpace, sessions, storage: LocalImageStorage
) -> None:
    """Accounts share files; a file goes only when no account's image uses it any more."""
    first, second = await new_account(sessions), await new_account(sessions)
    for _round in range(5):
        kept = await space.upload(first, PHOTO, name="a.jpg")
        assert kept.image is not None
        _deleted, uploaded = await asyncio.wait_for(
            asyncio.gather(
                space.delete(first, [kept.image.id]), space.upload(second, PHOTO, name="b.jpg")
            ),
            DEADLINE_S,
        )
        [content_hash] = await blob_hashes(sessions)
        assert await storage.get(original_key(content_hash)) == PHOTO
        assert await storage.exists(thumbnail_key(content_hash))
        assert uploaded.image is not None
        await space.delete(second, [uploaded.image.id])
        assert await blob_hashes(sessions) == set()
        assert not await storage.exists(original_key(content_hash))
    assert await counter(sessions, first.account_id) == 0
    assert await counter(sessions, second.account_id) == 0


async def test_recount_repairs_a_counter_changed_behind_the_service(
    space: ImageSpace, sessions
) -> None:
    actor = await new_account(sessions)
    await space.upload(actor, PHOTO, name="a.jpg")
    async with sessions() as session:
        await session.exec(
            update(Account).where(col(Account.id) == actor.account_id).values(image_bytes_used=7)
        )
        await session.commit()
    usage = await space.recount_usage(actor)
    assert usage.used_bytes == len(PHOTO) == await counter(sessions, actor.account_id)
