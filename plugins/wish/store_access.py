"""A Wish store's credentials as the sync needs them: decrypted, fresh, refreshed safely.

These functions write the :class:`~core.models.Store` row directly. They stand in for the core
store service (``core/stores``) until it exists; each is small so the call sites can be pointed
at that service later:

- :func:`load_store` reads a store of the account (``NotFound`` otherwise);
- :func:`store_credentials` decrypts its credentials;
- :func:`refresh_store_credentials` refreshes them under a write lock on the store row, so two
  workers never both refresh (Wish revokes every earlier token on refresh) and the new token
  is stored before anybody uses it;
- :func:`mark_needs_reauth` flags a store whose token Wish refused for good.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.crypto import CredentialCipher
from core.errors import AuthorizationExpired, NotFound
from core.interfaces.common import CallContext
from core.interfaces.marketplace import Credentials, MarketplaceAdapter
from core.models import Store, StoreStatus, utcnow

REFRESH_MARGIN = timedelta(days=1)
"""Tokens expiring within this margin are refreshed before a sync uses them."""

T = TypeVar("T")


async def load_store(session: AsyncSession, store_id: int, account_id: int | None) -> Store:
    """The store ``store_id`` (of ``account_id`` when given).

    Raises:
        NotFound: no such store, or it belongs to another account.
    """
    query = select(Store).where(Store.id == store_id)
    if account_id is not None:
        query = query.where(Store.account_id == account_id)
    store = (await session.exec(query)).first()
    if store is None:
        raise NotFound(f"store {store_id} not found")
    return store


def store_credentials(store: Store, cipher: CredentialCipher) -> Credentials:
    """Decrypt a store's credentials.

    Raises:
        AuthorizationExpired: the store holds no credentials.
    """
    if not store.credentials_encrypted:
        raise AuthorizationExpired(f"store {store.id} has no credentials; authorize it")
    return Credentials(
        cipher.decrypt(store.credentials_encrypted),
        expires_at=store.credentials_expires_at,
        refresh_expires_at=store.refresh_expires_at,
    )


def write_credentials(store: Store, cipher: CredentialCipher, credentials: Credentials) -> None:
    """Put (encrypted) credentials and their expiry on a store row; marks it active."""
    store.credentials_encrypted = cipher.encrypt(credentials.data)
    store.credentials_expires_at = credentials.expires_at
    store.refresh_expires_at = credentials.refresh_expires_at
    store.status = StoreStatus.ACTIVE
    store.status_reason = None


async def refresh_store_credentials(
    sessions: async_sessionmaker[AsyncSession],
    adapter: MarketplaceAdapter,
    ctx: CallContext,
    cipher: CredentialCipher,
    store_id: int,
    stale: Credentials,
) -> Credentials:
    """Refresh a store's token once, whoever else is trying at the same time.

    Takes a write lock on the store row (an ``UPDATE``: a row lock on PostgreSQL, the write
    lock on SQLite), re-reads the credentials and refreshes only if they are still ``stale``
    ones; otherwise another worker refreshed meanwhile and its result is returned.

    Raises:
        AuthorizationExpired: Wish refused the refresh token.
    """
    async with sessions() as session, session.begin():
        lock = update(Store).where(col(Store.id) == store_id).values(updated_at=utcnow())
        await session.exec(lock)
        store = await load_store(session, store_id, None)
        current = store_credentials(store, cipher)
        if current.data.get("access_token") != stale.data.get("access_token"):
            return current
        fresh = await adapter.refresh_credentials(ctx, current)
        write_credentials(store, cipher, fresh)
        session.add(store)
    return fresh


async def mark_needs_reauth(
    sessions: async_sessionmaker[AsyncSession], store_id: int, reason: str
) -> None:
    """Flag the store "needs re-authorization" with Wish's reason; jobs stop using it."""
    async with sessions() as session, session.begin():
        await session.exec(
            update(Store)
            .where(col(Store.id) == store_id)
            .values(status=StoreStatus.NEEDS_REAUTH, status_reason=reason[:500])
        )


async def with_fresh_credentials(
    sessions: async_sessionmaker[AsyncSession],
    adapter: MarketplaceAdapter,
    ctx: CallContext,
    cipher: CredentialCipher,
    store_id: int,
    work: Callable[[Credentials], Awaitable[T]],
    *,
    now: datetime | None = None,
) -> T:
    """Run ``work`` with the store's credentials, refreshing them when due or refused once.

    A token that expires within :data:`REFRESH_MARGIN` is refreshed first. If Wish refuses
    the token during ``work`` (expired, revoked), the token is refreshed and ``work`` runs
    once more; if the refresh is refused too, the store is marked "needs re-authorization".

    Raises:
        AuthorizationExpired: the store must be authorized again.
    """
    async with sessions() as session:
        store = await load_store(session, store_id, None)
        credentials = store_credentials(store, cipher)
    try:
        if credentials.expires_within(REFRESH_MARGIN, now or utcnow()):
            credentials = await refresh_store_credentials(
                sessions, adapter, ctx, cipher, store_id, credentials
            )
        try:
            return await work(credentials)
        except AuthorizationExpired:
            credentials = await refresh_store_credentials(
                sessions, adapter, ctx, cipher, store_id, credentials
            )
        return await work(credentials)
    except AuthorizationExpired as refused:
        await mark_needs_reauth(sessions, store_id, str(refused))
        raise
