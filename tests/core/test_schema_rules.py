"""The rules the schema itself enforces, on create_all tables and on migrated ones."""

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select

from core import migrate
from core.db import create_engine, session_factory
from core.models import (
    Account,
    Category,
    CategoryKind,
    Image,
    ImageRole,
    JobRecord,
    Order,
    Pairing,
    Product,
    ProductImage,
    ProductState,
    Shipment,
    StockItem,
    StockLevel,
    Store,
    Variant,
    Warehouse,
)
from tests.core.databases import PG_URL, create_pg_database, drop_pg_database
from tests.core.domain_rows import build_account_graph


@pytest.fixture(scope="module")
def migrated_pg_url():
    """One PostgreSQL database per module, made by the migrations (not create_all)."""
    if not PG_URL:
        yield None
        return
    url = asyncio.run(create_pg_database())
    try:
        asyncio.run(migrate.upgrade(url))
        yield url
    finally:
        asyncio.run(drop_pg_database(url))


@pytest.fixture
async def migrated_sessions(tmp_path, migrated_pg_url):
    """Sessions on migrated tables: a fresh SQLite file, or the module's emptied PostgreSQL."""
    if migrated_pg_url is None:
        url = f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}"
        await migrate.upgrade(url)
    else:
        url = migrated_pg_url
    engine = create_engine(url)
    if migrated_pg_url is not None:
        async with engine.begin() as conn:
            names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture(params=["create_all", "migrated"])
def db(request):
    """A session factory on tables made by create_all, then on tables made by the migrations."""
    return request.getfixturevalue(
        "sessions" if request.param == "create_all" else "migrated_sessions"
    )


async def commit_fails(db, *rows) -> None:
    async with db() as session:
        session.add_all(rows)
        with pytest.raises(IntegrityError):
            await session.commit()


async def new_account(db, name="a") -> int:
    async with db() as session:
        account = Account(name=name)
        session.add(account)
        await session.commit()
        assert account.id is not None
        return account.id


async def new_store(db, account_id, shop="shop-1", platform="wish") -> int:
    async with db() as session:
        store = Store(account_id=account_id, platform=platform, platform_shop_id=shop, name=shop)
        session.add(store)
        await session.commit()
        assert store.id is not None
        return store.id


async def test_a_store_belongs_to_one_account_only(db) -> None:
    first, second = await new_account(db, "first"), await new_account(db, "second")
    await new_store(db, first, "merchant-42")
    await commit_fails(
        db, Store(account_id=second, platform="wish", platform_shop_id="merchant-42", name="x")
    )
    # The same shop id on another platform is another store.
    await new_store(db, second, "merchant-42", platform="aliexpress")


async def test_a_sync_cannot_duplicate_an_order(db) -> None:
    account = await new_account(db)
    store, other_store = await new_store(db, account), await new_store(db, account, "shop-2")
    async with db() as session:
        session.add(Order(account_id=account, store_id=store, platform_order_id="A1"))
        session.add(Order(account_id=account, store_id=other_store, platform_order_id="A1"))
        await session.commit()
    await commit_fails(db, Order(account_id=account, store_id=store, platform_order_id="A1"))


async def stock_level(db, on_hand: int) -> int:
    account = await new_account(db)
    async with db() as session:
        item = StockItem(account_id=account, sku="X")
        warehouse = Warehouse(account_id=account, name="main")
        session.add_all([item, warehouse])
        await session.flush()
        level = StockLevel(
            account_id=account, stock_item_id=item.id, warehouse_id=warehouse.id, on_hand=on_hand
        )
        session.add(level)
        await session.commit()
        assert level.id is not None
        return level.id


async def change_level(db, level_id: int, **deltas: int) -> None:
    values = {name: getattr(StockLevel, name) + delta for name, delta in deltas.items()}
    async with db() as session:
        await session.exec(update(StockLevel).where(StockLevel.id == level_id).values(**values))
        await session.commit()


