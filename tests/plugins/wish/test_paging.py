"""Keyset paging decisions on synthetic pages (the sandbox tests cover them end to end)."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import PermanentError
from plugins.wish.mapping import format_ms
from plugins.wish.paging import KeysetSpec, RangeCursor, advance, query

SPEC = KeysetSpec("updated_at", "released_at", 1, page_size=3, max_page_size=4)


def item(item_id: str, updated: int, released: int = 0) -> dict[str, Any]:
    return {"id": item_id, "updated_at": format_ms(updated), "released_at": format_ms(released)}


def test_cursor_round_trip_and_garbage() -> None:
    cursor = RangeCursor(lo=5, hi=9, skip=("a",), tie_value=7, tie_lo=3, tie_skip=("b",))
    assert RangeCursor.decode(cursor.encode()) == cursor
    probing = RangeCursor(lo=1, tie_value=1, tie_lo=2, probing=True)
    assert RangeCursor.decode(probing.encode()) == probing
    with pytest.raises(PermanentError):
        RangeCursor.decode("not a cursor")


def test_query_of_a_normal_and_a_tie_page() -> None:
    assert query(SPEC, RangeCursor(lo=1000, hi=2000)) == {
        "sort_by": "updated_at.asc",
        "limit": 3,
        "updated_at_min": "1970-01-01T00:00:01.000+00:00",
        "updated_at_max": "1970-01-01T00:00:02.000+00:00",
    }
    tie = query(SPEC, RangeCursor(lo=1000, tie_value=1500, tie_lo=7, probing=True))
    assert tie == {
        "sort_by": "released_at.desc",
        "limit": 4,
        "updated_at_min": format_ms(1500),
        "updated_at_max": format_ms(1500),
        "released_at_min": format_ms(7),
        "released_at_max": format_ms(7),
    }


def test_a_short_page_ends_the_walk() -> None:
    fresh, following = advance(SPEC, RangeCursor(lo=0), [item("a", 1)])
    assert [i["id"] for i in fresh] == ["a"] and following is None


def test_the_next_page_restarts_at_the_last_value_and_skips_what_was_seen() -> None:
    page = [item("a", 1), item("b", 2), item("c", 2)]
    fresh, following = advance(SPEC, RangeCursor(lo=0, hi=10), page)
    assert [i["id"] for i in fresh] == ["a", "b", "c"]
    assert following == RangeCursor(lo=2, hi=10, skip=("b", "c"))
    fresh, following = advance(SPEC, following, [item("b", 2), item("c", 2), item("d", 3)])
    assert [i["id"] for i in fresh] == ["d"]
    assert following == RangeCursor(lo=3, hi=10, skip=("d",))


def test_a_page_of_one_value_switches_to_the_tie_attribute() -> None:
    page = [item("a", 5), item("b", 5), item("c", 5)]
    fresh, following = advance(SPEC, RangeCursor(lo=0, hi=10), page)
    assert fresh == [] and following == RangeCursor(lo=0, hi=10, tie_value=5)
    assert following is not None
    group = [item("a", 5, 1), item("b", 5, 2), item("c", 5, 2), item("d", 5, 3)]
    fresh, following = advance(SPEC, following, group)
    assert len(fresh) == 4
    assert following == RangeCursor(lo=0, hi=10, tie_value=5, tie_lo=3, tie_skip=("d",))
    fresh, following = advance(SPEC, following, [item("d", 5, 3), item("e", 5, 4)])
    assert [i["id"] for i in fresh] == ["e"]
    assert following == RangeCursor(lo=6, hi=10)


def test_a_full_page_of_both_values_is_read_from_the_other_end() -> None:
    cursor = RangeCursor(lo=0, tie_value=5)
    group = [item(x, 5, 1) for x in "abcd"]
    fresh, following = advance(SPEC, cursor, group)
    assert len(fresh) == 4 and following is not None and following.probing
    # The descending read overlaps the first one: the sub-group is complete.
    fresh, following = advance(SPEC, following, [item(x, 5, 1) for x in "edcb"])
    assert [i["id"] for i in fresh] == ["e"]
    assert following == RangeCursor(lo=0, tie_value=5, tie_lo=2)


def test_more_than_two_full_pages_of_both_values_cannot_be_paged() -> None:
    cursor = RangeCursor(lo=0, tie_value=5, tie_lo=1, tie_skip=tuple("abcd"), probing=True)
    with pytest.raises(PermanentError, match="cannot be paged"):
        advance(SPEC, cursor, [item(x, 5, 1) for x in "hgfe"])


def test_the_end_of_a_tie_group_at_the_upper_bound_ends_the_walk() -> None:
    fresh, following = advance(SPEC, RangeCursor(lo=0, hi=5, tie_value=5), [item("a", 5)])
    assert len(fresh) == 1 and following is None


def test_split() -> None:
    left, right = RangeCursor(lo=0, hi=10, skip=("a",)).split() or (None, None)
    assert left == RangeCursor(lo=0, hi=5, skip=("a",))
    assert right == RangeCursor(lo=6, hi=10)
    assert RangeCursor(lo=0).split() is None
    assert RangeCursor(lo=0, hi=1).split() is None
    assert RangeCursor(lo=0, hi=10, tie_value=3).split() is None
