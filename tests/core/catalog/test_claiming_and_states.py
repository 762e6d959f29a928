"""Claiming collection-box products to stores, and the publish state machine."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import col, select

from core.catalog import claiming, lifecycle, products, states, variants
from core.catalog.schemas import ProductPatch, VariantIn, VariantPatch
from core.catalog.states import ProductAction
from core.db import transaction
from core.errors import NotFound, RuleViolation
from core.models import Category, CategoryKind, Product, ProductState, Variant
from tests.core.catalog.conftest import create, sample_product
from tests.core.catalog.helpers import claimed, delisted, failed, listing_for, published

S = ProductState


async def test_claim_to_several_stores_copies_everything(sessions, seller) -> None:
    async with transaction(sessions) as session:
        category = Category(account_id=seller.account_id, kind=CategoryKind.PRODUCT, name="tops")
        session.add(category)
        await session.flush()
    box = await create(sessions, seller.actor, sample_product(category_ids=[category.id]))
    async with transaction(sessions) as session:
        result = await claiming.claim_products(session, seller.actor, [box.id], seller.store_ids)
    assert result.refused == []
    assert [(c.source_id, c.store_id) for c in result.claimed] == [
        (box.id, seller.store_ids[0]),
        (box.id, seller.store_ids[1]),
    ]
    async with sessions() as session:
        for copy in result.claimed:
            draft = await products.get_product(session, seller.actor, copy.product_id)
            assert draft.state is S.DRAFT
            assert draft.store_id == copy.store_id
            assert draft.copied_from_id == box.id
            assert draft.parent_sku == box.parent_sku
            assert draft.source_url == box.source_url
            assert [v.sku for v in draft.variants] == [v.sku for v in box.variants]
            assert [v.cost for v in draft.variants] == [v.cost for v in box.variants]
            assert [(i.role, i.url) for i in draft.images] == [(i.role, i.url) for i in box.images]
            assert draft.category_ids == [category.id]
            stored = (
                await session.exec(select(Variant).where(col(Variant.product_id) == draft.id))
            ).all()
            assert {v.store_id for v in stored} == {copy.store_id}
        source = await products.get_product(session, seller.actor, box.id)
        assert source.state is S.COLLECTION_BOX


async def test_claim_refusals_say_why(sessions, seller, other) -> None:
    store = seller.store_ids[0]
    box = await create(sessions, seller.actor, sample_product("P-1"))
    twin = await create(sessions, seller.actor, sample_product("P-1"))
    no_sku = await create(sessions, seller.actor, sample_product(None, variants=[]))
    draft = await create(sessions, seller.actor, sample_product("D", store_id=store))
    foreign = await create(sessions, other.actor, sample_product("F"))
    async with transaction(sessions) as session:
        first = await claiming.claim_products(session, seller.actor, [box.id, no_sku.id], [store])
    assert len(first.claimed) == 2
    async with transaction(sessions) as session:
        again = await claiming.claim_products(
            session,
            seller.actor,
            [box.id, twin.id, no_sku.id, draft.id, foreign.id],
            [store, other.store_ids[0]],
        )
    assert again.claimed == []
    reasons = {(r.product_id, r.store_id): r.reason for r in again.refused}
    assert reasons[(box.id, store)].startswith("already claimed to store")
    assert reasons[(twin.id, store)] == (
        f"parent SKU 'P-1' is already used by product {first.claimed[0].product_id} of this store"
    )
    assert reasons[(no_sku.id, store)].startswith("already claimed to store")
    assert "only collection-box products can be claimed" in reasons[(draft.id, store)]
    assert reasons[(foreign.id, store)] == "not found"
    assert reasons[(box.id, other.store_ids[0])] == f"store {other.store_ids[0]} not found"
    async with transaction(sessions) as session:
        with pytest.raises(NotFound):
            await claiming.claim_product(session, seller.actor, box.id, other.store_ids[0])
        with pytest.raises(RuleViolation, match="only collection-box"):
            await claiming.claim_product(session, seller.actor, draft.id, seller.store_ids[1])


async def test_claim_refuses_variant_skus_taken_in_the_store(sessions, seller) -> None:
    store = seller.store_ids[0]
    await create(
        sessions,
        seller.actor,
        sample_product("OTHER", store_id=store, variants=[VariantIn(sku="P-1-R-M")]),
    )
    box = await create(sessions, seller.actor, sample_product("P-1"))
    async with transaction(sessions) as session:
        with pytest.raises(RuleViolation, match="SKU 'P-1-R-M' is already used"):
            await claiming.claim_product(session, seller.actor, box.id, store)


def test_the_transition_table() -> None:
    assert states.next_state(S.COLLECTION_BOX, ProductAction.CLAIM) is S.DRAFT
    assert states.next_state(S.PUBLISH_FAILED, ProductAction.START_PUBLISH) is S.PUBLISHING
    assert states.next_state(S.DELISTED, ProductAction.RELIST) is S.PUBLISHED
    with pytest.raises(RuleViolation, match="relist it instead"):
        states.next_state(S.DELISTED, ProductAction.START_PUBLISH)
    with pytest.raises(RuleViolation, match="claim it to a store first"):
        states.next_state(S.COLLECTION_BOX, ProductAction.START_PUBLISH)
    assert {S.COLLECTION_BOX, S.DRAFT, S.PUBLISH_FAILED} == states.DELETABLE_STATES
    for state in S:
        # Every state is reachable and every state but the box can be left or is final.
        assert any(new is state for new in states.TRANSITIONS.values()) or state is S.COLLECTION_BOX


async def test_the_whole_life_through_the_services(sessions, seller) -> None:
    box = await create(sessions, seller.actor, sample_product())
    draft = await claimed(sessions, seller.actor, box.id, seller.store_ids[0])
    await failed(sessions, seller.actor, draft, "title too long")
    async with sessions() as session:
        state = await products.get_product(session, seller.actor, draft.id)
    assert (state.state, state.publish_error) == (S.PUBLISH_FAILED, "title too long")
    async with transaction(sessions) as session:
        # Edit and retry.
        await products.update_product(session, seller.actor, draft.id, ProductPatch(title="ok"))
        await lifecycle.begin_publish(session, seller.actor, draft.id)
        with pytest.raises(RuleViolation, match="already being published"):
            await lifecycle.begin_publish(session, seller.actor, draft.id)
        await lifecycle.publish_succeeded(session, seller.actor, draft.id, listing_for(draft))
        with pytest.raises(RuleViolation, match="already on sale"):
            await lifecycle.mark_relisted(session, seller.actor, draft.id)
        await lifecycle.mark_delisted(session, seller.actor, draft.id)
        with pytest.raises(RuleViolation, match="already delisted"):
            await lifecycle.mark_delisted(session, seller.actor, draft.id)
        await lifecycle.mark_relisted(session, seller.actor, draft.id)
        done = await products.get_product(session, seller.actor, draft.id)
        entries = await products.product_history(session, seller.actor, draft.id)
    assert done.state is S.PUBLISHED
    assert done.publish_error is None
    assert done.platform_product_id == f"L{draft.id}"
    assert [v.platform_variant_id for v in done.variants] == [f"V{v.id}" for v in draft.variants]
    assert [e.action for e in reversed(entries)] == [
        "claimed",
        "start_publish",
        "publish_failed",
        "edited",
        "start_publish",
        "publish_succeeded",
        "delist",
        "relist",
    ]


async def test_variant_edits(sessions, seller) -> None:
    box = await create(sessions, seller.actor, sample_product())
    draft = await claimed(sessions, seller.actor, box.id, seller.store_ids[0])
    async with transaction(sessions) as session:
        added = await variants.add_variant(
            session, seller.actor, draft.id, VariantIn(sku="P-1-G-S", price=Decimal("8"))
        )
        assert added.push is None
        with pytest.raises(RuleViolation, match="already used by this product"):
            await variants.add_variant(session, seller.actor, draft.id, VariantIn(sku="P-1-G-S"))
        new_id = added.product.variants[-1].id
        edited = await variants.update_variant(
            session, seller.actor, draft.id, new_id, VariantPatch(inventory=7, sku="P-1-G-XS")
        )
        assert edited.product.variants[-1].sku == "P-1-G-XS"
        removed = await variants.remove_variant(session, seller.actor, draft.id, new_id)
        assert [v.sku for v in removed.product.variants] == ["P-1-R-M", "P-1-B-L"]
        with pytest.raises(NotFound):
            await variants.remove_variant(session, seller.actor, box.id, draft.variants[0].id)
    await published(sessions, seller.actor, draft)
    async with transaction(sessions) as session:
        priced = await variants.update_variant(
            session, seller.actor, draft.id, draft.variants[0].id, VariantPatch(price=Decimal("11"))
        )
        assert priced.push is not None and priced.product.is_updating
        with pytest.raises(RuleViolation, match="disable it instead"):
            await variants.remove_variant(session, seller.actor, draft.id, draft.variants[0].id)
        with pytest.raises(RuleViolation, match="cannot be changed"):
            await variants.update_variant(
                session, seller.actor, draft.id, draft.variants[0].id, VariantPatch(sku="NEW")
            )
        entries = await products.product_history(session, seller.actor, draft.id)
    assert entries[0].changes == {"variants[P-1-R-M].price": ["9.99", "11"]}


async def test_delisted_product_edits_are_pushed_too(sessions, seller) -> None:
    box = await create(sessions, seller.actor, sample_product())
    draft = await claimed(sessions, seller.actor, box.id, seller.store_ids[0])
    await delisted(sessions, seller.actor, draft)
    async with transaction(sessions) as session:
        result = await products.update_product(
            session, seller.actor, draft.id, ProductPatch(description="new")
        )
        stored = await session.get(Product, draft.id)
    assert result.push is not None
    assert stored is not None and stored.is_updating
