"""Accounts (tenants) and the people who sign in to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.base import account_fk, id_field, time_field


class Account(SQLModel, table=True):
    """A tenant: one seller business. Every seller row points here through ``account_id``."""

    id: int | None = id_field()
    name: str = Field(max_length=200)
    created_at: datetime = time_field(default_now=True)


class User(SQLModel, table=True):
    """A person who signs in: the account's owner or a staff member (sub-account)."""

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
