"""Test orders, like the "Generate Orders" button of Wish's own sandbox.

Orders are made from the merchant's ACTIVE products (a random ENABLED variation each), or
from a few synthetic products when it has none, with buyers in a dozen countries. All orders
of one call are released in the same instant: ``updated_at`` is the same millisecond for the
whole batch (one tie group, at most 500 = the largest page), while ``released_at`` may be
spread over the preceding ``released_within_s`` seconds. Choices come from the sandbox's
seeded generator, so a given seed and call sequence gives the same orders.
"""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from plugins.wish.sandbox.clock import format_ms
from plugins.wish.sandbox.context import DAY_S, Sandbox
from plugins.wish.sandbox.data import ADDRESSES, SYNTHETIC_PRODUCTS
from plugins.wish.sandbox.store import dumps, loads

MAX_BATCH = 500
REV_SHARE = Decimal("0.15")
_CENT = Decimal("0.01")


def _money(amount: Decimal, currency: str) -> dict[str, Any]:
    return {
        "amount": float(amount.quantize(_CENT, rounding=ROUND_HALF_UP)),
        "currency_code": currency,
    }


def _option(variation: dict[str, Any], names: tuple[str, ...]) -> str:
    for option in variation.get("options", []):
        if option["name"].upper() in names:
            value: str = option["value"]
            return value
    return ""


def _catalog_items(sandbox: Sandbox, merchant_id: str, currency: str) -> list[dict[str, Any]]:
    """Return what can be ordered: one entry per ENABLED variation of an ACTIVE product."""
    items: list[dict[str, Any]] = []
    rows = sandbox.store.rows(
        "SELECT id, doc FROM products WHERE merchant_id = ? AND state = 'ACTIVE' ORDER BY id",
        (merchant_id,),
    )
    for row in rows:
        doc = loads(row["doc"])
        shipping = next(iter(doc.get("default_shipping_prices", [])), None)
        for variation in doc["variations"]:
            if variation.get("status") != "ENABLED":
                continue
            items.append(
                {
                    "id": row["id"],
                    "variation_id": variation["id"],
                    "sku": variation["sku"],
                    "name": doc["name"],
                    "color": _option(variation, ("COLOR", "COLOUR")),
                    "size": _option(variation, ("SIZE",)),
                    "variation_image_url": variation.get("image") or doc["main_image"]["url"],
                    "manufactured_country": variation.get("logistics_details", {}).get(
                        "origin_country", "CN"
                    ),
                    "_price": Decimal(str(variation["price"]["amount"])),
                    "_shipping": Decimal(
                        str(shipping["default_shipping_price"]["amount"]) if shipping else "0"
                    ),
                }
            )
    if items:
        return items
    for index, (name, color, size) in enumerate(SYNTHETIC_PRODUCTS):
        items.append(
            {
                "id": sandbox.new_id(),
                "variation_id": sandbox.new_id(),
                "sku": f"SANDBOX-SKU-{index + 1:03d}",
                "name": name,
                "color": color,
                "size": size,
                "variation_image_url": f"https://sandbox.example/images/{index + 1}.jpg",
                "manufactured_country": "CN",
                "_price": Decimal(sandbox.rng.randint(500, 4000)) / 100,
                "_shipping": Decimal(sandbox.rng.randint(100, 500)) / 100,
            }
        )
    return items


def _payment(item: dict[str, Any], quantity: int, currency: str) -> dict[str, Any]:
    price, shipping = item["_price"], item["_shipping"]
    product_payment = price * (1 - REV_SHARE)
    shipping_payment = shipping * (1 - REV_SHARE)
    return {
        "general_payment_details": {
            "product_quantity": quantity,
            "product_price": _money(price, currency),
            "original_product_price": _money(price, currency),
            "product_shipping_price": _money(shipping, currency),
            "product_merchant_payment": _money(product_payment, currency),
            "shipping_merchant_payment": _money(shipping_payment, currency),
            "payment_total": _money((product_payment + shipping_payment) * quantity, currency),
        },
        "rev_share": {"rev_share": float(REV_SHARE)},
    }


def generate_orders(
    sandbox: Sandbox, merchant_id: str, count: int, released_within_s: float = 0.0
) -> list[str]:
    """Create ``count`` (1..500) APPROVED orders for a merchant; return their ids."""
    store = sandbox.store
    merchant = store.merchant(merchant_id)
    if merchant is None:
        raise ValueError(f"no merchant {merchant_id}")
    if not 1 <= count <= MAX_BATCH:
        raise ValueError(f"count must be within 1..{MAX_BATCH}")
    currency = merchant["currency"]
    warehouse = next(w for w in store.warehouses(merchant_id) if w["shipping_type"] == "STANDARD")
    items = _catalog_items(sandbox, merchant_id, currency)
    now = sandbox.now_ms()
    spread_ms = max(0, round(released_within_s * 1000))
    ids: list[str] = []
    with store.transaction():
        for _ in range(count):
            item = sandbox.rng.choice(items)
            quantity = sandbox.rng.choice((1, 1, 1, 1, 2, 3))
            released = now - sandbox.rng.randint(0, spread_ms)
            expected_ship = released + round(sandbox.settings.ship_within_s * 1000)
            order_id = sandbox.new_id()
            doc = {
                "transaction_id": sandbox.new_id(),
                "product_information": {k: v for k, v in item.items() if not k.startswith("_")},
                "order_payment": _payment(item, quantity, currency),
                "full_address": {"shipping_detail": copy.deepcopy(sandbox.rng.choice(ADDRESSES))},
                "tracking_information": [],
                "fulfillment_records": [
                    {"event_type": "ORDER_RELEASED", "event_time": format_ms(released)}
                ],
                "fulfillment_requirements": {
                    "expected_ship_time": format_ms(expected_ship),
                    "expected_delivery_time": format_ms(released + round(30 * DAY_S * 1000)),
                },
                "warehouse_information": {
                    "warehouse_id": warehouse["id"],
                    "warehouse_name": warehouse["name"],
                    "warehouse_type": "PRIMARY",
                },
                "refunds": [],
                "penalties": [],
                "special_programs": [],
                "fulfillment_order_types": [],
                "tax_information": {},
                "processing_source": None,
                "processing_status": None,
            }
            store.execute(
                "INSERT INTO orders (id, merchant_id, state, released_at_ms, updated_at_ms, "
                "expected_ship_ms, order_types, doc) VALUES (?, ?, 'APPROVED', ?, ?, ?, ?, ?)",
                (order_id, merchant_id, released, now, expected_ship, "[]", dumps(doc)),
            )
            ids.append(order_id)
    return ids