async def test_stock_cannot_go_negative_or_be_oversold(db) -> None:
    level_id = await stock_level(db, on_hand=2)
    await change_level(db, level_id, allocated=2)
    with pytest.raises(IntegrityError):
        await change_level(db, level_id, allocated=1)  # a third piece that is not there
    with pytest.raises(IntegrityError):
        await change_level(db, level_id, on_hand=-1)  # count below what is promised
    await change_level(db, level_id, on_hand=-2, allocated=-2)  # dispatch both
    with pytest.raises(IntegrityError):
        await change_level(db, level_id, on_hand=-1)
    with pytest.raises(IntegrityError):
        await change_level(db, level_id, allocated=-1)
    async with db() as session:
        level = await session.get(StockLevel, level_id)
        assert (level.on_hand, level.allocated) == (0, 0)


async def test_concurrent_orders_cannot_both_take_the_last_piece(db) -> None:
    level_id = await stock_level(db, on_hand=1)

    async def allocate_one() -> bool:
        try:
            await change_level(db, level_id, allocated=1)
        except IntegrityError:
            return False
        return True

    results = await asyncio.gather(allocate_one(), allocate_one(), allocate_one())
    assert sorted(results) == [False, False, True]
    async with db() as session:
        assert (await session.get(StockLevel, level_id)).allocated == 1


async def test_product_store_and_state_agree(db) -> None:
    account = await new_account(db)
    store = await new_store(db, account)
    await commit_fails(db, Product(account_id=account, state=ProductState.DRAFT))
    await commit_fails(
        db, Product(account_id=account, store_id=store, state=ProductState.COLLECTION_BOX)
    )


async def test_parent_sku_unique_per_store_but_not_in_collection_box(db) -> None:
    account = await new_account(db)
    store, other = await new_store(db, account), await new_store(db, account, "shop-2")
    async with db() as session:
        for _ in range(2):
            session.add(Product(account_id=account, parent_sku="P1"))  # collection box
        session.add(Product(account_id=account, store_id=store, state="draft", parent_sku="P1"))
        session.add(Product(account_id=account, store_id=other, state="draft", parent_sku="P1"))
        await session.commit()
    await commit_fails(
        db, Product(account_id=account, store_id=store, state="draft", parent_sku="P1")
    )
    await commit_fails(
        db,
        Product(account_id=account, store_id=store, state="published", platform_product_id="w1"),
        Product(account_id=account, store_id=store, state="published", platform_product_id="w1"),
    )


async def test_variant_sku_unique_in_a_store(db) -> None:
    account = await new_account(db)
    store = await new_store(db, account)
    async with db() as session:
        products = [
            Product(account_id=account, store_id=store, state="draft", parent_sku=sku)
            for sku in ("P1", "P2")
        ]
        session.add_all(products)
        await session.flush()
        session.add(Variant(account_id=account, product_id=products[0].id, store_id=store, sku="V"))
        await session.commit()
        second_product_id = products[1].id
    await commit_fails(
        db, Variant(account_id=account, product_id=second_product_id, store_id=store, sku="V")
    )
    await commit_fails(
        db,
        Variant(account_id=account, product_id=second_product_id, sku="W", price=Decimal("-0.01")),
    )


async def test_category_names_unique_among_siblings_also_at_the_root(db) -> None:
    account = await new_account(db)
    async with db() as session:
        root = Category(account_id=account, name="Toys")
        session.add(root)
        await session.flush()
        session.add(
            Category(account_id=account, name="Cars", path=f"/{root.id}/", parent_id=root.id)
        )
        session.add(Category(account_id=account, name="Cars"))  # another parent: fine
        session.add(Category(account_id=account, kind=CategoryKind.IMAGE, name="Toys"))
        await session.commit()
    await commit_fails(db, Category(account_id=account, name="Toys"))


async def image_row(account: int, token: str, content: str = "a") -> Image:
    return Image(
        account_id=account,
        content_hash=content * 64,
        storage_key=f"{content}/{content}",
        public_token=token,
        width=500,
        height=500,
        format="png",
        byte_size=10,
    )


