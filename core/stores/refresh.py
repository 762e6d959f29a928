"""Refreshing store credentials before they expire: one refresh per store at a time.

Some platforms revoke the old token the moment a refresh succeeds (Wish does). Two workers
refreshing the same store at once would each revoke the other's result and leave the store
with dead credentials; a refresh whose result is not saved loses the store's access the same
way. So:

1. **Claim.** One conditional ``UPDATE store SET refreshing_until = now + lease WHERE id = :id
   AND (refreshing_until IS NULL OR refreshing_until < now)`` decides which worker refreshes.
   On PostgreSQL the ``UPDATE`` takes the row lock, so a concurrent claim waits, re-reads the
   committed row and matches nothing; on SQLite writers are serialised. The claim is committed
   before any platform call, so no database transaction stays open across the network (a
   ``SELECT ... FOR UPDATE`` held during the HTTP call would pin a connection and block every
   writer of the store for as long as the platform takes). A crashed worker's claim lapses
   after :data:`CLAIM_LEASE`.
2. **Re-check.** The winner reads the store again: if another worker refreshed it a moment
   ago, the token is no longer due and nothing reaches the platform.
3. **Refresh and save at once.** The new credentials are encrypted and written in their own
   short transaction right after the platform answers, before anything else happens (retried a
   few times if the database hiccups), and the claim is released in the same statement.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import or_, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.crypto import CredentialCipher
from core.errors import AuthorizationExpired
from core.interfaces.common import CallContext
from core.interfaces.marketplace import Credentials, MarketplaceAdapter
from core.models import Store, StoreStatus, utcnow

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(days=3)
"""Credentials expiring within this are refreshed (Wish access tokens last 30 days)."""
CLAIM_LEASE = timedelta(minutes=5)
"""How long a claim holds; far longer than one refresh call (HTTP timeouts are 30 s)."""
SAVE_ATTEMPTS = 3


class RefreshOutcome(enum.StrEnum):
    """What :func:`refresh_store_credentials` did."""

    REFRESHED = "refreshed"
    """The platform issued new credentials and they are saved."""
    NOT_DUE = "not_due"
    """The credentials are valid for longer than the margin (maybe just refreshed)."""
    BUSY = "busy"
    """Another worker is refreshing this store right now; nothing was sent."""
    SKIPPED = "skipped"
    """Nothing to refresh: no such store, disabled, no credentials, or no plugin for it."""
    NEEDS_REAUTH = "needs_reauth"
    """The platform refused the refresh; the seller must authorize the store again."""


@dataclass(frozen=True)
class RefreshDeps:
    """What a refresh needs from the process.

    A :class:`~core.runtime.Runtime` or a job's context provides each of these.

    Attributes:
        sessions: the session factory.
        marketplaces: the installed marketplace adapters by id.
        http: the shared HTTP client.
        cipher: decrypts and encrypts credentials.
    """

    sessions: async_sessionmaker[AsyncSession]
    marketplaces: Mapping[str, MarketplaceAdapter]
    http: httpx.AsyncClient
    cipher: CredentialCipher


async def _claim(sessions: async_sessionmaker[AsyncSession], store_id: int, now: datetime) -> bool:
    async with sessions() as session, session.begin():
        claimed = await session.exec(
            update(Store)
            .where(
                col(Store.id) == store_id,
                col(Store.status) != StoreStatus.DISABLED,
                or_(col(Store.refreshing_until).is_(None), col(Store.refreshing_until) < now),
            )
            .values(refreshing_until=now + CLAIM_LEASE)
        )
        return claimed.rowcount == 1


async def _release(
    sessions: async_sessionmaker[AsyncSession], store_id: int, **values: object
) -> None:
    async with sessions() as session, session.begin():
        await session.exec(
            update(Store).where(col(Store.id) == store_id).values(refreshing_until=None, **values)
        )


async def _save(
    sessions: async_sessionmaker[AsyncSession], store_id: int, values: dict[str, object]
) -> None:
    """Write the new credentials; retried, because the old ones may already be revoked."""
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        try:
            await _release(sessions, store_id, **values)
            return
        except DBAPIError:
            if attempt == SAVE_ATTEMPTS:
                log.critical(
                    "store %s: refreshed credentials could not be saved; the store will need "
                    "re-authorization",
                    store_id,
                )
                raise
            await asyncio.sleep(0.2 * attempt)


def _is_due(store: Store, margin: timedelta, now: datetime) -> bool:
    expires = store.credentials_expires_at
    return expires is not None and expires <= now + margin


async def refresh_store_credentials(
    deps: RefreshDeps,
    store_id: int,
    *,
    margin: timedelta = REFRESH_MARGIN,
    force: bool = False,
) -> RefreshOutcome:
    """Refresh one store's credentials if they expire within ``margin`` (or ``force``).

    Safe to call from any number of workers at once: exactly one of them reaches the platform
    (see the module docstring). Call it from a job; it does network I/O.

    Args:
        deps: process services.
        store_id: the store.
        margin: refresh credentials that expire within this.
        force: refresh even when not due (an operator's "refresh now").

    Raises:
        TransientError: the platform could not be reached; the claim is released so a retry
            can try again.
    """
    now = utcnow()
    if not await _claim(deps.sessions, store_id, now):
        async with deps.sessions() as session:
            store = await session.get(Store, store_id)
        if store is None or store.status == StoreStatus.DISABLED:
            return RefreshOutcome.SKIPPED
        return RefreshOutcome.BUSY
    try:
        async with deps.sessions() as session:
            store = await session.get(Store, store_id)
        adapter = deps.marketplaces.get(store.platform) if store else None
        if store is None or adapter is None or store.credentials_encrypted is None:
            await _release(deps.sessions, store_id)
            return RefreshOutcome.SKIPPED
        if not force and not _is_due(store, margin, now):
            await _release(deps.sessions, store_id)
            return RefreshOutcome.NOT_DUE
        current = Credentials(
            deps.cipher.decrypt(store.credentials_encrypted),
            expires_at=store.credentials_expires_at,
            refresh_expires_at=store.refresh_expires_at,
        )
        ctx = CallContext(http=deps.http, account_id=store.account_id, store_id=store_id)
        fresh = await adapter.refresh_credentials(ctx, current)
    except AuthorizationExpired as exc:
        await _release(
            deps.sessions,
            store_id,
            status=StoreStatus.NEEDS_REAUTH,
            status_reason=str(exc)[:2000] or "the platform refused the refresh",
        )
        return RefreshOutcome.NEEDS_REAUTH
    except BaseException:
        await asyncio.shield(_release(deps.sessions, store_id))
        raise
    await _save(
        deps.sessions,
        store_id,
        {
            "credentials_encrypted": deps.cipher.encrypt(dict(fresh.data)),
            "credentials_expires_at": fresh.expires_at,
            "refresh_expires_at": fresh.refresh_expires_at or store.refresh_expires_at,
            "status": StoreStatus.ACTIVE,
            "status_reason": None,
        },
    )
    log.info("store %s: credentials refreshed", store_id)
    return RefreshOutcome.REFRESHED


async def stores_due_for_refresh(
    sessions: async_sessionmaker[AsyncSession],
    *,
    margin: timedelta = REFRESH_MARGIN,
    now: datetime | None = None,
) -> list[tuple[int, int]]:
    """``(store id, account id)`` of every store whose credentials expire within ``margin``.

    Disabled stores, stores needing re-authorization and stores without credentials are left
    out (a refresh cannot help them).
    """
    limit = (now or utcnow()) + margin
    async with sessions() as session:
        rows = await session.exec(
            select(Store.id, Store.account_id).where(
                col(Store.status).in_([StoreStatus.ACTIVE, StoreStatus.EXPIRING]),
                col(Store.credentials_encrypted).is_not(None),
                col(Store.credentials_expires_at) <= limit,
            )
        )
        return [(store_id, account_id) for store_id, account_id in rows if store_id is not None]
