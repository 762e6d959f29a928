"""Publish, push, delist and relist one product through its store's marketplace adapter.

Platform-neutral: only :class:`~core.interfaces.marketplace.MarketplaceAdapter` is called.
Database work happens in short transactions and never while waiting for the platform.

Publishing is fail-closed and idempotent (DESIGN.md §7):

1. The listing is validated by the adapter first; problems are kept on the product, field by
   field, and it stays a draft (or publish-failed).
2. The product moves to ``publishing`` *before* anything is sent, so a crash leaves a trace.
3. An attempt that finds the product already ``publishing`` (an earlier attempt died, or its
   answer was lost) first asks the platform for the parent SKU and binds what it finds; it
   creates only when the platform has nothing.
4. ``OutcomeUnknown`` is read back the same way; a listing still not found raises
   ``TransientError`` so the job retries later (and reads back again) instead of re-sending.
5. The platform saying no (``PermanentError``) moves it to ``publish_failed`` with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Actor
from core.catalog import lifecycle, states
from core.catalog.access import load_product, load_store
from core.catalog.payload import ImageUrlResolver, default_image_url, payload_of
from core.errors import OutcomeUnknown, PermanentError, RuleViolation, TransientError
from core.i18n import message_of, msg
from core.interfaces.common import CallContext, Problem, blocking
from core.interfaces.listings import ListingPayload, ListingRecord, ListingStatus
from core.interfaces.marketplace import Credentials, MarketplaceAdapter, MarketplaceCapability
from core.models.catalog import Product, ProductState
from core.models.stores import Store, StoreStatus

S = ProductState


class Outcome(StrEnum):
    """What happened to one product of a batch."""

    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class ItemResult:
    """The outcome for one product and the message shown to the seller."""

    outcome: Outcome
    message: str = ""


@dataclass(frozen=True)
class StoreConnection:
    """Everything needed to call a store's platform."""

    adapter: MarketplaceAdapter
    credentials: Credentials
    call: CallContext


class StoreConnector(Protocol):
    """Gives the adapter and fresh credentials of a store (refreshing them when needed)."""

    async def connect(self, store: Store) -> StoreConnection:
        """Connect to ``store``'s platform; ``PermanentError`` when that is impossible."""
        ...


class RegistryConnector:
    """Adapter from the plugin registry, credentials decrypted with the deployment's key.

    It does not refresh expiring tokens; jobs use the stores module's connector
    (:class:`core.stores.connector.StoresConnector`), which does. Kept for callers that must
    not write to the store row. Stores that need re-authorization or are disabled are refused.
    """

    def __init__(self, registry: Any, settings: Any, http: Any) -> None:
        self.registry = registry
        self.settings = settings
        self.http = http

    async def connect(self, store: Store) -> StoreConnection:
        """Connect to ``store``'s platform."""
        from core.crypto import CredentialCipher

        adapter = self.registry.marketplaces.get(store.platform)
        if adapter is None:
            raise PermanentError(
                msg("the %(platform)s plugin is not loaded", platform=repr(store.platform))
            )
        if store.status is StoreStatus.NEEDS_REAUTH:
            raise PermanentError(
                msg("store %(store)s needs to be authorized again", store=repr(store.name))
            )
        if store.status is StoreStatus.DISABLED:
            raise PermanentError(msg("store %(store)s is disabled", store=repr(store.name)))
        if not store.credentials_encrypted:
            raise PermanentError(msg("store %(store)s is not authorized", store=repr(store.name)))
        data = CredentialCipher.from_settings(self.settings).decrypt(store.credentials_encrypted)
        credentials = Credentials(data=data, expires_at=store.credentials_expires_at)
        call = CallContext(http=self.http, account_id=store.account_id, store_id=store.id)
        return StoreConnection(adapter=adapter, credentials=credentials, call=call)


def describe_problems(problems: Sequence[Problem]) -> str:
    """Every problem, field by field: ``title: too long (max 255); variants[0].price: ...``."""
    return "; ".join(f"{problem.field}: {problem.message}" for problem in problems)


