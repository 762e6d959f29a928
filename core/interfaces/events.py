"""Domain events: what happened in Tradewind, for integrations to react to.

Services emit an event after their transaction commits, through
:meth:`core.registry.Registry.emit`. Listeners are async callables registered through the
``register_event_listeners`` hook. They run one after another in the emitter's task, so a
listener must be quick: slow work (calling a webhook, a report) belongs in a job it enqueues.
A failing listener is logged and never breaks the emitter or the other listeners.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from core.interfaces.common import frozen_mapping, require_utc

ANY_EVENT = "*"
"""Listen to every event."""

STORE_AUTHORIZED = "store.authorized"
"""A store was authorized (or re-authorized). Data: ``store_id``, ``marketplace``, ``shop_id``."""
STORE_AUTHORIZATION_EXPIRED = "store.authorization_expired"
"""A store's credentials stopped working. Data: ``store_id``, ``marketplace``."""
LISTING_PUBLISHED = "listing.published"
"""A product is live on its store. Data: ``product_id``, ``store_id``, ``listing_id``."""
LISTING_PUBLISH_FAILED = "listing.publish_failed"
"""Publishing failed. Data: ``product_id``, ``store_id``, ``reason``."""
LISTING_DELISTED = "listing.delisted"
"""A listing was taken off sale. Data: ``product_id``, ``store_id``, ``listing_id``."""
ORDER_IMPORTED = "order.imported"
"""A new order came in by a sync. Data: ``order_id``, ``store_id``, ``platform_order_id``."""
ORDER_SHIPPED = "order.shipped"
"""An order was marked shipped on its platform. Data: ``order_id``, ``store_id``,
``tracking_number``, ``shipping_type`` (``online``, ``offline`` or ``virtual``)."""
ORDER_CANCELLED = "order.cancelled"
"""An order was cancelled or refunded. Data: ``order_id``, ``store_id``."""

KNOWN_EVENTS = (
    STORE_AUTHORIZED,
    STORE_AUTHORIZATION_EXPIRED,
    LISTING_PUBLISHED,
    LISTING_PUBLISH_FAILED,
    LISTING_DELISTED,
    ORDER_IMPORTED,
    ORDER_SHIPPED,
    ORDER_CANCELLED,
)
"""The events the core emits. Plugins may emit their own, named ``<plugin id>.<what>``."""

EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Event:
    """Something that happened.

    Attributes:
        name: dotted name (``"order.shipped"``); see :data:`KNOWN_EVENTS`.
        account_id: the account it happened in (``None`` for deployment-wide events).
        data: JSON-serialisable details; keys per event are documented with its name.
        occurred_at: when it happened (UTC).
        id: unique id, for listeners that must not act twice.
    """

    name: str
    account_id: int | None
    data: Mapping[str, Any] = field(default_factory=frozen_mapping)
    occurred_at: datetime = field(default_factory=_now)
    id: str = field(default_factory=_new_id)

    def __post_init__(self) -> None:
        if not EVENT_NAME.match(self.name):
            raise ValueError(f"event name {self.name!r} must look like 'order.shipped'")
        object.__setattr__(self, "data", frozen_mapping(self.data))
        require_utc(self.occurred_at, "Event.occurred_at")


EventListener = Callable[[Event], Awaitable[None]]
"""``async def listener(event) -> None``."""
