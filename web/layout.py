"""Rendering pages inside the layout: navigation, breadcrumbs, flash messages.

A page handler returns ``render(request, "area/page.html", {...}, title=..., crumbs=[...])``.
The template extends ``layout.html`` and fills ``{% block content %}``. An htmx request gets
the ``partial`` template alone when one is given (its name starts with ``_``).

Flash messages survive one redirect: ``flash(request, _("Saved."))`` then redirect; the
next page shows it once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.response import Redirect, Template

from web.i18n import current_locale
from web.navigation import Link, build_menu
from web.security import current_actor, current_user, runtime_of

FlashLevel = Literal["success", "info", "warning", "error"]
FLASH_KEY = "_flashes"


@dataclass(frozen=True)
class Crumb:
    """One step of the breadcrumbs (the last one, the current page, has no link).

    Attributes:
        label: translated label.
        href: the link, if any.
    """

    label: str
    href: str | None = None


def flash(
    request: ASGIConnection[Any, Any, Any, Any], message: str, level: FlashLevel = "success"
) -> None:
    """Show ``message`` (already translated) on the next page this browser renders."""
    session = request.scope.get("session")
    if not isinstance(session, dict):
        return  # no session (API calls): nothing to show it on
    session.setdefault(FLASH_KEY, []).append({"level": level, "message": message})


def pop_flashes(request: ASGIConnection[Any, Any, Any, Any]) -> list[dict[str, str]]:
    """The pending flash messages, removed from the session."""
    session = request.scope.get("session")
    if not isinstance(session, dict):
        return []
    flashes: list[dict[str, str]] = session.pop(FLASH_KEY, [])
    return flashes


def mounted_paths(request: ASGIConnection[Any, Any, Any, Any]) -> frozenset[str]:
    """Paths the app serves (parameter-free ones), cached on the app."""
    cached: frozenset[str] | None = getattr(request.app.state, "mounted_paths", None)
    if cached is None:
        cached = frozenset(route.path for route in request.app.routes if "{" not in route.path)
        request.app.state.mounted_paths = cached
    return cached


def menu_for(request: ASGIConnection[Any, Any, Any, Any]) -> tuple[Link, ...]:
    """The navigation of the signed-in user on this page (empty when nobody is signed in)."""
    actor = current_actor(request)
    if actor is None:
        return ()
    return build_menu(
        actor,
        path=request.url.path,
        query=request.url.query,
        mounted=mounted_paths(request),
        plugin_links=runtime_of(request).registry.menu_links,
    )


def layout_context(request: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
    """What ``layout.html`` needs: user, actor, navigation, flash messages, language."""
    menu = menu_for(request)
    return {
        "user": current_user(request),
        "actor": current_actor(request),
        "menu": menu,
        "section": next((link for link in menu if link.active), None),
        "flashes": pop_flashes(request),
        "locale": current_locale(),
        "html_lang": current_locale().replace("_", "-"),
    }


def render(
    request: Request[Any, Any, Any],
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    title: str = "",
    crumbs: Sequence[Crumb] | None = None,
    partial: str | None = None,
    status_code: int = 200,
) -> Template:
    """Render ``template`` in the layout (or only ``partial`` for an htmx request).

    Args:
        request: the request.
        template: the page template (extends ``layout.html``).
        context: the page's own values.
        title: the page title (translated); also the last breadcrumb when ``crumbs`` is empty.
        crumbs: breadcrumbs; the home link is added in front. ``None``: just the title;
            an empty list: no breadcrumbs (the dashboard).
        partial: a ``_``-prefixed template answered alone to htmx requests.
        status_code: the HTTP status.
    """
    values = dict(context or {})
    if partial is not None and getattr(request, "htmx", None):
        return Template(template_name=partial, context=values, status_code=status_code)
    values.update(layout_context(request))
    values["title"] = title
    values["crumbs"] = list(crumbs) if crumbs is not None else ([Crumb(title)] if title else [])
    return Template(template_name=template, context=values, status_code=status_code)


def redirect(path: str, *, status_code: Literal[302, 303, 307] = 303) -> Redirect:
    """Redirect after a form post (303: the browser follows with GET)."""
    return Redirect(path=path, status_code=status_code)
