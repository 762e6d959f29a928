"""Authorizing a store through its marketplace plugin (OAuth), and deauthorizing it.

1. :func:`start_authorization` records a single-use :class:`~core.models.OAuthState`
   (random, bound to the browser session — or, for API-started flows, to the user — and valid
   for :data:`STATE_LIFETIME`) and returns the platform's authorize URL.
2. The platform sends the seller back to ``<public_base_url>/stores/callback/<platform>``;
   :func:`complete_authorization` consumes the state with one conditional ``UPDATE`` (a replay
   finds nothing to consume), trades the code for credentials through the adapter, and upserts
   the store with its credentials encrypted (:class:`~core.crypto.CredentialCipher`).

Rule 2: a store (platform + shop id) belongs to one account only. Authorizing a shop that
another account holds is refused with :class:`StoreTaken` and changes nothing of that store;
authorizing it again in the same account refreshes its credentials.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Access, Actor, Area
from core.crypto import CredentialCipher
from core.errors import NotFound, PermanentError, RuleViolation
from core.i18n import msg
from core.interfaces.common import CallContext
from core.interfaces.marketplace import AuthorizedStore, MarketplaceAdapter
from core.models import (
    JobRecord,
    JobStatus,
    OAuthState,
    Store,
    StoreStatus,
    UserStoreAccess,
    utcnow,
)
from core.stores.service import StoreView, get_store, load_store, store_view

STATE_LIFETIME = timedelta(minutes=10)
"""How long a seller has to come back from the platform's authorize page."""

CALLBACK_PATH = "/stores/callback/"
"""Callback path (plus the platform id) registered with each platform app."""


class StoreTaken(RuleViolation):
    """The shop is authorized by another Tradewind account (rule 2)."""


class AuthorizationStateInvalid(PermanentError):
    """The callback's ``state`` is unknown, expired, already used, or from another session."""


@dataclass(frozen=True)
class AuthorizationDeps:
    """What the authorization flow needs from the process.

    Attributes:
        sessions: the session factory.
        marketplaces: the installed marketplace adapters by id (``registry.marketplaces``).
        http: the shared HTTP client adapters send requests with.
        cipher: encrypts the credentials.
        public_base_url: where the platform sends the seller back to.
    """

    sessions: async_sessionmaker[AsyncSession]
    marketplaces: Mapping[str, MarketplaceAdapter]
    http: httpx.AsyncClient
    cipher: CredentialCipher
    public_base_url: str


@dataclass(frozen=True)
class AuthorizationResult:
    """A completed authorization.

    Attributes:
        store: the authorized store.
        created: ``True`` for a new store, ``False`` when an existing one was re-authorized.
        redirect_after: where the seller wanted to go afterwards, if anywhere.
    """

    store: StoreView
    created: bool
    redirect_after: str | None


def callback_url(public_base_url: str, platform: str) -> str:
    """The callback URL of ``platform`` (must equal the one registered with the platform)."""
    return f"{public_base_url.rstrip('/')}{CALLBACK_PATH}{platform}"


def _adapter(deps: AuthorizationDeps, platform: str) -> MarketplaceAdapter:
    adapter = deps.marketplaces.get(platform)
    if adapter is None:
        raise NotFound(msg("No marketplace plugin %(platform)s is installed.", platform=platform))
    return adapter


