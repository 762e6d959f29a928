"""Sign-up, sign-in, sign-out, set-password links, and the language switch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Response, Template

from core.accounts.errors import InvalidCredentials, InvalidLink, TooManyAttempts
from core.accounts.links import set_password_with_token, user_for_token
from core.accounts.signin import authenticate, set_locale, sign_up
from core.accounts.throttle import SignInThrottle
from core.errors import PermanentError
from core.runtime import Runtime
from web.forms import field_errors, safe_next
from web.i18n import current_locale, format_duration, gettext, known_locale, use_locale
from web.layout import flash, redirect, render
from web.security import (
    PUBLIC,
    current_actor,
    end_session,
    set_locale_cookie,
    start_session,
)


@dataclass
class SignInForm:
    """The sign-in form."""

    email: str = ""
    password: str = ""
    next: FromQuery[str] = ""


@dataclass
class SignUpForm:
    """The sign-up form."""

    account_name: str = ""
    display_name: str = ""
    email: str = ""
    password: str = ""


@dataclass
class PasswordForm:
    """The set-password form."""

    password: str = ""


@dataclass
class LocaleForm:
    """The language switch."""

    locale: str = ""
    next: FromQuery[str] = ""


def sign_in_throttle(runtime: NamedDependency[Runtime]) -> SignInThrottle:
    """The throttle of failed sign-ins of this deployment (shared by every web process)."""
    return SignInThrottle(runtime.redis, prefix=f"{runtime.settings.queue_name}:signin")


def client_address(request: Request[Any, Any, Any]) -> str | None:
    """The address the request came from (the proxy's, behind a reverse proxy)."""
    return request.client.host if request.client else None


class AuthController(Controller):
    """Pages anyone may open: sign-in, sign-up, set-password, language."""

    opt = PUBLIC
    include_in_schema = False

    @get("/signin")
    async def signin_page(
        self, request: Request[Any, Any, Any], next: FromQuery[str] = ""
    ) -> Template | Redirect:
        """The sign-in form (signed-in users go straight on)."""
        if current_actor(request) is not None:
            return redirect(safe_next(next))
        return render(
            request,
            "auth/signin.html",
            {"next": next, "email": "", "errors": {}},
            title=gettext("Sign in"),
        )

    @post("/signin")
    async def signin(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        data: URLEncodedBody[SignInForm],
    ) -> Template | Redirect:
        """Check the password (throttled per email and address) and start a session."""
        try:
            user = await authenticate(
                runtime.sessions,
                email=data.email,
                password=data.password,
                address=client_address(request),
                throttle=sign_in_throttle(runtime),
            )
        except TooManyAttempts as exc:
            wait = format_duration(exc.retry_after or 1)
            message = gettext("Too many failed sign-ins. Try again in %(wait)s.") % {"wait": wait}
            context = {"next": data.next, "email": data.email, "errors": {"": message}}
            page = render(
                request, "auth/signin.html", context, title=gettext("Sign in"), status_code=429
            )
            page.headers["Retry-After"] = str(max(1, round(exc.retry_after or 1)))
            return page
        except InvalidCredentials as exc:
            context = {"next": data.next, "email": data.email, "errors": field_errors(exc)}
            return render(
                request, "auth/signin.html", context, title=gettext("Sign in"), status_code=400
            )
        start_session(request, user)
        response = redirect(safe_next(data.next))
        set_locale_cookie(response, user.locale, runtime.settings)
        return response

    @get("/signup")
    async def signup_page(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """The sign-up form."""
        if current_actor(request) is not None:
            return redirect("/")
        context = {"form": SignUpForm(), "errors": {}}
        return render(request, "auth/signup.html", context, title=gettext("Create your account"))

    @post("/signup")
    async def signup(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        data: URLEncodedBody[SignUpForm],
    ) -> Template | Redirect:
        """Create the account and its owner, and sign the owner in."""
        try:
            user = await sign_up(
                runtime.sessions,
                email=data.email,
                password=data.password,
                account_name=data.account_name,
                display_name=data.display_name,
                locale=current_locale(),
            )
        except PermanentError as exc:
            context = {"form": data, "errors": field_errors(exc)}
            title = gettext("Create your account")
            return render(request, "auth/signup.html", context, title=title, status_code=400)
        start_session(request, user)
        flash(request, gettext("Welcome to Tradewind! Start by authorizing a store."))
        return redirect("/")

    @post("/signout")
    async def signout(self, request: Request[Any, Any, Any]) -> Redirect:
        """End the session on this browser."""
        end_session(request)
        return redirect("/signin")

    @get("/set-password/{token:str}")
    async def set_password_page(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        token: FromPath[str],
    ) -> Template:
        """The form behind a one-time link (invitation or reset)."""
        secret = runtime.settings.secret("secret_key")
        async with runtime.sessions() as session:
            try:
                user = await user_for_token(session, secret, token)
            except InvalidLink as exc:
                context = {"valid": False, "email": "", "errors": field_errors(exc)}
                return render(
                    request,
                    "auth/set_password.html",
                    context,
                    title=gettext("Set your password"),
                    status_code=404,
                )
        context = {"valid": True, "email": user.email, "errors": {}}
        return render(
            request, "auth/set_password.html", context, title=gettext("Set your password")
        )

    @post("/set-password/{token:str}")
    async def set_password(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        token: FromPath[str],
        data: URLEncodedBody[PasswordForm],
    ) -> Template | Redirect:
        """Set the password, sign the person in; the link stops working."""
        secret = runtime.settings.secret("secret_key")
        try:
            user = await set_password_with_token(runtime.sessions, secret, token, data.password)
        except InvalidLink as exc:
            context = {"valid": False, "email": "", "errors": field_errors(exc)}
            title = gettext("Set your password")
            return render(request, "auth/set_password.html", context, title=title, status_code=404)
        except PermanentError as exc:
            context = {"valid": True, "email": "", "errors": field_errors(exc)}
            title = gettext("Set your password")
            return render(request, "auth/set_password.html", context, title=title, status_code=400)
        start_session(request, user)
        flash(request, gettext("Your password is set. Welcome!"))
        return redirect("/")

    @post("/locale")
    async def switch_locale(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        data: URLEncodedBody[LocaleForm],
    ) -> Response[Any]:
        """Switch the UI language: the user's setting when signed in, else a cookie."""
        locale = known_locale(data.locale)
        if locale is None:
            raise PermanentError(gettext("Unknown language."), field="locale")
        actor = current_actor(request)
        if actor is not None:
            user = await set_locale(runtime.sessions, actor, locale)
            from web.security import refresh_session_user

            refresh_session_user(request, user)
        use_locale(locale)
        response = redirect(safe_next(data.next))
        set_locale_cookie(response, locale, runtime.settings)
        return response
