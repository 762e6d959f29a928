r"""Text search of the product list: which columns a term is looked for in, and how.

A product matches when its title, parent SKU or source URL, or the SKU of one of its
variants, contains the term, ignoring case (``search_in`` narrows the fields). The term is
literal: ``%``, ``_`` and ``\`` in it match themselves.

On SQLite, a term of three characters or more is first looked up in the FTS5 trigram index
(:mod:`core.models.search_index`): up to :data:`SQLITE_FEW_MATCHES` matching products, the
search is ``product.id IN (those ids)``; with more, the term filters little, and one
``LIKE '%…%'`` condition per column, OR-ed, read in page order, fills a page sooner. Shorter
terms are always the ``LIKE`` scan.

On PostgreSQL the columns have GIN trigram indexes
(``pg_trgm``, see migration ``0007_catalog_search_trigram``), which ``ILIKE '%…%'`` can use
when the term holds at least one trigram (three letters or digits in a row). A condition on
variant SKUs (a subquery) OR-ed with conditions on product columns defeats them: the planner
can only filter row by row. So for such terms the search is split into **arms**, one on
product columns and one on variant SKUs, which the list, the counts and "select all" query
separately (each arm on its own index) and combine (see :mod:`core.catalog.listing_query`).
A shorter term cannot use a trigram index; it stays one OR-ed condition, like on SQLite.
Each search is planned for its own term (:func:`plan_for_the_actual_term`).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from sqlalchemy import ColumnElement, any_, column, func, literal_column, or_, table, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models.catalog import Product, Variant

SearchField = Literal["all", "title", "sku", "source_url"]
"""Where to search: everywhere, the title, the SKUs (parent and variants), the source URL."""

_TRIGRAM = re.compile(r"[^\W_]{3}")


def like_pattern(term: str) -> str:
    """``%term%`` for LIKE with a backslash as the escape character, the term taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(dialect: str, column: Any, term: str) -> ColumnElement[bool]:
    """``column`` contains ``term``, ignoring case.

    SQLite's LIKE already ignores ASCII case, and ``ilike`` there would wrap both sides in
    ``lower()`` for every row; PostgreSQL needs ILIKE (which its trigram indexes serve).
    """
    pattern = like_pattern(term)
    if dialect == "sqlite":
        return col(column).like(pattern, escape="\\")
    return col(column).ilike(pattern, escape="\\")


def can_use_trigram_index(dialect: str, term: str) -> bool:
    """Whether ``ILIKE '%term%'`` can use a trigram index on this database.

    pg_trgm takes trigrams from runs of letters and digits; a pattern whose runs are all
    shorter than three yields none, and the index would be read whole. Its letters are those
    of the database's LC_CTYPE: under plain ``C`` Chinese characters are none, so Chinese
    terms read the index whole (found all the same, only slower; the README asks for a UTF-8
    LC_CTYPE).
    """
    return dialect == "postgresql" and _TRIGRAM.search(term) is not None


