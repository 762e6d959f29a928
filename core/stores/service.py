"""The store list, one store, and what the dashboard says about stores.

Every read is scoped to the actor's account and, for staff, to the stores they were given
(:attr:`~core.actor.Actor.store_ids`); another account's store, or one a staff member may not
see, is :class:`~core.errors.NotFound` (404), never "forbidden". Changing stores (authorize,
re-authorize, deauthorize) needs write access to :attr:`~core.actor.Area.STORES`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from core.actor import Access, Actor, Area
from core.errors import NotFound, RuleViolation
from core.i18n import msg
from core.models import Store, StoreStatus, SyncState, utcnow

EXPIRY_WARNING = timedelta(days=7)
"""A store whose refresh token (re-authorization) is due within this is shown as expiring."""
OVERDUE_REFRESH = timedelta(days=1)
"""An access token this close to expiry means the refresh job did not manage: expiring."""


@dataclass(frozen=True)
class StoreView:
    """A store as lists and pages show it (never its credentials).

    Attributes:
        id: Tradewind's store id.
        platform: the marketplace id (plugin id).
        shop_id: the platform's shop id.
        name: the shop name.
        status: the effective :class:`~core.models.StoreStatus` value
            (:func:`effective_status`).
        status_reason: why it is not active, when known.
        currency: the store's currency.
        credentials_expires_at: when the access token expires.
        refresh_expires_at: when re-authorization is due.
        authorized_at: the last (re-)authorization.
        last_sync_at: the last successful pull of orders or products.
        sync_errors: current sync errors as ``(stream, message)`` pairs.
        created_at: when the store was first authorized.
    """

    id: int
    platform: str
    shop_id: str
    name: str
    status: str
    status_reason: str | None
    currency: str
    credentials_expires_at: datetime | None
    refresh_expires_at: datetime | None
    authorized_at: datetime | None
    last_sync_at: datetime | None
    sync_errors: tuple[tuple[str, str], ...]
    created_at: datetime

    @property
    def errors(self) -> tuple[str, ...]:
        """The sync errors, one line each (``"orders: ..."``)."""
        return tuple(f"{stream}: {message}" for stream, message in self.sync_errors)

    @property
    def is_disabled(self) -> bool:
        """Deauthorized: its data is kept read-only and no job touches it."""
        return self.status == StoreStatus.DISABLED.value


def effective_status(store: Store, now: datetime | None = None) -> StoreStatus:
    """The status to show: the stored one, adjusted by the credentials' expiry dates.

    - disabled and needs-reauthorization stay as stored;
    - a refresh token that has expired (or an access token expired without a way to refresh
      it) means re-authorization is needed;
    - a refresh token expiring within :data:`EXPIRY_WARNING`, or an access token about to
      expire (the refresh is overdue), is "expiring".
    """
    now = now or utcnow()
    if store.status in (StoreStatus.DISABLED, StoreStatus.NEEDS_REAUTH):
        return store.status
    expires, refresh_expires = store.credentials_expires_at, store.refresh_expires_at
    if refresh_expires is not None and refresh_expires <= now:
        return StoreStatus.NEEDS_REAUTH
    if expires is not None and expires <= now and refresh_expires is None:
        return StoreStatus.NEEDS_REAUTH
    if refresh_expires is not None and refresh_expires <= now + EXPIRY_WARNING:
        return StoreStatus.EXPIRING
    if expires is not None and expires <= now + OVERDUE_REFRESH:
        return StoreStatus.EXPIRING
    return store.status


def _view(store: Store, syncs: Sequence[SyncState], now: datetime) -> StoreView:
    assert store.id is not None
    good = [s.last_good_pull_at for s in syncs if s.last_good_pull_at is not None]
    last_sync = max([*good, *([store.last_sync_at] if store.last_sync_at else [])], default=None)
    errors = tuple((s.stream.value, s.last_error) for s in syncs if s.last_error)
    return StoreView(
        id=store.id,
        platform=store.platform,
        shop_id=store.platform_shop_id,
        name=store.name,
        status=effective_status(store, now).value,
        status_reason=store.status_reason,
        currency=store.currency,
        credentials_expires_at=store.credentials_expires_at,
        refresh_expires_at=store.refresh_expires_at,
        authorized_at=store.authorized_at,
        last_sync_at=last_sync,
        sync_errors=errors,
        created_at=store.created_at,
    )


def _visible(actor: Actor) -> list[ColumnElement[bool]]:
    """WHERE clauses for the stores ``actor`` may see."""
    clauses = [col(Store.account_id) == actor.account_id]
    if actor.store_ids is not None:
        clauses.append(col(Store.id).in_(sorted(actor.store_ids)))
    return clauses


def visible_stores(actor: Actor) -> SelectOfScalar[Store]:
    """A query of the stores ``actor`` may see (add your own filters and order)."""
    return select(Store).where(*_visible(actor))


async def _views(session: AsyncSession, stores: Sequence[Store]) -> list[StoreView]:
    ids = [store.id for store in stores]
    syncs: dict[int, list[SyncState]] = {}
    if ids:
        rows = await session.exec(select(SyncState).where(col(SyncState.store_id).in_(ids)))
        for sync in rows:
            syncs.setdefault(sync.store_id, []).append(sync)
    now = utcnow()
    return [_view(store, syncs.get(store.id or 0, []), now) for store in stores]


async def store_view(session: AsyncSession, store: Store) -> StoreView:
    """The view of one store row (the caller has checked the actor may see it)."""
    return (await _views(session, [store]))[0]


def require_active(store: Store) -> None:
    """Refuse to change anything of a disabled (deauthorized) store: its data is read-only.

    Raises:
        RuleViolation: the store is disabled.
    """
    if store.status == StoreStatus.DISABLED:
        raise RuleViolation(
            msg(
                "Store %(name)s is deauthorized: its data is read-only until it is authorized "
                "again.",
                name=store.name,
            )
        )


async def list_stores(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    platform: str | None = None,
) -> list[StoreView]:
    """The stores the actor may see, by platform then name.

    Args:
        sessions: the session factory.
        actor: who asks (staff see only their stores).
        platform: only stores of this marketplace.
    """
    query = visible_stores(actor).order_by(col(Store.platform), col(Store.name), col(Store.id))
    if platform is not None:
        query = query.where(Store.platform == platform)
    async with sessions() as session:
        stores = list(await session.exec(query))
        return await _views(session, stores)


@dataclass(frozen=True)
class StoreChoice:
    """What a store filter or picker shows of a store: no credentials, no sync state."""

    id: int
    platform: str
    name: str
    status: str


async def store_choices(session: AsyncSession, actor: Actor) -> list[StoreChoice]:
    """The stores the actor may see, by platform then name, for filters and pickers.

    One light query in the caller's session (:func:`list_stores` also reads every store's
    sync state and settings).
    """
    query = (
        select(col(Store.id), col(Store.platform), col(Store.name), col(Store.status))
        .where(*_visible(actor))
        .order_by(col(Store.platform), col(Store.name), col(Store.id))
    )
    return [
        StoreChoice(id=int(id_ or 0), platform=platform, name=name, status=str(status))
        for id_, platform, name, status in (await session.exec(query)).all()
    ]


async def load_store(session: AsyncSession, actor: Actor, store_id: int) -> Store:
    """The store row, if the actor may see it.

    Raises:
        NotFound: no such store, another account's, or one the staff member may not see.
    """
    store = await session.get(Store, store_id)
    if store is None or store.account_id != actor.account_id or not actor.can_see_store(store.id):
        raise NotFound("no such store")
    return store


async def get_store(
    sessions: async_sessionmaker[AsyncSession], actor: Actor, store_id: int
) -> StoreView:
    """One store the actor may see.

    Raises:
        NotFound: see :func:`load_store`.
    """
    async with sessions() as session:
        store = await load_store(session, actor, store_id)
        return (await _views(session, [store]))[0]


@dataclass(frozen=True)
class StoreSummary:
    """Store numbers for the dashboard.

    Attributes:
        total: stores the actor may see.
        attention: of those, the ones not active (expiring, needs re-authorization, disabled
            ones excluded).
        can_manage: whether the actor may authorize stores.
    """

    total: int
    attention: int
    can_manage: bool


async def store_summary(sessions: async_sessionmaker[AsyncSession], actor: Actor) -> StoreSummary:
    """How many stores the actor sees and how many need attention."""
    stores = await list_stores(sessions, actor)
    attention = sum(
        1
        for s in stores
        if s.status in (StoreStatus.EXPIRING.value, StoreStatus.NEEDS_REAUTH.value)
    )
    return StoreSummary(
        total=len(stores),
        attention=attention,
        can_manage=actor.level(Area.STORES) >= Access.WRITE,
    )