async def _prepare(
    session: AsyncSession,
    actor: Actor,
    product_id: int,
    image_url: ImageUrlResolver,
) -> tuple[Product, Store, ListingPayload]:
    product = await load_product(session, actor, product_id, for_update=True)
    if product.store_id is None:
        raise RuleViolation(
            msg("collection-box products are not bound to a store: claim it to a store first")
        )
    store = await load_store(session, actor, product.store_id)
    return product, store, await payload_of(session, product, image_url=image_url)


async def validate_product(
    session: AsyncSession,
    actor: Actor,
    connector: StoreConnector,
    product_id: int,
    *,
    image_url: ImageUrlResolver = default_image_url,
) -> list[Problem]:
    """Check a store product against its platform's rules and keep the problems on it."""
    product, store, listing = await _prepare(session, actor, product_id, image_url)
    connection = await connector.connect(store)
    problems = connection.adapter.validate_listing(listing)
    assert product.id is not None
    await lifecycle.record_problems(session, actor, product.id, blocking(problems))
    return problems


async def publish_one(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    connector: StoreConnector,
    product_id: int,
    *,
    job_id: int | None = None,
    image_url: ImageUrlResolver = default_image_url,
) -> ItemResult:
    """Publish one draft (or publish-failed) product; see the module docstring.

    Raises:
        TransientError: the platform is unavailable or the outcome is still unknown; the
            product stays ``publishing`` and a retry reads the platform back first.
    """
    async with sessions() as session, session.begin():
        product, store, listing = await _prepare(session, actor, product_id, image_url)
        if product.state in states.ON_PLATFORM_STATES:
            return ItemResult(
                Outcome.SKIPPED, msg("already %(state)s", state=states.label(product.state))
            )
        resumed = product.state is S.PUBLISHING
        if not resumed:
            states.next_state(product.state, states.ProductAction.START_PUBLISH)
        connection = await connector.connect(store)
        if not resumed:
            problems = blocking(connection.adapter.validate_listing(listing))
            await lifecycle.record_problems(session, actor, product_id, problems, job_id=job_id)
            if problems:
                return ItemResult(Outcome.FAILED, describe_problems(problems))
            await lifecycle.begin_publish(session, actor, product_id, job_id=job_id)
    try:
        record = await _send(connection, listing, resumed=resumed)
    except PermanentError as exc:
        async with sessions() as session, session.begin():
            await lifecycle.publish_failed(session, actor, product_id, str(exc), job_id=job_id)
        return ItemResult(Outcome.FAILED, message_of(exc))
    return await _settle_publish(sessions, actor, product_id, record, job_id)


async def _send(
    connection: StoreConnection, listing: ListingPayload, *, resumed: bool
) -> ListingRecord:
    adapter, call, credentials = connection.adapter, connection.call, connection.credentials
    if resumed and listing.parent_sku:
        found = await adapter.find_listing_by_sku(call, credentials, listing.parent_sku)
        if found is not None:
            return found
    try:
        return await adapter.publish_listing(call, credentials, listing)
    except OutcomeUnknown as exc:
        found = None
        if listing.parent_sku:
            found = await adapter.find_listing_by_sku(call, credentials, listing.parent_sku)
        if found is None:
            raise TransientError(
                msg(
                    "the platform did not answer and does not show the listing yet; "
                    "it will be checked again before anything is re-sent"
                ),
                retry_after=exc.retry_after,
            ) from exc
        return found