async def test_images_are_deduplicated_per_account(db) -> None:
    first, second = await new_account(db), await new_account(db, "b")
    async with db() as session:
        session.add(await image_row(first, "t1"))
        session.add(await image_row(second, "t2"))  # same bytes in another account
        await session.commit()
    await commit_fails(db, await image_row(first, "t3"))
    await commit_fails(db, await image_row(second, "t1", content="b"))  # token reused


async def test_deleting_an_image_keeps_published_copies_and_refuses_orphans(db) -> None:
    account = await new_account(db)
    store = await new_store(db, account)
    async with db() as session:
        image = await image_row(account, "tok")
        published = Product(account_id=account, store_id=store, state="published")
        draft = Product(account_id=account, store_id=store, state="draft")
        session.add_all([image, published, draft])
        await session.flush()
        session.add(
            ProductImage(
                account_id=account,
                product_id=published.id,
                image_id=image.id,
                platform_url="https://cdn.example/1.jpg",
                role=ImageRole.MAIN,
            )
        )
        orphan = ProductImage(account_id=account, product_id=draft.id, image_id=image.id)
        session.add(orphan)
        await session.commit()
        image_id, orphan_id = image.id, orphan.id
    async with db() as session:
        with pytest.raises(IntegrityError):
            await session.exec(delete(Image).where(Image.id == image_id))
            await session.commit()
    async with db() as session:
        await session.exec(delete(ProductImage).where(ProductImage.id == orphan_id))
        await session.exec(delete(Image).where(Image.id == image_id))
        await session.commit()
        rows = (await session.exec(select(ProductImage))).all()
        assert [(row.image_id, row.platform_url) for row in rows] == [
            (None, "https://cdn.example/1.jpg")
        ]


async def test_a_shipment_request_is_recorded_once(db) -> None:
    account = await new_account(db)
    store = await new_store(db, account)
    async with db() as session:
        order = Order(account_id=account, store_id=store, platform_order_id="1")
        session.add(order)
        await session.flush()
        session.add(
            Shipment(account_id=account, order_id=order.id, carrier="eub", idempotency_key="k")
        )
        await session.commit()
        order_id = order.id
    await commit_fails(
        db, Shipment(account_id=account, order_id=order_id, carrier="eub", idempotency_key="k")
    )


async def test_pairing_quantity_must_be_positive(db) -> None:
    account = await new_account(db)
    async with db() as session:
        product = Product(account_id=account)
        item = StockItem(account_id=account, sku="S")
        session.add_all([product, item])
        await session.flush()
        variant = Variant(account_id=account, product_id=product.id, sku="V")
        session.add(variant)
        await session.commit()
        ids = variant.id, item.id
    await commit_fails(
        db, Pairing(account_id=account, variant_id=ids[0], stock_item_id=ids[1], quantity=0)
    )


async def count_rows(session, table, account_id) -> int:
    column = table.c.get("account_id")
    query = select(func.count()).select_from(table)
    if column is not None:
        query = query.where(column == account_id)
    return (await session.exec(query)).one()


async def test_deleting_an_account_deletes_all_its_rows_and_only_its_rows(db) -> None:
    async with db() as session:
        doomed = await build_account_graph(session, "doomed")
        kept = await build_account_graph(session, "kept")
        await session.commit()
    tables = [t for t in SQLModel.metadata.sorted_tables if "account_id" in t.c]
    async with db() as session:
        before = {t.name: await count_rows(session, t, doomed) for t in tables}
        assert all(before.values()), [name for name, n in before.items() if not n]
        await session.exec(delete(Account).where(Account.id == doomed))
        await session.commit()
    async with db() as session:
        assert {t.name: await count_rows(session, t, doomed) for t in tables} == dict.fromkeys(
            before, 0
        )
        assert all([await count_rows(session, t, kept) for t in tables])
        jobs = (await session.exec(select(JobRecord.name))).all()
        assert jobs == ["publish"]  # the kept account's; job items cascaded with their job
