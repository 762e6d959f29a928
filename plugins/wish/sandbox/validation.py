"""Validation of product payloads (``CreateProduct`` / ``UpdateProduct``) as Wish does it.

Built from small parsers, one per schema type of Wish's OpenAPI document. Each parser takes a
value, its path (for the message) and the merchant's rules, and returns the normalised value
or raises a 90001 :class:`~plugins.wish.sandbox.errors.WishError` naming the field. Unknown
keys are dropped. Cross-field rules (one clean image, variation images, the standard
warehouse's shipping price, unique SKUs) run on the whole product after an update is merged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from plugins.wish.sandbox.data import (
    CONDITIONS,
    COUNTRY_CODES,
    RESTRICTED_FLAGS,
    UNITS,
    WARNING_TYPES,
)
from plugins.wish.sandbox.errors import invalid


@dataclass(frozen=True)
class MerchantRules:
    """What validation needs to know about the merchant.

    Attributes:
        currency: the merchant's localized currency; every Price must use it.
        mainland_china: whether variation weights are required.
        warehouse_ids: the merchant's warehouse ids.
        standard_warehouse_id: the STANDARD warehouse, whose default shipping is required.
    """

    currency: str
    mainland_china: bool
    warehouse_ids: frozenset[str]
    standard_warehouse_id: str


NO_RULES = MerchantRules(
    currency="", mainland_china=False, warehouse_ids=frozenset(), standard_warehouse_id=""
)
Parser = Callable[[Any, str, MerchantRules], Any]

_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*(\s[^<>]*)?/?\s*>")
_GTIN = re.compile(r"^[0-9]{8,14}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def child(path: str, key: str | int) -> str:
    """Return the path of ``key`` under ``path``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def text(*, min_len: int = 0, max_len: int | None = None) -> Parser:
    """A string of ``min_len``..``max_len`` characters."""

    def parse(value: Any, path: str, rules: MerchantRules) -> str:
        if not isinstance(value, str):
            raise invalid("type_string", field=path)
        if len(value.strip()) < min_len:
            raise invalid("empty", field=path)
        if max_len is not None and len(value) > max_len:
            raise invalid("max_length", field=path, max=max_len)
        return value

    return parse


def integer(*, minimum: int | None = None, maximum: int | None = None) -> Parser:
    """An integer (not a boolean) within the bounds."""

    def parse(value: Any, path: str, rules: MerchantRules) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid("type_integer", field=path)
        _check_bounds(value, path, minimum, maximum)
        return value

    return parse


def number(*, minimum: float | None = None) -> Parser:
    """A JSON number (not a boolean) of at least ``minimum``."""

    def parse(value: Any, path: str, rules: MerchantRules) -> float | int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise invalid("type_number", field=path)
        _check_bounds(value, path, minimum, None)
        return value

    return parse


def _check_bounds(value: float, path: str, low: float | None, high: float | None) -> None:
    if low is not None and high is not None and not low <= value <= high:
        raise invalid("range", field=path, min=low, max=high)
    if low is not None and value < low:
        raise invalid("minimum", field=path, min=low)


def boolean(value: Any, path: str, rules: MerchantRules) -> bool:
    """A JSON boolean."""
    if not isinstance(value, bool):
        raise invalid("type_boolean", field=path)
    return value


def enum(allowed: Iterable[str]) -> Parser:
    """One of ``allowed``."""
    options = tuple(allowed)

    def parse(value: Any, path: str, rules: MerchantRules) -> str:
        if value not in options:
            raise invalid("enum", field=path, allowed=", ".join(options))
        text_value: str = value
        return text_value

    return parse


def url(value: Any, path: str, rules: MerchantRules) -> str:
    """An absolute http(s) URL."""
    link = str(text(min_len=1)(value, path, rules))
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in link:
        raise invalid("url", field=path)
    return link


def country(value: Any, path: str, rules: MerchantRules) -> str:
    """A 2-letter ISO 3166 country code."""
    if not isinstance(value, str) or value not in COUNTRY_CODES:
        raise invalid("country", field=path)
    return value


def warehouse(value: Any, path: str, rules: MerchantRules) -> str:
    """The id of one of the merchant's warehouses."""
    if not isinstance(value, str) or value not in rules.warehouse_ids:
        raise invalid("unknown_warehouse", field=path)
    return value


def gtin(value: Any, path: str, rules: MerchantRules) -> str:
    """A GTIN: 8 to 14 digits."""
    if not isinstance(value, str) or not _GTIN.match(value):
        raise invalid("gtin", field=path)
    return value


def description(value: Any, path: str, rules: MerchantRules) -> str:
    """Up to 4000 characters, newlines allowed, no HTML."""
    body = str(text(min_len=1, max_len=4000)(value, path, rules))
    if _HTML.search(body):
        raise invalid("html", field=path)
    return body


