"""Benchmark: the product-list service at 100,000 products (no HTTP; the web layer adds its own).

Seeds one account with N products (1 variant each) through the importer, spreads them over
the state tabs and two stores, then times the list queries a page needs, each repeated:

    uv run python bench/catalog_list.py --products 100000
    TRADEWIND_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/postgres \
        uv run python bench/catalog_list.py --products 100000

Prints p50 / p99 in milliseconds per query. The PostgreSQL seed ends with VACUUM ANALYZE, as
autovacuum would soon after such a bulk update in a live database.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from bench.catalog_import import drop_database, fresh_database, setup_account

HEADER = ["parent_sku", "title", "sku", "price", "source_url", "category"]


def write_file(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(count):
            writer.writerow([
                f"L{n:07}", f"Cotton T-shirt number {n}", f"L{n:07}-1", f"{5 + n % 50}.99",
                f"https://detail.1688.com/offer/{n}.html", f"clothes>tops{n % 20}",
            ])  # fmt: skip


async def seed(url: str, count: int, folder: Path) -> tuple[int, int]:
    from core.actor import Actor
    from core.catalog import importing, tally
    from core.db import create_engine, session_factory

    account_id, user_id = await setup_account(url)
    path = folder / "list.csv"
    write_file(path, count)
    engine = create_engine(url)
    sessions = session_factory(engine)
    report = await importing.import_file(
        sessions, Actor(account_id=account_id, user_id=user_id), path, path.name
    )
    assert report.created == count, report.problems[:3]
    async with engine.begin() as conn:
        for n, platform in enumerate(("wish", "aliexpress")):
            await conn.execute(
                text(
                    "INSERT INTO store (account_id, platform, platform_shop_id, name, status, "
                    "currency, settings, created_at, updated_at) VALUES (:a, :p, :s, :p, "
                    "'active', 'USD', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"a": account_id, "p": platform, "s": f"shop-{n}"},
            )
        stores = [row[0] for row in await conn.execute(text("SELECT id FROM store ORDER BY id"))]
        # Spread the products over the tabs (bench setup writes the table directly).
        for state, modulo in (("draft", 0), ("published", 1), ("publish_failed", 2),
                              ("delisted", 3), ("publishing", 4)):  # fmt: skip
            await conn.execute(
                text(
                    "UPDATE product SET state = :s, store_id = :store, "
                    "updated_at = created_at WHERE id % 6 = :m"
                ),
                {"s": state, "store": stores[modulo % 2], "m": modulo},
            )
        await conn.execute(
            text("UPDATE product SET publish_error = 'x' WHERE state = 'publish_failed'")
        )
        await conn.execute(
            text(
                "UPDATE variant SET store_id = "
                "(SELECT store_id FROM product WHERE product.id = variant.product_id)"
            )
        )
    # The tabs' tally rows the import and the UPDATEs appended, folded as an import job does.
    await tally.fold(engine, account_id)
    if url.startswith("sqlite"):
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    if not url.startswith("sqlite"):
        # The UPDATEs above left a dead version of every row; in a live database autovacuum
        # clears them within a minute or so (and sets the visibility map that index-only
        # scans need), but the measurements start at once. VACUUM cannot run in a transaction.
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    await engine.dispose()
    return account_id, user_id


async def measure(
    url: str, account_id: int, user_id: int, repeat: int
) -> list[tuple[str, float, float]]:
    from core.actor import Actor
    from core.catalog import listing_query
    from core.catalog.listing_query import ProductFilter, SortField
    from core.db import create_engine, session_factory
    from core.models import ProductState

    engine = create_engine(url)
    sessions = session_factory(engine)
    actor = Actor(account_id=account_id, user_id=user_id)
    terms = ("number 4242", "L0077", "shirt", "L00", "42")
    searches = {term: ProductFilter(search=term) for term in terms}
    async with sessions() as session:
        deep = await listing_query.list_products(session, actor, limit=500)
        for _ in range(100):  # walk to page ~100 of 500 rows: a deep keyset cursor
            deep = await listing_query.list_products(
                session, actor, cursor=deep.next_cursor, limit=500
            )
    cursor = deep.next_cursor
    cases = {
        "all, first page (50)": dict(),
        "tab published, first page": dict(wanted=ProductFilter(state=ProductState.PUBLISHED)),
        "tab collection box, first page": dict(
            wanted=ProductFilter(state=ProductState.COLLECTION_BOX)
        ),
        "all, page after 50,000 rows (keyset)": dict(cursor=cursor),
        "sort by title, first page": dict(sort=SortField.TITLE, descending=False),
        "search everywhere 'number 4242' (11 rows)": dict(wanted=searches["number 4242"]),
        "search everywhere 'L0077' (SKUs, 1,000 rows)": dict(wanted=searches["L0077"]),
        "search everywhere 'shirt' (every title)": dict(wanted=searches["shirt"]),
        "search everywhere 'L00' (every SKU)": dict(wanted=searches["L00"]),
        "search everywhere '42' (2 characters)": dict(wanted=searches["42"]),
        "search title only 'number 4242'": dict(
            wanted=ProductFilter(search="number 4242", search_in="title")
        ),
        "price 10-12": dict(wanted=ProductFilter(price_min=Decimal(10), price_max=Decimal(12))),
        "platform wish + has problems": dict(
            wanted=ProductFilter(platform="wish", has_problems=True)
        ),
    }
    count_cases = {
        "counts per state tab": None,
        "counts per state tab, search 'number 4242'": searches["number 4242"],
        "counts per state tab, search 'L0077'": searches["L0077"],
        "counts per state tab, search 'shirt'": searches["shirt"],
        "counts per state tab, search '42'": searches["42"],
    }
    results = []
    async with sessions() as session:
        for name, options in cases.items():
            timings = []
            for _ in range(repeat):
                started = time.perf_counter()
                await listing_query.list_products(session, actor, limit=50, **options)
                timings.append((time.perf_counter() - started) * 1000)
            results.append((name, statistics.median(timings), _p99(timings)))
        for name, wanted in count_cases.items():
            timings = []
            for _ in range(repeat):
                started = time.perf_counter()
                await listing_query.count_by_state(session, actor, wanted)
                timings.append((time.perf_counter() - started) * 1000)
            results.append((name, statistics.median(timings), _p99(timings)))
    await engine.dispose()
    return results


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def main_async(products: int, repeat: int) -> None:
    backends = ["sqlite"] + (
        ["postgresql"] if os.environ.get("TRADEWIND_BENCH_DATABASE_URL") else []
    )
    with tempfile.TemporaryDirectory() as scratch:
        for backend in backends:
            url, name = await fresh_database(backend, Path(scratch))
            try:
                started = time.perf_counter()
                account_id, user_id = await seed(url, products, Path(scratch))
                took = time.perf_counter() - started
                print(f"{backend}: seeded {products} products in {took:.0f} s")
                print("| database | query | p50 ms | p99 ms |")
                print("| --- | --- | --- | --- |")
                for query, p50, p99 in await measure(url, account_id, user_id, repeat):
                    print(f"| {backend} | {query} | {p50:.1f} | {p99:.1f} |", flush=True)
            finally:
                if name:
                    await drop_database(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main_async(args.products, args.repeat))


if __name__ == "__main__":
    main()
