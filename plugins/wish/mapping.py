"""Pure translation between Tradewind records and Wish v3 payloads (no I/O).

Wish shapes follow the Merchant API v3 (OpenAPI 3.0.65): ``CreateProduct`` / ``UpdateProduct``
bodies, ``Product`` answers, ``Order`` answers and ``UpdateTracking`` bodies. Money travels as
``{"amount": number, "currency_code": "USD"}`` and is read back as :class:`~decimal.Decimal`
(the transport parses JSON numbers as decimals); times as ``2022-10-19T04:16:35.661+00:00``.

Platform fields this plugin reads from :attr:`ListingPayload.platform_fields`:

- ``warehouse_id``: the Wish warehouse for prices, stock and shipping (default: the store's
  STANDARD warehouse, learned at authorization);
- ``brand_id``: Wish's brand id; ``is_clean_image``: the main image is a clean image;
- ``currency``: the merchant's localized currency (default: learned at authorization);
- ``mainland_china``: whether the merchant is based in mainland China (variation weight
  required; default ``True``), see :mod:`plugins.wish.validation`;
- ``max_quantity``: Wish's per-order purchase limit;
- ``origin_country``: ISO country the goods ship from, for variants that name none (Wish
  requires it per variation).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from core.errors import PermanentError
from core.interfaces.common import Address, Money
from core.interfaces.listings import (
    ListingPayload,
    ListingRecord,
    ListingStatus,
    VariantPayload,
    VariantRecord,
)
from core.interfaces.orders import OrderLine, OrderRecord, OrderStatus, TrackingInfo

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$"
)
_TRACKING_SEPARATORS = re.compile(r"[\s\-_/.]+")
_ALPHANUMERIC = re.compile(r"^[A-Z0-9]+$")

LISTING_STATES: Mapping[str, ListingStatus] = {
    "ACTIVE": ListingStatus.ACTIVE,
    "WISH_INACTIVE": ListingStatus.UNDER_REVIEW,
    "MERCHANT_INACTIVE": ListingStatus.DELISTED,
    "REMOVED_BY_WISH": ListingStatus.REMOVED,
    "REMOVED_BY_MERCHANT": ListingStatus.REMOVED,
}
ORDER_STATES: Mapping[str, OrderStatus] = {
    "APPROVED": OrderStatus.TO_SHIP,
    "SHIPPED": OrderStatus.SHIPPED,
    "REFUNDED": OrderStatus.REFUNDED,
    "REQUIRE_REVIEW": OrderStatus.ON_HOLD,
    "DECLINED": OrderStatus.CANCELLED,
}
_OPTION_NAMES = {"color": "COLOR", "colour": "COLOR", "size": "SIZE"}


# -- times and money -------------------------------------------------------------------------


def parse_time(text: str) -> datetime:
    """Parse a Wish date-time (milliseconds and offset optional; no offset = UTC) to UTC.

    Raises:
        ValueError: the text is not such a date-time.
    """
    match = _TIME.match(text.strip())
    if match is None:
        raise ValueError(f"not a Wish date-time: {text!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    moment = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), micros, tzinfo=UTC
    )
    if zone and zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment


def to_ms(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime (truncated)."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def from_ms(ms: int) -> datetime:
    """The UTC datetime of epoch milliseconds."""
    return _EPOCH + timedelta(milliseconds=ms)


def format_ms(ms: int) -> str:
    """Format epoch milliseconds as Wish does: ``2022-10-19T04:16:35.661+00:00``."""
    return from_ms(ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}+00:00"


def time_ms(item: Mapping[str, Any], attribute: str) -> int:
    """Epoch milliseconds of a date-time attribute of a Wish object."""
    return to_ms(parse_time(str(item[attribute])))


def price(money: Money) -> dict[str, Any]:
    """A Wish ``Price`` object."""
    return {"amount": money.amount, "currency_code": money.currency}


def money_of(value: Mapping[str, Any] | None) -> Money | None:
    """Read a Wish money object (``None`` when absent)."""
    if not value or value.get("amount") is None:
        return None
    return Money(Decimal(str(value["amount"])), str(value.get("currency_code") or "USD"))


# -- listings -------------------------------------------------------------------------------


def variant_image_urls(listing: ListingPayload) -> list[str]:
    """Every picture the product sends as ``extra_images``: extras, then variant pictures.

    Wish requires a variation's image to be among ``extra_images``; variant pictures missing
    from the extras are added after them, in variant order, without duplicates.
    """
    urls: list[str] = []
    for url in (*listing.extra_image_urls, *(v.image_url for v in listing.variants)):
        if url and url not in urls and url != listing.main_image_url:
            urls.append(url)
    return urls


def _option_name(name: str) -> str:
    return _OPTION_NAMES.get(name.lower(), name.upper())


def _logistics(variant: VariantPayload) -> dict[str, Any]:
    details: dict[str, Any] = {}
    pairs: Iterable[tuple[str, Any]] = (
        ("origin_country", variant.origin_country),
        ("weight", variant.weight_grams),
        ("length", variant.length_cm),
        ("width", variant.width_cm),
        ("height", variant.height_cm),
        ("customs_hs_code", variant.hs_code),
        ("customs_declared_name", variant.customs_name_en),
        ("declared_local_name", variant.customs_name_local),
    )
    for key, value in pairs:
        if value is not None and value != "":
            details[key] = value
    if variant.customs_value is not None:
        details["customs_declared_value"] = price(variant.customs_value)
    return details


def variation_body(variant: VariantPayload, warehouse_id: str) -> dict[str, Any]:
    """The editable fields of one Wish variation."""
    body: dict[str, Any] = {
        "sku": variant.sku,
        "price": price(variant.price),
        "inventories": [{"warehouse_id": warehouse_id, "inventory": variant.quantity}],
    }
    if variant.image_url:
        body["image"] = variant.image_url
    if variant.options:
        body["options"] = [
            {"name": _option_name(name), "value": value} for name, value in variant.options.items()
        ]
    if variant.gtin:
        body["gtin"] = variant.gtin
    logistics = _logistics(variant)
    if logistics:
        body["logistics_details"] = logistics
    return body


def _product_fields(listing: ListingPayload, warehouse_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": listing.title,
        "description": listing.description,
        "parent_sku": listing.parent_sku,
        "tags": list(listing.tags),
        "condition": listing.condition.upper(),
        "main_image": {"url": listing.main_image_url},
        "extra_images": [{"url": url} for url in variant_image_urls(listing)],
    }
    if listing.platform_fields.get("is_clean_image"):
        body["main_image"]["is_clean_image"] = True
    if listing.category_id:
        body["category_id"] = int(listing.category_id)
    if listing.platform_fields.get("brand_id"):
        body["brand_id"] = str(listing.platform_fields["brand_id"])
    if listing.platform_fields.get("max_quantity"):
        body["max_quantity"] = int(listing.platform_fields["max_quantity"])
    msrps = [v.msrp for v in listing.variants if v.msrp is not None]
    if msrps:
        body["msrp"] = price(max(msrps, key=lambda money: money.amount))
    if listing.attributes:
        body["attributes"] = [
            {"name": name, "value": list(values)} for name, values in listing.attributes.items()
        ]
    defaults = [rate for rate in listing.shipping if rate.destination is None]
    if defaults:
        body["default_shipping_prices"] = [
            {"warehouse_id": warehouse_id, "default_shipping_price": price(defaults[0].price)}
        ]
    destinations = [rate for rate in listing.shipping if rate.destination is not None]
    if destinations:
        body["warehouse_to_shippings"] = [
            {
                "warehouse_id": warehouse_id,
                "shipping_details": [
                    {
                        "destination": rate.destination,
                        "price": price(rate.price),
                        "is_enabled": True,
                        "overrides": [],
                    }
                    for rate in destinations
                ],
            }
        ]
    return body


def create_body(listing: ListingPayload, warehouse_id: str) -> dict[str, Any]:
    """The ``CreateProduct`` body of a listing."""
    body = _product_fields(listing, warehouse_id)
    body["variations"] = [variation_body(v, warehouse_id) for v in listing.variants]
    return body


def update_body(
    listing: ListingPayload, warehouse_id: str, remote_variations: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """The ``UpdateProduct`` body of a full edit.

    Variants carry their ``remote_id``; those without one are matched to the product's
    current variations by SKU. Current variations missing from the listing are disabled.

    Raises:
        PermanentError: a variant matches no variation (Wish cannot add variations here).
    """
    remote = list(remote_variations)
    by_sku = {str(v["sku"]): str(v["id"]) for v in remote}
    body = _product_fields(listing, warehouse_id)
    # A disabled variation keeps its picture, which Wish still wants among the extras.
    listed = {v.sku for v in listing.variants}
    urls = [image["url"] for image in body["extra_images"]]
    for variation in remote:
        image = variation.get("image")
        if variation["sku"] not in listed and image and image not in urls:
            urls.append(image)
            body["extra_images"].append({"url": image})
    variations: list[dict[str, Any]] = []
    kept: set[str] = set()
    for index, variant in enumerate(listing.variants):
        remote_id = variant.remote_id or by_sku.get(variant.sku)
        if remote_id is None:
            raise PermanentError(
                f"variant {variant.sku} is not on Wish yet; Wish cannot add a variation to a "
                "published product through an edit",
                code="wish.variation_unknown",
                field=f"variants[{index}].remote_id",
            )
        kept.add(remote_id)
        variation = {"id": remote_id, **variation_body(variant, warehouse_id)}
        variation["status"] = "ENABLED" if variant.enabled else "DISABLED"
        variations.append(variation)
    for remote_id in by_sku.values():
        if remote_id not in kept:
            variations.append({"id": remote_id, "status": "DISABLED"})
    body["variations"] = variations
    return body


def _variant_record(variation: Mapping[str, Any]) -> VariantRecord:
    inventories = variation.get("inventories") or []
    quantity = sum(int(item.get("inventory") or 0) for item in inventories) if inventories else None
    options = {
        str(option["name"]).lower(): str(option["value"])
        for option in variation.get("options") or []
        if option.get("name") is not None and option.get("value") is not None
    }
    return VariantRecord(
        variant_id=str(variation["id"]),
        sku=str(variation["sku"]),
        price=money_of(variation.get("price")),
        quantity=quantity,
        options=options,
        image_url=variation.get("image"),
        enabled=variation.get("status", "ENABLED") == "ENABLED",
    )


def listing_status(state: str, review_status: str | None = None) -> ListingStatus:
    """Tradewind's status of a Wish product ``state`` (``status`` REJECTED = refused review)."""
    if state == "REMOVED_BY_WISH" and review_status == "REJECTED":
        return ListingStatus.REJECTED
    return LISTING_STATES.get(state, ListingStatus.UNDER_REVIEW)


