"""Personal API tokens: ``/settings/tokens`` and ``/api/v1/tokens``.

The secret is shown once, in the answer that creates it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, URLEncodedBody
from litestar.response import Redirect, Template

from core.accounts.tokens import TokenView, create_api_token, list_api_tokens, revoke_api_token
from core.actor import Actor
from core.errors import PermanentError
from core.i18n import msg
from core.models import utcnow
from core.runtime import Runtime
from web.forms import field_errors
from web.i18n import gettext
from web.layout import Crumb, flash, redirect, render

EXPIRY_CHOICES = (0, 30, 90, 365)
"""Lifetimes offered by the form, in days (0: never expires)."""


@dataclass
class TokenForm:
    """The new-token form."""

    name: str = ""
    expires_in_days: str = "0"


@dataclass
class TokenIn:
    """A new token: a name, and optionally when it stops working (UTC)."""

    name: str
    expires_at: datetime | None = None


@dataclass(frozen=True)
class TokenOut:
    """A token in the JSON API (never the secret)."""

    id: int
    name: str
    prefix: str
    user_id: int
    user_email: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    active: bool

    @classmethod
    def of(cls, view: TokenView) -> TokenOut:
        """From the core view."""
        return cls(
            id=view.id,
            name=view.name,
            prefix=view.prefix,
            user_id=view.user_id,
            user_email=view.user_email,
            created_at=view.created_at,
            last_used_at=view.last_used_at,
            expires_at=view.expires_at,
            revoked_at=view.revoked_at,
            active=view.active,
        )


@dataclass(frozen=True)
class CreatedTokenOut:
    """A new token and its secret (shown only in this answer)."""

    token: TokenOut
    secret: str


def _expiry(days: str) -> datetime | None:
    try:
        value = int(days or 0)
    except ValueError:
        raise PermanentError(
            msg("Choose how long the token works."), field="expires_in_days"
        ) from None
    if value not in EXPIRY_CHOICES:
        raise PermanentError(msg("Choose how long the token works."), field="expires_in_days")
    return utcnow() + timedelta(days=value) if value else None


def _crumbs() -> list[Crumb]:
    return [Crumb(gettext("Settings"), "/settings/profile"), Crumb(gettext("API tokens"))]


class TokenPagesController(Controller):
    """``/settings/tokens``."""

    path = "/settings/tokens"
    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        runtime: Runtime,
        *,
        created: tuple[TokenView, str] | None = None,
        errors: dict[str, str] | None = None,
        form: TokenForm | None = None,
    ) -> Template:
        tokens = await list_api_tokens(runtime.sessions, actor)
        context = {
            "tokens": tokens,
            "created": created,
            "errors": errors or {},
            "form": form or TokenForm(),
            "expiry_choices": EXPIRY_CHOICES,
        }
        return render(
            request,
            "accounts/tokens.html",
            context,
            title=gettext("API tokens"),
            crumbs=_crumbs(),
            status_code=400 if errors else 200,
        )

    @get("/")
    async def tokens_page(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> Template:
        """The tokens and the form to make one."""
        return await self._page(request, actor, runtime)

    @post("/")
    async def create_token(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: URLEncodedBody[TokenForm],
    ) -> Template:
        """Make a token and show its secret once."""
        try:
            created = await create_api_token(
                runtime.sessions, actor, name=data.name, expires_at=_expiry(data.expires_in_days)
            )
        except PermanentError as exc:
            return await self._page(request, actor, runtime, errors=field_errors(exc), form=data)
        return await self._page(request, actor, runtime, created=created)

    @post("/{token_id:int}/revoke")
    async def revoke_token(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        token_id: FromPath[int],
    ) -> Redirect:
        """Revoke a token; it stops working at once."""
        view = await revoke_api_token(runtime.sessions, actor, token_id)
        flash(request, gettext("Token %(name)s is revoked.") % {"name": view.name})
        return redirect("/settings/tokens")


class TokenApiController(Controller):
    """``/api/v1/tokens``: the JSON twin of the tokens page."""

    path = "/api/v1/tokens"
    tags = ["accounts"]

    @get("/", summary="List API tokens (your own; owners and admins see all)")
    async def list_tokens_api(
        self, actor: NamedDependency[Actor], runtime: NamedDependency[Runtime]
    ) -> list[TokenOut]:
        """The tokens the caller may see."""
        return [TokenOut.of(t) for t in await list_api_tokens(runtime.sessions, actor)]

    @post("/", summary="Make an API token (the secret is in this answer only)")
    async def create_token_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[TokenIn],
    ) -> CreatedTokenOut:
        """Make a token that acts as the caller."""
        view, secret = await create_api_token(
            runtime.sessions, actor, name=data.name, expires_at=data.expires_at
        )
        return CreatedTokenOut(TokenOut.of(view), secret)

    @delete("/{token_id:int}", summary="Revoke an API token", status_code=200)
    async def revoke_token_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        token_id: FromPath[int],
    ) -> TokenOut:
        """Revoke a token (idempotent)."""
        return TokenOut.of(await revoke_api_token(runtime.sessions, actor, token_id))