def currency_code(value: Any, path: str, rules: MerchantRules) -> str:
    """An ISO 4217 code equal to the merchant's localized currency."""
    if not isinstance(value, str) or not _CURRENCY.match(value) or value != rules.currency:
        raise invalid("currency", field=path, currency=rules.currency)
    return value


def array(item: Parser, *, min_items: int = 0, max_items: int | None = None) -> Parser:
    """A list of ``item`` with ``min_items``..``max_items`` elements."""

    def parse(value: Any, path: str, rules: MerchantRules) -> list[Any]:
        if not isinstance(value, list):
            raise invalid("type_array", field=path)
        if len(value) < min_items:
            raise invalid("min_items", field=path, min=min_items)
        if max_items is not None and len(value) > max_items:
            raise invalid("max_items", field=path, max=max_items)
        return [item(element, child(path, index), rules) for index, element in enumerate(value)]

    return parse


def obj(
    fields: dict[str, Parser],
    *,
    required: Iterable[str] = (),
    nullable: Iterable[str] = (),
) -> Parser:
    """An object with the given fields; unknown keys are dropped.

    A ``null`` counts as absent, except for ``nullable`` fields where it is kept (meaning
    "remove this value" on update).
    """
    must = tuple(required)
    may_be_null = frozenset(nullable)

    def parse(value: Any, path: str, rules: MerchantRules) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise invalid("type_object", field=path or "body")
        for key in must:
            if value.get(key) is None:
                raise invalid("required", field=child(path, key))
        result: dict[str, Any] = {}
        for key, parser in fields.items():
            if key not in value:
                continue
            if value[key] is None:
                if key in may_be_null:
                    result[key] = None
                continue
            result[key] = parser(value[key], child(path, key), rules)
        return result

    return parse


price = obj(
    {"amount": number(minimum=0), "currency_code": currency_code},
    required=("amount", "currency_code"),
)
image = obj(
    {
        "url": url,
        "is_clean_image": boolean,
        "variation_skus": array(text(min_len=1, max_len=80)),
    },
    required=("url",),
)
_shipping_common: dict[str, Parser] = {
    "is_enabled": boolean,
    "max_delivery_days": integer(minimum=0),
    "price": price,
    "additional_price": price,
}
_region_shipping = obj(
    {**_shipping_common, "destination": text(min_len=2, max_len=3)},
    required=("destination",),
    nullable=("max_delivery_days", "price", "additional_price"),
)
_country_shipping = obj(
    {**_shipping_common, "destination": country, "overrides": array(_region_shipping)},
    required=("destination", "overrides"),
    nullable=("max_delivery_days",),
)
logistics = obj(
    {
        "customs_declared_name": text(),
        "origin_country": country,
        "weight": number(minimum=0),
        "restricted_flags": array(enum(RESTRICTED_FLAGS)),
        "customs_hs_code": text(),
        "height": number(minimum=0),
        "width": number(minimum=0),
        "length": number(minimum=0),
        "declared_name": text(),
        "customs_declared_value": price,
        "pieces": integer(minimum=0),
        "declared_local_name": text(),
    },
    nullable=("restricted_flags",),
)
_attribute = obj(
    {"name": text(min_len=1), "value": array(text())}, required=("name",), nullable=("value",)
)
VARIATION_FIELDS: dict[str, Parser] = {
    "sku": text(min_len=1, max_len=80),
    "price": price,
    "cost": price,
    "merchant_set_cost": number(minimum=0),
    "gtin": gtin,
    "image": url,
    "inventories": array(
        obj(
            {"warehouse_id": warehouse, "inventory": integer(minimum=0, maximum=500_000)},
            required=("warehouse_id", "inventory"),
        )
    ),
    "options": array(
        obj({"name": text(min_len=1), "value": text(min_len=1)}, required=("name", "value"))
    ),
    "attributes": array(_attribute),
    "quantity_value": number(minimum=0),
    "logistics_details": logistics,
}
_VARIATION_NULLABLE = ("gtin", "attributes", "quantity_value", "merchant_set_cost")
PRODUCT_FIELDS: dict[str, Parser] = {
    "name": text(min_len=1),
    "description": description,
    "parent_sku": text(min_len=1, max_len=80),
    "tags": array(text(min_len=1, max_len=80), max_items=10),
    "category_id": integer(minimum=1),
    "subcategory_id": integer(minimum=0),
    "brand_id": text(min_len=1),
    "condition": enum(CONDITIONS),
    "max_quantity": integer(minimum=1),
    "msrp": price,
    "attributes": array(_attribute),
    "unit": enum(UNITS),
    "reference_value": integer(minimum=0),
    "video": obj({"url": url}),
    "california_prop65_warning_type": enum(WARNING_TYPES),
    "california_prop65_chemical_names": array(text(min_len=1), max_items=5),
    "consignment": obj({"existing_pid": text(), "reference_link": text()}),
    "default_shipping_prices": array(
        obj(
            {"warehouse_id": warehouse, "default_shipping_price": price},
            required=("default_shipping_price", "warehouse_id"),
        ),
        min_items=1,
    ),
    "warehouse_to_shippings": array(
        obj(
            {"warehouse_id": warehouse, "shipping_details": array(_country_shipping)},
            required=("warehouse_id", "shipping_details"),
        )
    ),
    "main_image": image,
}
_PRODUCT_NULLABLE = (
    "tags",
    "subcategory_id",
    "max_quantity",
    "attributes",
    "unit",
    "reference_value",
    "california_prop65_warning_type",
    "california_prop65_chemical_names",
    "consignment",
)
CREATE_REQUIRED = (
    "name",
    "description",
    "parent_sku",
    "category_id",
    "default_shipping_prices",
    "main_image",
    "variations",
)

