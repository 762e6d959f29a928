"""Who a call is for: the store's token, merchant and budget key, read from its credentials."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.errors import AuthorizationExpired
from core.interfaces.common import CallContext
from core.interfaces.marketplace import Credentials
from plugins.wish.transport import Params, WishCall, WishTransport


@dataclass(frozen=True)
class StoreSession:
    """The parts of a store's credentials a call needs.

    Attributes:
        token: the access token.
        merchant_id: the store's Wish merchant id.
        client_id: the app the token belongs to.
        warehouse_id: the merchant's STANDARD warehouse, when known.
        currency: the merchant's localized currency, when known.
    """

    token: str
    merchant_id: str
    client_id: str
    warehouse_id: str | None = None
    currency: str | None = None

    @property
    def budget_key(self) -> str:
        """The rate budget of this store: Wish limits per app per merchant."""
        return f"{self.client_id}:{self.merchant_id}"


def session_of(credentials: Credentials) -> StoreSession:
    """Read a store's session from its credentials.

    Raises:
        AuthorizationExpired: the credentials hold no access token.
    """
    data = credentials.data
    token = data.get("access_token")
    if not token:
        raise AuthorizationExpired("the store has no Wish access token; authorize it again")
    return StoreSession(
        token=str(token),
        merchant_id=str(data.get("merchant_id") or ""),
        client_id=str(data.get("client_id") or ""),
        warehouse_id=str(data["warehouse_id"]) if data.get("warehouse_id") else None,
        currency=str(data["currency"]) if data.get("currency") else None,
    )


class ApiCaller:
    """Shorthands for authenticated calls (shared by the adapter's parts).

    Args:
        transport: sends the calls.
    """

    def __init__(self, transport: WishTransport) -> None:
        self.transport = transport

    async def _get(
        self, ctx: CallContext, session: StoreSession, path: str, params: Params | None = None
    ) -> Any:
        call = WishCall("GET", path, session.budget_key, token=session.token, params=params)
        return await self.transport.request(ctx, call)

    async def _write(
        self,
        ctx: CallContext,
        session: StoreSession,
        method: str,
        path: str,
        body: Mapping[str, Any],
        *,
        safe: bool = True,
    ) -> Any:
        call = WishCall(
            method, path, session.budget_key, token=session.token, body=body, retry_safe=safe
        )
        return await self.transport.request(ctx, call)
