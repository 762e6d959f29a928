"""Shared column types and helpers for the table models.

- Times are stored and returned timezone-aware in UTC (:class:`UTCDateTime`), also on SQLite,
  which keeps no zone.
- Money is a :class:`~decimal.Decimal` in a ``Numeric(18, 4)`` column next to an ISO 4217
  currency code column; never a float.
- Every row that belongs to a seller carries ``account_id`` (:func:`account_fk`).
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Numeric, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlmodel import Field


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A ``DateTime`` that only accepts aware datetimes and always returns UTC-aware ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes; store in UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Tradewind stores timezone-aware UTC times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach UTC to values from backends (SQLite) that drop the zone."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


MONEY = Numeric(18, 4)
"""Column type of every money amount; the currency lives in a sibling column."""


def money_field(default: Decimal | None = None, *, nullable: bool = False, **kw: Any) -> Any:
    """A Decimal money amount column (pair it with a ``currency`` column)."""
    from sqlalchemy import Column

    return Field(default=default, sa_column=Column(MONEY, nullable=nullable), **kw)


def currency_field(default: str = "USD") -> Any:
    """An ISO 4217 currency code column."""
    return Field(default=default, min_length=3, max_length=3)


def time_field(*, nullable: bool = True, default_now: bool = False, index: bool = False) -> Any:
    """A UTC-aware timestamp column."""
    from sqlalchemy import Column

    if default_now:
        return Field(
            default_factory=utcnow,
            sa_column=Column(UTCDateTime(), nullable=False, index=index),
        )
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def json_field(default_factory: Any = dict) -> Any:
    """A JSON column (dict or list)."""
    from sqlalchemy import Column

    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=False))


def id_field() -> Any:
    """An auto-incrementing 64-bit primary key (INTEGER on SQLite so it stays the rowid)."""
    from sqlalchemy import Column

    return Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(_sqlite_integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
    )


def account_fk(*, index: bool = True) -> Any:
    """The owning account of a seller row; deleting an account deletes its rows."""
    from sqlalchemy import Column

    return Field(
        sa_column=Column(
            BigInteger().with_variant(_sqlite_integer(), "sqlite"),
            ForeignKey("account.id", ondelete="CASCADE"),
            nullable=False,
            index=index,
        )
    )


def fk(
    target: str, *, nullable: bool = False, ondelete: str = "CASCADE", index: bool = True
) -> Any:
    """A 64-bit foreign key to ``target`` (``"table.id"``)."""
    from sqlalchemy import Column

    return Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(_sqlite_integer(), "sqlite"),
            ForeignKey(target, ondelete=ondelete),
            nullable=nullable,
            index=index,
        ),
    )


def _sqlite_integer() -> Any:
    from sqlalchemy import Integer

    return Integer()


def enum_field(enum_type: type[enum.Enum], default: Any, *, index: bool = False) -> Any:
    """A string column holding the enum's values (no native DB enum: migrations stay simple)."""
    from sqlalchemy import Column, Enum

    column_type = Enum(
        enum_type,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )
    return Field(default=default, sa_column=Column(column_type, nullable=False, index=index))
