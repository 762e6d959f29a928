"""Stores (one authorized shop on one platform), their sync state, and OAuth states.

Rule 2: a store — ``(platform, platform_shop_id)`` — belongs to one Tradewind account only;
the unique constraint spans all accounts, so a second account's authorization fails with an
``IntegrityError`` even when two requests race.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.base import (
    account_fk,
    currency_field,
    enum_field,
    fk,
    id_field,
    json_field,
    text_field,
    time_field,
)


class StoreStatus(enum.StrEnum):
    """Health of a store's authorization."""

    ACTIVE = "active"
    EXPIRING = "expiring"  # the token expires soon; a refresh or re-authorization is due
    NEEDS_REAUTH = "needs_reauth"  # the platform refused the credentials
    DISABLED = "disabled"  # switched off by the seller; no job touches it


class Store(SQLModel, table=True):
    """One shop on one platform, authorized by one account.

    ``platform`` is the marketplace plugin id (``"wish"``); core never interprets it.
    ``credentials_encrypted`` is a Fernet token made by :mod:`core.crypto` from the dict the
    plugin returned at authorization (access/refresh tokens); it is never stored in clear.
    ``settings`` holds per-store choices (default warehouse, shipping template ids, ...).
    ``refreshing_until`` is the claim of the one worker refreshing the credentials right now
    (see :mod:`core.stores.refresh`); it expires by itself if that worker dies.
    """

    __table_args__ = (
        UniqueConstraint("platform", "platform_shop_id", name="uq_store_platform_shop"),
        Index("ix_store_account_platform", "account_id", "platform"),
    )

    id: int | None = id_field()
    account_id: int = account_fk()
    platform: str = Field(max_length=64)
    platform_shop_id: str = Field(max_length=128)
    name: str = Field(max_length=200)
    status: StoreStatus = enum_field(StoreStatus, StoreStatus.ACTIVE, index=True)
    currency: str = currency_field()
    credentials_encrypted: str | None = text_field()
    credentials_expires_at: datetime | None = time_field(index=True)
    refresh_expires_at: datetime | None = time_field()
    settings: dict[str, Any] = json_field()
    status_reason: str | None = text_field()
    authorized_at: datetime | None = time_field()
    last_sync_at: datetime | None = time_field()
    refreshing_until: datetime | None = time_field()
    created_at: datetime = time_field(default_now=True)
    updated_at: datetime = time_field(default_now=True, auto_update=True)


class SyncStream(enum.StrEnum):
    """What a sync pulls from a store (rule 14: a sync only ever pulls)."""

    ORDERS = "orders"
    PRODUCTS = "products"


class SyncState(SQLModel, table=True):
    """Progress and health of one incremental pull (orders or products) of one store.

    ``watermark`` is the platform ``updated_at`` up to which everything is known to be pulled;
    the next pull starts at ``watermark - overlap`` so clock skew and pagination shifts never
    lose a row (upserts keyed by the platform id make the overlap harmless). ``cursor`` keeps
    the position inside an interrupted pull so it can resume.
    """

    __tablename__ = "sync_state"
    __table_args__ = (UniqueConstraint("store_id", "stream"),)

    id: int | None = id_field()
    account_id: int = account_fk()
    store_id: int = fk("store.id")
    stream: SyncStream = enum_field(SyncStream, SyncStream.ORDERS)
    watermark: datetime | None = time_field()
    cursor: dict[str, Any] = json_field()
    last_attempt_at: datetime | None = time_field()
    last_good_pull_at: datetime | None = time_field()
    lag_seconds: int | None = None
    items_pulled: int = 0
    consecutive_failures: int = 0
    last_error: str | None = text_field()
    updated_at: datetime = time_field(default_now=True, auto_update=True)


class OAuthState(SQLModel, table=True):
    """A single-use OAuth ``state`` sent to a platform's authorize page.

    Bound to the user and the browser session that started it (``session_binding`` is a hash
    of the session id) and valid until ``expires_at``. The callback consumes it with
    ``UPDATE ... SET consumed_at = now WHERE state = :s AND consumed_at IS NULL`` so a replayed
    callback finds nothing to consume. ``store_id`` is set when re-authorizing a known store.
    """

    __tablename__ = "oauth_state"
    __table_args__ = (UniqueConstraint("state"),)

    id: int | None = id_field()
    account_id: int = account_fk()
    user_id: int | None = fk("user.id", nullable=True)
    store_id: int | None = fk("store.id", nullable=True)
    platform: str = Field(max_length=64)
    state: str = Field(max_length=128)
    session_binding: str = Field(default="", max_length=128)
    redirect_after: str | None = Field(default=None, max_length=500)
    created_at: datetime = time_field(default_now=True)
    expires_at: datetime = time_field(nullable=False, index=True)
    consumed_at: datetime | None = time_field()
