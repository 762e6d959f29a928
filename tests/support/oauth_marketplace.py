"""A test marketplace plugin with its own tiny OAuth 2 server, spoken to over real HTTP.

The server (an ASGI app, run under uvicorn by :func:`tests.support.servers.serve`) has:

- ``GET /oauth/authorize?client_id&redirect_uri&state``: a page listing the shops the test
  registered; choosing one (a form post, or ``&shop_id=...`` in the query) redirects to
  ``redirect_uri?code=...&state=...``;
- ``POST /oauth/token``: ``grant_type=authorization_code`` trades a code (single use) for an
  access and a refresh token; ``grant_type=refresh_token`` issues new ones and **revokes the
  old pair at once**, like Wish. Refresh calls are counted per shop, and a test can hold them
  open (``hold_refreshes``) to make two workers overlap;
- ``GET /api/shop`` with ``Authorization: Bearer``: the shop the token belongs to, or 401.

:class:`OAuthMarketplace` is the adapter (plugin id ``testmarket``); everything but
authorization comes from the in-memory :class:`tests.core.plugin_kit.FakeMarketplace`.
"""

from __future__ import annotations

import html
import secrets
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import anyio
import httpx
from litestar import Litestar, MediaType, Request, get, post
from litestar.response import Redirect, Response

from core import hookimpl
from core.errors import AuthorizationExpired, PermanentError, TransientError
from core.interfaces.common import CallContext
from core.interfaces.marketplace import AuthorizedStore, Credentials, StoreIdentity
from tests.core.plugin_kit import FakeMarketplace

CLIENT_ID = "tradewind-test-app"
CLIENT_SECRET = "test-app-secret"


@dataclass
class OAuthServerState:
    """Everything the OAuth server knows; tests register shops and read the counters."""

    shops: dict[str, str] = field(default_factory=dict)
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)
    access_tokens: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    refresh_calls: Counter[str] = field(default_factory=Counter)
    exchange_calls: Counter[str] = field(default_factory=Counter)
    access_lifetime: timedelta = timedelta(days=30)
    refresh_lifetime: timedelta = timedelta(days=365)
    hold_refreshes: threading.Event | None = None
    refresh_arrived: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_shop(self, shop_id: str, name: str) -> None:
        """Make a shop the seller can grant access to."""
        self.shops[shop_id] = name

    def issue(self, shop_id: str) -> dict[str, Any]:
        """A new token pair for ``shop_id``."""
        access, refresh = "at_" + secrets.token_urlsafe(16), "rt_" + secrets.token_urlsafe(16)
        expires = datetime.now(UTC) + self.access_lifetime
        self.access_tokens[access] = (shop_id, expires)
        self.refresh_tokens[refresh] = shop_id
        return {
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": int(self.access_lifetime.total_seconds()),
            "refresh_expires_in": int(self.refresh_lifetime.total_seconds()),
            "shop_id": shop_id,
            "shop_name": self.shops[shop_id],
        }

    def valid_access(self, token: str) -> str | None:
        """The shop of a working access token."""
        found = self.access_tokens.get(token)
        if found is None or found[1] <= datetime.now(UTC):
            return None
        return found[0]


def _error(status: int, error: str) -> Response[dict[str, str]]:
    return Response({"error": error}, status_code=status)


