"""Connect to a store's platform with fresh credentials: the stores module's connector.

:class:`StoresConnector` implements :class:`core.catalog.publishing.StoreConnector` (and is
usable by any platform-neutral service, e.g. order fulfilment): it loads the store's
credentials, refreshes them first when they expire within the refresh margin (one refresh per
store at a time, see :mod:`core.stores.refresh`), decrypts them with the deployment's key and
hands them out with the store's marketplace adapter.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.catalog.publishing import StoreConnection
from core.crypto import CredentialCipher
from core.errors import AuthorizationExpired, PermanentError
from core.interfaces.common import CallContext
from core.interfaces.marketplace import Credentials, MarketplaceAdapter
from core.models import Store, StoreStatus, utcnow
from core.stores.refresh import (
    REFRESH_MARGIN,
    RefreshDeps,
    RefreshOutcome,
    refresh_store_credentials,
)


class StoresConnector:
    """Adapter from the registry and fresh, decrypted credentials of a store."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        marketplaces: Mapping[str, MarketplaceAdapter],
        http: httpx.AsyncClient,
        cipher: CredentialCipher,
        *,
        margin: timedelta = REFRESH_MARGIN,
    ) -> None:
        """Keep the process services.

        Args:
            sessions: the session factory.
            marketplaces: installed marketplace adapters by id.
            http: the shared HTTP client.
            cipher: decrypts (and re-encrypts on refresh) credentials.
            margin: credentials expiring within this are refreshed before use.
        """
        self.sessions = sessions
        self.marketplaces = marketplaces
        self.http = http
        self.cipher = cipher
        self.margin = margin

    async def credentials(self, store: Store) -> tuple[MarketplaceAdapter, Credentials]:
        """The adapter and usable credentials of ``store`` (refreshed when near expiry).

        Raises:
            PermanentError: no plugin for the platform, or the store is disabled, needs
                re-authorization or was never authorized.
        """
        adapter = self.marketplaces.get(store.platform)
        if adapter is None:
            raise PermanentError(f"the {store.platform!r} plugin is not loaded")
        if store.status in (StoreStatus.NEEDS_REAUTH, StoreStatus.DISABLED):
            raise PermanentError(f"store {store.name!r} is {store.status.value.replace('_', ' ')}")
        if not store.credentials_encrypted or store.id is None:
            raise PermanentError(f"store {store.name!r} is not authorized")
        expires = store.credentials_expires_at
        if expires is not None and expires <= utcnow() + self.margin:
            deps = RefreshDeps(self.sessions, self.marketplaces, self.http, self.cipher)
            outcome = await refresh_store_credentials(deps, store.id, margin=self.margin)
            if outcome is RefreshOutcome.NEEDS_REAUTH:
                raise AuthorizationExpired(f"store {store.name!r} must be authorized again")
            async with self.sessions() as session:
                fresh = await session.get(Store, store.id)
            if fresh is None or not fresh.credentials_encrypted:
                raise PermanentError(f"store {store.name!r} is not authorized")
            store = fresh
        assert store.credentials_encrypted is not None
        data = self.cipher.decrypt(store.credentials_encrypted)
        return adapter, Credentials(
            data=data,
            expires_at=store.credentials_expires_at,
            refresh_expires_at=store.refresh_expires_at,
        )

    async def connect(self, store: Store) -> StoreConnection:
        """Connect to ``store``'s platform."""
        adapter, credentials = await self.credentials(store)
        call = CallContext(http=self.http, account_id=store.account_id, store_id=store.id)
        return StoreConnection(adapter=adapter, credentials=credentials, call=call)
