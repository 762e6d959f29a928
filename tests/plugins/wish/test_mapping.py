"""Pure mapping between Tradewind records and Wish v3 payloads, and Wish's error envelopes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from core.errors import AuthorizationExpired, PermanentError
from core.interfaces.common import Money
from core.interfaces.listings import ListingStatus, ShippingRate
from core.interfaces.orders import OrderStatus
from plugins.wish.errors import error_for_envelope, payload_field, wish_field_in
from plugins.wish.mapping import (
    create_body,
    format_ms,
    listing_record,
    normalise_tracking_number,
    order_record,
    parse_time,
    to_ms,
    tracking_body,
    update_body,
)
from plugins.wish.transport import encode_body
from tests.plugins.wish.plugin_helpers import make_listing, usd

WAREHOUSE = "5e1b4fa4b1e2b5e1b4fa4b1e"

# An Order as Wish v3 answers it (fields from the v3 spec's Order schema).
ORDER: dict[str, Any] = {
    "id": "6290d3a2c6d2f4a1b2c3d4e5",
    "transaction_id": "6290d3a2c6d2f4a1b2c3d4e6",
    "state": "SHIPPED",
    "released_at": "2022-10-19T04:16:35.661+00:00",
    "updated_at": "2022-10-20T09:00:00Z",
    "product_information": {
        "id": "61a0f0e0e0e0e0e0e0e0e0e0",
        "variation_id": "61a0f0e0e0e0e0e0e0e0e0e1",
        "sku": "MUG-001-RED",
        "name": "Ceramic mug",
        "color": "Red",
        "size": "",
        "variation_image_url": "https://img.example/red.jpg",
    },
    "order_payment": {
        "general_payment_details": {
            "product_quantity": 2,
            "product_price": {"amount": Decimal("9.99"), "currency_code": "USD"},
            "product_shipping_price": {"amount": Decimal("2.5"), "currency_code": "USD"},
            "payment_total": {"amount": Decimal("21.23"), "currency_code": "USD"},
        }
    },
    "full_address": {
        "shipping_detail": {
            "name": "Emily Carter",
            "street_address1": "1428 Elm Street",
            "street_address2": "Apt 2",
            "city": "Springfield",
            "state": "IL",
            "zipcode": "62704",
            "country_code": "US",
            "phone_number": {"number": "2175550143", "country_code": "1"},
        }
    },
    "tracking_information": [
        {
            "tracking_number": "LK434266003CN",
            "shipping_provider": {"name": "EPacket"},
            "origin_country": "CN",
            "ship_note": "fragile",
        }
    ],
    "fulfillment_requirements": {
        "expected_ship_time": "2022-10-24T04:16:35.661+00:00",
        "expected_delivery_time": "2022-11-18T04:16:35.661+00:00",
    },
    "refunds": [],
    "warehouse_information": {"warehouse_id": WAREHOUSE, "warehouse_name": "STANDARD"},
    "processing_source": "UPDATE_TRACKING",
    "processing_status": "SUCCEEDED",
}

PRODUCT: dict[str, Any] = {
    "id": "61a0f0e0e0e0e0e0e0e0e0e0",
    "name": "Ceramic mug",
    "description": "A mug.",
    "parent_sku": "MUG-001",
    "tags": ["mug"],
    "category_id": 1234,
    "state": "MERCHANT_INACTIVE",
    "status": "APPROVED",
    "created_at": "2022-10-19T04:16:35.661+00:00",
    "updated_at": "2022-10-19T05:00:00.000+00:00",
    "main_image": {"url": "https://img.example/main.jpg", "is_clean_image": False},
    "extra_images": [{"url": "https://img.example/red.jpg", "is_clean_image": False}],
    "variations": [
        {
            "id": "v1",
            "product_id": "61a0f0e0e0e0e0e0e0e0e0e0",
            "sku": "MUG-001-RED",
            "price": {"amount": Decimal("9.99"), "currency_code": "USD"},
            "inventories": [{"warehouse_id": WAREHOUSE, "inventory": 5}],
            "options": [{"name": "COLOR", "value": "Red"}],
            "image": "https://img.example/red.jpg",
            "status": "ENABLED",
        },
        {
            "id": "v2",
            "sku": "MUG-001-BLUE",
            "price": {"amount": Decimal("11.5"), "currency_code": "USD"},
            "inventories": [{"warehouse_id": WAREHOUSE, "inventory": 0}],
            "status": "DISABLED",
        },
    ],
    "num_sold": 3,
    "request_id": "r-1",
}


def test_times() -> None:
    moment = parse_time("2022-10-19T04:16:35.661+00:00")
    assert moment == datetime(2022, 10, 19, 4, 16, 35, 661000, tzinfo=UTC)
    assert parse_time("2022-10-19T12:16:35+08:00") == datetime(2022, 10, 19, 4, 16, 35, tzinfo=UTC)
    assert parse_time("2022-10-19T04:16:35Z") == parse_time("2022-10-19 04:16:35")
    assert format_ms(to_ms(moment)) == "2022-10-19T04:16:35.661+00:00"
    with pytest.raises(ValueError):
        parse_time("yesterday")


def test_order_record() -> None:
    order = order_record(ORDER)
    assert order.order_id == ORDER["id"]
    assert (order.status, order.platform_status) == (OrderStatus.SHIPPED, "SHIPPED")
    assert order.created_at == order.paid_at == parse_time(ORDER["released_at"])
    assert order.updated_at == datetime(2022, 10, 20, 9, tzinfo=UTC)
    (line,) = order.lines
    assert (line.line_id, line.sku, line.quantity) == (ORDER["id"], "MUG-001-RED", 2)
    assert line.unit_price == usd("9.99") and line.shipping_price == usd("2.5")
    assert line.options == {"color": "Red"}
    assert (line.listing_id, line.variant_id) == (
        "61a0f0e0e0e0e0e0e0e0e0e0",
        "61a0f0e0e0e0e0e0e0e0e0e1",
    )
    assert order.total == usd("24.98")
    assert order.platform_fields["merchant_payment_total"] == "21.23"
    address = order.shipping_address
    assert address is not None
    assert (address.name, address.street2, address.postal_code, address.phone) == (
        "Emily Carter",
        "Apt 2",
        "62704",
        "+1 2175550143",
    )
    assert [(t.tracking_number, t.carrier_name, t.origin_country) for t in order.tracking] == [
        ("LK434266003CN", "EPacket", "CN")
    ]
    assert order.ship_by == parse_time("2022-10-24T04:16:35.661+00:00")
    assert not order.fulfilled_by_platform


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("APPROVED", OrderStatus.TO_SHIP),
        ("REQUIRE_REVIEW", OrderStatus.ON_HOLD),
        ("REFUNDED", OrderStatus.REFUNDED),
        ("DECLINED", OrderStatus.CANCELLED),
    ],
)
def test_order_states(state: str, status: OrderStatus) -> None:
    assert order_record({**ORDER, "state": state}).status is status


def test_order_without_address_or_with_fbw() -> None:
    bare = {**ORDER, "full_address": {}, "fulfillment_order_types": ["FULFILLED_BY_WISH"]}
    order = order_record(bare)
    assert order.shipping_address is None and order.fulfilled_by_platform


def test_listing_record() -> None:
    record = listing_record(PRODUCT)
    assert (record.status, record.platform_status) == (ListingStatus.DELISTED, "MERCHANT_INACTIVE")
    assert record.parent_sku == "MUG-001" and record.category_id == "1234"
    assert [(v.variant_id, v.quantity, v.enabled) for v in record.variants] == [
        ("v1", 5, True),
        ("v2", 0, False),
    ]
    assert record.variants[0].options == {"color": "Red"}
    assert (record.min_price, record.max_price) == (usd("9.99"), usd("11.5"))
    assert not record.partial
    shallow = {k: v for k, v in PRODUCT.items() if k not in ("variations", "main_image")}
    assert listing_record(shallow).partial


@pytest.mark.parametrize(
    ("state", "status", "expected"),
    [
        ("ACTIVE", "APPROVED", ListingStatus.ACTIVE),
        ("WISH_INACTIVE", "PENDING_REVIEW", ListingStatus.UNDER_REVIEW),
        ("REMOVED_BY_WISH", "REJECTED", ListingStatus.REJECTED),
        ("REMOVED_BY_WISH", "REMOVED_BY_WISH", ListingStatus.REMOVED),
        ("REMOVED_BY_MERCHANT", "REMOVED_BY_MERCHANT", ListingStatus.REMOVED),
    ],
)
def test_listing_states(state: str, status: str, expected: ListingStatus) -> None:
    assert listing_record({**PRODUCT, "state": state, "status": status}).status is expected


def test_create_body_matches_the_create_product_schema() -> None:
    listing = make_listing(
        "MUG-9",
        variants=2,
        extra_image_urls=("https://img.example/MUG-9/1.jpg", "https://img.example/side.jpg"),
        shipping=(ShippingRate(usd("2.50")), ShippingRate(usd("4.00"), "US")),
        attributes={"material": ("ceramic",)},
        platform_fields={"brand_id": "b-1", "is_clean_image": True, "max_quantity": 5},
    )
    first = replace(listing.variants[0], msrp=usd("19.99"), gtin="12345678", hs_code="6912")
    listing = replace(listing, variants=(first, listing.variants[1]))
    body = json.loads(encode_body(create_body(listing, WAREHOUSE)))
    assert body["name"] == "Ceramic mug MUG-9" and body["parent_sku"] == "MUG-9"
    assert body["condition"] == "NEW" and body["category_id"] == 1234
    assert body["main_image"] == {
        "url": "https://img.example/MUG-9/main.jpg",
        "is_clean_image": True,
    }
    assert [i["url"] for i in body["extra_images"]] == [
        "https://img.example/MUG-9/1.jpg",
        "https://img.example/side.jpg",
        "https://img.example/MUG-9/0.jpg",
    ]
    assert body["default_shipping_prices"] == [
        {
            "warehouse_id": WAREHOUSE,
            "default_shipping_price": {"amount": 2.5, "currency_code": "USD"},
        }
    ]
    assert body["warehouse_to_shippings"][0]["shipping_details"] == [
        {
            "destination": "US",
            "price": {"amount": 4.0, "currency_code": "USD"},
            "is_enabled": True,
            "overrides": [],
        }
    ]
    assert body["msrp"] == {"amount": 19.99, "currency_code": "USD"}
    assert body["attributes"] == [{"name": "material", "value": ["ceramic"]}]
    assert (body["brand_id"], body["max_quantity"]) == ("b-1", 5)
    variation = body["variations"][0]
    assert variation == {
        "sku": "MUG-9-0",
        "price": {"amount": 9.99, "currency_code": "USD"},
        "inventories": [{"warehouse_id": WAREHOUSE, "inventory": 100}],
        "image": "https://img.example/MUG-9/0.jpg",
        "options": [{"name": "COLOR", "value": "color-0"}],
        "gtin": "12345678",
        "logistics_details": {"origin_country": "CN", "weight": 350, "customs_hs_code": "6912"},
    }


def test_update_body_matches_variations_by_sku() -> None:
    listing = make_listing("MUG-001", variants=2)
    remote = [
        {"id": "a", "sku": "MUG-001-0"},
        {"id": "b", "sku": "MUG-001-1"},
        {"id": "c", "sku": "OLD", "image": "https://img.example/old.jpg"},
    ]
    body = update_body(listing, WAREHOUSE, remote)
    assert [(v["id"], v["status"]) for v in body["variations"]] == [
        ("a", "ENABLED"),
        ("b", "ENABLED"),
        ("c", "DISABLED"),
    ]
    assert body["extra_images"][-1] == {"url": "https://img.example/old.jpg"}
    with pytest.raises(PermanentError):
        update_body(listing, WAREHOUSE, remote[:1])


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("lk434266003cn", "LK434266003CN"),
        (" LK 4342-6600 3CN ", "LK434266003CN"),
        ("yt2223131246000002", "YT2223131246000002"),
        ("UA_123/456.7", "UA1234567"),
    ],
)
def test_tracking_numbers_are_normalised(raw: str, clean: str) -> None:
    assert normalise_tracking_number(raw) == clean


@pytest.mark.parametrize("raw", ["", " - ", "LK#1", "单号123"])
def test_tracking_numbers_that_cannot_be_normalised(raw: str) -> None:
    with pytest.raises(PermanentError) as refused:
        normalise_tracking_number(raw)
    assert refused.value.field == "tracking_number"


def test_tracking_body() -> None:
    assert tracking_body("LK1", "EPacket", "CN", "  thanks ") == {
        "tracking_number": "LK1",
        "shipping_provider": "EPacket",
        "origin_country": "CN",
        "ship_note": "thanks",
    }
    assert "ship_note" not in tracking_body("LK1", "EPacket", "CN")


def test_decimals_travel_as_numbers() -> None:
    assert encode_body({"price": Money(Decimal("9.99"), "USD").amount}) == b'{"price":9.99}'


@pytest.mark.parametrize(
    ("message", "wish_path", "field"),
    [
        ("name must not be empty.", "name", "title"),
        (
            "variations[1].price.amount must be at least 0.",
            "variations[1].price.amount",
            "variants[1].price",
        ),
        (
            "中国大陆商户必须填写 variations[0].logistics_details.weight。",
            "variations[0].logistics_details.weight",
            "variants[0].weight_grams",
        ),
        (
            "variations[2].inventories[0].inventory must be between 0 and 500000.",
            "variations[2].inventories[0].inventory",
            "variants[2].quantity",
        ),
        ("tags[3] must be at most 80 characters long.", "tags[3]", "tags[3]"),
        ("main_image.url must be a valid http(s) URL.", "main_image.url", "main_image_url"),
        (
            "default_shipping_prices must include the standard warehouse 5e1.",
            "default_shipping_prices",
            "shipping",
        ),
        ("There is no such product for the merchant.", None, None),
    ],
)
def test_error_messages_name_payload_fields(
    message: str, wish_path: str | None, field: str | None
) -> None:
    assert wish_field_in(message) == wish_path
    if wish_path is not None:
        assert payload_field(wish_path) == field
    error = error_for_envelope(90001, message)
    assert isinstance(error, PermanentError) and error.field == field and error.code == "90001"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (1006, AuthorizationExpired),
        (1007, AuthorizationExpired),
        (1008, AuthorizationExpired),
        (1002, PermanentError),
        (10002, PermanentError),
        (1001, PermanentError),
    ],
)
def test_envelope_codes(code: int, kind: type[Exception]) -> None:
    error = error_for_envelope(code, "message")
    assert type(error) is kind and str(error).endswith("message")
