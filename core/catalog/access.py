"""Scoped loading of catalog rows: every lookup is by account, and hidden stores answer 404.

Another account's id and a store a staff member may not see both raise
:class:`~core.errors.NotFound` (never a 403 that confirms the row exists).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, false, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Access, Actor, Area
from core.errors import NotFound
from core.i18n import Message, msg
from core.models.catalog import Product
from core.models.stores import Store


def require_read(actor: Actor) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may see products."""
    actor.require(Area.PRODUCTS, Access.READ)


def require_write(actor: Actor) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may change products."""
    actor.require(Area.PRODUCTS, Access.WRITE)


def visible_products(actor: Actor) -> ColumnElement[bool]:
    """WHERE clause: the account's products in stores the actor may see (and the box)."""
    clause: ColumnElement[bool] = col(Product.account_id) == actor.account_id
    if actor.store_ids is not None:
        store_ids = sorted(actor.store_ids)
        in_stores = col(Product.store_id).in_(store_ids) if store_ids else false()
        return clause & or_(col(Product.store_id).is_(None), in_stores)
    return clause


def store_not_found(store_id: int) -> Message:
    """Why a store id is refused: it is not one of the account's visible stores."""
    return msg("store %(id)s not found", id=store_id)


async def load_product(
    session: AsyncSession, actor: Actor, product_id: int, *, for_update: bool = False
) -> Product:
    """The product ``product_id`` of the actor's account.

    Args:
        session: the caller's session.
        actor: who asks.
        product_id: the product.
        for_update: lock the row (PostgreSQL ``FOR UPDATE``) for a state change.

    Raises:
        NotFound: no such product in the account, or in a store the actor may not see.
    """
    statement = select(Product).where(
        col(Product.id) == product_id, col(Product.account_id) == actor.account_id
    )
    if for_update:
        statement = statement.with_for_update()
    product = (await session.exec(statement)).one_or_none()
    if product is None:
        raise NotFound(msg("product %(id)s not found", id=product_id))
    actor.require_store(product.store_id)
    return product


async def load_products(
    session: AsyncSession, actor: Actor, product_ids: Iterable[int], *, for_update: bool = False
) -> dict[int, Product]:
    """The visible products among ``product_ids`` by id; unknown or hidden ids are left out."""
    wanted = sorted(set(product_ids))
    found: dict[int, Product] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        statement = select(Product).where(
            visible_products(actor),
            col(Product.id).in_(chunk),
        )
        if for_update:
            statement = statement.with_for_update()
        for product in await session.exec(statement):
            assert product.id is not None
            found[product.id] = product
    return found


async def load_store(session: AsyncSession, actor: Actor, store_id: int) -> Store:
    """The store ``store_id`` of the actor's account.

    Raises:
        NotFound: no such store in the account, or one the actor may not see.
    """
    actor.require_store(store_id)
    store = (
        await session.exec(
            select(Store).where(Store.id == store_id, col(Store.account_id) == actor.account_id)
        )
    ).one_or_none()
    if store is None:
        raise NotFound(store_not_found(store_id))
    return store


async def load_stores(
    session: AsyncSession, actor: Actor, store_ids: Sequence[int]
) -> dict[int, Store]:
    """The visible stores among ``store_ids`` by id; unknown or hidden ids are left out."""
    wanted = [store_id for store_id in set(store_ids) if actor.can_see_store(store_id)]
    if not wanted:
        return {}
    rows = await session.exec(
        select(Store).where(
            col(Store.account_id) == actor.account_id,
            col(Store.id).in_(wanted),
        )
    )
    return {store.id: store for store in rows if store.id is not None}


def rowcount(result: Any) -> int:
    """Rows touched by a Core ``UPDATE``/``DELETE`` result (0 when the driver cannot tell)."""
    count = getattr(result, "rowcount", 0)
    return int(count) if count and count > 0 else 0
