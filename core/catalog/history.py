"""Product history: who changed what and when (a person or a job).

``changes`` maps a field name to ``[old, new]`` in JSON-safe values (Decimal as text, times as
ISO 8601, enums as their value), so the history page and the JSON API show them as they are.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Actor
from core.models.base import utcnow
from core.models.catalog import ProductHistory


@dataclass(frozen=True)
class Author:
    """Who made a change: a user, a job, or both (a job a user started).

    Attributes:
        user_id: the person, when there is one.
        job_id: the job record the change was part of, when there is one.
    """

    user_id: int | None = None
    job_id: int | None = None


def author_of(actor: Actor, job_id: int | None = None) -> Author:
    """The author of changes made by ``actor`` (inside job ``job_id``, if any)."""
    return Author(user_id=actor.user_id, job_id=job_id)


def json_safe(value: Any) -> Any:
    """``value`` as JSON: Decimal as normalised text, datetimes ISO, enums by value."""
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(item) for item in value]
    return value


def format_decimal(value: Decimal) -> str:
    """A decimal without exponent or needless trailing zeros (``9.9900`` -> ``9.99``)."""
    text = format(value.normalize(), "f")
    if "." not in text:
        return text
    whole, fraction = text.split(".")
    return f"{whole}.{fraction.ljust(2, '0')}" if len(fraction) < 2 else text


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every key of ``new`` whose value differs from ``old``."""
    changes: dict[str, list[Any]] = {}
    for name, value in new.items():
        before = old.get(name)
        if json_safe(before) != json_safe(value):
            changes[name] = [json_safe(before), json_safe(value)]
    return changes


def history_row(
    account_id: int,
    product_id: int,
    action: str,
    author: Author,
    changes: Mapping[str, Any] | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    """One history row as a dict for a bulk ``INSERT`` (Core ``executemany``)."""
    return {
        "account_id": account_id,
        "product_id": product_id,
        "user_id": author.user_id,
        "job_id": author.job_id,
        "action": action,
        "changes": json_safe(dict(changes or {})),
        "message": message,
        "created_at": utcnow(),
    }


async def record(
    session: AsyncSession,
    account_id: int,
    product_id: int,
    action: str,
    author: Author,
    changes: Mapping[str, Any] | None = None,
    message: str | None = None,
) -> None:
    """Add one history row in the caller's transaction."""
    await record_many(
        session, [history_row(account_id, product_id, action, author, changes, message)]
    )


async def record_many(session: AsyncSession, rows: Iterable[dict[str, Any]]) -> None:
    """Insert many history rows made by :func:`history_row` in one ``executemany``."""
    batch = list(rows)
    if batch:
        await session.exec(insert(ProductHistory), params=batch)
