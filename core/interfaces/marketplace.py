"""The marketplace adapter: everything Tradewind asks of a platform such as Wish or AliExpress.

One adapter per platform, registered through ``register_marketplaces``. It is the only code that
speaks the platform's protocol. It keeps no per-store state: every call receives a
:class:`~core.interfaces.common.CallContext` (shared HTTP client, who the call is for) and the
store's :class:`Credentials`.

Errors: raise :class:`~core.errors.TransientError` for timeouts, 429 and 5xx (with
``retry_after`` from the platform's rate-limit headers), :class:`~core.errors.OutcomeUnknown`
when a write was sent but its answer was lost, :class:`~core.errors.AuthorizationExpired` for a
revoked or expired token, :class:`~core.errors.NotFound` for an unknown id and
:class:`~core.errors.PermanentError` (with the platform's code and field) when the platform said
no.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from core.interfaces.common import CallContext, Page, Problem, frozen_mapping, require_utc
from core.interfaces.listings import ListingPayload, ListingRecord
from core.interfaces.orders import (
    ActionResult,
    FulfilmentRequest,
    MarketplaceCarrier,
    OrderAction,
    OrderRecord,
    RefundReason,
)


@dataclass(frozen=True, repr=False)
class Credentials:
    """A store's credentials: opaque to the core, which encrypts and stores them.

    Attributes:
        data: JSON-serialisable values only the adapter reads (tokens, merchant id, ...).
        expires_at: when the access token stops working (UTC); ``None`` if it does not expire.
        refresh_expires_at: when the refresh token stops working; after that the seller has to
            authorize the store again.
    """

    data: Mapping[str, Any]
    expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", frozen_mapping(self.data))
        require_utc(self.expires_at, "Credentials.expires_at")
        require_utc(self.refresh_expires_at, "Credentials.refresh_expires_at")

    def __repr__(self) -> str:
        # Tokens must never reach logs or tracebacks.
        keys = ", ".join(sorted(self.data))
        return f"Credentials(keys=[{keys}], expires_at={self.expires_at!r})"

    def expires_within(self, margin: timedelta, now: datetime) -> bool:
        """Whether the access token expires before ``now + margin`` (never, without expiry)."""
        return self.expires_at is not None and self.expires_at <= now + margin


@dataclass(frozen=True)
class StoreIdentity:
    """Who a set of credentials belongs to on the platform.

    Attributes:
        shop_id: the platform's id of the store (Wish ``merchant_id``, AliExpress
            ``seller_id``). With the marketplace id it is unique: one store belongs to one
            Tradewind account only.
        shop_name: the store's name as the platform shows it.
    """

    shop_id: str
    shop_name: str = ""


@dataclass(frozen=True)
class AuthorizedStore:
    """The result of a completed authorization: which store, and its credentials.

    Attributes:
        identity: the authorized store.
        credentials: its credentials, to be encrypted and kept by the core.
    """

    identity: StoreIdentity
    credentials: Credentials


class MarketplaceCapability(StrEnum):
    """Optional abilities; the UI hides what an adapter lacks, the core never calls it."""

    RELIST = "relist"
    """``relist_listing`` works (a delisted listing can go back on sale)."""
    CANCEL_ORDER = "cancel_order"
    """``cancel_order`` and ``list_refund_reasons`` work."""
    PARTIAL_FULFILMENT = "partial_fulfilment"
    """``fulfil_order`` accepts ``line_ids`` (several parcels per order)."""
    ORDER_ACTIONS_ASYNC = "order_actions_async"
    """Order writes may answer ``PENDING``; the core polls ``check_order_action``."""


@runtime_checkable
class MarketplaceAdapter(Protocol):
    """A sales platform (Wish, AliExpress, ...). See the module docstring for errors."""

    @property
    def id(self) -> str:
        """Unique id (lower-case, digits, ``_``), usually the plugin id: ``"wish"``."""
        ...

    @property
    def display_name(self) -> str:
        """Name shown to sellers: ``"Wish"``."""
        ...

    @property
    def capabilities(self) -> frozenset[MarketplaceCapability]:
        """The optional abilities this adapter has."""
        ...

    @property
    def order_sync_overlap(self) -> timedelta:
        """How far before the last watermark an order sync starts again.

        Covers the platform's clock skew and late index updates; the core de-duplicates by
        order id, so a generous overlap costs requests, never duplicates.
        """
        ...

    # -- authorization -------------------------------------------------------------------

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        """The platform page where the seller grants access to a store (no I/O).

        Args:
            state: anti-forgery value the core checks when the seller comes back.
            redirect_uri: Tradewind's callback URL (must equal the one registered with the
                platform app).
        """
        ...

    async def exchange_code(
        self,
        ctx: CallContext,
        *,
        code: str,
        redirect_uri: str,
        params: Mapping[str, str],
    ) -> AuthorizedStore:
        """Trade the callback's authorization code for credentials (single use, short-lived).

        Args:
            ctx: call context.
            code: the ``code`` query parameter of the callback.
            redirect_uri: the same callback URL that went into :meth:`authorize_url`.
            params: every query parameter of the callback (some platforms add e.g. ``uuid``).
        """
        ...

    async def refresh_credentials(self, ctx: CallContext, credentials: Credentials) -> Credentials:
        """Get fresh credentials before (or after) the access token expires.

        The old credentials may stop working the moment this returns (Wish revokes them), so
        the core runs one refresh per store at a time and stores the result before anything
        else uses the store. Raise ``AuthorizationExpired`` when the refresh token is dead.

        Args:
            ctx: call context.
            credentials: the store's current credentials.
        """
        ...

    async def test_credentials(self, ctx: CallContext, credentials: Credentials) -> StoreIdentity:
        """Check that the credentials work and say which store they belong to.

        Args:
            ctx: call context.
            credentials: the credentials to test.
        """
        ...

    # -- listings ------------------------------------------------------------------------

    def validate_listing(self, listing: ListingPayload) -> list[Problem]:
        """Check a listing against the platform's rules without sending it (no I/O).

        Return every problem, field by field (not just the first), so the seller can fix all
        of them at once; an empty list means it may be published.

        Args:
            listing: the listing that would be published or updated.
        """
        ...

    async def find_listing_by_sku(
        self, ctx: CallContext, credentials: Credentials, parent_sku: str
    ) -> ListingRecord | None:
        """Look up a listing by the seller's parent SKU; ``None`` if the platform has none.

        The core calls this before retrying a create whose outcome is unknown, so a timeout
        never produces a duplicate listing.

        Args:
            ctx: call context.
            credentials: the store's credentials.
            parent_sku: the seller's product SKU.
        """
        ...

    async def publish_listing(
        self, ctx: CallContext, credentials: Credentials, listing: ListingPayload
    ) -> ListingRecord:
        """Create the listing on the platform and return what the platform now has.

        Raise ``OutcomeUnknown`` if the request was sent but no answer came back.

        Args:
            ctx: call context.
            credentials: the store's credentials.
            listing: the listing to create.
        """
        ...

    async def update_listing(
        self,
        ctx: CallContext,
        credentials: Credentials,
        listing_id: str,
        listing: ListingPayload,
    ) -> ListingRecord:
        """Push a full edit of a published listing; variants carry their ``remote_id``.

        Args:
            ctx: call context.
            credentials: the store's credentials.
            listing_id: the platform's listing id.
            listing: the listing's complete new content.
        """
        ...

    async def delist_listing(
        self, ctx: CallContext, credentials: Credentials, listing_id: str
    ) -> None:
        """Take a listing off sale (it stays on the platform and can be relisted).

        Args:
            ctx: call context.
            credentials: the store's credentials.
            listing_id: the platform's listing id.
        """
        ...

    async def relist_listing(
        self, ctx: CallContext, credentials: Credentials, listing_id: str
    ) -> None:
        """Put a delisted listing back on sale (only with ``MarketplaceCapability.RELIST``).

        Args:
            ctx: call context.
            credentials: the store's credentials.
            listing_id: the platform's listing id.
        """
        ...

    async def get_listing(
        self, ctx: CallContext, credentials: Credentials, listing_id: str
    ) -> ListingRecord:
        """Read one listing completely (variants included); ``NotFound`` if unknown.

        Args:
            ctx: call context.
            credentials: the store's credentials.
            listing_id: the platform's listing id.
        """
        ...

    async def list_listings(
        self,
        ctx: CallContext,
        credentials: Credentials,
        *,
        cursor: str | None,
        updated_since: datetime | None = None,
    ) -> Page[ListingRecord]:
        """One page of the store's listings; records may be ``partial``.

        Args:
            ctx: call context.
            credentials: the store's credentials.
            cursor: ``None`` for the first page, then the previous page's ``next_cursor``.
            updated_since: only listings changed at or after this time (UTC), if given.
        """
        ...

    # -- orders --------------------------------------------------------------------------

    async def list_orders(
        self,
        ctx: CallContext,
        credentials: Credentials,
        *,
        since: datetime,
        cursor: str | None,
    ) -> Page[OrderRecord]:
        """One page of the orders changed at or after ``since``.

        The core passes ``since`` = last watermark minus :attr:`order_sync_overlap` and the
        same ``since`` with every cursor; it upserts by ``order_id``, so repeated orders are
        harmless but a missed one is a defect. Pages must cover every order changed at or
        after ``since`` even when the platform's paging is by page number.

        Args:
            ctx: call context.
            credentials: the store's credentials.
            since: lower bound (inclusive, UTC) of the orders' last change.
            cursor: ``None`` for the first page, then the previous page's ``next_cursor``.
        """
        ...

    async def get_order(
        self, ctx: CallContext, credentials: Credentials, order_id: str
    ) -> OrderRecord:
        """Read one order; ``NotFound`` if unknown.

        Args:
            ctx: call context.
            credentials: the store's credentials.
            order_id: the platform's order id.
        """
        ...

    async def fulfil_order(
        self,
        ctx: CallContext,
        credentials: Credentials,
        order_id: str,
        fulfilment: FulfilmentRequest,
    ) -> ActionResult:
        """Declare the order (or some lines) shipped with a tracking number.

        Platforms that process this asynchronously answer ``PENDING``; the core then polls
        :meth:`check_order_action`.

        Args:
            ctx: call context.
            credentials: the store's credentials.
            order_id: the platform's order id.
            fulfilment: carrier, tracking number, origin country and lines.
        """
        ...

    async def cancel_order(
        self,
        ctx: CallContext,
        credentials: Credentials,
        order_id: str,
        *,
        reason: str,
        note: str = "",
    ) -> ActionResult:
        """Cancel or refund the order (only with ``MarketplaceCapability.CANCEL_ORDER``).

        Args:
            ctx: call context.
            credentials: the store's credentials.
            order_id: the platform's order id.
            reason: a ``code`` from :meth:`list_refund_reasons`.
            note: free text for the buyer or platform.
        """
        ...

    async def check_order_action(
        self,
        ctx: CallContext,
        credentials: Credentials,
        order_id: str,
        action: OrderAction,
    ) -> ActionResult:
        """Poll the outcome of an earlier fulfil or cancel that answered ``PENDING``.

        Args:
            ctx: call context.
            credentials: the store's credentials.
            order_id: the platform's order id.
            action: which write to check.
        """
        ...

    async def list_carriers(
        self,
        ctx: CallContext,
        credentials: Credentials,
        *,
        destination_country: str | None = None,
    ) -> list[MarketplaceCarrier]:
        """Carriers the platform accepts in :meth:`fulfil_order`.

        Args:
            ctx: call context.
            credentials: the store's credentials.
            destination_country: narrow to carriers serving this ISO country, when supported.
        """
        ...

    async def list_refund_reasons(
        self, ctx: CallContext, credentials: Credentials, order_id: str
    ) -> list[RefundReason]:
        """Reasons the platform accepts for cancelling this order.

        Args:
            ctx: call context.
            credentials: the store's credentials.
            order_id: the platform's order id (Wish's list depends on the order).
        """
        ...
