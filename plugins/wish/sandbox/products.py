"""Products, warehouses and currency settings of Wish v3 (see :mod:`.catalog` for lifecycle).

Listing (``GET /api/v3/products``): ``limit`` 1..1000 (default 50), ``parent_sku``,
``state``, ``statuses`` (deprecated), ``updated_at_min/max`` (ms), ``created_at_min/max``
(Wish truncates these to seconds; the sandbox then compares ``created_at`` at second
precision too), ``sort_by`` ``updated_at|created_at`` ``.asc|.desc`` (default
``updated_at.desc``). Keyset paging as :mod:`.paging` explains; to get through a full page of
products sharing one ``updated_at``, narrow with ``created_at_min/max`` or raise ``limit``.
``parent_sku`` is unique per merchant, removed products included, so a client that is unsure
whether a create went through can look it up by ``parent_sku``.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Response, delete, get, post, put
from litestar.params import FromPath

from plugins.wish.sandbox.catalog import (
    derive_state,
    find_product,
    product_view,
    request_view,
    review_outcome,
    rules_for,
    shallow_view,
)
from plugins.wish.sandbox.context import Sandbox, sandbox_of
from plugins.wish.sandbox.data import PRODUCT_STATES, PRODUCT_STATUSES
from plugins.wish.sandbox.errors import INVALID_PARAMETER, AnyRequest, invalid, ok
from plugins.wish.sandbox.oauth import authenticate
from plugins.wish.sandbox.paging import ListQuery, add_time_window, parse_limit, parse_sort
from plugins.wish.sandbox.requests import json_object, query_list, query_value
from plugins.wish.sandbox.store import dumps, loads
from plugins.wish.sandbox.validation import check_product, child, parse_create, parse_update


def _check_skus_free(
    sandbox: Sandbox, merchant_id: str, variations: list[dict[str, Any]], product_id: str | None
) -> None:
    for index, variation in enumerate(variations):
        owner = sandbox.store.row(
            "SELECT product_id FROM skus WHERE merchant_id = ? AND sku = ?",
            (merchant_id, variation["sku"]),
        )
        if owner is not None and owner["product_id"] != product_id:
            field = child(child("variations", index), "sku")
            raise invalid("duplicate_sku", field=field, value=variation["sku"])


def _save_skus(sandbox: Sandbox, merchant_id: str, product_id: str, doc: dict[str, Any]) -> None:
    sandbox.store.execute("DELETE FROM skus WHERE product_id = ?", (product_id,))
    for variation in doc["variations"]:
        sandbox.store.execute(
            "INSERT INTO skus (merchant_id, sku, product_id, variation_id) VALUES (?, ?, ?, ?)",
            (merchant_id, variation["sku"], product_id, variation["id"]),
        )


@post("/api/v3/products", status_code=200)
async def create_product(request: AnyRequest) -> Response[Any]:
    """Create a product synchronously; it starts WISH_INACTIVE, under review."""
    body = await json_object(request, INVALID_PARAMETER)
    sandbox = sandbox_of(request)
    auth = authenticate(request, "products:write")
    doc = parse_create(body, rules_for(sandbox, auth.merchant_id))
    store = sandbox.store
    if store.row(
        "SELECT id FROM products WHERE merchant_id = ? AND parent_sku = ?",
        (auth.merchant_id, doc["parent_sku"]),
    ):
        raise invalid("duplicate_parent_sku", value=doc["parent_sku"])
    _check_skus_free(sandbox, auth.merchant_id, doc["variations"], None)
    now = sandbox.now_ms()
    product_id = sandbox.new_id()
    for variation in doc["variations"]:
        variation["id"] = sandbox.new_id()
        variation["status"] = "ENABLED"
    request_id = str(uuid.uuid4())
    reason = review_outcome(sandbox, doc["name"])
    due = now + round(sandbox.settings.review_delay_s * 1000)
    state, status = derive_state("UNDER_REVIEW", True, False)
    with store.transaction():
        store.execute(
            "INSERT INTO products (id, merchant_id, parent_sku, state, status, review_status, "
            "review_due_ms, review_reason, enabled, removed, request_id, created_at_ms, "
            "updated_at_ms, doc) VALUES (?, ?, ?, ?, ?, 'UNDER_REVIEW', ?, ?, 1, 0, ?, ?, ?, ?)",
            (
                product_id,
                auth.merchant_id,
                doc["parent_sku"],
                state,
                status,
                due,
                reason,
                request_id,
                now,
                now,
                dumps(doc),
            ),
        )
        _save_skus(sandbox, auth.merchant_id, product_id, doc)
        store.execute(
            "INSERT INTO product_requests (id, merchant_id, product_id, status, created_at_ms) "
            "VALUES (?, ?, ?, 'UNDER_REVIEW', ?)",
            (request_id, auth.merchant_id, product_id, now),
        )
    return ok(product_view(find_product(sandbox, auth.merchant_id, product_id)))


@get("/api/v3/products/{product_id:str}")
async def get_product(request: AnyRequest, product_id: FromPath[str]) -> Response[Any]:
    """Get one product of the merchant."""
    auth = authenticate(request, "products:read")
    return ok(product_view(find_product(sandbox_of(request), auth.merchant_id, product_id)))


def _merge(doc: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = {**doc}
    for key, value in changes.items():
        if key in ("variations", "status"):
            continue
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    variations = {variation["id"]: dict(variation) for variation in doc["variations"]}
    for index, patch in enumerate(changes.get("variations") or []):
        current = variations.get(patch["id"])
        if current is None:
            raise invalid("unknown_variation", field=child(child("variations", index), "id"))
        for key, value in patch.items():
            if key == "inventories":
                stock = {item["warehouse_id"]: item for item in current.get("inventories", [])}
                stock.update({item["warehouse_id"]: item for item in value})
                current["inventories"] = list(stock.values())
            elif key == "logistics_details":
                current[key] = {**current.get(key, {}), **value}
            elif value is None:
                current.pop(key, None)
            else:
                current[key] = value
    merged["variations"] = [variations[variation["id"]] for variation in doc["variations"]]
    return merged


@put("/api/v3/products/{product_id:str}")
async def update_product(request: AnyRequest, product_id: FromPath[str]) -> Response[Any]:
    """Update a product; ``{"status": "DISABLED"|"ENABLED"}`` delists or relists it."""
    body = await json_object(request, INVALID_PARAMETER)
    sandbox = sandbox_of(request)
    auth = authenticate(request, "products:write")
    row = find_product(sandbox, auth.merchant_id, product_id)
    if row["state"] in ("REMOVED_BY_MERCHANT", "REMOVED_BY_WISH"):
        raise invalid("product_removed")
    rules = rules_for(sandbox, auth.merchant_id)
    changes = parse_update(body, rules)
    doc = _merge(loads(row["doc"]), changes)
    check_product(doc, rules)
    parent_sku = doc["parent_sku"]
    clash = sandbox.store.row(
        "SELECT id FROM products WHERE merchant_id = ? AND parent_sku = ? AND id != ?",
        (auth.merchant_id, parent_sku, product_id),
    )
    if clash is not None:
        raise invalid("duplicate_parent_sku", value=parent_sku)
    _check_skus_free(sandbox, auth.merchant_id, doc["variations"], product_id)
    enabled = bool(row["enabled"])
    if "status" in changes:
        enabled = changes["status"] == "ENABLED"
    state, status = derive_state(row["review_status"], enabled, False)
    with sandbox.store.transaction():
        sandbox.store.execute(
            "UPDATE products SET parent_sku = ?, enabled = ?, state = ?, status = ?, "
            "updated_at_ms = ?, doc = ? WHERE id = ?",
            (parent_sku, int(enabled), state, status, sandbox.now_ms(), dumps(doc), product_id),
        )
        _save_skus(sandbox, auth.merchant_id, product_id, doc)
    return ok(product_view(find_product(sandbox, auth.merchant_id, product_id)))


@delete("/api/v3/products/{product_id:str}", status_code=204)
async def delete_product(request: AnyRequest, product_id: FromPath[str]) -> None:
    """Remove a product (REMOVED_BY_MERCHANT); it stays listable."""
    sandbox = sandbox_of(request)
    auth = authenticate(request, "products:write")
    row = find_product(sandbox, auth.merchant_id, product_id)
    if row["state"] in ("REMOVED_BY_MERCHANT", "REMOVED_BY_WISH"):
        raise invalid("product_removed")
    state, status = derive_state(row["review_status"], bool(row["enabled"]), True)
    sandbox.store.execute(
        "UPDATE products SET removed = 1, state = ?, status = ?, updated_at_ms = ? WHERE id = ?",
        (state, status, sandbox.now_ms(), product_id),
    )


@get("/api/v3/products")
async def list_products(request: AnyRequest) -> Response[Any]:
    """List the merchant's products (ShallowProduct objects) with keyset paging."""
    sandbox = sandbox_of(request)
    auth = authenticate(request, "products:read")
    attribute, descending = parse_sort(request, ("updated_at", "created_at"))
    query = ListQuery(
        table="products",
        merchant_id=auth.merchant_id,
        sort_column=f"{attribute}_ms",
        descending=descending,
        limit=parse_limit(request, 1000),
    )
    parent_sku = query_value(request, "parent_sku")
    if parent_sku is not None:
        query.add("parent_sku = ?", parent_sku)
    state = query_value(request, "state")
    if state is not None:
        if state not in PRODUCT_STATES:
            raise invalid("enum", field="state", allowed=", ".join(PRODUCT_STATES))
        query.add("state = ?", state)
    statuses = query_list(request, "statuses")
    if statuses:
        if any(item not in PRODUCT_STATUSES for item in statuses):
            raise invalid("enum", field="statuses", allowed=", ".join(PRODUCT_STATUSES))
        query.add(f"status IN ({', '.join('?' * len(statuses))})", *statuses)
    add_time_window(query, request, "updated_at", "updated_at_ms")
    add_time_window(query, request, "created_at", "created_at_ms", unit_ms=1000)
    return ok([shallow_view(row) for row in query.run(sandbox.store)])


