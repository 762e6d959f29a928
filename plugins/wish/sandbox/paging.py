"""Keyset listing as Wish v3 describes it.

There are no page numbers and no cursors. A list call takes ``limit`` and inclusive
``{attribute}_min`` / ``{attribute}_max`` bounds and returns items ordered by ``sort_by``
(``{attribute}.asc|desc``). The sandbox orders by the sort attribute and then by ``id`` in the
same direction, so the order is total and stable between calls.

Paging rule for clients (the one the reference gives): repeat the call with ``_max`` (when
sorting desc) or ``_min`` (asc) set to the last item's value. Because bounds are inclusive,
the next page starts again with the items carrying exactly that value, in the same order as
before: skip those already seen (by id). A page with fewer than ``limit`` items is the last.
When a full page holds only one value, the bound cannot move: raise ``limit`` or narrow the
window with another attribute (see the orders and products modules for their specifics).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from plugins.wish.sandbox.clock import parse_to_ms
from plugins.wish.sandbox.errors import AnyRequest, invalid
from plugins.wish.sandbox.requests import query_value
from plugins.wish.sandbox.store import SandboxStore

DEFAULT_LIMIT = 50


@dataclass
class ListQuery:
    """A keyset query under construction.

    Attributes:
        table: "products" or "orders".
        merchant_id: whose rows to list.
        sort_column: the stored column behind ``sort_by``.
        descending: sort direction.
        limit: page size.
        where: extra SQL conditions (ANDed).
        params: their parameters.
    """

    table: str
    merchant_id: str
    sort_column: str
    descending: bool
    limit: int
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, condition: str, *params: Any) -> None:
        """AND a condition."""
        self.where.append(condition)
        self.params.extend(params)

    def run(self, store: SandboxStore) -> list[sqlite3.Row]:
        """Return the page."""
        direction = "DESC" if self.descending else "ASC"
        conditions = " AND ".join(["merchant_id = ?", *self.where])
        sql = (
            f"SELECT * FROM {self.table} WHERE {conditions} "
            f"ORDER BY {self.sort_column} {direction}, id {direction} LIMIT ?"
        )
        return store.rows(sql, [self.merchant_id, *self.params, self.limit])


def parse_limit(request: AnyRequest, maximum: int) -> int:
    """Return ``limit`` (default 50), checked against 1..``maximum``."""
    text = query_value(request, "limit")
    if text is None:
        return DEFAULT_LIMIT
    try:
        value = int(text)
    except ValueError:
        raise invalid("limit_range", max=maximum) from None
    if not 1 <= value <= maximum:
        raise invalid("limit_range", max=maximum)
    return value


def parse_sort(request: AnyRequest, attributes: tuple[str, ...]) -> tuple[str, bool]:
    """Return ``(attribute, descending)`` from ``sort_by`` (default ``updated_at.desc``).

    A missing direction means descending, like the default.
    """
    text = query_value(request, "sort_by") or "updated_at.desc"
    pattern = rf"^({'|'.join(attributes)})(\.(asc|desc))?$"
    match = re.match(pattern, text)
    if match is None:
        raise invalid("bad_sort_by", pattern=pattern)
    return match.group(1), match.group(3) != "asc"


def parse_time(request: AnyRequest, name: str) -> int | None:
    """Return a date-time query parameter as epoch ms (truncated to ms), or None."""
    text = query_value(request, name)
    if text is None:
        return None
    try:
        return parse_to_ms(text)
    except ValueError:
        raise invalid("bad_datetime", field=name) from None


def add_time_window(
    query: ListQuery, request: AnyRequest, attribute: str, column: str, *, unit_ms: int = 1
) -> None:
    """Add the inclusive ``{attribute}_min`` / ``_max`` bounds on ``column``.

    With ``unit_ms`` 1000 both the bound and the stored value are compared at second
    precision (Wish truncates ``created_at`` bounds to seconds), so paging on such an
    attribute never skips items that share the last item's second.
    """
    lower = parse_time(request, f"{attribute}_min")
    upper = parse_time(request, f"{attribute}_max")
    scaled = column if unit_ms == 1 else f"({column} / {unit_ms})"
    if lower is not None:
        query.add(f"{scaled} >= ?", lower // unit_ms)
    if upper is not None:
        query.add(f"{scaled} <= ?", upper // unit_ms)
