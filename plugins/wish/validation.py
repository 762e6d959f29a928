"""Wish's listing rules, checked before anything is sent (no I/O).

:func:`validate_listing` returns every problem of a :class:`ListingPayload` at once, field by
field, with message keys and params (see :mod:`plugins.wish.messages` for the ``wish.*`` keys).
The rules are those of Wish's ``CreateProduct`` schema and its documented cross-field checks
(which the sandbox enforces too): name, description (≤ 4000 characters, no HTML), tags (≤ 10 of
≤ 80 characters), parent SKU (≤ 80), 1-400 variations with unique SKUs (≤ 80), non-negative
prices in one currency, inventories 0-500,000, main and extra images as http(s) URLs (≤ 100
extras, variant pictures included), a picture per variant when there are several, a default
shipping price, destinations and origin countries as ISO codes, GTINs of 8-14 digits, the
variation weight for mainland-China merchants, and a numeric category id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from core.interfaces.common import Money, Problem, ProblemCode, Severity
from core.interfaces.listings import ListingPayload, VariantPayload
from plugins.wish.mapping import variant_image_urls
from plugins.wish.messages import render

MAX_DESCRIPTION = 4000
MAX_TAGS = 10
MAX_TAG_LENGTH = 80
MAX_SKU = 80
MAX_VARIATIONS = 400
MAX_INVENTORY = 500_000
MAX_EXTRA_IMAGES = 100
CONDITIONS = ("new", "used", "refurbished")

_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*(\s[^<>]*)?/?\s*>")
_GTIN = re.compile(r"^[0-9]{8,14}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass
class _Problems:
    items: list[Problem] = field(default_factory=list)

    def add(self, path: str, code: str, severity: Severity = Severity.ERROR, **params: Any) -> None:
        self.items.append(Problem(path, code, render(code, params), params, severity))

    def text(
        self, path: str, value: str, *, required: bool = True, max_len: int | None = None
    ) -> None:
        if not value.strip():
            if required:
                self.add(path, ProblemCode.REQUIRED)
            return
        if max_len is not None and len(value) > max_len:
            self.add(path, ProblemCode.TOO_LONG, max=max_len, actual=len(value))

    def url(self, path: str, value: str | None, *, required: bool) -> None:
        if not value:
            if required:
                self.add(path, ProblemCode.REQUIRED)
            return
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
            self.add(path, "wish.image_url")

    def country(self, path: str, value: str | None, *, required: bool) -> None:
        if not value:
            if required:
                self.add(path, ProblemCode.REQUIRED)
            return
        if not _COUNTRY.match(value):
            self.add(path, "wish.country")

    def money(self, path: str, value: Money, currency: str | None) -> None:
        if value.amount < 0:
            self.add(path, "wish.price_negative")
        if currency and value.currency != currency:
            self.add(path, "wish.currency_mismatch", currency=currency, actual=value.currency)


def _expected_currency(listing: ListingPayload) -> str | None:
    configured = listing.platform_fields.get("currency")
    if configured:
        return str(configured)
    if listing.variants:
        return listing.variants[0].price.currency
    return None


def _check_product(listing: ListingPayload, found: _Problems) -> None:
    found.text("title", listing.title)
    found.text("description", listing.description, max_len=MAX_DESCRIPTION)
    if _HTML.search(listing.description):
        found.add("description", "wish.html_not_allowed")
    found.text("parent_sku", listing.parent_sku, max_len=MAX_SKU)
    if len(listing.tags) > MAX_TAGS:
        found.add("tags", ProblemCode.TOO_MANY, max=MAX_TAGS, actual=len(listing.tags))
    for index, tag in enumerate(listing.tags):
        found.text(f"tags[{index}]", tag, max_len=MAX_TAG_LENGTH)
    if not listing.category_id:
        found.add("category_id", ProblemCode.REQUIRED)
    elif not listing.category_id.isdigit() or int(listing.category_id) < 1:
        found.add("category_id", "wish.category_id")
    if listing.condition.lower() not in CONDITIONS:
        found.add("condition", ProblemCode.NOT_ALLOWED, allowed=", ".join(CONDITIONS))
    for name, values in listing.attributes.items():
        if not name.strip() or not values:
            found.add(f"attributes.{name}", ProblemCode.REQUIRED)


def _check_images(listing: ListingPayload, found: _Problems) -> None:
    found.url("main_image_url", listing.main_image_url, required=True)
    for index, url in enumerate(listing.extra_image_urls):
        found.url(f"extra_image_urls[{index}]", url, required=True)
    count = len(variant_image_urls(listing))
    if count > MAX_EXTRA_IMAGES:
        found.add("extra_image_urls", ProblemCode.TOO_MANY, max=MAX_EXTRA_IMAGES, actual=count)


def _check_shipping(listing: ListingPayload, found: _Problems, currency: str | None) -> None:
    defaults = [rate for rate in listing.shipping if rate.destination is None]
    if not defaults:
        found.add("shipping", "wish.default_shipping_required")
    seen: set[str | None] = set()
    for index, rate in enumerate(listing.shipping):
        path = f"shipping[{index}]"
        found.money(f"{path}.price", rate.price, currency)
        if rate.destination in seen:
            found.add(f"{path}.destination", ProblemCode.DUPLICATE, value=rate.destination or "*")
        seen.add(rate.destination)


def _number(found: _Problems, path: str, value: Decimal | None, *, required: bool = False) -> None:
    if value is None:
        if required:
            found.add(path, "wish.weight_required")
        return
    if value < 0:
        found.add(path, ProblemCode.OUT_OF_RANGE, min=0, max="∞", actual=str(value))


def _check_variant(
    variant: VariantPayload,
    path: str,
    found: _Problems,
    *,
    currency: str | None,
    several: bool,
    mainland_china: bool,
) -> None:
    found.text(f"{path}.sku", variant.sku, max_len=MAX_SKU)
    found.money(f"{path}.price", variant.price, currency)
    if not 0 <= variant.quantity <= MAX_INVENTORY:
        found.add(
            f"{path}.quantity",
            ProblemCode.OUT_OF_RANGE,
            min=0,
            max=MAX_INVENTORY,
            actual=variant.quantity,
        )
    if several and not variant.image_url:
        found.add(f"{path}.image_url", "wish.variant_image_required")
    else:
        found.url(f"{path}.image_url", variant.image_url, required=False)
    if variant.gtin and not _GTIN.match(variant.gtin):
        found.add(f"{path}.gtin", "wish.gtin")
    found.country(f"{path}.origin_country", variant.origin_country, required=True)
    _number(found, f"{path}.weight_grams", variant.weight_grams, required=mainland_china)
    for name in ("length_cm", "width_cm", "height_cm"):
        _number(found, f"{path}.{name}", getattr(variant, name))
    if variant.customs_value is not None:
        found.money(f"{path}.customs_value", variant.customs_value, currency)
    for name, value in variant.options.items():
        if not name.strip() or not value.strip():
            found.add(f"{path}.options.{name}", ProblemCode.REQUIRED)


def _check_variants(listing: ListingPayload, found: _Problems, currency: str | None) -> None:
    count = len(listing.variants)
    if count < 1:
        found.add("variants", ProblemCode.TOO_FEW, min=1, actual=count)
    elif count > MAX_VARIATIONS:
        found.add("variants", ProblemCode.TOO_MANY, max=MAX_VARIATIONS, actual=count)
    mainland_china = bool(listing.platform_fields.get("mainland_china", True))
    seen: set[str] = set()
    for index, variant in enumerate(listing.variants):
        path = f"variants[{index}]"
        if variant.sku in seen:
            found.add(f"{path}.sku", ProblemCode.DUPLICATE, value=variant.sku)
        seen.add(variant.sku)
        _check_variant(
            variant,
            path,
            found,
            currency=currency,
            several=count > 1,
            mainland_china=mainland_china,
        )


def validate_listing(listing: ListingPayload) -> list[Problem]:
    """Every problem that would make Wish refuse ``listing``, field by field.

    Field paths are those of :class:`ListingPayload` (``title``, ``variants[2].sku``, ...).
    Codes are :class:`~core.interfaces.common.ProblemCode` values or ``wish.*`` keys; params
    carry the numbers for translated messages.
    """
    found = _Problems()
    currency = _expected_currency(listing)
    _check_product(listing, found)
    _check_images(listing, found)
    _check_shipping(listing, found, currency)
    _check_variants(listing, found, currency)
    return found.items


def summary(problems: Iterable[Problem]) -> str:
    """One line naming the problems (for errors raised when a caller skipped validation)."""
    items = list(problems)
    head = "; ".join(f"{p.field}: {p.message}" for p in items[:3])
    more = f" (and {len(items) - 3} more)" if len(items) > 3 else ""
    return f"the listing breaks Wish's rules: {head}{more}"
