"""Keyset paging over Wish lists, exactly as Wish v3 pages (no I/O).

Wish has no page numbers or cursors: a list call takes ``limit``, inclusive ``{attribute}_min``
/ ``_max`` bounds and ``sort_by``. Tradewind always pages **ascending** by ``updated_at`` from
a lower bound, so records changed while a walk is under way move behind it and are met again
rather than skipped. A :class:`RangeCursor` walks one inclusive range ``[lo, hi]`` of
milliseconds:

- the next page starts again *at* the last value seen (bounds are inclusive) and skips the ids
  already seen with exactly that value, so nothing at a page boundary is lost or repeated;
- when a full page holds a single ``updated_at`` value (a tie group: every order of one
  "generate" batch, bulk changes in one millisecond), the cursor pins ``updated_at`` to that
  value and pages the group by a second attribute (orders: ``released_at``; products:
  ``created_at``, which Wish compares at second precision) with the largest page size, then
  resumes one millisecond after the group;
- a full page of the largest size sharing both values is read once more in descending order
  (same pins): if that page overlaps the first, the sub-group is complete; more than twice the
  largest page sharing both values cannot be paged at all and raises
  :class:`~core.errors.PermanentError` rather than lose records.

A range with an upper bound can be split in two (:meth:`RangeCursor.split`), which lets a sync
walk several parts of its window in parallel. Cursors encode to short opaque strings.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from core.errors import PermanentError
from plugins.wish.mapping import format_ms, time_ms

Item = Mapping[str, Any]


@dataclass(frozen=True)
class KeysetSpec:
    """How one Wish list is paged.

    Attributes:
        attribute: the sort and window attribute (``updated_at``).
        tie_attribute: the attribute that pages a tie group (``released_at``, ``created_at``).
        tie_unit_ms: precision at which Wish compares ``tie_attribute`` bounds (1000 = seconds).
        page_size: items per normal page.
        max_page_size: the largest page Wish serves (used for tie groups).
    """

    attribute: str
    tie_attribute: str
    tie_unit_ms: int
    page_size: int
    max_page_size: int


ORDERS = KeysetSpec("updated_at", "released_at", 1, 100, 500)
PRODUCTS = KeysetSpec("updated_at", "created_at", 1000, 100, 1000)


@dataclass(frozen=True)
class RangeCursor:
    """A position inside an inclusive millisecond range of ``updated_at``.

    Attributes:
        lo: lower bound (inclusive, epoch ms).
        hi: upper bound (inclusive), or ``None`` for "up to now".
        skip: ids already seen whose value equals ``lo``.
        tie_value: the pinned ``updated_at`` while paging a tie group.
        tie_lo: lower bound of the tie attribute inside the group (epoch ms, unit-aligned).
        tie_skip: ids of the group already seen whose tie value equals ``tie_lo``.
        probing: the page at ``tie_lo`` was full of that one value; the next call reads that
            sub-group in descending order to learn whether it holds more.
    """

    lo: int
    hi: int | None = None
    skip: tuple[str, ...] = ()
    tie_value: int | None = None
    tie_lo: int | None = None
    tie_skip: tuple[str, ...] = ()
    probing: bool = False

    def encode(self) -> str:
        """An opaque string for :class:`~core.interfaces.common.Page` cursors."""
        data: dict[str, Any] = {"lo": self.lo}
        for name in ("hi", "tie_value", "tie_lo"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.skip:
            data["skip"] = list(self.skip)
        if self.tie_skip:
            data["tie_skip"] = list(self.tie_skip)
        if self.probing:
            data["probing"] = True
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> RangeCursor:
        """Read a cursor made by :meth:`encode`.

        Raises:
            PermanentError: the text is not such a cursor.
        """
        try:
            padded = text + "=" * (-len(text) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode()))
            return cls(
                lo=int(data["lo"]),
                hi=_optional_int(data.get("hi")),
                skip=tuple(str(i) for i in data.get("skip", ())),
                tie_value=_optional_int(data.get("tie_value")),
                tie_lo=_optional_int(data.get("tie_lo")),
                tie_skip=tuple(str(i) for i in data.get("tie_skip", ())),
                probing=bool(data.get("probing", False)),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise PermanentError(f"not a Wish paging cursor: {text!r}") from exc

    @property
    def in_tie_group(self) -> bool:
        """Whether the cursor is paging a tie group."""
        return self.tie_value is not None

    def split(self) -> tuple[RangeCursor, RangeCursor] | None:
        """Split the rest of a bounded range in two halves (``None`` when it cannot)."""
        if self.hi is None or self.in_tie_group or self.hi - self.lo < 2:
            return None
        middle = self.lo + (self.hi - self.lo) // 2
        return replace(self, hi=middle), RangeCursor(lo=middle + 1, hi=self.hi)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def page_size(spec: KeysetSpec, cursor: RangeCursor) -> int:
    """The ``limit`` of the next call."""
    return spec.max_page_size if cursor.in_tie_group else spec.page_size


def query(spec: KeysetSpec, cursor: RangeCursor) -> dict[str, Any]:
    """The query parameters of the next page."""
    attribute, tie = spec.attribute, spec.tie_attribute
    if cursor.tie_value is None:
        params: dict[str, Any] = {
            "sort_by": f"{attribute}.asc",
            "limit": spec.page_size,
            f"{attribute}_min": format_ms(cursor.lo),
        }
        if cursor.hi is not None:
            params[f"{attribute}_max"] = format_ms(cursor.hi)
        return params
    params = {
        "sort_by": f"{tie}.{'desc' if cursor.probing else 'asc'}",
        "limit": spec.max_page_size,
        f"{attribute}_min": format_ms(cursor.tie_value),
        f"{attribute}_max": format_ms(cursor.tie_value),
    }
    if cursor.tie_lo is not None:
        params[f"{tie}_min"] = format_ms(cursor.tie_lo)
    if cursor.probing and cursor.tie_lo is not None:
        params[f"{tie}_max"] = format_ms(cursor.tie_lo + spec.tie_unit_ms - 1)
    return params


def _tie_ms(spec: KeysetSpec, item: Item) -> int:
    value = time_ms(item, spec.tie_attribute)
    return value - value % spec.tie_unit_ms


def advance(
    spec: KeysetSpec, cursor: RangeCursor, page: Sequence[Item]
) -> tuple[list[Item], RangeCursor | None]:
    """Digest one page: return the items not seen before and the next cursor (``None`` = done).

    Raises:
        PermanentError: a full largest page shares one value of both attributes.
    """
    if cursor.tie_value is None:
        return _advance_normal(spec, cursor, page)
    return _advance_tie(spec, cursor, page)


def _advance_normal(
    spec: KeysetSpec, cursor: RangeCursor, page: Sequence[Item]
) -> tuple[list[Item], RangeCursor | None]:
    values = [time_ms(item, spec.attribute) for item in page]
    skip = set(cursor.skip)
    fresh = [
        item
        for item, value in zip(page, values, strict=True)
        if not (value == cursor.lo and str(item["id"]) in skip)
    ]
    if len(page) < spec.page_size:
        return fresh, None
    last = values[-1]
    if values[0] == last:
        # One value fills the page: re-read that group by the tie attribute instead.
        return [], replace(cursor, tie_value=last, tie_lo=None, tie_skip=())
    at_last = tuple(
        str(item["id"]) for item, value in zip(page, values, strict=True) if value == last
    )
    return fresh, RangeCursor(lo=last, hi=cursor.hi, skip=at_last)


def _advance_tie(
    spec: KeysetSpec, cursor: RangeCursor, page: Sequence[Item]
) -> tuple[list[Item], RangeCursor | None]:
    assert cursor.tie_value is not None
    ids = [str(item["id"]) for item in page]
    ties = [_tie_ms(spec, item) for item in page]
    tie_skip = set(cursor.tie_skip)
    outer_skip = set(cursor.skip) if cursor.tie_value == cursor.lo else set()
    if cursor.probing:
        assert cursor.tie_lo is not None
        fresh = [
            item
            for item, item_id in zip(page, ids, strict=True)
            if item_id not in tie_skip and item_id not in outer_skip
        ]
        if len(page) < spec.max_page_size or any(i in tie_skip for i in ids):
            # The saturated sub-group is covered from both ends: move past its tie value.
            following = cursor.tie_lo + spec.tie_unit_ms
            return fresh, replace(cursor, tie_lo=following, tie_skip=(), probing=False)
        raise PermanentError(
            f"more than {2 * spec.max_page_size} Wish records share {spec.attribute} "
            f"{format_ms(cursor.tie_value)} and {spec.tie_attribute} "
            f"{format_ms(cursor.tie_lo)}; they cannot be paged"
        )
    fresh = [
        item
        for item, item_id, tie in zip(page, ids, ties, strict=True)
        if not (tie == cursor.tie_lo and item_id in tie_skip) and item_id not in outer_skip
    ]
    if len(page) < spec.max_page_size:
        after = cursor.tie_value + 1
        if cursor.hi is not None and after > cursor.hi:
            return fresh, None
        return fresh, RangeCursor(lo=after, hi=cursor.hi)
    last = ties[-1]
    at_last = {item_id for item_id, tie in zip(ids, ties, strict=True) if tie == last}
    if cursor.tie_lo == last:
        at_last |= tie_skip
    # A page full of one tie value may hold the whole sub-group or only its first part: read
    # it once more from the other end (descending) to tell.
    saturated = ties[0] == last
    return fresh, replace(cursor, tie_lo=last, tie_skip=tuple(sorted(at_last)), probing=saturated)
