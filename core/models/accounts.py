"""Accounts (tenants), the people who sign in to them, staff permissions and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.base import (
    account_fk,
    currency_field,
    enum_field,
    fk,
    id_field,
    json_field,
    time_field,
)

DEFAULT_IMAGE_QUOTA_BYTES = 1024**3
"""Image space of a new account (rule 16, 1 GiB); the ``image_quota_bytes`` setting changes it
for new accounts and operators may raise it per account."""


class UserRole(enum.StrEnum):
    """Values of :attr:`User.role`.

    The owner and admins may do everything; staff (sub-accounts) only what their
    :class:`UserPermission` rows grant, and only in the stores of their :class:`UserStoreAccess`
    rows.
    """

    OWNER = "owner"
    ADMIN = "admin"
    STAFF = "staff"


class PermissionArea(enum.StrEnum):
    """Areas of the product a staff member can be granted (Dianxiaomi's sub-account menus)."""

    PRODUCTS = "products"
    ORDERS = "orders"
    SHIPPING = "shipping"
    INVENTORY = "inventory"
    PURCHASING = "purchasing"
    IMAGES = "images"
    STATISTICS = "statistics"
    STORES = "stores"
    SETTINGS = "settings"


class Account(SQLModel, table=True):
    """A tenant: one seller business. Every seller row points here through ``account_id``.

    ``image_bytes_used`` is the sum of ``byte_size`` of the account's images, kept by the image
    space in the same transaction as every image it adds or deletes; a conditional update
    (``used + n <= quota``) makes concurrent uploads unable to overrun the quota together.
    """

    __table_args__ = (
        CheckConstraint("image_bytes_used >= 0", name="image_bytes_used_not_negative"),
    )

    id: int | None = id_field()
    name: str = Field(max_length=200)
    default_currency: str = currency_field()
    image_quota_bytes: int = Field(
        default=DEFAULT_IMAGE_QUOTA_BYTES, sa_column=Column(BigInteger(), nullable=False)
    )
    image_bytes_used: int = Field(
        default=0, sa_column=Column(BigInteger(), nullable=False, server_default="0")
    )
    created_at: datetime = time_field(default_now=True)


class User(SQLModel, table=True):
    """A person who signs in: the account's owner or a staff member (sub-account).

    ``role`` holds a :class:`UserRole` value.
    """

    __table_args__ = (UniqueConstraint("email", name="uq_user_email"),)

    id: int | None = id_field()
    account_id: int = account_fk()
    email: str = Field(max_length=320)
    display_name: str = Field(default="", max_length=200)
    password_hash: str = Field(default="", max_length=255)
    role: str = Field(default="owner", max_length=32)
    locale: str = Field(default="zh_CN", max_length=16)
    is_active: bool = True
    created_at: datetime = time_field(default_now=True)
    last_sign_in_at: datetime | None = time_field()


class UserPermission(SQLModel, table=True):
    """One area a staff member may see (``can_edit`` false) or change (``can_edit`` true)."""

    __tablename__ = "user_permission"
    __table_args__ = (UniqueConstraint("user_id", "area"),)

    id: int | None = id_field()
    account_id: int = account_fk()
    user_id: int = fk("user.id")
    area: PermissionArea = enum_field(PermissionArea, PermissionArea.ORDERS)
    can_edit: bool = False


class UserStoreAccess(SQLModel, table=True):
    """A store a staff member may work in; staff without rows see no store at all."""

    __tablename__ = "user_store_access"
    __table_args__ = (UniqueConstraint("user_id", "store_id"),)

    id: int | None = id_field()
    account_id: int = account_fk()
    user_id: int = fk("user.id")
    store_id: int = fk("store.id")


class ApiToken(SQLModel, table=True):
    """A personal token for the JSON API. Only its SHA-256 hash is stored.

    The token is shown once at creation; ``prefix`` (its first characters) lets people tell
    their tokens apart in the UI. Look a presented token up by ``token_hash``.
    """

    __tablename__ = "api_token"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: int | None = id_field()
    account_id: int = account_fk()
    user_id: int = fk("user.id")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64)
    scopes: list[Any] = json_field(list)
    created_at: datetime = time_field(default_now=True)
    last_used_at: datetime | None = time_field()
    expires_at: datetime | None = time_field()
    revoked_at: datetime | None = time_field()