async def _settle_publish(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    product_id: int,
    record: ListingRecord,
    job_id: int | None,
) -> ItemResult:
    async with sessions() as session, session.begin():
        if record.status in (ListingStatus.REJECTED, ListingStatus.REMOVED):
            reason = record.status_reason or msg(
                "the platform answered %(status)s", status=record.platform_status
            )
            await lifecycle.publish_failed(session, actor, product_id, reason, job_id=job_id)
            return ItemResult(Outcome.FAILED, reason)
        await lifecycle.publish_succeeded(session, actor, product_id, record, job_id=job_id)
    if record.status is ListingStatus.UNDER_REVIEW:
        return ItemResult(
            Outcome.DONE,
            msg(
                "published as %(listing)s (under the platform's review)",
                listing=record.listing_id,
            ),
        )
    return ItemResult(Outcome.DONE, msg("published as %(listing)s", listing=record.listing_id))


async def push_update_one(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    connector: StoreConnector,
    product_id: int,
    *,
    job_id: int | None = None,
    image_url: ImageUrlResolver = default_image_url,
) -> ItemResult:
    """Push the edit of a listing on the platform; it stops showing "updating" once settled."""
    async with sessions() as session, session.begin():
        product, store, listing = await _prepare(session, actor, product_id, image_url)
        if not product.is_updating or product.state not in states.ON_PLATFORM_STATES:
            return ItemResult(Outcome.SKIPPED, msg("nothing to push"))
        listing_id = product.platform_product_id
        edited_at = product.updated_at
        connection = await connector.connect(store)
        problems = blocking(connection.adapter.validate_listing(listing))
        if problems:
            message = describe_problems(problems)
            await lifecycle.record_problems(session, actor, product_id, problems, job_id=job_id)
            await lifecycle.update_settled(session, actor, product_id, error=message, job_id=job_id)
            return ItemResult(Outcome.FAILED, message)
    if not listing_id:
        raise PermanentError(msg("the product has no platform listing id; sync the store first"))
    record: ListingRecord | None = None
    error: str | None = None
    try:
        record = await connection.adapter.update_listing(
            connection.call, connection.credentials, listing_id, listing
        )
    except PermanentError as exc:
        error = str(exc)
    async with sessions() as session, session.begin():
        current = await load_product(session, actor, product_id, for_update=True)
        if current.updated_at != edited_at:
            return ItemResult(
                Outcome.SKIPPED, msg("edited again meanwhile; the next push sends it")
            )
        await lifecycle.update_settled(
            session, actor, product_id, error=error, listing=record, job_id=job_id
        )
    if error:
        return ItemResult(Outcome.FAILED, error)
    return ItemResult(Outcome.DONE, msg("updated"))


async def change_sale_state(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    connector: StoreConnector,
    product_id: int,
    action: states.ProductAction,
    *,
    job_id: int | None = None,
) -> ItemResult:
    """Delist a published listing or relist a delisted one (``action`` DELIST or RELIST)."""
    done_state = S.DELISTED if action is states.ProductAction.DELIST else S.PUBLISHED
    async with sessions() as session:
        product = await load_product(session, actor, product_id)
        if product.state is done_state:
            return ItemResult(
                Outcome.SKIPPED, msg("already %(state)s", state=states.label(done_state))
            )
        states.next_state(product.state, action)
        assert product.store_id is not None
        store = await load_store(session, actor, product.store_id)
        listing_id = product.platform_product_id
    connection = await connector.connect(store)
    adapter = connection.adapter
    if not listing_id:
        raise PermanentError(msg("the product has no platform listing id; sync the store first"))
    if action is states.ProductAction.DELIST:
        await adapter.delist_listing(connection.call, connection.credentials, listing_id)
    else:
        if MarketplaceCapability.RELIST not in adapter.capabilities:
            return ItemResult(
                Outcome.FAILED,
                msg("%(platform)s cannot relist listings", platform=adapter.display_name),
            )
        await adapter.relist_listing(connection.call, connection.credentials, listing_id)
    async with sessions() as session, session.begin():
        if action is states.ProductAction.DELIST:
            await lifecycle.mark_delisted(session, actor, product_id, job_id=job_id)
        else:
            await lifecycle.mark_relisted(session, actor, product_id, job_id=job_id)
    return ItemResult(Outcome.DONE, states.label(done_state))