def build_oauth_server(server: OAuthServerState) -> Litestar:
    """The OAuth server app over ``server`` (the state the test reads and changes)."""

    def grant(shop_id: str, redirect_uri: str, oauth_state: str) -> Redirect:
        code = "code_" + secrets.token_urlsafe(12)
        with server.lock:
            server.codes[code] = (shop_id, redirect_uri)
        return Redirect(f"{redirect_uri}?{urlencode({'code': code, 'state': oauth_state})}")

    @get("/oauth/authorize", media_type=MediaType.HTML, sync_to_thread=False)
    def authorize(request: Request[Any, Any, Any]) -> Response[str] | Redirect:
        query = request.query_params
        redirect_uri, oauth_state = str(query.get("redirect_uri")), str(query.get("state"))
        if query.get("client_id") != CLIENT_ID:
            return Response("unknown client", status_code=400, media_type=MediaType.TEXT)
        if query.get("shop_id"):
            return grant(str(query["shop_id"]), redirect_uri, oauth_state)
        buttons = "".join(
            f'<button type="submit" name="shop_id" value="{html.escape(sid)}">'
            f"{html.escape(name)}</button>"
            for sid, name in server.shops.items()
        )
        page = (
            "<!doctype html><title>Test Market</title><h1>Test Market: authorize Tradewind</h1>"
            f'<form method="post" action="/oauth/authorize">'
            f'<input type="hidden" name="redirect_uri" value="{html.escape(redirect_uri)}">'
            f'<input type="hidden" name="state" value="{html.escape(oauth_state)}">{buttons}</form>'
        )
        return Response(page, media_type=MediaType.HTML)

    @post("/oauth/authorize", status_code=302)
    async def authorize_post(request: Request[Any, Any, Any]) -> Redirect:
        form = await request.form()
        return grant(str(form["shop_id"]), str(form["redirect_uri"]), str(form["state"]))

    @post("/oauth/token", status_code=200)
    async def token(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        form = await request.form()
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return _error(401, "invalid_client")
        if form.get("grant_type") == "authorization_code":
            with server.lock:
                found = server.codes.pop(str(form.get("code")), None)
            if found is None or found[1] != form.get("redirect_uri"):
                return _error(400, "invalid_grant")
            server.exchange_calls[found[0]] += 1
            return Response(server.issue(found[0]))
        if form.get("grant_type") == "refresh_token":
            return await refresh(str(form.get("refresh_token")))
        return _error(400, "unsupported_grant_type")

    async def refresh(refresh_token: str) -> Response[dict[str, Any]]:
        with server.lock:
            shop_id = server.refresh_tokens.get(refresh_token)
            if shop_id is not None:
                server.refresh_calls[shop_id] += 1
        server.refresh_arrived.set()
        if server.hold_refreshes is not None:
            await anyio.to_thread.run_sync(server.hold_refreshes.wait)
        with server.lock:
            if shop_id is None or server.refresh_tokens.get(refresh_token) != shop_id:
                return _error(400, "invalid_grant")
            # Like Wish: the old pair stops working the moment a new one is issued.
            del server.refresh_tokens[refresh_token]
            for access, (owner, _expires) in list(server.access_tokens.items()):
                if owner == shop_id:
                    del server.access_tokens[access]
            return Response(server.issue(shop_id))

    @get("/api/shop", sync_to_thread=False)
    def shop(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        auth = request.headers.get("authorization", "")
        shop_id = server.valid_access(auth.removeprefix("Bearer ").strip())
        if shop_id is None:
            return _error(401, "invalid_token")
        return Response({"shop_id": shop_id, "shop_name": server.shops[shop_id]})

    return Litestar(route_handlers=[authorize, authorize_post, token, shop], debug=False)


def _credentials(body: Mapping[str, Any]) -> Credentials:
    now = datetime.now(UTC)
    return Credentials(
        {"access_token": body["access_token"], "refresh_token": body["refresh_token"]},
        expires_at=now + timedelta(seconds=int(body["expires_in"])),
        refresh_expires_at=now + timedelta(seconds=int(body["refresh_expires_in"])),
    )


class OAuthMarketplace(FakeMarketplace):
    """The ``testmarket`` adapter: authorization over real HTTP to the test OAuth server."""

    def __init__(self, base_url: str, adapter_id: str = "testmarket", name: str = "Test Market"):
        super().__init__(adapter_id, name)
        self.base_url = base_url.rstrip("/")

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        query = urlencode({"client_id": CLIENT_ID, "redirect_uri": redirect_uri, "state": state})
        return f"{self.base_url}/oauth/authorize?{query}"

    async def _token(self, ctx: CallContext, form: dict[str, str]) -> dict[str, Any]:
        form = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, **form}
        try:
            response = await ctx.http.post(f"{self.base_url}/oauth/token", data=form)
        except httpx.TransportError as exc:
            raise TransientError(f"test market unreachable: {exc}") from exc
        if response.status_code >= 500:
            raise TransientError(f"test market answered {response.status_code}")
        body: dict[str, Any] = response.json()
        if response.status_code != 200:
            error = str(body.get("error", "error"))
            if error == "invalid_grant" and form.get("grant_type") == "refresh_token":
                raise AuthorizationExpired("the refresh token was refused", code=error)
            raise PermanentError(f"test market refused: {error}", code=error)
        return body

    async def exchange_code(
        self, ctx: CallContext, *, code: str, redirect_uri: str, params: Mapping[str, str]
    ) -> AuthorizedStore:
        body = await self._token(
            ctx, {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        )
        return AuthorizedStore(
            StoreIdentity(body["shop_id"], body["shop_name"]), _credentials(body)
        )

    async def refresh_credentials(self, ctx: CallContext, credentials: Credentials) -> Credentials:
        body = await self._token(
            ctx, {"grant_type": "refresh_token", "refresh_token": credentials.data["refresh_token"]}
        )
        return _credentials(body)

    async def test_credentials(self, ctx: CallContext, credentials: Credentials) -> StoreIdentity:
        response = await ctx.http.get(
            f"{self.base_url}/api/shop",
            headers={"Authorization": f"Bearer {credentials.data['access_token']}"},
        )
        if response.status_code == 401:
            raise AuthorizationExpired("the access token was refused")
        body = response.json()
        return StoreIdentity(body["shop_id"], body["shop_name"])


class OAuthMarketplacePlugin:
    """The plugin object: registers :class:`OAuthMarketplace` adapters for the given URL."""

    def __init__(self, *adapters: OAuthMarketplace) -> None:
        self.adapters = adapters

    @hookimpl
    def register_marketplaces(self, register: Any) -> None:
        for adapter in self.adapters:
            register(adapter)
