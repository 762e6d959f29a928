"""Orders on Wish: list by ``updated_at`` window, get, ship with tracking, refund/cancel.

Tracking and refunds are asynchronous on Wish: the ``PUT`` answers with ``processing_source``
(``UPDATE_TRACKING`` | ``REFUND``) and ``processing_status`` ``IN_PROGRESS``, which later turns
``SUCCEEDED`` or ``FAILED``. The writes answer ``PENDING``; :meth:`WishOrders.check_order_action`
reads the outcome, :meth:`WishOrders.wait_for_order_action` polls it until it settles.

Neither write is sent blindly twice: the order is read first (already shipped with this
tracking number, already refunded → done; another update under way → try later), and after a
lost answer it is read again before anything is re-sent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.errors import NotFound, OutcomeUnknown, PermanentError, TransientError
from core.interfaces.common import CallContext, Page
from core.interfaces.marketplace import Credentials
from core.interfaces.orders import (
    ActionResult,
    ActionStatus,
    FulfilmentRequest,
    MarketplaceCarrier,
    OrderAction,
    OrderRecord,
    RefundReason,
)
from plugins.wish import paging
from plugins.wish.mapping import (
    normalise_tracking_number,
    order_record,
    refund_label,
    to_ms,
    tracking_body,
)
from plugins.wish.session import ApiCaller, StoreSession, session_of
from plugins.wish.settings import WishSettings
from plugins.wish.transport import WishTransport

ORDERS = "/api/v3/orders"
CARRIER_CACHE_S = 3600.0
BUSY_RETRY_S = 5.0
_SOURCES = {OrderAction.FULFIL: "UPDATE_TRACKING", OrderAction.CANCEL: "REFUND"}


def _processing(order: Mapping[str, Any], source: str) -> str | None:
    """The ``processing_status`` of the order's last update when it was of ``source``."""
    if order.get("processing_source") != source:
        return None
    status = order.get("processing_status")
    return str(status) if status else None


def _shipped_with(order: Mapping[str, Any], number: str) -> ActionResult | None:
    """DONE/PENDING when the order already carries this tracking number, else ``None``."""
    tracking = order.get("tracking_information") or []
    if tracking and str(tracking[0].get("tracking_number", "")).upper() == number:
        if _processing(order, "UPDATE_TRACKING") == "IN_PROGRESS":
            return ActionResult(ActionStatus.PENDING)
        return ActionResult(ActionStatus.DONE)
    return None


def _refunded(order: Mapping[str, Any]) -> ActionResult | None:
    """DONE/PENDING when a refund is done or under way, else ``None``."""
    if order.get("state") == "REFUNDED":
        return ActionResult(ActionStatus.DONE)
    if _processing(order, "REFUND") == "IN_PROGRESS":
        return ActionResult(ActionStatus.PENDING)
    return None


def _result(order: Mapping[str, Any], action: OrderAction) -> ActionResult:
    status = _processing(order, _SOURCES[action])
    if status == "SUCCEEDED":
        return ActionResult(ActionStatus.DONE)
    if status == "FAILED":
        what = "tracking update" if action is OrderAction.FULFIL else "refund"
        return ActionResult(ActionStatus.FAILED, f"Wish could not process the {what}")
    if status == "IN_PROGRESS":
        return ActionResult(ActionStatus.PENDING)
    if action is OrderAction.FULFIL and order.get("state") == "SHIPPED":
        return ActionResult(ActionStatus.DONE)
    if action is OrderAction.CANCEL and order.get("state") == "REFUNDED":
        return ActionResult(ActionStatus.DONE)
    return ActionResult(ActionStatus.FAILED, "Wish shows no such update on this order")


def _busy(order: Mapping[str, Any]) -> bool:
    return order.get("processing_status") == "IN_PROGRESS"


