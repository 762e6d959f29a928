"""The product list: filters, sort, keyset pagination, counts per state tab, select-all.

Pages are cut by keyset (``(sort value, id)`` strictly after the last row of the previous
page), which the ``(account_id[, state], updated_at|created_at)`` indexes serve directly, so
page 2,000 costs what page 1 costs at 100,000 products. The cursor is opaque to callers.
Sorting by title uses ``(account_id, title)``.

Text search (:mod:`core.catalog.search`) may come as several arms (on PostgreSQL: product
columns, variant SKUs), each able to use its trigram indexes only when queried alone. A page
then takes the first rows of each arm in the page's order and keeps the first of those (the
rows of a page are among the first rows of some arm); the counts add up disjoint arms (a row
of a later arm is counted there only when no earlier arm holds). See ``docs/benchmarks.md``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import (
    ColumnElement,
    RowMapping,
    Table,
    bindparam,
    func,
    or_,
    true,
    tuple_,
    union_all,
)
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Actor
from core.catalog import tally
from core.catalog.access import load_products, require_read, visible_products
from core.catalog.categories import subtree_ids
from core.catalog.search import (
    SearchField,
    can_use_sqlite_index,
    plan_for_the_actual_term,
    search_arms,
    sqlite_index_matches,
)
from core.errors import RuleViolation
from core.i18n import msg
from core.models.catalog import Product, ProductCategory, ProductState, Variant
from core.models.images import ImageRole, ProductImage
from core.models.stores import Store

MAX_PAGE_SIZE = 500
_PRODUCT_TABLE: Table = Product.metadata.tables["product"]


class SortField(StrEnum):
    """What the list can be sorted by."""

    UPDATED_AT = "updated_at"
    CREATED_AT = "created_at"
    TITLE = "title"


class ProductFilter(BaseModel):
    """Which products a list, a count, an export or a batch works on (all optional)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    state: ProductState | None = None
    platform: str | None = None
    store_id: int | None = None
    category_id: int | None = Field(default=None, description="Includes its subcategories.")
    search: str | None = Field(default=None, description="Text to find (ignoring case).")
    search_in: SearchField = Field(
        default="all",
        description="Where to search: title, SKU (parent and variant SKUs), source URL, or all.",
    )
    price_min: Decimal | None = Field(default=None, ge=0)
    price_max: Decimal | None = Field(default=None, ge=0)
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None
    has_problems: bool | None = None
    is_updating: bool | None = None


class ProductSummary(BaseModel):
    """One row of the product list."""

    id: int
    store_id: int | None
    state: ProductState
    parent_sku: str | None
    title: str
    source_url: str | None
    main_image_url: str | None
    main_image_id: int | None
    price_min: Decimal | None
    price_max: Decimal | None
    currency: str | None
    inventory: int
    variant_count: int
    is_updating: bool
    has_problems: bool
    publish_error: str | None
    update_error: str | None
    created_at: datetime
    updated_at: datetime


class ProductPage(BaseModel):
    """One page of the list and the cursor of the next (``None`` on the last page)."""

    items: list[ProductSummary]
    next_cursor: str | None


@dataclass(frozen=True)
class _Conditions:
    """What a filter asks for: plain WHERE clauses, and the text search as alternatives.

    ``ordered_arms`` are the same alternatives shaped for taking first rows in an order
    (see :func:`core.catalog.search.search_arms`).
    """

    filters: list[ColumnElement[bool]]
    search_arms: list[ColumnElement[bool]]
    ordered_arms: list[ColumnElement[bool]]

    def clauses(self) -> list[ColumnElement[bool]]:
        """All of it as WHERE clauses (the search as one OR)."""
        return [*self.filters, or_(*self.search_arms)] if self.search_arms else self.filters