def listing_record(product: Mapping[str, Any], status_reason: str = "") -> ListingRecord:
    """A ``Product`` (full) or ``ShallowProduct`` (list) answer as a listing record."""
    variations = product.get("variations")
    variants = tuple(_variant_record(v) for v in variations or [])
    prices = [v.price for v in variants if v.price is not None]
    main_image = product.get("main_image") or {}
    state = str(product.get("state") or "")
    return ListingRecord(
        listing_id=str(product["id"]),
        parent_sku=product.get("parent_sku"),
        title=str(product.get("name") or ""),
        status=listing_status(state, product.get("status")),
        platform_status=state,
        variants=variants,
        updated_at=parse_time(product["updated_at"]) if product.get("updated_at") else None,
        created_at=parse_time(product["created_at"]) if product.get("created_at") else None,
        description=str(product.get("description") or ""),
        main_image_url=main_image.get("url"),
        extra_image_urls=tuple(str(i["url"]) for i in product.get("extra_images") or []),
        tags=tuple(str(tag) for tag in product.get("tags") or []),
        category_id=str(product["category_id"]) if product.get("category_id") else None,
        url=f"https://www.wish.com/product/{product['id']}",
        status_reason=status_reason,
        min_price=min(prices, key=lambda m: m.amount) if prices else None,
        max_price=max(prices, key=lambda m: m.amount) if prices else None,
        partial=variations is None,
        platform_fields={
            "wish_status": product.get("status"),
            "num_sold": product.get("num_sold", 0),
            "request_id": product.get("request_id"),
        },
    )


