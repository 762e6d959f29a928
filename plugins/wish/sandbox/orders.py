"""Orders of Wish v3: list, get, ship (tracking), refund, carriers, refund reasons.

Listing (``GET /api/v3/orders``): ``limit`` 1..500 (default 50), ``states`` (1..5 of
APPROVED, SHIPPED, REFUNDED, REQUIRE_REVIEW, DECLINED; ``states=A&states=B``, ``states[]=A``
or ``states=A,B``), ``updated_at_min/max`` and ``released_at_min/max`` (inclusive, ms),
``order_type``, ``sort_by`` ``updated_at|released_at`` ``.asc|.desc`` (default
``updated_at.desc``). Keyset paging as :mod:`.paging` explains: order is (sort attribute,
id); set ``updated_at_max`` (desc) or ``updated_at_min`` (asc) to the last item's value and
skip the ids already seen. Many orders can share one ``updated_at`` (every generated batch
does, and bulk changes under a frozen clock do). If a full page shares one value, keep that
value as both bounds and page the tie group by ``released_at`` instead, or raise ``limit``
to 500 (a generated batch never exceeds 500). Following these rules, no order is lost and,
after de-duplication by id, none is seen twice.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Response, get, put
from litestar.params import FromPath

from plugins.wish.sandbox.context import sandbox_of
from plugins.wish.sandbox.data import (
    CARRIERS_CONFIRMED_DELIVERY,
    CARRIERS_GENERAL,
    COUNTRY_CODES,
    ORDER_STATES,
    ORDER_TYPE_FILTERS,
    REFUND_REASONS,
)
from plugins.wish.sandbox.errors import INVALID_PARAMETER, AnyRequest, invalid, ok
from plugins.wish.sandbox.fulfillment import (
    find_order,
    order_view,
    refund_reasons,
    start_update,
)
from plugins.wish.sandbox.oauth import authenticate
from plugins.wish.sandbox.paging import ListQuery, add_time_window, parse_limit, parse_sort
from plugins.wish.sandbox.requests import json_object, query_list, query_value
from plugins.wish.sandbox.store import loads
from plugins.wish.sandbox.validation import NO_RULES, country, text

_ALPHANUMERIC = re.compile(r"^[A-Za-z0-9]+$")
_CARRIER_NAMES = {name.lower(): name for name in CARRIERS_GENERAL}


@get("/api/v3/orders")
async def list_orders(request: AnyRequest) -> Response[Any]:
    """List the merchant's orders with keyset paging."""
    sandbox = sandbox_of(request)
    auth = authenticate(request, "orders:read")
    attribute, descending = parse_sort(request, ("updated_at", "released_at"))
    query = ListQuery(
        table="orders",
        merchant_id=auth.merchant_id,
        sort_column=f"{attribute}_ms",
        descending=descending,
        limit=parse_limit(request, 500),
    )
    states = query_list(request, "states")
    if states:
        if any(state not in ORDER_STATES for state in states):
            raise invalid("enum", field="states", allowed=", ".join(ORDER_STATES))
        if len(states) > 5:
            raise invalid("max_items", field="states", max=5)
        query.add(f"state IN ({', '.join('?' * len(states))})", *states)
    order_type = query_value(request, "order_type")
    if order_type is not None:
        if order_type not in ORDER_TYPE_FILTERS:
            raise invalid("enum", field="order_type", allowed=", ".join(ORDER_TYPE_FILTERS))
        query.add("order_types LIKE ?", f'%"{order_type}"%')
    add_time_window(query, request, "updated_at", "updated_at_ms")
    add_time_window(query, request, "released_at", "released_at_ms")
    return ok([order_view(row) for row in query.run(sandbox.store)])


@get("/api/v3/orders/shipping_carriers")
async def shipping_carriers(request: AnyRequest) -> Response[Any]:
    """List accepted carriers for ``order_type`` GENERAL or CONFIRMED_DELIVERY."""
    authenticate(request, "orders:read")
    order_type = query_value(request, "order_type")
    names: tuple[str, ...]
    if order_type == "GENERAL":
        names = CARRIERS_GENERAL
    elif order_type == "CONFIRMED_DELIVERY":
        destination = query_value(request, "dest_country_code")
        if destination is None:
            raise invalid("required", field="dest_country_code")
        if destination not in COUNTRY_CODES:
            raise invalid("country", field="dest_country_code")
        names = CARRIERS_CONFIRMED_DELIVERY
    else:
        raise invalid("order_type_required")
    return ok([{"name": name} for name in names])


