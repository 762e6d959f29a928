"""The product list's query string and batch selections, shared by the product pages.

The list page keeps its whole state in the query string (state tab, platform, store, search,
filters, sort, cursor), so a page can be bookmarked and "select all N matching" can send the
very filter the seller sees. A batch form carries either the checked ``ids`` or
``all_matching=1`` with that filter as JSON (``filter``); multi-step pages (delete
confirmation, batch edit) pass the selection on as one JSON field (``selection``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError

from core.catalog.listing_query import ProductFilter, Selection, SortField
from core.errors import RuleViolation
from core.i18n import msg
from core.models.catalog import ProductState

PAGE_SIZES = (20, 50, 100, 200)
FILTER_KEYS = (
    "state",
    "platform",
    "store_id",
    "category_id",
    "q",
    "search_in",
    "price_min",
    "price_max",
    "date_from",
    "date_to",
    "problems",
)
"""Query parameters that narrow the list (anything else is paging or sorting)."""


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _decimal(value: str | None) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() and number >= 0 else None


def _day(value: str | None, end: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


@dataclass
class ListQuery:
    """The product list's parameters, read leniently (a bad value is ignored, not an error)."""

    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: Any) -> ListQuery:
        """From the request's query parameters (a mapping of str to str)."""
        keep = (*FILTER_KEYS, "sort", "dir", "cursor", "limit")
        return cls({key: str(raw.get(key, "")).strip() for key in keep if raw.get(key)})

    @property
    def state(self) -> ProductState | None:
        """The state tab (``None``: all products)."""
        value = self.params.get("state")
        return ProductState(value) if value in {s.value for s in ProductState} else None

    @property
    def sort(self) -> SortField:
        """The sort column."""
        value = self.params.get("sort", "")
        return SortField(value) if value in {s.value for s in SortField} else SortField.UPDATED_AT

    @property
    def descending(self) -> bool:
        """Newest (or Z) first unless ``dir=asc``."""
        return self.params.get("dir") != "asc"

    @property
    def limit(self) -> int:
        """Rows per page."""
        value = _int(self.params.get("limit"))
        return value if value in PAGE_SIZES else 50

    @property
    def cursor(self) -> str | None:
        """The keyset cursor of this page."""
        return self.params.get("cursor") or None

    def product_filter(self) -> ProductFilter:
        """The core filter of these parameters."""
        search_in = self.params.get("search_in", "all")
        problems = self.params.get("problems")
        return ProductFilter(
            state=self.state,
            platform=self.params.get("platform") or None,
            store_id=_int(self.params.get("store_id")),
            category_id=_int(self.params.get("category_id")),
            search=self.params.get("q") or None,
            search_in=search_in if search_in in ("all", "title", "sku", "source_url") else "all",
            price_min=_decimal(self.params.get("price_min")),
            price_max=_decimal(self.params.get("price_max")),
            created_from=_day(self.params.get("date_from")),
            created_to=_day(self.params.get("date_to"), end=True),
            has_problems=True if problems == "yes" else False if problems == "no" else None,
        )

    def url(self, **changes: Any) -> str:
        """``/products?...`` with ``changes`` applied (``None`` removes a parameter).

        Changing anything but the cursor starts again at the first page.
        """
        params = dict(self.params)
        if "cursor" not in changes:
            params.pop("cursor", None)
        for key, value in changes.items():
            if value is None or value == "":
                params.pop(key, None)
            else:
                params[key] = str(value)
        return "/products" + (f"?{urlencode(params)}" if params else "")

    @property
    def has_filters(self) -> bool:
        """Whether anything but the state tab narrows the list."""
        return any(self.params.get(key) for key in FILTER_KEYS if key != "state")


def selection_from_form(form: Any) -> Selection:
    """The batch selection a list form (or a step page) posted.

    Raises:
        RuleViolation: nothing is selected, or the selection cannot be read.
    """
    try:
        if form.get("selection"):
            return Selection.model_validate_json(str(form.get("selection")))
        if form.get("all_matching") == "1":
            wanted = ProductFilter.model_validate_json(str(form.get("filter") or "{}"))
            return Selection(filter=wanted, all_matching=True)
        values = form.getall("ids", []) if hasattr(form, "getall") else []
        ids = [int(value) for value in values if str(value).isdigit()]
    except (ValidationError, ValueError):
        raise RuleViolation(
            msg("the selection could not be read; select the products again")
        ) from None
    if not ids:
        raise RuleViolation(msg("select at least one product"))
    return Selection(product_ids=ids)


def selection_json(selection: Selection) -> str:
    """The selection as one form field."""
    return selection.model_dump_json(exclude_none=True)


def filter_json(wanted: ProductFilter) -> str:
    """The filter as one form field (for "select all matching")."""
    return json.dumps(wanted.model_dump(mode="json", exclude_none=True))