# -- orders ---------------------------------------------------------------------------------


def _address(order: Mapping[str, Any]) -> Address | None:
    detail = (order.get("full_address") or {}).get("shipping_detail") or {}
    country = str(detail.get("country_code") or "").upper()
    if not detail or not re.fullmatch(r"[A-Z]{2}", country):
        return None
    phone = detail.get("phone_number") or {}
    number = str(phone.get("number") or "")
    prefix = f"+{phone['country_code']} " if phone.get("country_code") and number else ""
    return Address(
        name=str(detail.get("name") or ""),
        street1=str(detail.get("street_address1") or ""),
        street2=str(detail.get("street_address2") or ""),
        street3=str(detail.get("street_address3") or ""),
        city=str(detail.get("city") or ""),
        state=str(detail.get("state") or ""),
        postal_code=str(detail.get("zipcode") or ""),
        country_code=country,
        phone=prefix + number,
    )


def _tracking(order: Mapping[str, Any]) -> tuple[TrackingInfo, ...]:
    found: list[TrackingInfo] = []
    for item in order.get("tracking_information") or []:
        origin = str(item.get("origin_country") or "").upper() or None
        found.append(
            TrackingInfo(
                tracking_number=str(item.get("tracking_number") or ""),
                carrier_name=str((item.get("shipping_provider") or {}).get("name") or ""),
                origin_country=origin if origin and len(origin) == 2 else None,
            )
        )
    return tuple(found)