parse_create_body = obj(
    {
        **PRODUCT_FIELDS,
        "extra_images": array(image, max_items=100),
        "variations": array(
            obj(
                VARIATION_FIELDS,
                required=("sku", "price", "inventories"),
                nullable=_VARIATION_NULLABLE,
            ),
            min_items=1,
            max_items=400,
        ),
    },
    required=CREATE_REQUIRED,
    nullable=_PRODUCT_NULLABLE,
)
parse_update_body = obj(
    {
        **PRODUCT_FIELDS,
        "status": enum(("ENABLED", "DISABLED")),
        "extra_images": array(image, max_items=100),
        "variations": array(
            obj(
                {
                    **VARIATION_FIELDS,
                    "id": text(min_len=1),
                    "status": enum(("ENABLED", "DISABLED")),
                },
                required=("id",),
                nullable=_VARIATION_NULLABLE,
            ),
            max_items=400,
        ),
    },
    nullable=(*_PRODUCT_NULLABLE, "extra_images"),
)


def parse_create(body: dict[str, Any], rules: MerchantRules) -> dict[str, Any]:
    """Validate a ``CreateProduct`` body; return the normalised product document.

    Raises:
        WishError: 90001 naming the first field that breaks a rule.
    """
    product: dict[str, Any] = parse_create_body(body, "", rules)
    for index, variation in enumerate(product["variations"]):
        path = child(child("variations", index), "logistics_details")
        details = variation.get("logistics_details") or {}
        if "origin_country" not in details:
            raise invalid("required", field=child(path, "origin_country"))
        if rules.mainland_china and "weight" not in details:
            raise invalid("weight_required", field=child(path, "weight"))
    check_product(product, rules)
    return product


def parse_update(body: dict[str, Any], rules: MerchantRules) -> dict[str, Any]:
    """Validate an ``UpdateProduct`` body; return the normalised changes.

    Raises:
        WishError: 90001 naming the first field that breaks a rule.
    """
    changes: dict[str, Any] = parse_update_body(body, "", rules)
    return changes


def check_product(product: dict[str, Any], rules: MerchantRules) -> None:
    """Check the rules that span fields, on a whole product document.

    Raises:
        WishError: 90001 for the first rule broken.
    """
    images = [product.get("main_image") or {}, *(product.get("extra_images") or [])]
    if sum(1 for item in images if item.get("is_clean_image")) > 1:
        raise invalid("one_clean_image")
    extra_urls = {item["url"] for item in product.get("extra_images") or []}
    variations = product.get("variations") or []
    seen_skus: set[str] = set()
    for index, variation in enumerate(variations):
        path = child("variations", index)
        if variation["sku"] in seen_skus:
            raise invalid("duplicate_sku", field=child(path, "sku"), value=variation["sku"])
        seen_skus.add(variation["sku"])
        image_url = variation.get("image")
        if image_url is None and len(variations) > 1:
            raise invalid("variation_image_required", field=child(path, "image"))
        if image_url is not None and image_url not in extra_urls:
            raise invalid("variation_image_not_extra", field=child(path, "image"))
    warehouses = {item["warehouse_id"] for item in product.get("default_shipping_prices") or []}
    if rules.standard_warehouse_id not in warehouses:
        raise invalid("standard_warehouse_shipping", warehouse_id=rules.standard_warehouse_id)
    _check_additional_prices(product)


def _check_additional_prices(product: dict[str, Any]) -> None:
    for w_index, entry in enumerate(product.get("warehouse_to_shippings") or []):
        base = child(child("warehouse_to_shippings", w_index), "shipping_details")
        for d_index, detail in enumerate(entry["shipping_details"]):
            path = child(base, d_index)
            _check_additional(detail, path)
            for o_index, override in enumerate(detail["overrides"]):
                _check_additional(override, child(child(path, "overrides"), o_index))


def _check_additional(detail: dict[str, Any], path: str) -> None:
    shipping, additional = detail.get("price"), detail.get("additional_price")
    if shipping and additional and additional["amount"] > shipping["amount"]:
        raise invalid("additional_price", field=child(path, "additional_price"))
