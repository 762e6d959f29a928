"""The Wish marketplace adapter: :class:`WishMarketplace` (Merchant API v3).

The only code that speaks Wish's protocol (through :mod:`plugins.wish.transport`, which sends
every request with the core's injected ``httpx.AsyncClient`` from ``CallContext.http``). It
keeps no per-store state: each call gets the store's :class:`Credentials`, whose ``data`` holds

- ``access_token``, ``refresh_token``, ``scopes``: from the OAuth exchange;
- ``merchant_id``: the store's id on Wish (the core's ``platform_shop_id``);
- ``client_id``: the app the tokens belong to (the rate budget is per app per merchant);
- ``warehouse_id``, ``currency``: the merchant's STANDARD warehouse and localized currency,
  read once at authorization (listings use them unless their platform fields say otherwise).

Order reads and writes live in :mod:`plugins.wish.orders`; this module holds authorization and
listings and assembles the adapter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from core.errors import NotFound, OutcomeUnknown, PermanentError, TransientError
from core.interfaces.common import CallContext, Page, Problem, blocking
from core.interfaces.listings import ORIGIN_COUNTRY_FIELD, ListingPayload, ListingRecord
from core.interfaces.marketplace import (
    AuthorizedStore,
    Credentials,
    MarketplaceCapability,
    StoreIdentity,
)
from plugins.wish import paging
from plugins.wish.mapping import create_body, listing_record, parse_time, to_ms, update_body
from plugins.wish.orders import WishOrders
from plugins.wish.ratelimit import BudgetPolicy, InMemoryBudget, RateBudget
from plugins.wish.session import StoreSession, session_of
from plugins.wish.settings import WishSettings
from plugins.wish.transport import WishCall, WishTransport
from plugins.wish.validation import summary, validate_listing

PRODUCTS = "/api/v3/products"


class WishMarketplace(WishOrders):
    """Wish, as a :class:`~core.interfaces.marketplace.MarketplaceAdapter`.

    Args:
        settings: the plugin settings (app credentials, base URL, paging, budget, retries).
        budget: the per-store rate budget; an in-memory one by default (see
            :func:`plugins.wish.ratelimit.budget_for` for the Redis-backed one).
        sleep: coroutine used for retry backoff (injectable in tests).
    """

    capabilities = frozenset(
        {
            MarketplaceCapability.RELIST,
            MarketplaceCapability.CANCEL_ORDER,
            MarketplaceCapability.ORDER_ACTIONS_ASYNC,
        }
    )

    def __init__(
        self,
        settings: WishSettings,
        *,
        budget: RateBudget | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.transport = WishTransport(
            settings, budget or InMemoryBudget(BudgetPolicy.from_settings(settings)), sleep=sleep
        )
        super().__init__(self.transport, settings)

    @property
    def id(self) -> str:
        """``"wish"``."""
        return "wish"

    @property
    def display_name(self) -> str:
        """``"Wish"``."""
        return "Wish"

    @property
    def order_sync_overlap(self) -> timedelta:
        """How far before the last watermark an order sync restarts (a plugin setting)."""
        return timedelta(minutes=self.settings.order_sync_overlap_minutes)

    # -- authorization -------------------------------------------------------------------

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        """Wish's consent page; Wish sends the seller back to the app's registered URI."""
        client_id, _ = self.settings.app_credentials()
        query = urlencode({"client_id": client_id, "state": state})
        return f"{self.settings.base_url}/v3/oauth/authorize?{query}"

    async def exchange_code(
        self,
        ctx: CallContext,
        *,
        code: str,
        redirect_uri: str,
        params: Mapping[str, str],
    ) -> AuthorizedStore:
        """Trade the callback's code for tokens, then read the merchant's warehouse/currency.

        Raises:
            PermanentError: the code was refused (expired 10004, redeemed 10002, wrong
                10008, app mismatch 10001) or Wish's answer was lost (a code works once, so
                the seller must authorize again).
        """
        client_id, secret = self.settings.app_credentials()
        call = WishCall(
            "POST",
            "/api/v3/oauth/access_token",
            budget_key=f"{client_id}:oauth",
            body={
                "client_id": client_id,
                "client_secret": secret,
                "code": code,
                "grant_type": "authorization_code",
                "redirect_uri": redirect_uri,
            },
            retry_safe=False,
        )
        try:
            token = await self.transport.request(ctx, call)
        except OutcomeUnknown as exc:
            raise PermanentError(
                "Wish's answer to the authorization was lost and the code works only once; "
                "please authorize the store again",
                code="wish.exchange_lost",
            ) from exc
        data = self._token_data(token, client_id)
        session = session_of(Credentials(data))
        data.update(await self._merchant_profile(ctx, session))
        identity = StoreIdentity(shop_id=str(token["merchant_id"]))
        return AuthorizedStore(identity, Credentials(data, expires_at=_expiry(token)))

    async def refresh_credentials(self, ctx: CallContext, credentials: Credentials) -> Credentials:
        """Get a new access token; Wish revokes every earlier one of this app and merchant.

        A lost answer is retried: the refresh token stays valid, and the newest token is the
        one that counts.

        Raises:
            AuthorizationExpired: Wish no longer knows the refresh token (1006).
        """
        client_id, secret = self.settings.app_credentials()
        session = session_of(credentials)
        token = await self.transport.request(
            ctx,
            WishCall(
                "GET",
                "/api/v3/oauth/refresh_token",
                budget_key=session.budget_key,
                params={
                    "client_id": client_id,
                    "client_secret": secret,
                    "refresh_token": str(credentials.data["refresh_token"]),
                    "grant_type": "refresh_token",
                },
            ),
        )
        data = {**credentials.data, **self._token_data(token, client_id)}
        return Credentials(
            data, expires_at=_expiry(token), refresh_expires_at=credentials.refresh_expires_at
        )

    async def test_credentials(self, ctx: CallContext, credentials: Credentials) -> StoreIdentity:
        """Check the token with ``GET /api/v3/oauth/test``; returns the merchant id."""
        data = await self._get(ctx, session_of(credentials), "/api/v3/oauth/test")
        return StoreIdentity(shop_id=str(data["merchant_id"]))

    @staticmethod
    def _token_data(token: Mapping[str, Any], client_id: str) -> dict[str, Any]:
        return {
            "access_token": str(token["access_token"]),
            "refresh_token": str(token["refresh_token"]),
            "merchant_id": str(token["merchant_id"]),
            "client_id": client_id,
            "scopes": list(token.get("scopes") or []),
        }

    async def _merchant_profile(self, ctx: CallContext, session: StoreSession) -> dict[str, Any]:
        warehouses = await self._get(ctx, session, "/api/v3/merchant/warehouses")
        standard = next((w for w in warehouses or [] if w.get("shipping_type") == "STANDARD"), None)
        currency = await self._get(ctx, session, "/api/v3/merchant/currency_settings")
        profile: dict[str, Any] = {
            "currency": str((currency or {}).get("localized_currency") or "USD"),
        }
        if standard is not None:
            profile["warehouse_id"] = str(standard["id"])
        return profile

    # -- listings ------------------------------------------------------------------------

    def validate_listing(self, listing: ListingPayload) -> list[Problem]:
        """Every problem that would make Wish refuse ``listing`` (see :mod:`.validation`)."""
        return validate_listing(with_origin(listing))

    def _checked_body(self, session: StoreSession, listing: ListingPayload) -> str:
        errors = blocking(validate_listing(_with_defaults(listing, session)))
        if errors:
            raise PermanentError(summary(errors), code="wish.invalid", field=errors[0].field)
        warehouse = listing.platform_fields.get("warehouse_id") or session.warehouse_id
        if not warehouse:
            raise PermanentError(
                "the store's Wish warehouse is unknown; authorize the store again",
                code="wish.no_warehouse",
            )
        return str(warehouse)

    async def find_listing_by_sku(
        self, ctx: CallContext, credentials: Credentials, parent_sku: str
    ) -> ListingRecord | None:
        """The product with this ``parent_sku`` (removed ones too), fully; ``None`` if none."""
        session = session_of(credentials)
        found = await self._get(
            ctx, session, PRODUCTS, params={"parent_sku": parent_sku, "limit": 1}
        )
        if not found:
            return None
        return await self._listing(ctx, session, str(found[0]["id"]))

    async def publish_listing(
        self, ctx: CallContext, credentials: Credentials, listing: ListingPayload
    ) -> ListingRecord:
        """Create the product with its variations (it starts under Wish's review).

        Never creates a listing twice: when an answer is lost, the product is looked up by
        ``parent_sku`` before anything is sent again, and a refusal that follows a lost
        answer is checked the same way (the first request may have landed meanwhile).

        Raises:
            PermanentError: the listing breaks Wish's rules (checked before sending) or Wish
                refused it.
            OutcomeUnknown: still uncertain after the configured attempts.
        """
        session = session_of(credentials)
        listing = with_origin(listing)
        warehouse = self._checked_body(session, listing)
        body = create_body(listing, warehouse)
        uncertain = False
        for _ in range(self.settings.max_attempts):
            try:
                product = await self._write(ctx, session, "POST", PRODUCTS, body, safe=False)
                return listing_record(product)
            except OutcomeUnknown:
                uncertain = True
            except PermanentError as refused:
                if not uncertain and refused.field != "parent_sku":
                    raise
                # After a lost answer, or when the parent SKU is taken (a retried job whose
                # first attempt landed): adopt the product if it is this very listing.
                existing = await self._look_up(ctx, credentials, listing.parent_sku, uncertain)
                if existing is None or not _same_skus(existing, listing):
                    raise
                return existing
            existing = await self._look_up(ctx, credentials, listing.parent_sku, uncertain)
            if existing is not None:
                return existing
        raise OutcomeUnknown(f"Wish did not confirm the creation of {listing.parent_sku}")

    async def _look_up(
        self, ctx: CallContext, credentials: Credentials, parent_sku: str, uncertain: bool
    ) -> ListingRecord | None:
        """Find by parent SKU; while a create is uncertain, a failed look-up stays uncertain."""
        try:
            return await self.find_listing_by_sku(ctx, credentials, parent_sku)
        except TransientError as exc:
            if uncertain and not isinstance(exc, OutcomeUnknown):
                raise OutcomeUnknown(
                    f"Wish did not confirm the creation of {parent_sku}: {exc}",
                    retry_after=exc.retry_after,
                ) from exc
            raise

    async def update_listing(
        self,
        ctx: CallContext,
        credentials: Credentials,
        listing_id: str,
        listing: ListingPayload,
    ) -> ListingRecord:
        """Push a full edit; variations absent from ``listing`` are disabled on Wish."""
        session = session_of(credentials)
        listing = with_origin(listing)
        warehouse = self._checked_body(session, listing)
        current = await self._product(ctx, session, listing_id)
        body = update_body(listing, warehouse, current.get("variations") or [])
        product = await self._write(ctx, session, "PUT", f"{PRODUCTS}/{listing_id}", body)
        return listing_record(product)

    async def delist_listing(
        self, ctx: CallContext, credentials: Credentials, listing_id: str
    ) -> None:
        """Disable the product (``MERCHANT_INACTIVE``)."""
        await self._set_status(ctx, credentials, listing_id, "DISABLED")

    async def relist_listing(
        self, ctx: CallContext, credentials: Credentials, listing_id: str
    ) -> None:
        """Enable the product again (back to ``ACTIVE``, or under review if it was)."""
        await self._set_status(ctx, credentials, listing_id, "ENABLED")

    async def _set_status(
        self, ctx: CallContext, credentials: Credentials, listing_id: str, status: str
    ) -> None:
        session = session_of(credentials)
        path = f"{PRODUCTS}/{listing_id}"
        try:
            await self._write(ctx, session, "PUT", path, {"status": status})
        except PermanentError:
            await self._product(ctx, session, listing_id)  # NotFound when it is not ours
            raise

    async def get_listing(
        self, ctx: CallContext, credentials: Credentials, listing_id: str
    ) -> ListingRecord:
        """The full product; the review's reason is added when Wish removed it."""
        return await self._listing(ctx, session_of(credentials), listing_id)

    async def _listing(
        self, ctx: CallContext, session: StoreSession, listing_id: str
    ) -> ListingRecord:
        product = await self._product(ctx, session, listing_id)
        record = listing_record(product)
        if record.platform_status == "REMOVED_BY_WISH" and product.get("request_id"):
            review = await self._get(ctx, session, f"{PRODUCTS}/requests/{product['request_id']}")
            reason = str((review or {}).get("blocking_reason") or "")
            record = listing_record(product, status_reason=reason)
        return record

    async def _product(
        self, ctx: CallContext, session: StoreSession, listing_id: str
    ) -> dict[str, Any]:
        try:
            product: dict[str, Any] = await self._get(ctx, session, f"{PRODUCTS}/{listing_id}")
        except PermanentError as exc:
            if exc.code == "90001":
                raise NotFound(f"Wish has no product {listing_id} for this store") from exc
            raise
        return product

    async def list_listings(
        self,
        ctx: CallContext,
        credentials: Credentials,
        *,
        cursor: str | None,
        updated_since: datetime | None = None,
    ) -> Page[ListingRecord]:
        """One page of products (shallow: ``partial`` records), oldest change first."""
        if cursor is None:
            position = paging.RangeCursor(lo=to_ms(updated_since) if updated_since else 0)
        else:
            position = paging.RangeCursor.decode(cursor)
        products, following = await self.list_products_range(ctx, credentials, position)
        return Page(
            tuple(listing_record(p) for p in products),
            following.encode() if following else None,
        )

    async def list_products_range(
        self, ctx: CallContext, credentials: Credentials, cursor: paging.RangeCursor
    ) -> tuple[list[paging.Item], paging.RangeCursor | None]:
        """One page of raw ``ShallowProduct`` objects of a range, and the next position."""
        spec = self.products_spec
        page = await self._get(
            ctx, session_of(credentials), PRODUCTS, params=paging.query(spec, cursor)
        )
        return paging.advance(spec, cursor, page or [])

    @property
    def products_spec(self) -> paging.KeysetSpec:
        """How product lists are paged (the configured page size)."""
        return paging.KeysetSpec(
            "updated_at", "created_at", 1000, self.settings.product_page_size, 1000
        )


def _expiry(token: Mapping[str, Any]) -> datetime | None:
    value = token.get("expiry_time")
    return parse_time(str(value)) if value else None


def _same_skus(record: ListingRecord, listing: ListingPayload) -> bool:
    """Whether a product on Wish carries exactly the variant SKUs of ``listing``."""
    return {v.sku for v in record.variants} == {v.sku for v in listing.variants}


def with_origin(listing: ListingPayload) -> ListingPayload:
    """Variants without an origin country get the listing's ``origin_country`` platform field.

    The core catalog keeps no per-variant origin; sellers set it once per product (the import's
    ``origin_country`` column, the product editor), kept under
    :data:`~core.interfaces.listings.ORIGIN_COUNTRY_FIELD`.
    """
    origin = str(listing.platform_fields.get(ORIGIN_COUNTRY_FIELD) or "").strip().upper()
    if not origin or all(variant.origin_country for variant in listing.variants):
        return listing
    variants = tuple(
        variant if variant.origin_country else replace(variant, origin_country=origin)
        for variant in listing.variants
    )
    return replace(listing, variants=variants)


def _with_defaults(listing: ListingPayload, session: StoreSession) -> ListingPayload:
    """The listing with the store's currency as the expected one, unless it names its own."""
    if "currency" in listing.platform_fields or not session.currency:
        return listing
    fields = {**listing.platform_fields, "currency": session.currency}
    return replace(listing, platform_fields=fields)