def order_record(order: Mapping[str, Any]) -> OrderRecord:
    """An ``Order`` answer as an order record (Wish orders have exactly one line)."""
    product = order.get("product_information") or {}
    payment = (order.get("order_payment") or {}).get("general_payment_details") or {}
    quantity = int(payment.get("product_quantity") or 1)
    unit = money_of(payment.get("product_price")) or Money(Decimal(0), "USD")
    shipping = money_of(payment.get("product_shipping_price")) or Money(Decimal(0), unit.currency)
    options = {
        key: str(product[key]) for key in ("color", "size") if product.get(key) not in (None, "")
    }
    line = OrderLine(
        line_id=str(order["id"]),
        sku=str(product.get("sku") or ""),
        title=str(product.get("name") or ""),
        quantity=quantity,
        unit_price=unit,
        listing_id=product.get("id"),
        variant_id=product.get("variation_id"),
        shipping_price=shipping,
        image_url=product.get("variation_image_url"),
        options=options,
    )
    released = parse_time(order["released_at"])
    requirements = order.get("fulfillment_requirements") or {}
    ship_by = requirements.get("expected_ship_time")
    order_types = [*(order.get("fulfillment_order_types") or []), order.get("order_type")]
    payout = money_of(payment.get("payment_total"))
    state = str(order.get("state") or "")
    return OrderRecord(
        order_id=str(order["id"]),
        status=ORDER_STATES.get(state, OrderStatus.ON_HOLD),
        platform_status=state,
        created_at=released,
        updated_at=parse_time(order["updated_at"]),
        lines=(line,),
        total=Money((unit.amount + shipping.amount) * quantity, unit.currency),
        shipping_address=_address(order),
        paid_at=released,
        ship_by=parse_time(ship_by) if ship_by else None,
        tracking=_tracking(order),
        fulfilled_by_platform="FULFILLED_BY_WISH" in order_types,
        platform_fields={
            "transaction_id": order.get("transaction_id"),
            "processing_source": order.get("processing_source"),
            "processing_status": order.get("processing_status"),
            "merchant_payment_total": str(payout.amount) if payout else None,
            "warehouse_id": (order.get("warehouse_information") or {}).get("warehouse_id"),
            "refunds": [
                {
                    "reason": refund.get("refund_reason"),
                    "source": refund.get("refund_source"),
                    "time": refund.get("refund_time"),
                }
                for refund in order.get("refunds") or []
            ],
        },
    )


def normalise_tracking_number(text: str) -> str:
    """Upper-case a tracking number and drop spaces, dashes and other separators.

    Raises:
        PermanentError: something other than letters and digits remains, or nothing does.
    """
    cleaned = _TRACKING_SEPARATORS.sub("", text).upper()
    if not cleaned or not _ALPHANUMERIC.match(cleaned):
        raise PermanentError(
            f"tracking number {text!r} must contain only letters and digits",
            code="wish.tracking_number",
            field="tracking_number",
        )
    return cleaned


def tracking_body(
    tracking_number: str, carrier_name: str, origin_country: str, note: str = ""
) -> dict[str, Any]:
    """The ``UpdateTracking`` body (tracking number already normalised)."""
    body: dict[str, Any] = {
        "tracking_number": tracking_number,
        "shipping_provider": carrier_name,
        "origin_country": origin_country,
    }
    if note.strip():
        body["ship_note"] = note.strip()[:500]
    return body


def refund_label(code: str) -> str:
    """An English label for a Wish refund reason enum (``UNABLE_TO_SHIP`` → "Unable to ship")."""
    return code.replace("_", " ").capitalize()