@get("/api/v3/products/requests")
async def list_requests(request: AnyRequest) -> Response[Any]:
    """List product create requests (filter ``product_id``, ``id``), oldest first."""
    sandbox = sandbox_of(request)
    auth = authenticate(request, "products:read")
    sql = "SELECT * FROM product_requests WHERE merchant_id = ?"
    params: list[Any] = [auth.merchant_id]
    for name in ("product_id", "id"):
        value = query_value(request, name)
        if value is not None:
            sql += f" AND {name} = ?"
            params.append(value)
    rows = sandbox.store.rows(sql + " ORDER BY created_at_ms, id", params)
    return ok([request_view(row, None) for row in rows])


@get("/api/v3/products/requests/{request_id:str}")
async def get_request(request: AnyRequest, request_id: FromPath[str]) -> Response[Any]:
    """Get a product create request: APPROVED, BLOCKED (with blocking_reason) or UNDER_REVIEW."""
    sandbox = sandbox_of(request)
    auth = authenticate(request, "products:read")
    row = sandbox.store.row(
        "SELECT * FROM product_requests WHERE id = ? AND merchant_id = ?",
        (request_id, auth.merchant_id),
    )
    if row is None:
        raise invalid("no_such_request")
    product = sandbox.store.row("SELECT * FROM products WHERE id = ?", (row["product_id"],))
    return ok(request_view(row, product))


@get("/api/v3/merchant/warehouses")
async def list_warehouses(request: AnyRequest) -> Response[Any]:
    """List the merchant's warehouses (each merchant has a STANDARD one)."""
    auth = authenticate(request, "merchant:read")
    return ok(sandbox_of(request).store.warehouses(auth.merchant_id))


@get("/api/v3/merchant/currency_settings")
async def currency_settings(request: AnyRequest) -> Response[Any]:
    """Tell the merchant's localized currency (every Price must use it)."""
    sandbox = sandbox_of(request)
    auth = authenticate(request, "merchant:read")
    merchant = sandbox.store.merchant(auth.merchant_id)
    currency = merchant["currency"] if merchant else "USD"
    return ok({"localized_currency": currency, "product_boost_currency": currency})


ROUTES = [
    create_product,
    get_product,
    update_product,
    delete_product,
    list_products,
    list_requests,
    get_request,
    list_warehouses,
    currency_settings,
]