async def filter_clauses(
    session: AsyncSession, actor: Actor, wanted: ProductFilter
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of ``wanted`` for the actor (account and visible stores included).

    A text search is one OR-ed clause here; the list, the counts and :func:`iter_matching_ids`
    split it so that PostgreSQL can use its trigram indexes.
    """
    return (await _conditions(session, actor, wanted)).clauses()


async def _conditions(session: AsyncSession, actor: Actor, wanted: ProductFilter) -> _Conditions:
    clauses: list[ColumnElement[bool]] = [visible_products(actor)]
    if wanted.state is not None:
        clauses.append(col(Product.state) == wanted.state)
    if wanted.store_id is not None:
        clauses.append(col(Product.store_id) == wanted.store_id)
    if wanted.platform:
        stores = select(Store.id).where(
            col(Store.account_id) == actor.account_id, col(Store.platform) == wanted.platform
        )
        clauses.append(col(Product.store_id).in_(stores))
    if wanted.category_id is not None:
        ids = await subtree_ids(session, actor.account_id, wanted.category_id)
        filed = select(ProductCategory.product_id).where(
            col(ProductCategory.account_id) == actor.account_id,
            col(ProductCategory.category_id).in_(ids),
        )
        clauses.append(col(Product.id).in_(filed))
    clauses.extend(_price_and_time_clauses(actor, wanted))
    if wanted.has_problems is not None:
        problems = or_(
            col(Product.publish_error).is_not(None),
            col(Product.update_error).is_not(None),
            col(Product.problem_count) > 0,
        )
        clauses.append(problems if wanted.has_problems else ~problems)
    if wanted.is_updating is not None:
        clauses.append(col(Product.is_updating) == wanted.is_updating)
    if not wanted.search:
        return _Conditions(filters=clauses, search_arms=[], ordered_arms=[])
    await plan_for_the_actual_term(session)
    dialect = session.bind.dialect.name if session.bind is not None else ""
    term, where = wanted.search, wanted.search_in
    if can_use_sqlite_index(dialect, term):
        found = await sqlite_index_matches(session, actor.account_id, term, where)
        if found is not None:  # a few matches: the rows by id; many: scan in page order
            return _Conditions(filters=clauses, search_arms=[found], ordered_arms=[found])
    return _Conditions(
        filters=clauses,
        search_arms=search_arms(dialect, actor.account_id, term, where),
        ordered_arms=search_arms(dialect, actor.account_id, term, where, ordered=True),
    )


def _first_rows(
    conditions: _Conditions,
    extra: list[ColumnElement[bool]],
    order: tuple[Any, ...],
    limit: int,
) -> list[ColumnElement[bool]]:
    """WHERE clauses for the first ``limit`` matching rows in ``order`` (with ``extra``).

    With several search arms: the product is among the first ``limit`` rows of one of them.
    """
    if len(conditions.ordered_arms) < 2:
        return [*conditions.clauses(), *extra]
    firsts = [
        select(col(Product.id))
        .where(*conditions.filters, *extra, arm)
        .order_by(*order)
        .limit(limit)
        for arm in conditions.ordered_arms
    ]
    return [col(Product.id).in_(union_all(*firsts))]


def _price_and_time_clauses(actor: Actor, wanted: ProductFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if wanted.price_min is not None or wanted.price_max is not None:
        bounds = [col(Variant.account_id) == actor.account_id]
        if wanted.price_min is not None:
            bounds.append(col(Variant.price) >= wanted.price_min)
        if wanted.price_max is not None:
            bounds.append(col(Variant.price) <= wanted.price_max)
        clauses.append(col(Product.id).in_(select(Variant.product_id).where(*bounds)))
    for column, low, high in (
        (Product.created_at, wanted.created_from, wanted.created_to),
        (Product.updated_at, wanted.updated_from, wanted.updated_to),
    ):
        if low is not None:
            clauses.append(col(column) >= low)
        if high is not None:
            clauses.append(col(column) < high)
    return clauses


def _encode_cursor(value: Any, product_id: int) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, product_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: SortField) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, product_id = json.loads(base64.urlsafe_b64decode(padded))
        if sort is not SortField.TITLE:
            value = datetime.fromisoformat(value)
        return value, int(product_id)
    except (ValueError, TypeError) as exc:
        raise RuleViolation(msg("the page cursor is not valid; start from the first page")) from exc


async def list_products(
    session: AsyncSession,
    actor: Actor,
    wanted: ProductFilter | None = None,
    *,
    sort: SortField = SortField.UPDATED_AT,
    descending: bool = True,
    cursor: str | None = None,
    limit: int = 50,
) -> ProductPage:
    """One page of the products matching ``wanted``.

    Args:
        session: the caller's session.
        actor: who asks (account and visible stores).
        wanted: the filter (``None``: all products).
        sort: the sort column; ties are broken by id in the same direction.
        descending: newest (or Z) first.
        cursor: ``next_cursor`` of the previous page; ``None`` for the first page.
        limit: rows per page (1 to 500).
    """
    require_read(actor)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    sort_column = col(getattr(Product, sort.value))
    id_column = col(Product.id)
    conditions = await _conditions(session, actor, wanted or ProductFilter())
    after: list[ColumnElement[bool]] = []
    if cursor:
        value, last_id = _decode_cursor(cursor, sort)
        key = tuple_(sort_column, id_column)
        bound = tuple_(
            bindparam(None, value, type_=_PRODUCT_TABLE.c[sort.value].type),
            bindparam(None, last_id, type_=_PRODUCT_TABLE.c.id.type),
        )
        after.append(key < bound if descending else key > bound)
    order = (sort_column.desc(), id_column.desc()) if descending else (sort_column, id_column)
    # Only the columns a row shows (descriptions, tags and platform data can be large), the
    # page first, then per row its price range, stock and main picture: one statement.
    page = (
        sa_select(*_ROW_COLUMNS)
        .where(*_first_rows(conditions, after, order, limit + 1))
        .order_by(*order)
        .limit(limit + 1)
        .subquery("page")
    )
    keys = (page.c[sort.value], page.c.id)
    statement = sa_select(*page.c, *_row_extras(page.c.id)).order_by(
        *((key.desc() for key in keys) if descending else keys)
    )
    connection = await session.connection()
    rows = [row._mapping for row in (await connection.execute(statement)).all()]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = _encode_cursor(last[sort.value], last["id"])
    return ProductPage(items=[_summary(row) for row in rows], next_cursor=next_cursor)


_ROW_COLUMNS = tuple(
    _PRODUCT_TABLE.c[name]
    for name in (
        "id",
        "store_id",
        "state",
        "parent_sku",
        "title",
        "source_url",
        "is_updating",
        "publish_error",
        "update_error",
        "problem_count",
        "created_at",
        "updated_at",
    )
)
_VARIANT_TABLE: Table = Variant.metadata.tables["variant"]
_IMAGE_TABLE: Table = ProductImage.metadata.tables["product_image"]


def _row_extras(product_id: ColumnElement[int]) -> list[Any]:
    """Per product row: price range, currency, stock, variant count and main picture.

    Correlated subqueries, so that they run for the rows of the page only.
    """
    variant = _VARIANT_TABLE
    image = _IMAGE_TABLE

    def of_variants(expression: Any, name: str) -> Any:
        return (
            sa_select(expression)
            .where(variant.c.product_id == product_id)
            .scalar_subquery()
            .label(name)
        )

    def of_main_image(expression: Any, name: str) -> Any:
        return (
            sa_select(expression)
            .where(image.c.product_id == product_id, image.c.role == ImageRole.MAIN)
            .order_by(image.c.position, image.c.id)
            .limit(1)
            .scalar_subquery()
            .label(name)
        )

    return [
        of_variants(func.min(variant.c.price), "price_min"),
        of_variants(func.max(variant.c.price), "price_max"),
        of_variants(func.min(variant.c.currency), "currency"),
        of_variants(func.sum(variant.c.inventory), "inventory"),
        of_variants(func.count(), "variant_count"),
        of_main_image(
            func.coalesce(func.nullif(image.c.platform_url, ""), image.c.external_url),
            "main_image_url",
        ),
        of_main_image(image.c.image_id, "main_image_id"),
    ]


def _summary(row: RowMapping) -> ProductSummary:
    """The list row of one page row (:data:`_ROW_COLUMNS` and :func:`_row_extras`)."""
    low, high = row["price_min"], row["price_max"]
    return ProductSummary(
        id=row["id"],
        store_id=row["store_id"],
        state=row["state"],
        parent_sku=row["parent_sku"],
        title=row["title"],
        source_url=row["source_url"],
        main_image_url=row["main_image_url"],
        main_image_id=row["main_image_id"],
        price_min=Decimal(low) if low is not None else None,
        price_max=Decimal(high) if high is not None else None,
        currency=row["currency"],
        inventory=int(row["inventory"] or 0),
        variant_count=int(row["variant_count"] or 0),
        is_updating=row["is_updating"],
        has_problems=bool(row["publish_error"] or row["update_error"] or row["problem_count"]),
        publish_error=row["publish_error"],
        update_error=row["update_error"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


_TALLY_FILTERS = frozenset({"state", "store_id", "platform", "search_in"})


def _tally_answers(wanted: ProductFilter) -> bool:
    """Whether ``wanted`` filters on nothing but what the tally knows (state, store, platform).

    ``search_in`` alone filters nothing; a field added to the filter later is counted on the
    products until it is listed here.
    """
    return all(
        getattr(wanted, name) in (None, "")
        for name in ProductFilter.model_fields
        if name not in _TALLY_FILTERS
    )


async def count_by_state(
    session: AsyncSession, actor: Actor, wanted: ProductFilter | None = None
) -> dict[ProductState, int]:
    """How many products each state tab holds under ``wanted`` (its ``state`` is ignored).

    Without filters other than store and platform the counts come from the tally the
    database keeps (:mod:`core.catalog.tally`); with any other filter they are counted.
    """
    require_read(actor)
    base = (wanted or ProductFilter()).model_copy(update={"state": None})
    if _tally_answers(base):
        return await tally.state_counts(
            session, actor, store_id=base.store_id, platform=base.platform or None
        )
    conditions = await _conditions(session, actor, base)
    state_column = col(Product.state)
    if len(conditions.search_arms) < 2:
        statement = select(state_column, func.count()).where(*conditions.clauses())
    else:
        # Disjoint arms: a row of a later arm counts only when no earlier arm holds for it.
        arms = conditions.search_arms
        matching = union_all(
            *(
                select(state_column).where(
                    *conditions.filters, arm, *(earlier.is_not(true()) for earlier in arms[:n])
                )
                for n, arm in enumerate(arms)
            )
        ).subquery()
        statement = select(matching.c.state, func.count()).select_from(matching)
    rows = await session.exec(statement.group_by(statement.selected_columns[0]))
    counts = dict.fromkeys(ProductState, 0)
    for state, count in rows.all():
        counts[ProductState(state)] = int(count)
    return counts


async def iter_matching_ids(
    session: AsyncSession,
    actor: Actor,
    wanted: ProductFilter | None = None,
    *,
    chunk_size: int = 1000,
) -> AsyncIterator[list[int]]:
    """Every matching product id, in id order, ``chunk_size`` at a time ("select all")."""
    require_read(actor)
    conditions = await _conditions(session, actor, wanted or ProductFilter())
    id_column = col(Product.id)
    last = 0
    while True:
        where = _first_rows(conditions, [id_column > last], (id_column,), chunk_size)
        chunk = list(
            (
                await session.exec(
                    select(id_column).where(*where).order_by(id_column).limit(chunk_size)
                )
            ).all()
        )
        ids = [i for i in chunk if i is not None]
        if not ids:
            return
        yield ids
        last = ids[-1]


async def matching_ids(
    session: AsyncSession, actor: Actor, wanted: ProductFilter | None = None
) -> list[int]:
    """All matching product ids (for batches of at most a few hundred thousand)."""
    found: list[int] = []
    async for chunk in iter_matching_ids(session, actor, wanted):
        found.extend(chunk)
    return found


class Selection(BaseModel):
    """Which products a batch works on: ``product_ids``, or ``filter`` with ``all_matching``."""

    model_config = ConfigDict(extra="forbid")

    product_ids: list[int] | None = None
    filter: ProductFilter | None = None
    all_matching: bool = False

    @model_validator(mode="after")
    def _one_way(self) -> Selection:
        if (self.product_ids is None) == (self.filter is None):
            raise ValueError("select products either by product_ids or by a filter")
        if self.filter is not None and not self.all_matching:
            raise ValueError("a filter selection needs all_matching = true")
        return self


async def selected_ids(session: AsyncSession, actor: Actor, selection: Selection) -> list[int]:
    """The visible product ids of ``selection``, in the given order (or id order)."""
    if selection.product_ids is not None:
        wanted = list(dict.fromkeys(selection.product_ids))
        found = await load_products(session, actor, wanted)
        return [product_id for product_id in wanted if product_id in found]
    return await matching_ids(session, actor, selection.filter)
