"""People (staff sub-accounts): pages under ``/settings/people`` and ``/api/v1/people``.

Controllers only parse and render; who may do what is decided in :mod:`core.accounts.people`.
A new person's one-time set-password link is shown once, in the answer to the invitation,
and never stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template

from core.accounts.links import set_password_url
from core.accounts.people import (
    INVITABLE_ROLES,
    PersonView,
    StaffGrant,
    get_person,
    invite_person,
    list_people,
    new_set_password_link,
    set_person_active,
    update_person,
)
from core.actor import Access, Actor, Area
from core.errors import PermanentError
from core.i18n import N_, msg
from core.runtime import Runtime
from core.stores.service import StoreView, list_stores
from web.forms import field_errors
from web.i18n import gettext
from web.layout import Crumb, flash, redirect, render
from web.stores import platform_names

AREA_LABELS: Mapping[Area, str] = {
    Area.PRODUCTS: N_("Products"),
    Area.ORDERS: N_("Orders"),
    Area.SHIPPING: N_("Shipping"),
    Area.IMAGES: N_("Image space"),
    Area.STOCK: N_("Stock"),
    Area.PURCHASING: N_("Purchasing"),
    Area.STATISTICS: N_("Statistics"),
    Area.STORES: N_("Stores"),
    Area.SETTINGS: N_("Settings"),
}
"""Permission areas in the order the forms show them (English msgids)."""

LEVEL_NAMES = {Access.NONE: "none", Access.READ: "read", Access.WRITE: "write"}
LEVELS_BY_NAME = {name: level for level, name in LEVEL_NAMES.items()}


def _parse_level(value: str, area: Area) -> Access:
    try:
        return LEVELS_BY_NAME[value or "none"]
    except KeyError:
        raise PermanentError(
            msg("Choose none, read or write for %(area)s.", area=area.value), field=f"access.{area}"
        ) from None


def _parse_store_ids(values: list[Any]) -> frozenset[int]:
    try:
        return frozenset(int(v) for v in values if str(v).strip())
    except ValueError:
        raise PermanentError(msg("Unknown store."), field="store_ids") from None


def grant_from_form(form: FormMultiDict) -> StaffGrant:
    """The :class:`StaffGrant` of a people form (``role``, ``access_<area>``, ``store_ids``)."""
    access = {
        area: _parse_level(str(form.get(f"access_{area.value}", "none")), area) for area in Area
    }
    return StaffGrant(
        role=str(form.get("role", "staff")),
        access=access,
        store_ids=_parse_store_ids(form.getall("store_ids", [])),
    )


# -- JSON schemas -------------------------------------------------------------------------


@dataclass
class GrantIn:
    """What a person may do: role ``staff`` or ``admin``, level per area, visible stores."""

    role: str = "staff"
    access: dict[str, str] = field(default_factory=dict)
    store_ids: list[int] = field(default_factory=list)

    def to_grant(self) -> StaffGrant:
        """The core grant (unknown areas or levels are refused with the field named)."""
        levels: dict[Area, Access] = {}
        for name, level in self.access.items():
            try:
                area = Area(name)
            except ValueError:
                raise PermanentError(
                    msg("Unknown area %(area)s.", area=name), field="access"
                ) from None
            levels[area] = _parse_level(level, area)
        return StaffGrant(role=self.role, access=levels, store_ids=frozenset(self.store_ids))


@dataclass
class InviteIn(GrantIn):
    """An invitation: the person's email and name, and their grant."""

    email: str = ""
    display_name: str = ""


@dataclass(frozen=True)
class PersonOut:
    """A person in the JSON API."""

    id: int
    email: str
    display_name: str
    role: str
    is_active: bool
    invitation_pending: bool
    access: dict[str, str]
    store_ids: list[int]

    @classmethod
    def of(cls, person: PersonView) -> PersonOut:
        """From the core view."""
        return cls(
            id=person.id,
            email=person.email,
            display_name=person.display_name,
            role=person.role,
            is_active=person.is_active,
            invitation_pending=person.invitation_pending,
            access={area.value: LEVEL_NAMES[level] for area, level in person.access.items()},
            store_ids=sorted(person.store_ids),
        )


