"""Text search of the product list, compared with a plain Python reference on every backend.

On PostgreSQL a term with a trigram is split into arms (product columns, variant SKUs) that
the list, the counts and "select all" query separately; shorter terms stay one condition.
Both shapes must give exactly what the reference gives, page by page.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import event, text

from core.catalog import listing_query, search
from core.catalog.listing_query import ProductFilter, SortField
from core.catalog.schemas import VariantIn
from core.catalog.search import can_use_sqlite_index, can_use_trigram_index, like_pattern
from core.db import is_sqlite
from core.models import Product, ProductState, Variant
from tests.core.catalog.conftest import create, sample_product
from tests.core.catalog.test_listing_query import all_pages

WHERE = ("all", "title", "sku", "source_url")

TERMS = [
    "100%",  # % and _ are literal, also in the trigram path
    "0%",
    "%",
    "_",
    "e_c",
    "\\",
    "k\\s",
    "连衣裙",  # Chinese: a trigram of ideographs, and shorter terms
    "裙",
    "夏季",
    "COTTON",  # case is ignored, in titles and SKUs
    "Dress",
    "xl",
    "x",
    "RED",
    "red-XL",
    "777",
    "1688",
    "cn-1",
    "DR-2",
    "ht-3-red",
    "zzz",
    "a b",
    '"dress',  # quotes and FTS5 syntax are text too (SQLite's trigram index)
    'say "hi"',
    "dress OR hat",
    "{title}",
    "PC-*",
]

# (parent SKU, title, source URL, variant SKUs, in a store?)
PRODUCTS = [
    ("CN-1", "纯棉连衣裙 夏季新款", None, ["CN-1-RED", "CN-1-BLUE"], False),
    ("DR-2", "Cotton dress", "https://detail.1688.com/offer/777.html", ["DR-2-xl"], True),
    ("HT-3", "Summer hat", "https://shop.example.com/hat", ["HT-3-Red-XL", "HT-3-b"], True),
    ("PC-4", "Cotton 100% pure", "https://shop.example.com/p?a=1", ["PC-4-1"], False),
    ("PC-5", "Cotton 1000 pure", None, ["PC-5-1"], True),
    ("SN-6", "snake_case name", "https://shop.example.com/snake", ["SN-6-1"], False),
    ("SN-7", "snakeXcase name", None, ["SN-7-1"], False),
    ("BS-8", "back\\slash", None, ["BS-8-1"], True),
    ("RED-9", "Plain mug", "https://red.example.com/mug", ["MUG-XL"], False),
    ("V-10", "No match here", None, ["V-10-cotton", "V-10-DRESS"], True),
    ("V-11", "Red dress cotton", "https://shop.example.com/777", ["V-11-red-xl"], True),
    ("Q-12", 'Mug "say "hi"" edition', None, ["Q-12-1"], False),
]


@dataclass
class Row:
    id: int
    state: ProductState
    fields: dict[str, list[str]]


def fields_of(parent_sku: str, title: str, url: str | None, skus: list[str]) -> dict:
    return {"title": [title], "sku": [parent_sku, *skus], "source_url": [url] if url else []}


def matches(row: Row, term: str, where: str) -> bool:
    fields = WHERE[1:] if where == "all" else (where,)
    return any(term.lower() in value.lower() for f in fields for value in row.fields[f])


async def make_products(sessions, seller) -> list[Row]:
    rows = []
    for parent_sku, title, url, skus, in_store in PRODUCTS:
        product = await create(
            sessions,
            seller.actor,
            sample_product(
                parent_sku,
                title=title,
                source_url=url,
                variants=[VariantIn(sku=sku) for sku in skus],
                store_id=seller.store_ids[0] if in_store else None,
            ),
        )
        rows.append(Row(product.id, product.state, fields_of(parent_sku, title, url, skus)))
    return rows


@pytest.mark.parametrize("few_matches", [None, 1], ids=["index", "many-matches-scan"])
async def test_search_finds_what_the_reference_finds(
    sessions, seller, other, few_matches, monkeypatch
) -> None:
    if few_matches is not None:
        # On SQLite, terms with more matches than this are scanned in page order instead.
        monkeypatch.setattr(search, "SQLITE_FEW_MATCHES", few_matches)
    rows = await make_products(sessions, seller)
    await make_products(sessions, other)  # same texts in another account: never found
    orders = {
        (sort, descending): await all_pages(
            sessions, seller.actor, None, sort=sort, descending=descending, limit=500
        )
        for sort, descending in ((SortField.UPDATED_AT, True), (SortField.TITLE, False))
    }
    for term in TERMS:
        for where in WHERE:
            wanted = ProductFilter(search=term, search_in=where)
            expected = {row.id for row in rows if matches(row, term, where)}
            case = (term, where)
            async with sessions() as session:
                found = await listing_query.matching_ids(session, seller.actor, wanted)
                counts = await listing_query.count_by_state(session, seller.actor, wanted)
                chunks = [
                    chunk
                    async for chunk in listing_query.iter_matching_ids(
                        session, seller.actor, wanted, chunk_size=2
                    )
                ]
            assert found == sorted(expected), case
            assert [i for chunk in chunks for i in chunk] == sorted(expected), case
            assert counts == {
                state: sum(1 for row in rows if row.id in expected and row.state == state)
                for state in ProductState
            }, case
            for (sort, descending), order in orders.items():
                pages = await all_pages(
                    sessions, seller.actor, wanted, sort=sort, descending=descending, limit=2
                )
                assert pages == [i for i in order if i in expected], (*case, sort)


def test_the_data_exercises_both_arms_and_both_query_shapes() -> None:
    rows = {p[0]: Row(0, ProductState.DRAFT, fields_of(*p[:4])) for p in PRODUCTS}
    # Found through a variant SKU only, through the product only, through both.
    assert matches(rows["V-10"], "cotton", "sku") and not matches(rows["V-10"], "cotton", "title")
    assert matches(rows["DR-2"], "dress", "title") and not matches(rows["DR-2"], "dress", "sku")
    assert matches(rows["V-11"], "red", "title") and matches(rows["V-11"], "red", "sku")
    # Terms on both sides of the trigram threshold (PostgreSQL splits only the former).
    assert {can_use_trigram_index("postgresql", term) for term in TERMS} == {True, False}
    assert can_use_trigram_index("postgresql", "连衣裙")
    assert not can_use_trigram_index("postgresql", "夏季")
    assert not can_use_trigram_index("postgresql", "a_b")
    assert not can_use_trigram_index("sqlite", "cotton")
    # SQLite's trigram index takes any three characters; shorter terms are a LIKE scan.
    assert {can_use_sqlite_index("sqlite", term) for term in TERMS} == {True, False}
    assert can_use_sqlite_index("sqlite", "a_b") and not can_use_sqlite_index("sqlite", "夏季")
    assert not can_use_sqlite_index("postgresql", "cotton")
    assert like_pattern("1_0%\\") == "%1\\_0\\%\\\\%"


async def test_search_uses_the_trigram_indexes_on_postgresql(
    sessions, seller, engine, database_url
) -> None:
    if is_sqlite(database_url):
        pytest.skip(reason="trigram indexes exist on PostgreSQL only")
    template = await create(sessions, seller.actor, sample_product("TPL"))
    product_columns = [c.name for c in Product.__table__.columns if c.name != "id"]
    variant_columns = [c.name for c in Variant.__table__.columns if c.name != "id"]
    filler = {"title": "'filler ' || g", "parent_sku": "'F' || g"}
    async with engine.begin() as conn:
        # Enough rows that reading an index beats reading the table.
        await conn.execute(
            text(
                f"INSERT INTO product ({', '.join(product_columns)}) SELECT "
                + ", ".join(filler.get(c, c) for c in product_columns)
                + " FROM product, generate_series(1, 50000) AS g WHERE id = :template"
            ),
            {"template": template.id},
        )
        copied = {"product_id": "p.id", "sku": "p.parent_sku || '-1'", "store_id": "p.store_id"}
        await conn.execute(
            text(
                f"INSERT INTO variant ({', '.join(variant_columns)}) SELECT "
                + ", ".join(copied.get(c, f"v.{c}") for c in variant_columns)
                + " FROM product p JOIN variant v ON v.product_id = :template"
                " AND v.sku = 'TPL-R-M' WHERE p.title LIKE 'filler %'"
            ),
            {"template": template.id},
        )
    async with engine.connect() as conn:
        # As autovacuum would: statistics, and the GIN pending lists merged into the indexes.
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE product"))
        await conn.execute(text("VACUUM ANALYZE variant"))

    statements: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if "ILIKE" in statement:
            statements.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        wanted = ProductFilter(search="F1234-1")
        async with sessions() as session:
            page = await listing_query.list_products(session, seller.actor, wanted)
            counts = await listing_query.count_by_state(session, seller.actor, wanted)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert len(page.items) == 1 and sum(counts.values()) == 1
    assert len(statements) == 2
    async with engine.connect() as conn:
        # At this size reading the table is still cheaper than the indexes; what is checked
        # is that the statements let the planner use them (bench/catalog_list.py checks the
        # planner's own choice at 100,000 products).
        await conn.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in statements:
            plan = "\n".join(
                line for (line,) in await conn.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            )
            for index in ("ix_product_title_trgm", "ix_product_parent_sku_trgm",
                          "ix_product_source_url_trgm", "ix_variant_sku_trgm"):  # fmt: skip
                assert index in plan, (index, plan)


async def test_searches_are_planned_for_their_term_within_their_transaction_only(
    sessions, seller, database_url
) -> None:
    if is_sqlite(database_url):
        pytest.skip(reason="plan_cache_mode is PostgreSQL's")
    setting = text("SELECT current_setting('plan_cache_mode')")
    async with sessions() as session:
        usual = (await session.exec(setting)).one()[0]
        await session.commit()
        await listing_query.list_products(session, seller.actor, ProductFilter(search="42"))
        assert (await session.exec(setting)).one()[0] == "force_custom_plan" != usual
        await session.commit()
        # SET LOCAL: the pooled connection's next transaction plans as usual.
        assert (await session.exec(setting)).one()[0] == usual


async def test_sqlite_searches_its_trigram_index_kept_by_triggers(
    sessions, seller, engine, database_url
) -> None:
    if not is_sqlite(database_url):
        pytest.skip(reason="the FTS5 index is SQLite's")
    rows = await make_products(sessions, seller)
    by_sku = {row.fields["sku"][0]: row.id for row in rows}

    async def found(term: str, where: str = "all") -> list[int]:
        async with sessions() as session:
            wanted = ProductFilter(search=term, search_in=where)
            return await listing_query.matching_ids(session, seller.actor, wanted)

    statements: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        assert await found("Summer") == [by_sku["HT-3"]]
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    searched = [s for s in statements if "MATCH" in s]
    assert searched and all("LIKE" not in s for s in searched)
    async with engine.connect() as conn:
        plan = " ".join(
            str(row[-1])
            for row in await conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT rowid FROM product_search WHERE product_search "
                "MATCH '{title} : \"summer\"'"
            )
        )
    assert "VIRTUAL TABLE INDEX" in plan, plan

    # Writes of every kind reach the index: the ORM, bulk SQL, deletes (variants too).
    async with engine.begin() as conn:
        await conn.exec_driver_sql(
            "UPDATE product SET title = 'Winter cap' WHERE id = ?", (by_sku["HT-3"],)
        )
        await conn.exec_driver_sql("UPDATE variant SET sku = 'PC-4-gold' WHERE sku = 'PC-4-1'")
        await conn.exec_driver_sql("DELETE FROM variant WHERE sku = 'V-10-cotton'")
    assert await found("Summer") == []
    assert await found("winter CAP") == [by_sku["HT-3"]]
    assert await found("gold", "sku") == [by_sku["PC-4"]]
    assert by_sku["V-10"] not in await found("cotton", "sku")
    async with sessions() as session:
        product = await session.get(Product, by_sku["SN-7"])
        assert product is not None
        await session.delete(product)
        await session.commit()
    assert await found("snakeXcase") == []
