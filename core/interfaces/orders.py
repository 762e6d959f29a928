"""Order records exchanged with marketplace adapters (see :mod:`core.interfaces.marketplace`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.interfaces.common import Address, Money, frozen_mapping, require_country, require_utc


class OrderStatus(StrEnum):
    """An order's state on the platform, in Tradewind's words.

    Tradewind's own workflow (to review, pending, to print, ...) is kept by the core; this is
    only what the platform says.
    """

    AWAITING_PAYMENT = "awaiting_payment"
    """Placed but not paid (AliExpress ``PLACE_ORDER_SUCCESS``); do not ship."""
    ON_HOLD = "on_hold"
    """Paid but held by the platform (Wish ``REQUIRE_REVIEW``, AliExpress ``RISK_CONTROL``)."""
    TO_SHIP = "to_ship"
    """Ready to ship (Wish ``APPROVED``, AliExpress ``WAIT_SELLER_SEND_GOODS``)."""
    PARTIALLY_SHIPPED = "partially_shipped"
    """Some lines shipped (AliExpress ``SELLER_PART_SEND_GOODS``)."""
    SHIPPED = "shipped"
    """Tracking declared (Wish ``SHIPPED``, AliExpress ``WAIT_BUYER_ACCEPT_GOODS``)."""
    COMPLETED = "completed"
    """Closed after delivery (AliExpress ``FINISH``)."""
    CANCELLED = "cancelled"
    """Cancelled before shipping (Wish ``DECLINED``, AliExpress ``IN_CANCEL``)."""
    REFUNDED = "refunded"
    """Refunded to the buyer (Wish ``REFUNDED``)."""


@dataclass(frozen=True)
class OrderLine:
    """One line of an order: a variant and how many.

    Attributes:
        line_id: the platform's id of the line (AliExpress ``child_id``; Wish: the order id).
        sku: the seller's variant SKU.
        title: product title at purchase time.
        quantity: units ordered.
        unit_price: price paid per unit.
        listing_id: the platform's listing id.
        variant_id: the platform's variant id.
        shipping_price: shipping paid for this line, when the platform splits it.
        image_url: variant picture.
        options: option name to value (``{"color": "Red"}``).
    """

    line_id: str
    sku: str
    title: str
    quantity: int
    unit_price: Money
    listing_id: str | None = None
    variant_id: str | None = None
    shipping_price: Money | None = None
    image_url: str | None = None
    options: Mapping[str, str] = field(default_factory=frozen_mapping)

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", frozen_mapping(self.options))


@dataclass(frozen=True)
class TrackingInfo:
    """A tracking number declared on the platform for an order.

    Attributes:
        tracking_number: the carrier's tracking number.
        carrier_name: the carrier as the platform names it.
        origin_country: ISO country the parcel left from.
    """

    tracking_number: str
    carrier_name: str
    origin_country: str | None = None

    def __post_init__(self) -> None:
        require_country(self.origin_country, "TrackingInfo.origin_country")


@dataclass(frozen=True)
class OrderRecord:
    """An order as the platform reports it.

    Attributes:
        order_id: the platform's order id; Tradewind's unique key per store (never duplicated).
        status: normalised state.
        platform_status: the platform's own state, verbatim.
        created_at: when the buyer ordered (UTC).
        updated_at: last change on the platform (UTC); the sync watermark is built from it.
        lines: at least one line.
        total: what the buyer paid in total.
        shipping_address: where to ship; ``None`` while the platform withholds it.
        paid_at: when it was paid (UTC).
        ship_by: deadline to declare shipment (Wish refunds automatically after it).
        buyer_note: the buyer's message.
        tracking: tracking numbers already declared, newest first.
        fulfilled_by_platform: the platform ships it itself (Wish FBW): Tradewind ignores it.
        platform_fields: extra values under names the plugin documents.
    """

    order_id: str
    status: OrderStatus
    platform_status: str
    created_at: datetime
    updated_at: datetime
    lines: tuple[OrderLine, ...]
    total: Money
    shipping_address: Address | None = None
    paid_at: datetime | None = None
    ship_by: datetime | None = None
    buyer_note: str = ""
    tracking: tuple[TrackingInfo, ...] = ()
    fulfilled_by_platform: bool = False
    platform_fields: Mapping[str, Any] = field(default_factory=frozen_mapping)

    def __post_init__(self) -> None:
        object.__setattr__(self, "platform_fields", frozen_mapping(self.platform_fields))
        for name in ("created_at", "updated_at", "paid_at", "ship_by"):
            require_utc(getattr(self, name), f"OrderRecord.{name}")


@dataclass(frozen=True)
class FulfilmentRequest:
    """Declare an order shipped: which carrier, which tracking number.

    Attributes:
        carrier_code: a ``code`` from the marketplace's ``list_carriers`` (Wish: the carrier
            name; AliExpress: the logistics service key).
        tracking_number: the carrier's tracking number (letters and digits).
        origin_country: ISO country the parcel leaves from.
        tracking_url: tracking page, required by some platforms for carriers they do not know.
        note: a note to the buyer or platform.
        line_ids: lines shipped by this parcel; empty means the whole order.
    """

    carrier_code: str
    tracking_number: str
    origin_country: str
    tracking_url: str | None = None
    note: str = ""
    line_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        require_country(self.origin_country, "FulfilmentRequest.origin_country")


@dataclass(frozen=True)
class MarketplaceCarrier:
    """A carrier the marketplace accepts in a fulfilment.

    Attributes:
        code: what to put in :attr:`FulfilmentRequest.carrier_code`.
        name: name shown to the seller.
    """

    code: str
    name: str


@dataclass(frozen=True)
class RefundReason:
    """A reason the marketplace accepts for cancelling or refunding an order.

    Attributes:
        code: the platform's reason value (Wish ``UNABLE_TO_SHIP``).
        label: English text shown to the seller.
    """

    code: str
    label: str


class OrderAction(StrEnum):
    """Order writes that a platform may carry out asynchronously."""

    FULFIL = "fulfil"
    CANCEL = "cancel"


class ActionStatus(StrEnum):
    """Outcome of an order write."""

    DONE = "done"
    """The platform applied it."""
    PENDING = "pending"
    """Accepted, still processing (Wish ``processing_status=IN_PROGRESS``): poll later."""
    FAILED = "failed"
    """The platform refused it after accepting; ``message`` says why."""


@dataclass(frozen=True)
class ActionResult:
    """What an order write (fulfil, cancel) answered.

    Attributes:
        status: done, pending (poll with ``check_order_action``) or failed.
        message: the platform's words when it failed or is pending.
    """

    status: ActionStatus
    message: str = ""