@get("/api/v3/orders/{order_id:str}")
async def get_order(request: AnyRequest, order_id: FromPath[str]) -> Response[Any]:
    """Get one order of the merchant."""
    auth = authenticate(request, "orders:read")
    return ok(order_view(find_order(sandbox_of(request), auth.merchant_id, order_id)))


def _tracking(body: dict[str, Any]) -> dict[str, Any]:
    """Validate an ``UpdateTracking`` body; return the TrackingInfo to record."""
    for name in ("tracking_number", "origin_country", "shipping_provider"):
        if body.get(name) is None:
            raise invalid("required", field=name)
    number = text(min_len=1)(body["tracking_number"], "tracking_number", NO_RULES)
    if not _ALPHANUMERIC.match(number):
        raise invalid("tracking_number")
    origin = country(body["origin_country"], "origin_country", NO_RULES)
    provider = text(min_len=1)(body["shipping_provider"], "shipping_provider", NO_RULES)
    canonical = _CARRIER_NAMES.get(provider.strip().lower())
    if canonical is None:
        raise invalid("unknown_carrier", value=provider)
    tracking: dict[str, Any] = {
        "tracking_number": number,
        "shipping_provider": {"name": canonical},
        "origin_country": origin,
    }
    if body.get("ship_note") is not None:
        tracking["ship_note"] = text(min_len=1, max_len=500)(
            body["ship_note"], "ship_note", NO_RULES
        )
    return tracking


def _busy_with(row: Any, pending: dict[str, Any]) -> bool:
    """Whether the order is mid-update; True when it is the same update (a harmless repeat).

    Raises:
        WishError: 90001 when a different update is in progress.
    """
    if row["pending"] is None:
        return False
    current = loads(row["pending"])
    same = all(current.get(key) == value for key, value in pending.items())
    if not same:
        raise invalid("order_busy", source=current["source"])
    return True


@put("/api/v3/orders/{order_id:str}/tracking")
async def update_tracking(request: AnyRequest, order_id: FromPath[str]) -> Response[Any]:
    """Ship an order or change its tracking; asynchronous (processing_status)."""
    body = await json_object(request, INVALID_PARAMETER)
    sandbox = sandbox_of(request)
    auth = authenticate(request, "orders:write")
    row = find_order(sandbox, auth.merchant_id, order_id)
    tracking = _tracking(body)
    if row["state"] not in ("APPROVED", "SHIPPED"):
        raise invalid("order_not_shippable", state=row["state"])
    pending = {"source": "UPDATE_TRACKING", "tracking": tracking}
    if not _busy_with(row, pending):
        start_update(sandbox, row, pending)
    return ok(order_view(find_order(sandbox, auth.merchant_id, order_id)))


@get("/api/v3/orders/{order_id:str}/refund_reasons")
async def get_refund_reasons(request: AnyRequest, order_id: FromPath[str]) -> Response[Any]:
    """List the refund reasons valid for this order now."""
    auth = authenticate(request, "orders:read")
    return ok(list(refund_reasons(find_order(sandbox_of(request), auth.merchant_id, order_id))))


@put("/api/v3/orders/{order_id:str}/refund")
async def refund_order(request: AnyRequest, order_id: FromPath[str]) -> Response[Any]:
    """Refund or cancel an order; asynchronous (processing_status)."""
    body = await json_object(request, INVALID_PARAMETER)
    sandbox = sandbox_of(request)
    auth = authenticate(request, "orders:write")
    row = find_order(sandbox, auth.merchant_id, order_id)
    reason = body.get("refund_reason")
    if reason is None:
        raise invalid("required", field="refund_reason")
    if reason not in REFUND_REASONS:
        raise invalid("enum", field="refund_reason", allowed=", ".join(REFUND_REASONS))
    pending: dict[str, Any] = {"source": "REFUND", "refund_reason": reason}
    if body.get("refund_reason_note") is not None:
        note = text(min_len=1)(body["refund_reason_note"], "refund_reason_note", NO_RULES)
        pending["refund_reason_note"] = note
    if _busy_with(row, pending):
        return ok(order_view(row))
    allowed = refund_reasons(row)
    if reason not in allowed:
        raise invalid("refund_reason_invalid", value=reason, allowed=", ".join(allowed) or "-")
    start_update(sandbox, row, pending)
    return ok(order_view(find_order(sandbox, auth.merchant_id, order_id)))


ROUTES = [
    list_orders,
    shipping_carriers,
    get_order,
    update_tracking,
    get_refund_reasons,
    refund_order,
]
