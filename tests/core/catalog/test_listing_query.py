"""The product list: filters, keyset pages, counts per tab, select-all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlmodel import col

from core.actor import Access
from core.catalog import categories, lifecycle, listing_query
from core.catalog.listing_query import ProductFilter, SortField
from core.catalog.schemas import VariantIn
from core.db import transaction
from core.errors import RuleViolation
from core.interfaces.common import Problem
from core.models import CategoryKind, Product, ProductState, Store
from tests.core.catalog.conftest import create, sample_product
from tests.core.catalog.helpers import claimed, published

S = ProductState


async def all_pages(sessions, actor, wanted=None, **options):
    ids, cursor = [], None
    async with sessions() as session:
        while True:
            page = await listing_query.list_products(
                session, actor, wanted, cursor=cursor, **options
            )
            ids.extend(item.id for item in page.items)
            if page.next_cursor is None:
                return ids
            cursor = page.next_cursor


async def test_pages_cover_every_row_once_even_with_equal_sort_values(sessions, seller) -> None:
    made = [
        (await create(sessions, seller.actor, sample_product(f"P{n:02}", title=f"t{n % 4}"))).id
        for n in range(23)
    ]
    same = datetime(2030, 1, 1, tzinfo=UTC)
    async with transaction(sessions) as session:
        await session.exec(
            update(Product).where(col(Product.id).in_(made[5:15])).values(updated_at=same)
        )
    for sort in SortField:
        for descending in (True, False):
            ids = await all_pages(sessions, seller.actor, sort=sort, descending=descending, limit=4)
            assert sorted(ids) == sorted(made), (sort, descending)
            assert len(ids) == len(set(ids))
    newest_first = await all_pages(sessions, seller.actor, limit=7)
    assert newest_first[:10] == sorted(made[5:15], reverse=True)
    by_title = await all_pages(
        sessions, seller.actor, sort=SortField.TITLE, descending=False, limit=5
    )
    async with sessions() as session:
        titles = [(await session.get(Product, i)).title for i in by_title]
    assert titles == sorted(titles)


async def test_a_bad_cursor_is_refused(sessions, seller) -> None:
    async with sessions() as session:
        with pytest.raises(RuleViolation, match="cursor"):
            await listing_query.list_products(session, seller.actor, cursor="nonsense!")


async def test_filters(sessions, seller, other) -> None:
    store1, store2 = seller.store_ids
    async with transaction(sessions) as session:
        await session.exec(update(Store).where(col(Store.id) == store2).values(platform="otherm"))
        shoes = await categories.create_category(
            session, seller.actor, CategoryKind.PRODUCT, "shoes"
        )
        boots = await categories.create_category(
            session, seller.actor, CategoryKind.PRODUCT, "boots", shoes.id
        )
    box = await create(sessions, seller.actor, sample_product("BOX", category_ids=[boots.id]))
    cheap = await create(
        sessions,
        seller.actor,
        sample_product(
            "CHEAP",
            store_id=store1,
            source_url="https://item.taobao.com/item.htm?id=555",
            variants=[VariantIn(sku="ZZ-TOP-1", price=Decimal("1.50"))],
        ),
    )
    dear = await create(
        sessions,
        seller.actor,
        sample_product(
            "DEAR", store_id=store2, variants=[VariantIn(sku="D1", price=Decimal("99"))]
        ),
    )
    await create(sessions, other.actor, sample_product("FOREIGN"))
    draft = await claimed(sessions, seller.actor, box.id, store1)
    await published(sessions, seller.actor, draft)
    async with transaction(sessions) as session:
        await lifecycle.record_problems(
            session, seller.actor, cheap.id, [Problem(field="title", code="required", message="x")]
        )

    async def ids(**wanted):
        async with sessions() as session:
            return set(
                await listing_query.matching_ids(session, seller.actor, ProductFilter(**wanted))
            )

    assert await ids() == {box.id, cheap.id, dear.id, draft.id}
    assert await ids(state=S.COLLECTION_BOX) == {box.id}
    assert await ids(state=S.PUBLISHED) == {draft.id}
    assert await ids(store_id=store1) == {cheap.id, draft.id}
    assert await ids(platform="otherm") == {dear.id}
    assert await ids(category_id=shoes.id) == {box.id, draft.id}
    assert await ids(search="zz-top") == {cheap.id}
    assert await ids(search="id=555") == {cheap.id}
    assert await ids(search="dea") == {dear.id}
    assert await ids(search="100%") == set()
    assert await ids(search="zz-top", search_in="title") == set()
    assert await ids(search="zz-top", search_in="sku") == {cheap.id}
    assert await ids(search="cheap", search_in="sku") == {cheap.id}
    assert await ids(search="id=555", search_in="source_url") == {cheap.id}
    assert await ids(search="id=555", search_in="sku") == set()
    assert await ids(price_min=Decimal("2"), price_max=Decimal("50")) == {box.id, draft.id}
    assert await ids(price_min=Decimal("50")) == {dear.id}
    assert await ids(has_problems=True) == {cheap.id}
    assert await ids(has_problems=False) == {box.id, dear.id, draft.id}
    future = datetime.now(UTC) + timedelta(days=1)
    assert await ids(created_from=future) == set()
    assert await ids(created_to=future, state=S.DRAFT) == {cheap.id, dear.id}

    async with sessions() as session:
        counts = await listing_query.count_by_state(
            session, seller.actor, ProductFilter(state=S.DRAFT, store_id=store1)
        )
        page = await listing_query.list_products(
            session, seller.actor, ProductFilter(search="CHEAP")
        )
        staff = seller.staff(Access.READ, store_ids=[store2])
        seen = set(await listing_query.matching_ids(session, staff))
    assert counts[S.DRAFT] == 1 and counts[S.PUBLISHED] == 1 and counts[S.COLLECTION_BOX] == 0
    assert sum(counts.values()) == 2
    row = page.items[0]
    assert (row.price_min, row.price_max, row.inventory, row.variant_count) == (
        Decimal("1.5"),
        Decimal("1.5"),
        0,
        1,
    )
    assert row.has_problems and row.main_image_url == "https://img.example.com/main.jpg"
    assert seen == {box.id, dear.id}


async def test_select_all_comes_in_chunks(sessions, seller) -> None:
    made = {(await create(sessions, seller.actor, sample_product(f"P{n}"))).id for n in range(7)}
    async with sessions() as session:
        chunks = [
            chunk
            async for chunk in listing_query.iter_matching_ids(session, seller.actor, chunk_size=3)
        ]
    assert [len(c) for c in chunks] == [3, 3, 1]
    assert {i for c in chunks for i in c} == made
