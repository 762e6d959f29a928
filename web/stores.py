"""Stores: the list, authorization through a marketplace plugin, deauthorization.

Pages under ``/stores``; JSON twins under ``/api/v1/stores``. The OAuth callback
(``/stores/callback/<platform>``) is a page: the platform sends the seller's browser there.
An authorization started through the API is bound to the user (the browser completing it
must be signed in as that user); one started on the page is bound to the browser session.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from core.actor import Access, Actor, Area
from core.crypto import CredentialCipher
from core.errors import TradewindError
from core.runtime import Runtime
from core.stores.authorization import (
    AuthorizationDeps,
    complete_authorization,
    deauthorize_store,
    start_authorization,
)
from core.stores.service import StoreView, get_store, list_stores
from web.forms import safe_next
from web.i18n import current_locale, gettext, translate_message
from web.layout import Crumb, flash, redirect, render
from web.security import session_binding

STATUS_TONES = {"active": "ok", "expiring": "warn", "needs_reauth": "bad", "disabled": "neutral"}


def user_binding(actor: Actor) -> str:
    """The binding of an API-started authorization: the user, not a browser session."""
    return hashlib.sha256(f"user|{actor.account_id}|{actor.user_id}".encode()).hexdigest()


def authorization_deps(runtime: Runtime) -> AuthorizationDeps:
    """The authorization flow's services, from the process runtime."""
    return AuthorizationDeps(
        sessions=runtime.sessions,
        marketplaces=runtime.registry.marketplaces,
        http=runtime.http,
        cipher=CredentialCipher.from_settings(runtime.settings),
        public_base_url=runtime.settings.effective_public_base_url,
    )


def platform_names(runtime: Runtime) -> dict[str, str]:
    """Installed marketplaces: id -> display name."""
    return {mid: adapter.display_name for mid, adapter in runtime.registry.marketplaces.items()}


@dataclass(frozen=True)
class PlatformOut:
    """An installed marketplace a store can be authorized on."""

    id: str
    display_name: str


@dataclass(frozen=True)
class StoreOut:
    """A store in the JSON API (never its credentials)."""

    id: int
    platform: str
    shop_id: str
    name: str
    status: str
    status_reason: str | None
    currency: str
    credentials_expires_at: datetime | None
    refresh_expires_at: datetime | None
    authorized_at: datetime | None
    last_sync_at: datetime | None
    errors: list[str]

    @classmethod
    def of(cls, view: StoreView) -> StoreOut:
        """From the core view."""
        return cls(
            id=view.id,
            platform=view.platform,
            shop_id=view.shop_id,
            name=view.name,
            status=view.status,
            status_reason=view.status_reason,
            currency=view.currency,
            credentials_expires_at=view.credentials_expires_at,
            refresh_expires_at=view.refresh_expires_at,
            authorized_at=view.authorized_at,
            last_sync_at=view.last_sync_at,
            errors=list(view.errors),
        )


@dataclass(frozen=True)
class AuthorizeOut:
    """Where to send the seller to grant access (valid for 10 minutes, once)."""

    authorize_url: str


def _crumbs(*extra: Crumb) -> list[Crumb]:
    return [Crumb(gettext("Stores"), "/stores"), *extra]


