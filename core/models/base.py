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

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Constraint and index names, so they are identical on SQLite and PostgreSQL and migrations
can address them by name. Names must stay within PostgreSQL's 63 characters (a test checks);
give a multi-column constraint an explicit short name when the generated one would be longer.
"""

# Every model module imports this one first, so the convention is in place before any table.
SQLModel.metadata.naming_convention = NAMING_CONVENTION


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


def time_field(
    *,
    nullable: bool = True,
    default_now: bool = False,
    index: bool = False,
    auto_update: bool = False,
) -> Any:
    """A UTC-aware timestamp column.

    Args:
        nullable: whether the column may be NULL (ignored with ``default_now``).
        default_now: fill with the current time on insert; the column is then NOT NULL.
        index: create an index on the column.
        auto_update: also set the current time on every ORM or Core ``UPDATE`` of the row
            (an ``updated_at`` column).
    """
    from sqlalchemy import Column

    onupdate = utcnow if auto_update else None
    if default_now:
        return Field(
            default_factory=utcnow,
            sa_column=Column(UTCDateTime(), nullable=False, index=index, onupdate=onupdate),
        )
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def text_field(default: str | None = None, *, nullable: bool = True) -> Any:
    """An unbounded text column (descriptions, error messages, URLs)."""
    from sqlalchemy import Column

    return Field(default=default, sa_column=Column(Text(), nullable=nullable))


def json_field(default_factory: Any = dict) -> Any:
    """A JSON column (dict or list)."""
    from sqlalchemy import Column

    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=False))


def nullable_json_field() -> Any:
    """A JSON column that may be NULL (default ``None``)."""
    from sqlalchemy import Column

    return Field(default=None, sa_column=Column(JSON, nullable=True))


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
    target: str, *, nullable: bool = False, ondelete: str | None = "CASCADE", index: bool = True
) -> Any:
    """A 64-bit foreign key to ``target`` (``"table.id"``).

    ``ondelete=None`` means NO ACTION: deleting the referenced row is refused while this row
    points at it (checked at the end of the statement, so a cascade from the account that
    removes both rows still works).
    """
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


def enum_field(
    enum_type: type[enum.Enum], default: Any, *, index: bool = False, nullable: bool = False
) -> Any:
    """A string column holding the enum's values (no native DB enum: migrations stay simple).

    No CHECK constraint lists the values either, so adding a member needs no migration.
    """
    from sqlalchemy import Column, Enum

    column_type = Enum(
        enum_type,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )
    return Field(default=default, sa_column=Column(column_type, nullable=nullable, index=index))


ONLY_ON_DIALECT = "tradewind_only_on"
"""``Index.info`` key naming the one database an index exists on (see :func:`trigram_index`)."""


def trigram_index(name: str, column: str) -> Index:
    """A PostgreSQL GIN trigram index on ``column`` for ``ILIKE '%…%'`` searches.

    It needs the ``pg_trgm`` extension, which the migration that adds such indexes creates
    when it can (and skips the indexes with a warning when it cannot). ``create_all`` builds
    the index on PostgreSQL only (``ddl_if``); SQLite scans instead. The schema comparison of
    migrations with models leaves the index out on other databases, through
    ``info[ONLY_ON_DIALECT]`` (see :func:`core.migrate.migration_context_options`).
    """
    index = Index(
        name,
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
        info={ONLY_ON_DIALECT: "postgresql"},
    )
    return index.ddl_if(dialect="postgresql")