async def start_authorization(
    deps: AuthorizationDeps,
    actor: Actor,
    platform: str,
    *,
    binding: str,
    store_id: int | None = None,
    redirect_after: str | None = None,
) -> str:
    """Record a single-use state and return the platform's authorize URL.

    Args:
        deps: process services.
        actor: who authorizes (needs write access to stores).
        platform: the marketplace id.
        binding: a hash of the browser session (or of the user, for API-started flows); the
            callback must present the same.
        store_id: the store being re-authorized, if any.
        redirect_after: where to send the seller after the callback.

    Raises:
        PermissionDenied: no write access to stores.
        NotFound: unknown platform, or a store the actor cannot see.
        RuleViolation: ``store_id`` belongs to another platform.
    """
    actor.require(Area.STORES, Access.WRITE)
    adapter = _adapter(deps, platform)
    state = secrets.token_urlsafe(32)
    async with deps.sessions() as session, session.begin():
        if store_id is not None:
            store = await load_store(session, actor, store_id)
            if store.platform != platform:
                raise RuleViolation(msg("This store is not on %(platform)s.", platform=platform))
        session.add(
            OAuthState(
                account_id=actor.account_id,
                user_id=actor.user_id,
                store_id=store_id,
                platform=platform,
                state=state,
                session_binding=binding,
                redirect_after=redirect_after,
                expires_at=utcnow() + STATE_LIFETIME,
            )
        )
    return adapter.authorize_url(
        state=state, redirect_uri=callback_url(deps.public_base_url, platform)
    )


async def _consume_state(
    session: AsyncSession, actor: Actor, platform: str, state: str, bindings: Collection[str]
) -> OAuthState:
    now = utcnow()
    consumed = await session.exec(
        update(OAuthState)
        .where(
            col(OAuthState.state) == state,
            col(OAuthState.platform) == platform,
            col(OAuthState.account_id) == actor.account_id,
            col(OAuthState.user_id) == actor.user_id,
            col(OAuthState.session_binding).in_(list(bindings)),
            col(OAuthState.consumed_at).is_(None),
            col(OAuthState.expires_at) > now,
        )
        .values(consumed_at=now)
    )
    if consumed.rowcount != 1:
        raise AuthorizationStateInvalid(
            msg(
                "This authorization has expired, was already used, or was started in another "
                "browser. Start the authorization again."
            )
        )
    found = await session.exec(select(OAuthState).where(OAuthState.state == state))
    return found.one()


def _taken(platform: str, shop_id: str) -> StoreTaken:
    return StoreTaken(
        msg(
            "The %(platform)s shop %(shop)s is already authorized by another Tradewind account. "
            "A store can belong to one Tradewind account only; it must be deauthorized there "
            "first.",
            platform=platform,
            shop=shop_id,
        )
    )


