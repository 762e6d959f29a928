"""Products at rest: stored documents, their lifecycle and the shapes Wish answers.

Lifecycle (``state``): a created product is WISH_INACTIVE while under review; after
``review_delay_s`` it becomes ACTIVE, or REMOVED_BY_WISH when the review rejects it (its
name contains ``reject_marker``, or a seeded draw falls under ``reject_share``; the reason
is the ``blocking_reason`` of its create request, ``GET /api/v3/products/requests/{id}``).
``{"status": "DISABLED"}`` makes it MERCHANT_INACTIVE (enabling it returns it to
WISH_INACTIVE or ACTIVE); DELETE makes it REMOVED_BY_MERCHANT. Removed products stay
listable but cannot be updated. Every change sets ``updated_at`` (ms); a review that ends
while nobody is looking is applied, with ``updated_at`` = the moment it was due, before the
next request is served, so no read can miss it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from plugins.wish.sandbox.clock import format_ms
from plugins.wish.sandbox.context import Sandbox
from plugins.wish.sandbox.data import REJECTION_REASONS
from plugins.wish.sandbox.errors import invalid
from plugins.wish.sandbox.store import dumps, loads
from plugins.wish.sandbox.validation import MerchantRules

SHALLOW_KEYS = (
    "name",
    "description",
    "parent_sku",
    "tags",
    "category_id",
    "subcategory_id",
    "brand_id",
    "condition",
    "max_quantity",
    "msrp",
    "unit",
    "reference_value",
    "california_prop65_warning_type",
    "california_prop65_chemical_names",
)
FULL_KEYS = (
    *SHALLOW_KEYS,
    "attributes",
    "video",
    "consignment",
    "default_shipping_prices",
    "warehouse_to_shippings",
    "main_image",
    "extra_images",
)
_LIST_DEFAULTS = ("tags", "attributes", "extra_images", "warehouse_to_shippings")


def rules_for(sandbox: Sandbox, merchant_id: str) -> MerchantRules:
    """Return the validation rules of a merchant."""
    merchant = sandbox.store.merchant(merchant_id)
    if merchant is None:
        raise invalid("no_such_product")
    warehouses = sandbox.store.warehouses(merchant_id)
    standard = next(w["id"] for w in warehouses if w["shipping_type"] == "STANDARD")
    return MerchantRules(
        currency=merchant["currency"],
        mainland_china=merchant["country_code"] == "CN",
        warehouse_ids=frozenset(w["id"] for w in warehouses),
        standard_warehouse_id=standard,
    )


def derive_state(review_status: str, enabled: bool, removed: bool) -> tuple[str, str]:
    """Return ``(state, status)`` from the review, the merchant's switch and removal."""
    if review_status == "BLOCKED":
        status = "REJECTED"
    elif review_status == "UNDER_REVIEW":
        status = "PENDING_REVIEW"
    else:
        status = "APPROVED"
    if removed:
        return "REMOVED_BY_MERCHANT", "REMOVED_BY_MERCHANT"
    if review_status == "BLOCKED":
        return "REMOVED_BY_WISH", status
    if not enabled:
        return "MERCHANT_INACTIVE", status
    if review_status == "UNDER_REVIEW":
        return "WISH_INACTIVE", status
    return "ACTIVE", status


def find_product(sandbox: Sandbox, merchant_id: str, product_id: str) -> sqlite3.Row:
    """Return the merchant's product row.

    Raises:
        WishError: 90001 "There is no such product for the merchant."
    """
    row = sandbox.store.row(
        "SELECT * FROM products WHERE id = ? AND merchant_id = ?", (product_id, merchant_id)
    )
    if row is None:
        raise invalid("no_such_product")
    return row


def product_view(row: sqlite3.Row) -> dict[str, Any]:
    """Return the ``Product`` object of a stored product."""
    doc = loads(row["doc"])
    view = _base_view(row, doc, FULL_KEYS)
    view["main_image"] = _image(doc["main_image"])
    view["extra_images"] = [_image(item) for item in doc.get("extra_images") or []]
    view["variations"] = [{**variation, "product_id": row["id"]} for variation in doc["variations"]]
    view["request_id"] = row["request_id"]
    view["is_csp_enabled"] = False
    return view


def shallow_view(row: sqlite3.Row) -> dict[str, Any]:
    """Return the ``ShallowProduct`` object of a stored product (list results)."""
    return _base_view(row, loads(row["doc"]), SHALLOW_KEYS)


def _base_view(row: sqlite3.Row, doc: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    view: dict[str, Any] = {"id": row["id"]}
    for key in keys:
        if key in doc:
            view[key] = doc[key]
        elif key in _LIST_DEFAULTS:
            view[key] = []
    view.update(
        state=row["state"],
        status=row["status"],
        num_sold=doc.get("num_sold", 0),
        num_saves=0,
        is_promoted=False,
        category_experience_eligibility=False,
        created_at=format_ms(row["created_at_ms"]),
        updated_at=format_ms(row["updated_at_ms"]),
    )
    return view


def _image(image: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": image["url"],
        "is_clean_image": bool(image.get("is_clean_image", False)),
        "variation_skus": image.get("variation_skus", []),
    }


def review_outcome(sandbox: Sandbox, name: str) -> str | None:
    """Decide now how the review of a new product will end: a rejection reason, or None."""
    settings = sandbox.settings
    draw = sandbox.rng.random()
    if settings.reject_marker and settings.reject_marker in name:
        return REJECTION_REASONS[0]
    if draw < settings.reject_share:
        return sandbox.rng.choice(REJECTION_REASONS)
    return None


def settle_reviews(sandbox: Sandbox) -> None:
    """Finish every review that is due (updated_at = the moment it was due)."""
    store = sandbox.store
    due = store.rows(
        "SELECT * FROM products WHERE review_due_ms IS NOT NULL AND review_due_ms <= ? "
        "ORDER BY review_due_ms, id",
        (sandbox.now_ms(),),
    )
    for row in due:
        blocked = row["review_reason"] is not None
        review_status = "BLOCKED" if blocked else "APPROVED"
        state, status = derive_state(review_status, bool(row["enabled"]), bool(row["removed"]))
        doc = loads(row["doc"])
        if blocked:
            for variation in doc["variations"]:
                variation["status"] = "REMOVED_BY_WISH"
        updated = max(row["updated_at_ms"], row["review_due_ms"])
        with store.transaction():
            store.execute(
                "UPDATE products SET review_status = ?, review_due_ms = NULL, state = ?, "
                "status = ?, updated_at_ms = ?, doc = ? WHERE id = ?",
                (review_status, state, status, updated, dumps(doc), row["id"]),
            )
            store.execute(
                "UPDATE product_requests SET status = ?, blocking_reason = ? WHERE id = ?",
                (review_status, row["review_reason"], row["request_id"]),
            )


def request_view(row: sqlite3.Row, product: sqlite3.Row | None) -> dict[str, Any]:
    """Return the ``ProductUpdateRequest`` object of a create request."""
    view: dict[str, Any] = {
        "id": row["id"],
        "product_id": row["product_id"],
        "status": row["status"],
        "created_at": format_ms(row["created_at_ms"]),
    }
    if row["status"] == "BLOCKED":
        view["blocking_reason"] = row["blocking_reason"]
    if product is not None:
        view["product_dict"] = product_view(product)
    return view
