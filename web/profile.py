"""The signed-in user's own settings (name, language, password) and ``GET /api/v1/me``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, URLEncodedBody
from litestar.response import Redirect, Template

from core.accounts.actors import SignedInUser
from core.accounts.signin import change_password, set_locale, update_profile
from core.actor import Access, Actor, Area
from core.errors import PermanentError
from core.i18n import msg
from core.runtime import Runtime
from web.forms import field_errors
from web.i18n import gettext
from web.layout import Crumb, flash, redirect, render
from web.security import refresh_session_user, set_locale_cookie


@dataclass
class ProfileForm:
    """Name and language."""

    display_name: str = ""
    locale: str = ""


@dataclass
class PasswordChangeForm:
    """The password change."""

    current_password: str = ""
    password: str = ""


@dataclass(frozen=True)
class MeView:
    """``GET /api/v1/me``: who the token or session belongs to and what they may do."""

    user_id: int
    account_id: int
    email: str
    display_name: str
    role: str
    locale: str
    is_manager: bool
    access: dict[str, str]
    store_ids: list[int] | None


def _crumbs() -> list[Crumb]:
    return [Crumb(gettext("Settings"), "/settings/profile"), Crumb(gettext("My profile"))]


class ProfileController(Controller):
    """``/settings/profile``: the user's own name, language and password."""

    include_in_schema = False

    @get("/settings")
    async def settings_home(self) -> Redirect:
        """The settings area starts with the profile."""
        return redirect("/settings/profile", status_code=302)

    @get("/settings/profile")
    async def profile_page(
        self, request: Request[Any, Any, Any], user: NamedDependency[SignedInUser]
    ) -> Template:
        """The profile forms."""
        context = {"form": ProfileForm(user.display_name, user.locale), "errors": {}}
        return render(
            request, "accounts/profile.html", context, title=gettext("My profile"), crumbs=_crumbs()
        )

    @post("/settings/profile")
    async def save_profile(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: URLEncodedBody[ProfileForm],
    ) -> Template | Redirect:
        """Save the name and the language."""
        try:
            await set_locale(runtime.sessions, actor, data.locale)  # refuses before any change
            user = await update_profile(runtime.sessions, actor, display_name=data.display_name)
        except PermanentError as exc:
            context = {"form": data, "errors": field_errors(exc)}
            title = gettext("My profile")
            return render(
                request,
                "accounts/profile.html",
                context,
                title=title,
                crumbs=_crumbs(),
                status_code=400,
            )
        refresh_session_user(request, user)
        flash(request, gettext("Your profile is saved."))
        response = redirect("/settings/profile")
        set_locale_cookie(response, user.locale, runtime.settings)
        return response

    @post("/settings/password")
    async def save_password(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        user: NamedDependency[SignedInUser],
        runtime: NamedDependency[Runtime],
        data: URLEncodedBody[PasswordChangeForm],
    ) -> Template | Redirect:
        """Change the password; other sessions of the user end, this one stays."""
        try:
            changed = await change_password(
                runtime.sessions,
                actor,
                current_password=data.current_password,
                new_password=data.password,
            )
        except PermanentError as exc:
            context = {
                "form": ProfileForm(user.display_name, user.locale),
                "errors": field_errors(exc),
            }
            title = gettext("My profile")
            return render(
                request,
                "accounts/profile.html",
                context,
                title=title,
                crumbs=_crumbs(),
                status_code=400,
            )
        refresh_session_user(request, changed)
        flash(request, gettext("Your password is changed; other devices are signed out."))
        return redirect("/settings/profile")


@dataclass
class ProfileIn:
    """Changes to one's own profile; fields left out stay as they are."""

    display_name: str | None = None
    locale: str | None = None


@dataclass
class PasswordIn:
    """A password change."""

    current_password: str = ""
    password: str = ""


def _me(actor: Actor, user: SignedInUser) -> MeView:
    return MeView(
        user_id=user.id,
        account_id=user.account_id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        locale=user.locale,
        is_manager=actor.is_owner,
        access={
            area.value: actor.level(area).name.lower()
            for area in Area
            if actor.level(area) > Access.NONE
        },
        store_ids=sorted(actor.store_ids) if actor.store_ids is not None else None,
    )


class MeApiController(Controller):
    """``/api/v1/me``: the JSON twin of the profile page."""

    path = "/api/v1/me"
    tags = ["accounts"]

    @get("/", summary="Who is signed in (session or API token) and what they may do")
    async def me(
        self, actor: NamedDependency[Actor], user: NamedDependency[SignedInUser]
    ) -> MeView:
        """The user behind the session or token, with their areas and stores."""
        return _me(actor, user)

    @patch("/", summary="Change your name or language")
    async def update_me(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[ProfileIn],
    ) -> MeView:
        """Change the display name and/or the UI language."""
        user: SignedInUser | None = None
        if data.locale is not None:
            user = await set_locale(runtime.sessions, actor, data.locale)
        if data.display_name is not None:
            user = await update_profile(runtime.sessions, actor, display_name=data.display_name)
        if user is None:
            raise PermanentError(msg("Nothing to change."), field="display_name")
        if request.scope.get("session"):
            refresh_session_user(request, user)
        return _me(actor, user)

    @post("/password", summary="Change your password", status_code=200)
    async def change_password_api(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[PasswordIn],
    ) -> MeView:
        """Change the password; other sessions end (API tokens keep working)."""
        user = await change_password(
            runtime.sessions,
            actor,
            current_password=data.current_password,
            new_password=data.password,
        )
        if request.scope.get("session"):
            refresh_session_user(request, user)
        return _me(actor, user)
