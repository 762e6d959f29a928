"""Who is calling: signed sessions, CSRF protection, and the guard that loads the Actor.

- Sessions are Litestar client-side sessions: the cookie is encrypted and authenticated
  (AES-GCM) with a key derived from the ``secret_key`` setting; HttpOnly, SameSite=Lax,
  Secure when ``public_base_url`` is https. A session keeps the user id, a stamp of the
  password hash (a changed password ends older sessions), a random session id (OAuth states
  are bound to it) and the language.
- CSRF: double-submit token (cookie ``tw_csrf`` + form field ``_csrf_token`` or header
  ``X-CSRFToken``) on every unsafe method. Requests that carry an ``Authorization`` header are
  exempt: they authenticate with a bearer token only, never with cookies, so a forged
  cross-site request cannot use them.
- Every route needs a signed-in user unless its handler has ``opt={"public": True}``. The
  guard :func:`require_signed_in` loads the user and the :class:`~core.actor.Actor` from the
  bearer token or the session and keeps them in ``request.state``; handlers receive them by
  declaring an ``actor: Actor`` (or ``user: SignedInUser``) parameter.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.csrf import CSRFMiddleware
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.types import Receive, Scope, Send

from core.accounts.actors import SignedInUser, load_signed_in
from core.accounts.tokens import actor_for_token
from core.actor import Actor
from core.config import Settings
from core.runtime import Runtime
from web.i18n import LOCALE_COOKIE, SESSION_LOCALE_KEY, use_locale

SESSION_COOKIE = "tw_session"
CSRF_COOKIE = "tw_csrf"
CSRF_HEADER = "x-csrftoken"
CSRF_FIELD = "_csrf_token"
SESSION_MAX_AGE = 14 * 24 * 3600

SESSION_USER_KEY = "uid"
SESSION_STAMP_KEY = "stamp"
SESSION_ID_KEY = "sid"

PUBLIC = {"public": True}
"""Pass as ``opt=PUBLIC`` to a handler, controller or router that anyone may call."""

_UNPROTECTED_PATHS = ["^/static/", "^/healthz"]


def _derived_key(settings: Settings, purpose: str) -> bytes:
    return hashlib.sha256(f"tradewind|{purpose}|{settings.secret('secret_key')}".encode()).digest()


def uses_https(settings: Settings) -> bool:
    """Whether browsers reach this deployment over https (cookies are then Secure)."""
    return settings.effective_public_base_url.startswith("https://")


def session_config(settings: Settings) -> CookieBackendConfig:
    """The signed, encrypted cookie session of the deployment."""
    return CookieBackendConfig(
        secret=_derived_key(settings, "session"),
        key=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=uses_https(settings),
        exclude=_UNPROTECTED_PATHS,
    )


def csrf_config(settings: Settings) -> CSRFConfig:
    """The double-submit CSRF configuration (see the module docstring)."""
    return CSRFConfig(
        secret=_derived_key(settings, "csrf").hex(),
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=uses_https(settings),
        cookie_samesite="lax",
        exclude=_UNPROTECTED_PATHS,
    )


class TokenAwareCSRFMiddleware(CSRFMiddleware):
    """Litestar's CSRF middleware, skipped for requests that carry an Authorization header.

    Such requests are authenticated by the bearer token alone (the session cookie is ignored),
    and browsers never add that header to a cross-site request on their own.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the CSRF token unless the request authenticates with a bearer token."""
        if scope["type"] == ScopeType.HTTP and any(
            key == b"authorization" for key, _ in scope.get("headers", ())
        ):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


# -- sessions -----------------------------------------------------------------------------


def start_session(request: Request[Any, Any, Any], user: SignedInUser) -> None:
    """Sign ``user`` in on this browser: a fresh session (nothing of the old one is kept)."""
    request.set_session(
        {
            SESSION_USER_KEY: user.id,
            SESSION_STAMP_KEY: user.session_stamp,
            SESSION_ID_KEY: secrets.token_urlsafe(24),
            SESSION_LOCALE_KEY: user.locale,
        }
    )
    use_locale(user.locale)


def refresh_session_user(request: Request[Any, Any, Any], user: SignedInUser) -> None:
    """Keep the session valid after the user changed their own password or language."""
    request.session[SESSION_STAMP_KEY] = user.session_stamp
    request.session[SESSION_LOCALE_KEY] = user.locale
    use_locale(user.locale)


def end_session(request: Request[Any, Any, Any]) -> None:
    """Sign out on this browser."""
    request.clear_session()


def session_binding(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """A hash that identifies this browser session (or this API token), for OAuth states."""
    authorization = connection.headers.get("authorization")
    if authorization:
        raw = f"token|{authorization}"
    else:
        session = connection.scope.get("session")
        raw = f"session|{session.get(SESSION_ID_KEY, '') if isinstance(session, dict) else ''}"
    return hashlib.sha256(raw.encode()).hexdigest()


# -- authentication -----------------------------------------------------------------------


def runtime_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Runtime:
    """The process runtime (database, Redis, registry, HTTP client)."""
    runtime: Runtime = connection.app.state.runtime
    return runtime


async def authenticate(
    connection: ASGIConnection[Any, Any, Any, Any],
) -> tuple[SignedInUser, Actor] | None:
    """The user and actor of a request (bearer token, else session), or ``None``.

    Raises:
        NotAuthorizedException: an ``Authorization`` header that is not a working bearer token
            (it is never silently ignored in favour of the cookie).
    """
    runtime = runtime_of(connection)
    authorization = connection.headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        found = None
        if scheme.lower() == "bearer" and token.strip():
            found = await actor_for_token(runtime.sessions, token.strip())
        if found is None:
            raise NotAuthorizedException("invalid or revoked API token")
        return found
    session = connection.scope.get("session")
    if not isinstance(session, dict) or SESSION_USER_KEY not in session:
        return None
    try:
        user_id = int(session[SESSION_USER_KEY])
    except (TypeError, ValueError):
        return None
    async with runtime.sessions() as db:
        found = await load_signed_in(db, user_id, str(session.get(SESSION_STAMP_KEY, "")))
    if found is None:
        session.clear()  # a stale session (password changed, user deactivated) ends here
    return found


async def require_signed_in(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Guard of every route: load the user and actor, or refuse (public handlers excepted).

    Public handlers still learn who is signed in, when someone is (sign-in pages redirect).
    """
    public = bool(handler.opt.get("public"))
    found = await authenticate(connection)
    if found is None:
        if public:
            return
        raise NotAuthorizedException("sign in first")
    user, actor = found
    connection.state.user = user
    connection.state.actor = actor
    use_locale(user.locale)
    session = connection.scope.get("session")
    if isinstance(session, dict) and session and session.get(SESSION_LOCALE_KEY) != user.locale:
        session[SESSION_LOCALE_KEY] = user.locale


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> SignedInUser | None:
    """The signed-in user of a request, if any (after the guard ran)."""
    user: SignedInUser | None = getattr(connection.state, "user", None)
    return user


def current_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor | None:
    """The actor of a request, if someone is signed in (after the guard ran)."""
    actor: Actor | None = getattr(connection.state, "actor", None)
    return actor


async def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    """Dependency ``actor``: the signed-in actor (the guard guarantees one on private routes).

    Raises:
        NotAuthorizedException: on a public route without a signed-in user.
    """
    actor = current_actor(request)
    if actor is None:
        raise NotAuthorizedException("sign in first")
    return actor


async def provide_user(request: Request[Any, Any, Any]) -> SignedInUser:
    """Dependency ``user``: the signed-in user (see :func:`provide_actor`)."""
    user = current_user(request)
    if user is None:
        raise NotAuthorizedException("sign in first")
    return user


async def provide_runtime(request: Request[Any, Any, Any]) -> Runtime:
    """Dependency ``runtime``: the process runtime."""
    return runtime_of(request)


def set_locale_cookie(response: Any, locale: str, settings: Settings) -> None:
    """Remember the language for anonymous pages of this browser (one year)."""
    response.set_cookie(
        LOCALE_COOKIE,
        locale,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=uses_https(settings),
    )
