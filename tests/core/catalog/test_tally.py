"""The state-tab counts kept by triggers equal the products counted, whoever wrote them."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, text, update
from sqlalchemy import select as sa_select
from sqlmodel import col

from core import migrate
from core.actor import Access, Actor
from core.catalog import listing_query, products, tally
from core.catalog.access import visible_products
from core.catalog.listing_query import ProductFilter
from core.db import create_engine, session_factory, transaction
from core.models import Product, ProductState, ProductStateTally, Store
from tests.core.catalog.conftest import Seller, create, make_seller, sample_product
from tests.core.catalog.helpers import claimed, delisted, failed, published
from tests.core.databases import BACKENDS, fresh_database

S = ProductState


async def counted(sessions, actor: Actor, **where) -> dict[ProductState, int]:
    """The counts the slow way: the products themselves."""
    clauses = [visible_products(actor)]
    if where.get("store_id") is not None:
        clauses.append(col(Product.store_id) == where["store_id"])
    if where.get("platform"):
        clauses.append(
            col(Product.store_id).in_(
                sa_select(col(Store.id)).where(
                    col(Store.account_id) == actor.account_id,
                    col(Store.platform) == where["platform"],
                )
            )
        )
    async with sessions() as session:
        rows = (
            await session.exec(
                sa_select(col(Product.state), func.count())
                .where(*clauses)
                .group_by(col(Product.state))
            )
        ).all()
    counts = dict.fromkeys(ProductState, 0)
    counts.update({ProductState(state): int(n) for state, n in rows})
    return counts


async def tallied(sessions, actor: Actor, **where) -> dict[ProductState, int]:
    async with sessions() as session:
        return await tally.state_counts(session, actor, **where)


async def assert_agree(sessions, seller: Seller, *, platform: str = "testmarket") -> None:
    actors = [seller.actor, seller.staff(Access.READ, [seller.store_ids[0]])]
    for actor in actors:
        for where in ({}, {"store_id": seller.store_ids[1]}, {"platform": platform}):
            assert await tallied(sessions, actor, **where) == await counted(
                sessions, actor, **where
            ), (actor.store_ids, where)


async def test_counts_follow_services_bulk_statements_and_raw_sql(sessions, seller, other):
    made = [(await create(sessions, seller.actor, sample_product(f"P{n}"))).id for n in range(8)]
    await create(sessions, other.actor, sample_product("OTHER"))
    store_a, store_b = seller.store_ids
    drafts = [await claimed(sessions, seller.actor, made[n], store_a) for n in range(3)]
    drafts += [await claimed(sessions, seller.actor, made[n], store_b) for n in range(3, 6)]
    await published(sessions, seller.actor, drafts[0])
    await delisted(sessions, seller.actor, drafts[1])
    await failed(sessions, seller.actor, drafts[3])
    await assert_agree(sessions, seller)
    counts = await tallied(sessions, seller.actor)
    assert counts[S.COLLECTION_BOX] == 8 and counts[S.DRAFT] == 3
    assert counts[S.PUBLISHED] == 1 and counts[S.DELISTED] == 1 and counts[S.PUBLISH_FAILED] == 1

    # A bulk ORM statement and raw SQL go past every service: the triggers still see them.
    async with transaction(sessions) as session:
        await session.exec(
            update(Product)
            .where(col(Product.id).in_([drafts[4].id, drafts[5].id]))
            .values(state=S.PUBLISHING)
        )
        await session.exec(
            text("UPDATE product SET state = 'draft' WHERE id = :i"), params={"i": drafts[3].id}
        )
        # A change that moves nothing between tabs adds nothing to the tally.
        before = (await session.exec(sa_select(func.count()).select_from(ProductStateTally))).one()[
            0
        ]
        await session.exec(
            update(Product).where(col(Product.id) == drafts[2].id).values(title="renamed")
        )
        after = (await session.exec(sa_select(func.count()).select_from(ProductStateTally))).one()[
            0
        ]
        assert after == before
    await assert_agree(sessions, seller)

    async with transaction(sessions) as session:
        result = await products.delete_products(
            session, seller.actor, [made[6], made[7], drafts[2].id, drafts[0].id]
        )
    assert len(result.refused) == 1  # the published one: "delist instead"
    await assert_agree(sessions, seller)
    assert (await tallied(sessions, seller.actor))[S.COLLECTION_BOX] == 6
    assert await tallied(sessions, other.actor) == await counted(sessions, other.actor)


async def test_count_by_state_uses_the_tally_only_for_the_filters_it_knows(sessions, seller):
    made = [
        (await create(sessions, seller.actor, sample_product(f"Q{n}", title=f"lamp {n}"))).id
        for n in range(4)
    ]
    await claimed(sessions, seller.actor, made[0], seller.store_ids[0])
    async with sessions() as session:
        plain = await listing_query.count_by_state(session, seller.actor)
        searched = await listing_query.count_by_state(
            session, seller.actor, ProductFilter(search="lamp 1")
        )
        in_store = await listing_query.count_by_state(
            session, seller.actor, ProductFilter(store_id=seller.store_ids[0], state=S.DRAFT)
        )
    assert plain[S.COLLECTION_BOX] == 4 and plain[S.DRAFT] == 1
    assert searched[S.COLLECTION_BOX] == 1 and searched[S.DRAFT] == 0
    assert in_store[S.DRAFT] == 1 and in_store[S.COLLECTION_BOX] == 0
    # The tally is what answered the plain count: spoil it and the plain count follows.
    async with transaction(sessions) as session:
        session.add(
            ProductStateTally(account_id=seller.account_id, state=S.COLLECTION_BOX, delta=100)
        )
    async with sessions() as session:
        spoiled = await listing_query.count_by_state(session, seller.actor)
        searched_again = await listing_query.count_by_state(
            session, seller.actor, ProductFilter(search="lamp 1")
        )
    assert spoiled[S.COLLECTION_BOX] == 104
    assert searched_again == searched


async def test_reading_folds_piled_up_rows_and_concurrent_folds_keep_the_sums(
    sessions, engine, seller
):
    made = [(await create(sessions, seller.actor, sample_product(f"R{n}"))).id for n in range(20)]
    for round_ in range(8):  # 20 products, 8 moves, 2 rows each: more than FOLD_AFTER
        async with transaction(sessions) as session:
            await session.exec(
                update(Product)
                .where(col(Product.id).in_(made))
                .values(
                    state=S.DRAFT if round_ % 2 == 0 else S.COLLECTION_BOX,
                    store_id=seller.store_ids[0] if round_ % 2 == 0 else None,
                )
            )
    rows = sa_select(func.count()).select_from(ProductStateTally)
    async with sessions() as session:
        assert (await session.exec(rows)).one()[0] > tally.FOLD_AFTER
    expected = await counted(sessions, seller.actor)
    assert await tallied(sessions, seller.actor) == expected  # this read folds
    async with sessions() as session:
        assert (await session.exec(rows)).one()[0] <= 2
    assert await tallied(sessions, seller.actor) == expected

    async def move(state: ProductState) -> None:
        async with transaction(sessions) as session:
            await session.exec(
                update(Product)
                .where(col(Product.id).in_(made[:5]))
                .values(state=state, store_id=seller.store_ids[1])
            )

    await asyncio.gather(
        tally.fold(engine, seller.account_id),
        move(S.DRAFT),
        tally.fold(engine, seller.account_id),
        tally.fold(engine, seller.account_id),
    )
    assert await tallied(sessions, seller.actor) == await counted(sessions, seller.actor)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_migration_counts_existing_products_and_installs_the_triggers(backend, tmp_path):
    async with fresh_database(backend, tmp_path) as url:
        await migrate.upgrade(url, "0004_image_space")
        engine = create_engine(url)
        try:
            sessions = session_factory(engine)
            seller = await make_seller(sessions, "m")
            made = [
                (await create(sessions, seller.actor, sample_product(f"M{n}"))).id for n in range(3)
            ]
            await claimed(sessions, seller.actor, made[0], seller.store_ids[0])
            await migrate.upgrade(url)
            async with engine.connect() as conn:
                names = {
                    row[0]
                    for row in await conn.execute(
                        text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                        if backend == "sqlite"
                        else text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
                    )
                }
            assert set(tally.TRIGGER_NAMES) <= names
            assert await tallied(sessions, seller.actor) == await counted(sessions, seller.actor)
            await create(sessions, seller.actor, sample_product("M-after"))
            counts = await tallied(sessions, seller.actor)
            assert counts[S.COLLECTION_BOX] == 4 and counts[S.DRAFT] == 1
            await migrate.downgrade(url, "0004_image_space")
            await create(sessions, seller.actor, sample_product("M-down"))  # no trigger left
        finally:
            await engine.dispose()