class WishOrders(ApiCaller):
    """The order half of the Wish adapter (base of :class:`~plugins.wish.client.WishMarketplace`).

    Args:
        transport: sends the calls.
        settings: page sizes and retry limits.
    """

    def __init__(self, transport: WishTransport, settings: WishSettings) -> None:
        super().__init__(transport)
        self._order_settings = settings
        self._carriers: tuple[float, tuple[str, ...]] | None = None

    @property
    def orders_spec(self) -> paging.KeysetSpec:
        """How order lists are paged (the configured page size)."""
        return paging.KeysetSpec(
            "updated_at", "released_at", 1, self._order_settings.order_page_size, 500
        )

    async def list_orders(
        self,
        ctx: CallContext,
        credentials: Credentials,
        *,
        since: datetime,
        cursor: str | None,
    ) -> Page[OrderRecord]:
        """One page of the orders changed at or after ``since``, oldest change first."""
        position = (
            paging.RangeCursor(lo=to_ms(since))
            if cursor is None
            else paging.RangeCursor.decode(cursor)
        )
        orders, following = await self.list_orders_range(ctx, credentials, position)
        return Page(
            tuple(order_record(order) for order in orders),
            following.encode() if following else None,
        )

    async def list_orders_range(
        self, ctx: CallContext, credentials: Credentials, cursor: paging.RangeCursor
    ) -> tuple[list[paging.Item], paging.RangeCursor | None]:
        """One page of raw ``Order`` objects of a range, and the next position."""
        spec = self.orders_spec
        page = await self._get(
            ctx, session_of(credentials), ORDERS, params=paging.query(spec, cursor)
        )
        return paging.advance(spec, cursor, page or [])

    async def get_order(
        self, ctx: CallContext, credentials: Credentials, order_id: str
    ) -> OrderRecord:
        """Read one order; ``NotFound`` if the store has no such order."""
        return order_record(await self._order(ctx, session_of(credentials), order_id))

    async def _order(
        self, ctx: CallContext, session: StoreSession, order_id: str
    ) -> dict[str, Any]:
        try:
            order: dict[str, Any] = await self._get(ctx, session, f"{ORDERS}/{order_id}")
        except PermanentError as exc:
            if exc.code == "90001":
                raise NotFound(f"Wish has no order {order_id} for this store") from exc
            raise
        return order

    async def carrier_name(self, ctx: CallContext, credentials: Credentials, code: str) -> str:
        """Wish's spelling of a carrier (matched case-insensitively, spaces ignored).

        Raises:
            PermanentError: Wish does not accept this carrier (field ``carrier_code``).
        """
        wanted = code.replace(" ", "").lower()
        for name in await self._carrier_names(ctx, session_of(credentials)):
            if name.replace(" ", "").lower() == wanted:
                return name
        raise PermanentError(
            f"Wish does not accept the carrier {code!r}; pick one from Wish's carrier list",
            code="wish.unknown_carrier",
            field="carrier_code",
        )

    async def _carrier_names(self, ctx: CallContext, session: StoreSession) -> tuple[str, ...]:
        cached = self._carriers
        if cached is not None and time.monotonic() - cached[0] < CARRIER_CACHE_S:
            return cached[1]
        data = await self._get(
            ctx, session, f"{ORDERS}/shipping_carriers", params={"order_type": "GENERAL"}
        )
        names = tuple(str(item["name"]) for item in data or [])
        self._carriers = (time.monotonic(), names)
        return names

    async def list_carriers(
        self,
        ctx: CallContext,
        credentials: Credentials,
        *,
        destination_country: str | None = None,
    ) -> list[MarketplaceCarrier]:
        """Wish's GENERAL carrier list (Wish does not narrow it by destination)."""
        names = await self._carrier_names(ctx, session_of(credentials))
        return [MarketplaceCarrier(code=name, name=name) for name in names]

    async def fulfil_order(
        self,
        ctx: CallContext,
        credentials: Credentials,
        order_id: str,
        fulfilment: FulfilmentRequest,
    ) -> ActionResult:
        """Ship the order with a tracking number (asynchronous on Wish: answers ``PENDING``)."""
        session = session_of(credentials)
        number = normalise_tracking_number(fulfilment.tracking_number)
        carrier = await self.carrier_name(ctx, credentials, fulfilment.carrier_code)
        body = tracking_body(number, carrier, fulfilment.origin_country, fulfilment.note)
        path = f"{ORDERS}/{order_id}/tracking"
        for _ in range(self._order_settings.max_attempts):
            order = await self._order(ctx, session, order_id)
            known = _shipped_with(order, number)
            if known is not None:
                return known
            answer = await self._send_update(ctx, session, path, body, order, "UPDATE_TRACKING")
            if answer is not None:
                return _result(answer, OrderAction.FULFIL)
        raise OutcomeUnknown(f"Wish did not confirm the tracking update of order {order_id}")

    async def cancel_order(
        self,
        ctx: CallContext,
        credentials: Credentials,
        order_id: str,
        *,
        reason: str,
        note: str = "",
    ) -> ActionResult:
        """Refund (cancel) the order with one of its allowed reasons (asynchronous on Wish).

        Raises:
            PermanentError: ``reason`` is not among the order's allowed reasons (field
                ``reason``; the message lists them).
        """
        session = session_of(credentials)
        body: dict[str, Any] = {"refund_reason": reason}
        if note.strip():
            body["refund_reason_note"] = note.strip()
        path = f"{ORDERS}/{order_id}/refund"
        for _ in range(self._order_settings.max_attempts):
            order = await self._order(ctx, session, order_id)
            known = _refunded(order)
            if known is not None:
                return known
            allowed = [r.code for r in await self._refund_reasons(ctx, session, order_id)]
            if reason not in allowed:
                raise PermanentError(
                    f"Wish does not accept the reason {reason} for this order; allowed: "
                    + (", ".join(allowed) or "none (the order cannot be refunded now)"),
                    code="wish.refund_reason",
                    field="reason",
                )
            answer = await self._send_update(ctx, session, path, body, order, "REFUND")
            if answer is not None:
                return _result(answer, OrderAction.CANCEL)
        raise OutcomeUnknown(f"Wish did not confirm the refund of order {order_id}")

    async def _send_update(
        self,
        ctx: CallContext,
        session: StoreSession,
        path: str,
        body: Mapping[str, Any],
        before: Mapping[str, Any],
        source: str,
    ) -> dict[str, Any] | None:
        """PUT an asynchronous update; ``None`` when its answer was lost (read back, retry).

        While an update of the same kind is in progress the PUT is still sent: Wish takes the
        same update again as a harmless repeat and refuses a different one, which means "try
        later" here, as does an update of another kind in progress.
        """
        busy = _busy(before)
        later = TransientError(
            "Wish is still processing an earlier update of this order", retry_after=BUSY_RETRY_S
        )
        if busy and before.get("processing_source") != source:
            raise later
        try:
            answer: dict[str, Any] = await self._write(ctx, session, "PUT", path, body, safe=False)
        except OutcomeUnknown:
            return None
        except PermanentError as exc:
            if busy and exc.code == "90001":
                raise later from exc
            raise
        return answer

    async def check_order_action(
        self,
        ctx: CallContext,
        credentials: Credentials,
        order_id: str,
        action: OrderAction,
    ) -> ActionResult:
        """Read the outcome of an earlier tracking update or refund."""
        order = await self._order(ctx, session_of(credentials), order_id)
        return _result(order, action)

    async def wait_for_order_action(
        self,
        ctx: CallContext,
        credentials: Credentials,
        order_id: str,
        action: OrderAction,
        *,
        interval_s: float = 2.0,
        timeout_s: float = 120.0,
    ) -> ActionResult:
        """Poll :meth:`check_order_action` until the update settles or ``timeout_s`` passes."""
        deadline = time.monotonic() + timeout_s
        while True:
            result = await self.check_order_action(ctx, credentials, order_id, action)
            if result.status is not ActionStatus.PENDING or time.monotonic() >= deadline:
                return result
            await asyncio.sleep(interval_s)

    async def list_refund_reasons(
        self, ctx: CallContext, credentials: Credentials, order_id: str
    ) -> list[RefundReason]:
        """The reasons Wish accepts for refunding this order now."""
        return await self._refund_reasons(ctx, session_of(credentials), order_id)

    async def _refund_reasons(
        self, ctx: CallContext, session: StoreSession, order_id: str
    ) -> list[RefundReason]:
        try:
            codes = await self._get(ctx, session, f"{ORDERS}/{order_id}/refund_reasons")
        except PermanentError as exc:
            if exc.code == "90001":
                raise NotFound(f"Wish has no order {order_id} for this store") from exc
            raise
        return [RefundReason(code=str(code), label=refund_label(str(code))) for code in codes]
