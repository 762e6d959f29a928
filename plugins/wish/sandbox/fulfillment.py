"""Orders at rest: stored documents, asynchronous tracking and refund updates, auto-refunds.

``PUT .../tracking`` and ``PUT .../refund`` answer at once with ``processing_source``
(UPDATE_TRACKING | REFUND) and ``processing_status`` IN_PROGRESS; ``async_delay_s`` later the
update ends SUCCEEDED (tracking: state SHIPPED, ``tracking_information`` newest first, at
most two, a MARK_SHIPPED ``fulfillment_records`` event; refund: state REFUNDED and a
``refunds`` entry) or FAILED (a seeded draw under ``async_fail_share``, or a tracking number
containing "FAIL"; nothing but the processing fields changes). An APPROVED order still
unshipped at ``expected_ship_time`` is refunded by "Wish" (``auto_refund``). Each of these
steps sets ``updated_at`` to the moment it happened (ms) and is applied before the next
request is served.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from plugins.wish.sandbox.clock import format_ms
from plugins.wish.sandbox.context import Sandbox
from plugins.wish.sandbox.data import REFUND_REASONS_BY_STATE
from plugins.wish.sandbox.errors import invalid
from plugins.wish.sandbox.store import dumps, loads

FAIL_MARKER = "FAIL"


def find_order(sandbox: Sandbox, merchant_id: str, order_id: str) -> sqlite3.Row:
    """Return the merchant's order row.

    Raises:
        WishError: 90001 when the merchant has no such order.
    """
    row = sandbox.store.row(
        "SELECT * FROM orders WHERE id = ? AND merchant_id = ?", (order_id, merchant_id)
    )
    if row is None:
        raise invalid("no_such_order")
    return row


def order_view(row: sqlite3.Row) -> dict[str, Any]:
    """Return the ``Order`` object of a stored order."""
    doc: dict[str, Any] = loads(row["doc"])
    doc.update(
        id=row["id"],
        state=row["state"],
        released_at=format_ms(row["released_at_ms"]),
        updated_at=format_ms(row["updated_at_ms"]),
    )
    return doc


def refund_reasons(row: sqlite3.Row) -> tuple[str, ...]:
    """Return the refund reasons the merchant may use on this order now."""
    return REFUND_REASONS_BY_STATE.get(row["state"], ())


def _write(
    sandbox: Sandbox,
    row: sqlite3.Row,
    doc: dict[str, Any],
    *,
    state: str,
    updated_at_ms: int,
    pending: dict[str, Any] | None,
    pending_due_ms: int | None,
) -> None:
    sandbox.store.execute(
        "UPDATE orders SET state = ?, updated_at_ms = ?, pending = ?, pending_due_ms = ?, "
        "doc = ? WHERE id = ?",
        (
            state,
            max(updated_at_ms, row["updated_at_ms"]),
            None if pending is None else dumps(pending),
            pending_due_ms,
            dumps(doc),
            row["id"],
        ),
    )


def start_update(sandbox: Sandbox, row: sqlite3.Row, pending: dict[str, Any]) -> None:
    """Start an asynchronous update (``pending["source"]``: UPDATE_TRACKING or REFUND)."""
    failed = sandbox.rng.random() < sandbox.settings.async_fail_share
    tracking_number = str(pending.get("tracking", {}).get("tracking_number", ""))
    if FAIL_MARKER in tracking_number.upper():
        failed = True
    pending = {**pending, "outcome": "FAILED" if failed else "SUCCEEDED"}
    doc = loads(row["doc"])
    doc["processing_source"] = pending["source"]
    doc["processing_status"] = "IN_PROGRESS"
    now = sandbox.now_ms()
    due = now + round(sandbox.settings.async_delay_s * 1000)
    _write(
        sandbox,
        row,
        doc,
        state=row["state"],
        updated_at_ms=now,
        pending=pending,
        pending_due_ms=due,
    )


def settle_orders(sandbox: Sandbox) -> None:
    """Finish due asynchronous updates, then refund orders past their ship-by time."""
    store = sandbox.store
    now = sandbox.now_ms()
    due = store.rows(
        "SELECT * FROM orders WHERE pending_due_ms IS NOT NULL AND pending_due_ms <= ? "
        "ORDER BY pending_due_ms, id",
        (now,),
    )
    for row in due:
        with store.transaction():
            _finish_update(sandbox, row)
    if not sandbox.settings.auto_refund:
        return
    late = store.rows(
        "SELECT * FROM orders WHERE state = 'APPROVED' AND expected_ship_ms <= ? "
        "AND pending IS NULL ORDER BY expected_ship_ms, id",
        (now,),
    )
    for row in late:
        doc = loads(row["doc"])
        _add_refund(doc, "UNABLE_TO_SHIP", None, "WISH", row["expected_ship_ms"])
        _write(
            sandbox,
            row,
            doc,
            state="REFUNDED",
            updated_at_ms=row["expected_ship_ms"],
            pending=None,
            pending_due_ms=None,
        )


def _finish_update(sandbox: Sandbox, row: sqlite3.Row) -> None:
    pending = loads(row["pending"])
    when = row["pending_due_ms"]
    doc = loads(row["doc"])
    doc["processing_status"] = pending["outcome"]
    state = row["state"]
    if pending["outcome"] == "SUCCEEDED" and pending["source"] == "UPDATE_TRACKING":
        tracking = pending["tracking"]
        doc["tracking_information"] = [tracking, *doc.get("tracking_information", [])][:2]
        if state == "APPROVED":
            doc["fulfillment_records"].append(
                {"event_type": "MARK_SHIPPED", "event_time": format_ms(when)}
            )
        state = "SHIPPED"
    elif pending["outcome"] == "SUCCEEDED" and pending["source"] == "REFUND":
        _add_refund(
            doc, pending["refund_reason"], pending.get("refund_reason_note"), "MERCHANT", when
        )
        state = "REFUNDED"
    _write(sandbox, row, doc, state=state, updated_at_ms=when, pending=None, pending_due_ms=None)


def _add_refund(
    doc: dict[str, Any], reason: str, note: str | None, source: str, when_ms: int
) -> None:
    total = doc["order_payment"]["general_payment_details"]["payment_total"]
    refund: dict[str, Any] = {
        "refund_reason": reason,
        "refund_source": source,
        "refund_amount": dict(total),
        "merchant_responsible_amount": dict(total)
        if source == "MERCHANT"
        else {"amount": 0, "currency_code": total["currency_code"]},
        "refund_time": format_ms(when_ms),
    }
    if note:
        refund["refund_reason_note"] = note
    doc.setdefault("refunds", []).append(refund)