class StorePagesController(Controller):
    """``/stores``: list, authorize, callback, one store, deauthorize."""

    path = "/stores"
    include_in_schema = False

    @get("/")
    async def stores_page(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> Template:
        """The stores the user may see, with their health."""
        stores = await list_stores(runtime.sessions, actor)
        context = {
            "stores": stores,
            "status_counts": Counter(store.status for store in stores),
            "platforms": platform_names(runtime),
            "tones": STATUS_TONES,
            "can_manage": actor.level(Area.STORES) >= Access.WRITE,
        }
        return render(request, "stores/list.html", context, title=gettext("Stores"))

    @get("/authorize")
    async def choose_platform(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> Template:
        """Pick the platform of the store to authorize."""
        actor.require(Area.STORES, Access.WRITE)
        context = {"platforms": platform_names(runtime)}
        title = gettext("Authorize a store")
        return render(
            request, "stores/authorize.html", context, title=title, crumbs=_crumbs(Crumb(title))
        )

    @post("/authorize/{platform:str}")
    async def start(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        platform: FromPath[str],
    ) -> Redirect:
        """Send the browser to the platform's authorize page."""
        url = await start_authorization(
            authorization_deps(runtime), actor, platform, binding=session_binding(request)
        )
        return Redirect(url, status_code=303)

    @get("/callback/{platform:str}")
    async def callback(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        platform: FromPath[str],
        oauth_state: Annotated[str, QueryParameter(name="state")] = "",
        code: FromQuery[str] = "",
    ) -> Redirect:
        """Where the platform sends the seller back: finish the authorization."""
        params = {key: str(value) for key, value in request.query_params.items()}
        if params.get("error") and not code:
            flash(
                request,
                gettext("The platform did not grant access: %(reason)s")
                % {"reason": params.get("error_description") or params["error"]},
                "error",
            )
            return redirect("/stores")
        try:
            result = await complete_authorization(
                authorization_deps(runtime),
                actor,
                platform,
                state=oauth_state,
                code=code,
                params=params,
                bindings=[session_binding(request), user_binding(actor)],
                locale=current_locale(),
            )
        except TradewindError as exc:  # refused, expired, taken, platform down: say why
            flash(request, translate_message(exc), "error")
            return redirect("/stores")
        message = (
            gettext("Store %(name)s is authorized.")
            if result.created
            else gettext("Store %(name)s is authorized again; its new credentials are saved.")
        )
        flash(request, message % {"name": result.store.name})
        return redirect(safe_next(result.redirect_after, "/stores"))

    @get("/{store_id:int}")
    async def store_page(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        store_id: FromPath[int],
    ) -> Template:
        """One store: its authorization and sync health."""
        store = await get_store(runtime.sessions, actor, store_id)
        context = {
            "store": store,
            "platforms": platform_names(runtime),
            "tones": STATUS_TONES,
            "can_manage": actor.level(Area.STORES) >= Access.WRITE,
        }
        return render(
            request,
            "stores/detail.html",
            context,
            title=store.name,
            crumbs=_crumbs(Crumb(store.name)),
        )

    @post("/{store_id:int}/reauthorize")
    async def reauthorize(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        store_id: FromPath[int],
    ) -> Redirect:
        """Authorize a known store again (new credentials, same store)."""
        store = await get_store(runtime.sessions, actor, store_id)
        url = await start_authorization(
            authorization_deps(runtime),
            actor,
            store.platform,
            binding=session_binding(request),
            store_id=store.id,
        )
        return Redirect(url, status_code=303)

    @post("/{store_id:int}/deauthorize")
    async def deauthorize(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        store_id: FromPath[int],
    ) -> Redirect:
        """Switch the store off; its data stays, read-only."""
        store = await deauthorize_store(runtime.sessions, actor, store_id)
        flash(
            request,
            gettext("Store %(name)s is deauthorized. Its products and orders are kept, read-only.")
            % {"name": store.name},
        )
        return redirect("/stores")


class StoreApiController(Controller):
    """``/api/v1/stores`` and ``/api/v1/platforms``."""

    path = "/api/v1"
    tags = ["stores"]

    @get("/platforms", summary="Installed marketplaces a store can be authorized on")
    async def platforms_api(self, runtime: NamedDependency[Runtime]) -> list[PlatformOut]:
        """The marketplace plugins of this deployment."""
        return [PlatformOut(mid, name) for mid, name in platform_names(runtime).items()]

    @get("/stores", summary="The stores you may see")
    async def list_stores_api(
        self, actor: NamedDependency[Actor], runtime: NamedDependency[Runtime]
    ) -> list[StoreOut]:
        """Stores with their status, expiry, last sync and errors."""
        return [StoreOut.of(s) for s in await list_stores(runtime.sessions, actor)]

    @get("/stores/{store_id:int}", summary="One store")
    async def get_store_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        store_id: FromPath[int],
    ) -> StoreOut:
        """One store you may see."""
        return StoreOut.of(await get_store(runtime.sessions, actor, store_id))

    @post("/stores/authorize/{platform:str}", summary="Start authorizing a store", status_code=200)
    async def authorize_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        platform: FromPath[str],
    ) -> AuthorizeOut:
        """The platform URL to open in a browser signed in to Tradewind as the same user."""
        url = await start_authorization(
            authorization_deps(runtime), actor, platform, binding=user_binding(actor)
        )
        return AuthorizeOut(url)

    @post(
        "/stores/{store_id:int}/reauthorize",
        summary="Start re-authorizing a store",
        status_code=200,
    )
    async def reauthorize_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        store_id: FromPath[int],
    ) -> AuthorizeOut:
        """Like authorize, for a known store."""
        store = await get_store(runtime.sessions, actor, store_id)
        url = await start_authorization(
            authorization_deps(runtime),
            actor,
            store.platform,
            binding=user_binding(actor),
            store_id=store.id,
        )
        return AuthorizeOut(url)

    @post("/stores/{store_id:int}/deauthorize", summary="Deauthorize a store", status_code=200)
    async def deauthorize_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        store_id: FromPath[int],
    ) -> StoreOut:
        """Switch the store off; its data stays, read-only; its jobs stop."""
        return StoreOut.of(await deauthorize_store(runtime.sessions, actor, store_id))