@dataclass(frozen=True)
class InvitationOut:
    """The invited person and their one-time set-password link (shown once)."""

    person: PersonOut
    set_password_url: str


@dataclass(frozen=True)
class LinkOut:
    """A fresh one-time set-password link."""

    set_password_url: str


# -- pages --------------------------------------------------------------------------------


def _crumbs(*extra: Crumb) -> list[Crumb]:
    return [
        Crumb(gettext("Settings"), "/settings/profile"),
        Crumb(gettext("People"), "/settings/people"),
        *extra,
    ]


def _form_context(
    runtime: Runtime,
    stores: list[StoreView],
    person: PersonView | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "areas": [(area, gettext(label)) for area, label in AREA_LABELS.items()],
        "levels": LEVEL_NAMES,
        "roles": INVITABLE_ROLES,
        "stores": stores,
        "platforms": platform_names(runtime),
        "person": person,
        "errors": errors or {},
    }


class PeoplePagesController(Controller):
    """``/settings/people``: the account's people, invitations, permissions."""

    path = "/settings/people"
    include_in_schema = False

    @get("/")
    async def people_page(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> Template:
        """Everyone in the account, and the invitation form."""
        people = await list_people(runtime.sessions, actor)
        stores = await list_stores(runtime.sessions, actor)
        context = {
            "people": people,
            "store_names": {s.id: s.name for s in stores},
            **_form_context(runtime, stores),
        }
        return render(
            request, "accounts/people.html", context, title=gettext("People"), crumbs=_crumbs()
        )

    @post("/")
    async def invite(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> Template:
        """Invite a person; the answer shows their one-time link (once)."""
        form = await request.form()
        try:
            person, token = await invite_person(
                runtime.sessions,
                actor,
                email=str(form.get("email", "")),
                display_name=str(form.get("display_name", "")),
                grant=grant_from_form(form),
                secret=runtime.settings.secret("secret_key"),
            )
        except PermanentError as exc:
            people = await list_people(runtime.sessions, actor)
            stores = await list_stores(runtime.sessions, actor)
            context = {
                "people": people,
                "store_names": {s.id: s.name for s in stores},
                "form": form,
                **_form_context(runtime, stores, errors=field_errors(exc)),
            }
            title = gettext("People")
            return render(
                request,
                "accounts/people.html",
                context,
                title=title,
                crumbs=_crumbs(),
                status_code=400,
            )
        link = set_password_url(runtime.settings.effective_public_base_url, token)
        context = {"person": person, "link": link, "invited": True}
        title = gettext("Invitation ready")
        return render(
            request, "accounts/person_link.html", context, title=title, crumbs=_crumbs(Crumb(title))
        )

    @get("/{user_id:int}")
    async def person_page(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        user_id: FromPath[int],
    ) -> Template:
        """One person's role, areas and stores."""
        person = await get_person(runtime.sessions, actor, user_id)
        stores = await list_stores(runtime.sessions, actor)
        title = person.display_name or person.email
        return render(
            request,
            "accounts/person.html",
            _form_context(runtime, stores, person),
            title=title,
            crumbs=_crumbs(Crumb(title)),
        )

    @post("/{user_id:int}")
    async def save_person(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        user_id: FromPath[int],
    ) -> Template | Redirect:
        """Save a person's role, areas and stores."""
        form = await request.form()
        try:
            person = await update_person(runtime.sessions, actor, user_id, grant_from_form(form))
        except PermanentError as exc:
            person = await get_person(runtime.sessions, actor, user_id)
            stores = await list_stores(runtime.sessions, actor)
            title = person.display_name or person.email
            return render(
                request,
                "accounts/person.html",
                _form_context(runtime, stores, person, field_errors(exc)),
                title=title,
                crumbs=_crumbs(Crumb(title)),
                status_code=400,
            )
        flash(request, gettext("Permissions of %(email)s are saved.") % {"email": person.email})
        return redirect("/settings/people")

    @post("/{user_id:int}/deactivate")
    async def deactivate(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        user_id: FromPath[int],
    ) -> Redirect:
        """Deactivate a person: signed out everywhere, tokens stop working."""
        person = await set_person_active(runtime.sessions, actor, user_id, active=False)
        flash(request, gettext("%(email)s is deactivated.") % {"email": person.email})
        return redirect("/settings/people")

    @post("/{user_id:int}/activate")
    async def activate(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        user_id: FromPath[int],
    ) -> Redirect:
        """Let a deactivated person sign in again."""
        person = await set_person_active(runtime.sessions, actor, user_id, active=True)
        flash(request, gettext("%(email)s can sign in again.") % {"email": person.email})
        return redirect("/settings/people")

    @post("/{user_id:int}/link")
    async def new_link(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        user_id: FromPath[int],
    ) -> Template:
        """A fresh one-time set-password link for a person (shown once)."""
        token = await new_set_password_link(
            runtime.sessions, actor, user_id, secret=runtime.settings.secret("secret_key")
        )
        person = await get_person(runtime.sessions, actor, user_id)
        link = set_password_url(runtime.settings.effective_public_base_url, token)
        title = gettext("New set-password link")
        context = {"person": person, "link": link, "invited": False}
        return render(
            request, "accounts/person_link.html", context, title=title, crumbs=_crumbs(Crumb(title))
        )


class PeopleApiController(Controller):
    """``/api/v1/people``: the JSON twin of the people pages (owners and admins only)."""

    path = "/api/v1/people"
    tags = ["people"]

    @get("/", summary="List the account's people")
    async def list_people_api(
        self, actor: NamedDependency[Actor], runtime: NamedDependency[Runtime]
    ) -> list[PersonOut]:
        """Everyone in the account."""
        return [PersonOut.of(p) for p in await list_people(runtime.sessions, actor)]

    @post("/", summary="Invite a person (returns their one-time set-password link)")
    async def invite_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[InviteIn],
    ) -> InvitationOut:
        """Invite a person; the link is in this answer only."""
        person, token = await invite_person(
            runtime.sessions,
            actor,
            email=data.email,
            display_name=data.display_name,
            grant=data.to_grant(),
            secret=runtime.settings.secret("secret_key"),
        )
        url = set_password_url(runtime.settings.effective_public_base_url, token)
        return InvitationOut(PersonOut.of(person), url)

    @get("/{user_id:int}", summary="One person")
    async def get_person_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        user_id: FromPath[int],
    ) -> PersonOut:
        """One person of the account."""
        return PersonOut.of(await get_person(runtime.sessions, actor, user_id))

    @put("/{user_id:int}", summary="Change a person's role, areas and stores")
    async def update_person_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        user_id: FromPath[int],
        data: JSONBody[GrantIn],
    ) -> PersonOut:
        """Replace the person's grant."""
        return PersonOut.of(await update_person(runtime.sessions, actor, user_id, data.to_grant()))

    @post("/{user_id:int}/deactivate", summary="Deactivate a person", status_code=200)
    async def deactivate_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        user_id: FromPath[int],
    ) -> PersonOut:
        """Deactivate: signed out everywhere, tokens stop working."""
        return PersonOut.of(await set_person_active(runtime.sessions, actor, user_id, active=False))

    @post("/{user_id:int}/activate", summary="Reactivate a person", status_code=200)
    async def activate_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        user_id: FromPath[int],
    ) -> PersonOut:
        """Let the person sign in again."""
        return PersonOut.of(await set_person_active(runtime.sessions, actor, user_id, active=True))

    @post(
        "/{user_id:int}/set-password-link",
        summary="A fresh one-time set-password link",
        status_code=200,
    )
    async def link_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        user_id: FromPath[int],
    ) -> LinkOut:
        """A new link for a lost invitation or password."""
        token = await new_set_password_link(
            runtime.sessions, actor, user_id, secret=runtime.settings.secret("secret_key")
        )
        return LinkOut(set_password_url(runtime.settings.effective_public_base_url, token))
