"""Catalog batch jobs: per-item results, resumption, and fail-closed, idempotent publishing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import col, select

from core.catalog import jobs, products
from core.catalog.jobs import actor_payload
from core.catalog.schemas import ProductPatch, VariantIn
from core.db import transaction
from core.errors import TransientError
from core.models import ProductState, ProductStateTally
from tests.core.catalog.conftest import create, sample_product
from tests.core.catalog.helpers import claimed, delisted, published
from tests.core.catalog.jobkit import RecordingContext, market_setup
from tests.core.catalog.sheets import EN, ROWS, write_csv

S = ProductState


@pytest.fixture
async def kit(sessions, seller, tmp_path):
    settings, registry, market = await market_setup(sessions, tmp_path, seller)

    async def context(name: str) -> RecordingContext:
        return await RecordingContext.start(sessions, settings, registry, seller.account_id, name)

    return context, market


async def state_of(sessions, actor, product_id):
    async with sessions() as session:
        return await products.get_product(session, actor, product_id)


async def drafts(sessions, seller, *skus, **fields):
    made = []
    for sku in skus:
        box = await create(sessions, seller.actor, sample_product(sku, **fields))
        made.append(await claimed(sessions, seller.actor, box.id, seller.store_ids[0]))
    return made


async def test_claim_job_records_every_item_and_resumes(sessions, seller, kit) -> None:
    context, _market = kit
    boxes = [await create(sessions, seller.actor, sample_product(f"C{n}")) for n in range(3)]
    draft = await create(sessions, seller.actor, sample_product("D", store_id=seller.store_ids[0]))
    payload = {
        "actor": actor_payload(seller.actor),
        "product_ids": [*(b.id for b in boxes), draft.id],
        "store_ids": seller.store_ids,
    }
    ctx = await context("catalog.claim")
    result = await jobs.claim_products_job(ctx, payload)
    assert result == {"done": 3, "failed": 1, "skipped": 0}
    items = await ctx.items()
    assert items[str(boxes[0].id)][0] == "done"
    assert "only collection-box products can be claimed" in items[str(draft.id)][1]
    # A retried attempt skips what is finished and claims nothing twice.
    again = await jobs.claim_products_job(ctx, payload)
    assert again == {"done": 0, "failed": 1, "skipped": 0}
    fresh = await context("catalog.claim")
    repeat = await jobs.claim_products_job(fresh, payload)
    assert repeat["skipped"] == 3  # already claimed to these stores


async def test_delete_job_applies_the_rules_per_product(sessions, seller, kit) -> None:
    context, _market = kit
    box = await create(sessions, seller.actor, sample_product("BOX"))
    live, gone = await drafts(sessions, seller, "LIVE", "GONE")
    await published(sessions, seller.actor, live)
    await delisted(sessions, seller.actor, gone)
    ctx = await context("catalog.delete")
    result = await jobs.delete_products_job(
        ctx, {"actor": actor_payload(seller.actor), "product_ids": [box.id, live.id, gone.id]}
    )
    assert result == {"done": 1, "failed": 2, "skipped": 0}
    items = await ctx.items()
    assert items[str(box.id)] == ("done", "deleted")
    assert "delist instead" in items[str(live.id)][1]
    assert "delist instead" in items[str(gone.id)][1]


async def test_publish_validates_first_and_reports_every_problem(sessions, seller, kit) -> None:
    context, market = kit
    (bad,) = await drafts(
        sessions,
        seller,
        "BAD",
        title="x" * 80,
        main_image=None,
        extra_images=[],
        variants=[VariantIn(sku="BAD-1", price=Decimal("5"), currency="CNY")],
    )
    ctx = await context("catalog.publish")
    result = await jobs.publish_products_job(
        ctx, {"actor": actor_payload(seller.actor), "product_ids": [bad.id]}
    )
    assert result["failed"] == 1
    message = (await ctx.items())[str(bad.id)][1]
    assert message == (
        "title: at most 60 characters; main_image_url: a main image is required; "
        "variants[0].price: prices must be in USD"
    )
    stored = await state_of(sessions, seller.actor, bad.id)
    assert stored.state is S.DRAFT
    assert [p["field"] for p in stored.problems] == ["title", "main_image_url", "variants[0].price"]
    assert market.calls == []  # nothing was sent


async def test_publish_binds_and_skips_what_is_published(sessions, seller, kit) -> None:
    context, market = kit
    one, two = await drafts(sessions, seller, "ONE", "TWO")
    payload = {"actor": actor_payload(seller.actor), "product_ids": [one.id, two.id]}
    ctx = await context("catalog.publish")
    assert await jobs.publish_products_job(ctx, payload) == {"done": 2, "failed": 0, "skipped": 0}
    stored = await state_of(sessions, seller.actor, one.id)
    assert stored.state is S.PUBLISHED
    assert stored.platform_product_id == market.listings["ONE"].listing_id
    assert stored.platform_state == "WISH_INACTIVE"
    assert [v.platform_variant_id for v in stored.variants] == ["ONE-R-M@remote", "ONE-B-L@remote"]
    again = await context("catalog.publish")
    assert (await jobs.publish_products_job(again, payload))["skipped"] == 2
    assert market.calls == ["publish:ONE", "publish:TWO"]


async def test_a_refusal_keeps_the_reason(sessions, seller, kit) -> None:
    context, market = kit
    (draft,) = await drafts(sessions, seller, "NO")
    market.refuse_next = "Wish: the brand is not authorized"
    ctx = await context("catalog.publish")
    await jobs.publish_products_job(
        ctx, {"actor": actor_payload(seller.actor), "product_ids": [draft.id]}
    )
    stored = await state_of(sessions, seller.actor, draft.id)
    assert (stored.state, stored.publish_error) == (
        S.PUBLISH_FAILED,
        "Wish: the brand is not authorized",
    )
    # Edit and retry.
    async with transaction(sessions) as session:
        await products.update_product(session, seller.actor, draft.id, ProductPatch(brand=None))
    retry = await context("catalog.publish")
    await jobs.publish_products_job(
        retry, {"actor": actor_payload(seller.actor), "product_ids": [draft.id]}
    )
    assert (await state_of(sessions, seller.actor, draft.id)).state is S.PUBLISHED


async def test_a_lost_answer_is_read_back_not_resent(sessions, seller, kit) -> None:
    context, market = kit
    (draft,) = await drafts(sessions, seller, "LOST")
    market.lose_next_answer = True  # the platform created it, the answer never came
    ctx = await context("catalog.publish")
    result = await jobs.publish_products_job(
        ctx, {"actor": actor_payload(seller.actor), "product_ids": [draft.id]}
    )
    assert result["done"] == 1
    assert market.calls == ["publish:LOST", "find:LOST"]
    assert (await state_of(sessions, seller.actor, draft.id)).state is S.PUBLISHED
    assert len(market.listings) == 1


async def test_an_unknown_outcome_waits_then_reads_back_before_sending(
    sessions, seller, kit
) -> None:
    context, market = kit
    (draft,) = await drafts(sessions, seller, "UNSURE")
    market.lose_next_request = True  # sent, but it never arrived
    payload = {"actor": actor_payload(seller.actor), "product_ids": [draft.id]}
    ctx = await context("catalog.publish")
    with pytest.raises(TransientError, match="checked again"):
        await jobs.publish_products_job(ctx, payload)
    assert (await state_of(sessions, seller.actor, draft.id)).state is S.PUBLISHING
    # The job's retry reads back first, finds nothing, then creates once.
    ctx.attempt = 2
    assert (await jobs.publish_products_job(ctx, payload))["done"] == 1
    assert market.calls == ["publish:UNSURE", "find:UNSURE", "find:UNSURE", "publish:UNSURE"]
    assert len(market.listings) == 1


async def test_a_crashed_attempt_binds_what_the_platform_has(sessions, seller, kit) -> None:
    context, market = kit
    (draft,) = await drafts(sessions, seller, "CRASH")
    market.unavailable = True
    payload = {"actor": actor_payload(seller.actor), "product_ids": [draft.id]}
    ctx = await context("catalog.publish")
    with pytest.raises(TransientError):
        await jobs.publish_products_job(ctx, payload)
    # Meanwhile the listing exists on the platform (e.g. the 503 came after it was created).
    market.unavailable = False
    await market.publish_listing(None, None, _payload_for(draft))
    market.calls.clear()
    assert (await jobs.publish_products_job(ctx, payload))["done"] == 1
    assert market.calls == ["find:CRASH"]
    stored = await state_of(sessions, seller.actor, draft.id)
    assert stored.platform_product_id == market.listings["CRASH"].listing_id


def _payload_for(draft):
    from core.interfaces.common import Money
    from core.interfaces.listings import ListingPayload, VariantPayload

    return ListingPayload(
        parent_sku=draft.parent_sku,
        title=draft.title,
        description="",
        main_image_url="u",
        variants=tuple(
            VariantPayload(sku=v.sku, price=Money(v.price, v.currency), quantity=v.inventory)
            for v in draft.variants
        ),
    )


async def test_delist_relist_and_push_updates(sessions, seller, kit) -> None:
    context, market = kit
    one, two = await drafts(sessions, seller, "DL1", "DL2")
    actor = actor_payload(seller.actor)
    await jobs.publish_products_job(
        await context("catalog.publish"), {"actor": actor, "product_ids": [one.id, two.id]}
    )
    delist = await context("catalog.delist")
    assert await jobs.delist_products_job(
        delist, {"actor": actor, "product_ids": [one.id, two.id]}
    ) == {"done": 2, "failed": 0, "skipped": 0}
    assert (await state_of(sessions, seller.actor, one.id)).state is S.DELISTED
    relist = await context("catalog.relist")
    box = await create(sessions, seller.actor, sample_product("BOXED"))
    result = await jobs.relist_products_job(
        relist, {"actor": actor, "product_ids": [one.id, box.id]}
    )
    assert result == {"done": 1, "failed": 1, "skipped": 0}
    assert "cannot relist" in (await relist.items())[str(box.id)][1]
    assert (await state_of(sessions, seller.actor, one.id)).state is S.PUBLISHED

    async with transaction(sessions) as session:
        edit = await products.update_product(
            session, seller.actor, one.id, ProductPatch(title="New title")
        )
    push = await context(edit.push.job)
    assert await jobs.push_updates_job(push, {"actor": actor, **edit.push.payload()}) == {
        "done": 1,
        "failed": 0,
        "skipped": 0,
    }
    stored = await state_of(sessions, seller.actor, one.id)
    assert not stored.is_updating and stored.update_error is None
    assert market.listings["DL1"].title == "New title"


async def test_batch_edit_job_enqueues_the_push(sessions, seller, kit) -> None:
    context, _market = kit
    live, draft = await drafts(sessions, seller, "BE1", "BE2")
    await published(sessions, seller.actor, live)
    ctx = await context("catalog.batch_edit")
    result = await jobs.batch_edit_job(
        ctx,
        {
            "actor": actor_payload(seller.actor),
            "selection": {"filter": {"store_id": seller.store_ids[0]}, "all_matching": True},
            "operations": [{"op": "price_formula", "formula": "price * 2", "rounding": "end_99"}],
        },
    )
    assert (result["done"], result["failed"]) == (2, 0)
    assert ctx.enqueued == [
        ("catalog.push_updates", {"actor": actor_payload(seller.actor), "product_ids": [live.id]})
    ]
    stored = await state_of(sessions, seller.actor, draft.id)
    assert [v.price for v in stored.variants] == [Decimal("19.99"), Decimal("21.99")]


async def test_import_job_reports_every_product(sessions, seller, kit, tmp_path) -> None:
    context, _market = kit
    rows = [list(r) for r in ROWS]
    rows[2][11] = "free"
    path = write_csv(tmp_path / "p.csv", EN, rows)
    ctx = await context("catalog.import")
    result = await jobs.import_products_job(
        ctx, {"actor": actor_payload(seller.actor), "path": str(path), "file_name": "p.csv"}
    )
    assert (result["created"], result["problem_count"]) == (1, 1)
    assert await ctx.items() == {
        "TS-1": ("done", "created in the collection box"),
        "MUG-7": ("failed", "row 4: price: 'free' is not an amount like 9.99"),
    }


async def test_an_import_folds_the_state_tally_it_appended_to(sessions, seller, kit, tmp_path):
    context, _market = kit
    rows = [[f"P{n}", f"Lamp {n}", *ROWS[2][2:8], f"P{n}-1", *ROWS[2][9:]] for n in range(12)]
    path = write_csv(tmp_path / "many.csv", EN, rows)
    ctx = await context("catalog.import")
    result = await jobs.import_products_job(
        ctx, {"actor": actor_payload(seller.actor), "path": str(path), "file_name": "many.csv"}
    )
    assert result["created"] == 12
    async with sessions() as session:
        tally_rows = (
            await session.exec(
                select(ProductStateTally.delta).where(
                    col(ProductStateTally.account_id) == seller.account_id
                )
            )
        ).all()
    assert tally_rows == [12]  # one folded row, not twelve +1 rows


async def test_a_job_is_only_allowed_what_its_starter_was(sessions, seller, other, kit) -> None:
    context, _market = kit
    box = await create(sessions, seller.actor, sample_product("MINE"))
    reader = seller.staff(access=1)  # read only
    ctx = await context("catalog.delete")
    result = await jobs.delete_products_job(
        ctx, {"actor": actor_payload(reader), "product_ids": [box.id]}
    )
    assert result["failed"] == 1
    with pytest.raises(Exception, match="does not match"):
        await jobs.delete_products_job(
            ctx, {"actor": actor_payload(other.actor), "product_ids": [box.id]}
        )
    assert (await state_of(sessions, seller.actor, box.id)).state is S.COLLECTION_BOX