async def _upsert_store(
    session: AsyncSession,
    deps: AuthorizationDeps,
    actor: Actor,
    platform: str,
    authorized: AuthorizedStore,
    expected_store_id: int | None,
) -> tuple[Store, bool]:
    identity, credentials = authorized.identity, authorized.credentials
    query = select(Store).where(
        Store.platform == platform, Store.platform_shop_id == identity.shop_id
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update()
    existing = (await session.exec(query)).first()
    if existing is not None and existing.account_id != actor.account_id:
        raise _taken(platform, identity.shop_id)
    if expected_store_id is not None and (existing is None or existing.id != expected_store_id):
        raise RuleViolation(
            msg(
                "You signed in to a different %(platform)s shop (%(shop)s) than the store you "
                "are re-authorizing.",
                platform=platform,
                shop=identity.shop_id,
            )
        )
    now = utcnow()
    store = existing or Store(
        account_id=actor.account_id, platform=platform, platform_shop_id=identity.shop_id, name=""
    )
    if existing is not None and not actor.can_see_store(existing.id):
        raise NotFound("no such store")
    store.name = (identity.shop_name or store.name or identity.shop_id)[:200]
    store.credentials_encrypted = deps.cipher.encrypt(dict(credentials.data))
    store.credentials_expires_at = credentials.expires_at
    store.refresh_expires_at = credentials.refresh_expires_at
    store.status = StoreStatus.ACTIVE
    store.status_reason = None
    store.authorized_at = now
    store.refreshing_until = None
    session.add(store)
    await session.flush()
    if existing is None and actor.store_ids is not None and actor.user_id is not None:
        # A staff member who may authorize stores keeps seeing the store they added.
        assert store.id is not None
        session.add(
            UserStoreAccess(account_id=actor.account_id, user_id=actor.user_id, store_id=store.id)
        )
    return store, existing is None


async def complete_authorization(
    deps: AuthorizationDeps,
    actor: Actor,
    platform: str,
    *,
    state: str,
    code: str,
    params: Mapping[str, str],
    bindings: Collection[str],
    locale: str = "en",
) -> AuthorizationResult:
    """Finish an authorization from the platform's callback.

    Args:
        deps: process services.
        actor: who is signed in at the callback (must be who started it).
        platform: the marketplace id from the callback path.
        state: the callback's ``state``.
        code: the callback's ``code``.
        params: every query parameter of the callback.
        bindings: the bindings this request can show (its session hash, its user hash).
        locale: the seller's language (for platform error messages).

    Raises:
        AuthorizationStateInvalid: unknown, expired, used or foreign state (nothing changes).
        StoreTaken: another account holds this shop (nothing of its store changes).
        PermanentError: the platform refused the code.
        TransientError: the platform could not be reached; start again.
    """
    actor.require(Area.STORES, Access.WRITE)
    adapter = _adapter(deps, platform)
    async with deps.sessions() as session, session.begin():
        oauth_state = await _consume_state(session, actor, platform, state, bindings)
    if not code:
        raise PermanentError(msg("The platform sent no authorization code."), field="code")
    ctx = CallContext(http=deps.http, account_id=actor.account_id, locale=locale)
    redirect_uri = callback_url(deps.public_base_url, platform)
    authorized = await adapter.exchange_code(
        ctx, code=code, redirect_uri=redirect_uri, params=dict(params)
    )
    if not authorized.identity.shop_id:
        identity = await adapter.test_credentials(ctx, authorized.credentials)
        authorized = AuthorizedStore(identity, authorized.credentials)
    try:
        async with deps.sessions() as session, session.begin():
            store, created = await _upsert_store(
                session, deps, actor, platform, authorized, oauth_state.store_id
            )
            view = await store_view(session, store)
    except IntegrityError:
        # Another account inserted the same shop between our check and our insert.
        raise _taken(platform, authorized.identity.shop_id) from None
    return AuthorizationResult(view, created, oauth_state.redirect_after)


async def deauthorize_store(
    sessions: async_sessionmaker[AsyncSession], actor: Actor, store_id: int
) -> StoreView:
    """Switch a store off; its products and orders stay, read-only.

    The credentials are dropped, its unfinished jobs are asked to stop, and no new job touches
    it until it is authorized again.

    Raises:
        PermissionDenied: no write access to stores.
        NotFound: a store the actor cannot see.
    """
    actor.require(Area.STORES, Access.WRITE)
    async with sessions() as session, session.begin():
        store = await load_store(session, actor, store_id)
        store.status = StoreStatus.DISABLED
        store.status_reason = "deauthorized"
        store.credentials_encrypted = None
        store.credentials_expires_at = None
        store.refresh_expires_at = None
        store.refreshing_until = None
        session.add(store)
        await _stop_store_jobs(session, actor.account_id, store_id)
    return await get_store(sessions, actor, store_id)


async def _stop_store_jobs(session: AsyncSession, account_id: int, store_id: int) -> None:
    """Ask the account's unfinished jobs about this store to stop (``cancel_requested``)."""
    unfinished = await session.exec(
        select(JobRecord).where(
            JobRecord.account_id == account_id,
            col(JobRecord.status).in_([JobStatus.QUEUED, JobStatus.RUNNING]),
        )
    )
    for job in unfinished:
        if _payload_store(job.payload) == store_id:
            job.cancel_requested = True
            session.add(job)


def _payload_store(payload: Mapping[str, object]) -> int | None:
    value = payload.get("store_id")
    return value if isinstance(value, int) else None
