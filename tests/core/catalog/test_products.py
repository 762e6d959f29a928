"""Product life through the service entry points: create, read, edit, delete, history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlmodel import select

from core.actor import Access, PermissionDenied
from core.catalog import products
from core.catalog.schemas import ImageRef, ProductPatch, VariantIn
from core.db import transaction
from core.errors import NotFound, RuleViolation
from core.interfaces.collector import CollectedProduct, CollectedVariant
from core.interfaces.common import Money
from core.models import Product, ProductHistory, ProductState
from tests.core.catalog.conftest import create, sample_product
from tests.core.catalog.helpers import claimed, delisted, failed, published, publishing


async def test_create_by_hand_lands_in_the_collection_box(sessions, seller) -> None:
    product = await create(sessions, seller.actor, sample_product())
    assert product.state is ProductState.COLLECTION_BOX
    assert product.store_id is None
    assert [v.sku for v in product.variants] == ["P-1-R-M", "P-1-B-L"]
    assert product.variants[0].options == {"color": "Red", "size": "M"}
    assert product.variants[0].price == Decimal("9.99")
    assert product.variants[0].cost == Decimal("12.5")
    assert [(i.role, i.url) for i in product.images] == [
        ("main", "https://img.example.com/main.jpg"),
        ("extra", "https://img.example.com/extra1.jpg"),
    ]
    async with sessions() as session:
        rows = (await session.exec(select(ProductHistory))).all()
    assert [(r.product_id, r.action, r.user_id) for r in rows] == [
        (product.id, "created", seller.user_id)
    ]


async def test_create_in_a_store_makes_a_draft(sessions, seller) -> None:
    product = await create(sessions, seller.actor, sample_product(store_id=seller.store_ids[0]))
    assert product.state is ProductState.DRAFT
    assert product.store_id == seller.store_ids[0]


async def test_create_in_another_accounts_store_is_not_found(sessions, seller, other) -> None:
    with pytest.raises(NotFound):
        await create(sessions, seller.actor, sample_product(store_id=other.store_ids[0]))


async def test_create_from_a_collected_page(sessions, seller) -> None:
    collected = CollectedProduct(
        source_url="https://detail.1688.com/offer/42.html",
        title="纯棉T恤",
        price=Money.of("25.00", "CNY"),
        images=("https://cbu01.alicdn.com/a.jpg", "https://cbu01.alicdn.com/b.jpg"),
        description_html="<p>纯棉 &amp; 透气</p><p>第二段<br>换行</p>",
        variants=(
            CollectedVariant(options={"颜色": "红色"}, price=Money.of("26", "CNY"), stock=3),
            CollectedVariant(options={"颜色": "蓝色"}, stock=-1),
        ),
        source_item_id="42",
    )
    async with transaction(sessions) as session:
        product = await products.create_from_collected(
            session, seller.actor, collected, collector_id="alibaba_1688"
        )
    assert product.state is ProductState.COLLECTION_BOX
    assert product.source_url == "https://detail.1688.com/offer/42.html"
    assert product.collected_from == "alibaba_1688"
    assert product.parent_sku == "alibaba_1688-42"
    assert product.description == "纯棉 & 透气\n第二段\n换行"
    assert [(v.sku, v.options, v.cost, v.cost_currency, v.inventory) for v in product.variants] == [
        ("alibaba_1688-42-1", {"颜色": "红色"}, Decimal("26"), "CNY", 3),
        ("alibaba_1688-42-2", {"颜色": "蓝色"}, Decimal("25"), "CNY", 0),
    ]
    assert product.images[0].url == "https://cbu01.alicdn.com/a.jpg"


async def test_another_accounts_product_is_not_found_everywhere(sessions, seller, other) -> None:
    product = await create(sessions, other.actor, sample_product())
    async with transaction(sessions) as session:
        with pytest.raises(NotFound):
            await products.get_product(session, seller.actor, product.id)
        with pytest.raises(NotFound):
            await products.update_product(
                session, seller.actor, product.id, ProductPatch(title="mine")
            )
        with pytest.raises(NotFound):
            await products.delete_product(session, seller.actor, product.id)
        with pytest.raises(NotFound):
            await products.product_history(session, seller.actor, product.id)
        result = await products.delete_products(session, seller.actor, [product.id])
    assert (result.deleted, result.refused[0].reason) == (0, "not found")
    async with sessions() as session:
        assert await session.get(Product, product.id) is not None


async def test_staff_sees_only_their_stores_and_needs_write_access(sessions, seller) -> None:
    box = await create(sessions, seller.actor, sample_product("BOX"))
    draft = await create(sessions, seller.actor, sample_product(store_id=seller.store_ids[1]))
    reader = seller.staff(Access.READ, store_ids=[seller.store_ids[0]])
    async with sessions() as session:
        assert (await products.get_product(session, reader, box.id)).id == box.id
        with pytest.raises(NotFound):
            await products.get_product(session, reader, draft.id)
        with pytest.raises(PermissionDenied):
            await products.update_product(session, reader, box.id, ProductPatch(title="x"))
        with pytest.raises(PermissionDenied):
            await products.get_product(session, seller.staff(Access.NONE), box.id)


@pytest.mark.parametrize("from_store", [False, True])
async def test_the_store_cannot_be_changed(sessions, seller, from_store) -> None:
    store_id = seller.store_ids[0] if from_store else None
    product = await create(sessions, seller.actor, sample_product(store_id=store_id))
    async with transaction(sessions) as session:
        with pytest.raises(RuleViolation, match="a product's store cannot be changed"):
            await products.update_product(
                session, seller.actor, product.id, ProductPatch(store_id=seller.store_ids[1])
            )
    async with transaction(sessions) as session:
        # Sending the same store back (a full form) is no change.
        result = await products.update_product(
            session, seller.actor, product.id, ProductPatch(store_id=store_id, title="New")
        )
    assert (result.product.store_id, result.product.title) == (store_id, "New")


async def test_state_is_not_editable(sessions, seller) -> None:
    with pytest.raises(ValidationError):
        ProductPatch.model_validate({"state": "published"})


async def test_edit_records_who_changed_what(sessions, seller) -> None:
    product = await create(sessions, seller.actor, sample_product())
    async with transaction(sessions) as session:
        result = await products.update_product(
            session,
            seller.actor,
            product.id,
            ProductPatch(
                title="Linen shirt", tags=["linen"], main_image=ImageRef(url="https://x/y.jpg")
            ),
        )
        entries = await products.product_history(session, seller.actor, product.id)
    assert result.push is None
    assert result.product.title == "Linen shirt"
    assert entries[0].action == "edited"
    assert entries[0].user_id == seller.user_id
    assert entries[0].changes["title"] == ["Cotton T-shirt P-1", "Linen shirt"]
    assert entries[0].changes["tags"] == [["shirt", "cotton"], ["linen"]]
    assert entries[0].changes["images"][1] == [
        "main:https://x/y.jpg",
        "extra:https://img.example.com/extra1.jpg",
    ]


async def test_editing_a_published_listing_asks_for_a_push(sessions, seller) -> None:
    box = await create(sessions, seller.actor, sample_product())
    draft = await claimed(sessions, seller.actor, box.id, seller.store_ids[0])
    await published(sessions, seller.actor, draft)
    async with transaction(sessions) as session:
        private = await products.update_product(
            session, seller.actor, draft.id, ProductPatch(source_url="https://1688.com/x")
        )
        assert private.push is None and not private.product.is_updating
        public = await products.update_product(
            session, seller.actor, draft.id, ProductPatch(title="Better title")
        )
    assert public.product.is_updating
    assert public.push is not None
    assert public.push.product_ids == [draft.id]
    assert public.push.payload() == {"product_ids": [draft.id]}


async def test_no_edit_while_publishing(sessions, seller) -> None:
    box = await create(sessions, seller.actor, sample_product())
    draft = await claimed(sessions, seller.actor, box.id, seller.store_ids[0])
    await publishing(sessions, seller.actor, draft)
    async with transaction(sessions) as session:
        with pytest.raises(RuleViolation, match="being published"):
            await products.update_product(session, seller.actor, draft.id, ProductPatch(title="x"))


async def test_parent_sku_rules(sessions, seller) -> None:
    store = seller.store_ids[0]
    first = await create(sessions, seller.actor, sample_product("A", store_id=store))
    second = await create(sessions, seller.actor, sample_product("B", store_id=store))
    async with transaction(sessions) as session:
        with pytest.raises(RuleViolation, match="parent SKU 'A' is already used"):
            await products.update_product(
                session, seller.actor, second.id, ProductPatch(parent_sku="A")
            )
    await published(sessions, seller.actor, first)
    async with transaction(sessions) as session:
        with pytest.raises(RuleViolation, match="cannot be changed"):
            await products.update_product(
                session, seller.actor, first.id, ProductPatch(parent_sku="A2")
            )
    with pytest.raises(RuleViolation, match="parent SKU 'A' is already used"):
        await create(sessions, seller.actor, sample_product("A", store_id=store))


async def test_variant_skus_are_unique_in_the_product_and_the_store(sessions, seller) -> None:
    with pytest.raises(ValidationError, match="used twice"):
        sample_product(variants=[VariantIn(sku="X"), VariantIn(sku="X")])
    store = seller.store_ids[0]
    await create(sessions, seller.actor, sample_product("A", store_id=store))
    with pytest.raises(RuleViolation, match="SKU 'A-R-M' is already used by product"):
        await create(
            sessions,
            seller.actor,
            sample_product("B", store_id=store, variants=[VariantIn(sku="A-R-M")]),
        )
    # The collection box is not a store: the same SKUs may sit there twice.
    await create(sessions, seller.actor, sample_product("A"))
    await create(sessions, seller.actor, sample_product("A"))


@pytest.mark.parametrize(
    ("field", "value"),
    [("inventory", -1), ("price", "-0.01"), ("currency", "usd"), ("price", "NaN")],
)
def test_variant_values_are_checked(field, value) -> None:
    with pytest.raises(ValidationError):
        VariantIn(sku="S", **{field: value})


async def test_delete_follows_the_state_rules(sessions, seller) -> None:
    store = seller.store_ids[0]
    box = await create(sessions, seller.actor, sample_product("BOX"))
    made = {}
    for name in ("draft", "failed", "publishing", "published", "delisted"):
        made[name] = await create(sessions, seller.actor, sample_product(name, store_id=store))
    await failed(sessions, seller.actor, made["failed"])
    await publishing(sessions, seller.actor, made["publishing"])
    await published(sessions, seller.actor, made["published"])
    await delisted(sessions, seller.actor, made["delisted"])

    for name in ("published", "delisted"):
        async with transaction(sessions) as session:
            with pytest.raises(RuleViolation, match="delist instead"):
                await products.delete_product(session, seller.actor, made[name].id)
    async with transaction(sessions) as session:
        with pytest.raises(RuleViolation, match="being published"):
            await products.delete_product(session, seller.actor, made["publishing"].id)

    ids = [box.id, *(p.id for p in made.values()), 999_999]
    async with transaction(sessions) as session:
        result = await products.delete_products(session, seller.actor, ids)
    assert (result.requested, result.deleted) == (7, 3)
    assert sorted(result.deleted_ids) == sorted([box.id, made["draft"].id, made["failed"].id])
    reasons = {r.product_id: r.reason for r in result.refused}
    assert "delist instead" in reasons[made["published"].id]
    assert "delist instead" in reasons[made["delisted"].id]
    assert "being published" in reasons[made["publishing"].id]
    assert reasons[999_999] == "not found"
    async with sessions() as session:
        left = {p.id for p in (await session.exec(select(Product))).all()}
    assert left == {made["publishing"].id, made["published"].id, made["delisted"].id}


async def test_deletion_is_permanent_and_takes_the_rows_along(sessions, seller) -> None:
    product = await create(sessions, seller.actor, sample_product())
    async with transaction(sessions) as session:
        await products.delete_product(session, seller.actor, product.id)
    async with sessions() as session:
        with pytest.raises(NotFound):
            await products.get_product(session, seller.actor, product.id)
        assert (await session.exec(select(ProductHistory))).all() == []