async def plan_for_the_actual_term(session: AsyncSession) -> None:
    """On PostgreSQL, plan the rest of the session's transaction for its actual values.

    Our statements are prepared, with the pattern as a parameter. After five runs PostgreSQL
    may switch to a generic plan, made without knowing the pattern: it then reads a trigram
    index even for a term without a trigram (the whole index, then every row), and it cannot
    tell a term found in one product from one found in all. A search statement is cheap to
    plan, so each is planned for its own term.
    """
    bind = session.bind
    if bind is None or bind.dialect.name != "postgresql":
        return
    if (bind.dialect.server_version_info or (0,)) < (12,):
        return  # no plan_cache_mode before PostgreSQL 12
    connection = await session.connection()
    await connection.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def search_arms(
    dialect: str, account_id: int, term: str, where: SearchField, *, ordered: bool = False
) -> list[ColumnElement[bool]]:
    """The search as alternatives: a product matches when any of them holds.

    One condition on SQLite and for terms without a trigram; on PostgreSQL, with a trigram,
    one condition for the product's own columns and one for its variants' SKUs (each served
    by its own indexes when queried on its own).

    Args:
        dialect: the database's dialect name.
        account_id: whose variants to search.
        term: the text to find.
        where: the fields to search.
        ordered: the arms will be queried for their first rows in some order (a page, a
            chunk). The SKU arm is then an array of product ids computed first (from the
            trigram index), then fetched by id. As a plain subquery, the planner would walk the
            products in page order probing each one's variants, betting on matches spread
            evenly; SKUs made together sit together, and such a walk can read every product.
    """
    on_product: list[ColumnElement[bool]] = []
    if where in ("all", "title"):
        on_product.append(contains(dialect, Product.title, term))
    if where in ("all", "sku"):
        on_product.append(contains(dialect, Product.parent_sku, term))
    if where in ("all", "source_url"):
        on_product.append(contains(dialect, Product.source_url, term))
    arms = [or_(*on_product)]
    if where not in ("all", "sku"):
        return arms
    # Variant SKUs are searched once for the account (an IN subquery), not per product.
    skus = select(Variant.product_id).where(
        col(Variant.account_id) == account_id, contains(dialect, Variant.sku, term)
    )
    if not can_use_trigram_index(dialect, term):
        return [or_(*arms, col(Product.id).in_(skus))]
    if ordered:
        return [*arms, col(Product.id) == any_(func.array(skus.scalar_subquery()))]
    return [*arms, col(Product.id).in_(skus)]


_PRODUCT_SEARCH = table("product_search", column("rowid"))
_VARIANT_SEARCH = table("variant_search", column("rowid"))
_FTS_COLUMNS: dict[str, tuple[str, ...]] = {
    "all": ("title", "parent_sku", "source_url"),
    "title": ("title",),
    "sku": ("parent_sku",),
    "source_url": ("source_url",),
}


def can_use_sqlite_index(dialect: str, term: str) -> bool:
    """Whether SQLite's trigram index (:mod:`core.models.search_index`) can find ``term``.

    A trigram phrase finds the rows holding the text; a term of one or two characters has
    no trigram and is looked for with LIKE.
    """
    return dialect == "sqlite" and len(term) >= 3


def _fts_query(columns: tuple[str, ...], term: str) -> str:
    """An FTS5 query for ``term`` as one phrase (the text itself, quotes doubled) in columns."""
    phrase = '"' + term.replace('"', '""') + '"'
    return "{" + " ".join(columns) + "} : " + phrase


SQLITE_FEW_MATCHES = 2000
"""Up to this many matches, SQLite's index answers a search as a list of product ids; with
more, the term filters little and the page is found faster by reading products in page
order and testing each (it stops after one page), which the list of ids cannot do."""


async def sqlite_index_matches(
    session: AsyncSession, account_id: int, term: str, where: SearchField
) -> ColumnElement[bool] | None:
    """The search as ``product.id IN (ids)`` from SQLite's trigram index, or ``None``.

    ``None`` when the term matches more than :data:`SQLITE_FEW_MATCHES` products or SKUs:
    the caller then searches with ``LIKE`` in page order (:func:`search_arms`).
    """
    connection = await session.connection()
    product_ids = (
        (
            await connection.execute(
                select(_PRODUCT_SEARCH.c.rowid)
                .where(
                    literal_column("product_search").op("MATCH")(
                        _fts_query(_FTS_COLUMNS[where], term)
                    )
                )
                .limit(SQLITE_FEW_MATCHES + 1)
            )
        )
        .scalars()
        .all()
    )
    if len(product_ids) > SQLITE_FEW_MATCHES:
        return None
    found = set(product_ids)
    if where in ("all", "sku"):
        variants = select(_VARIANT_SEARCH.c.rowid).where(
            literal_column("variant_search").op("MATCH")(_fts_query(("sku",), term))
        )
        owners = (
            (
                await connection.execute(
                    select(col(Variant.product_id))
                    .where(col(Variant.account_id) == account_id, col(Variant.id).in_(variants))
                    .limit(SQLITE_FEW_MATCHES + 1)
                )
            )
            .scalars()
            .all()
        )
        if len(owners) > SQLITE_FEW_MATCHES:
            return None
        found.update(owners)
    return col(Product.id).in_(sorted(found))
