"""The main navigation: built-in sections, their sub-pages, and the links plugins add.

Each section needs an :class:`~core.actor.Area` (or none: every signed-in user sees it); a
staff member only sees sections where they have at least read access. A link whose path no
route serves yet is shown dimmed instead of leading to a 404, so the full map of the product
is visible and each area lights up as soon as its pages are mounted.

To add a built-in area: append a :class:`Section` to :data:`SECTIONS` (labels are English
msgids marked with ``N_``; add their translations to the catalog). Plugins add links with the
``register_menu_links`` hook (:class:`~core.interfaces.web.MenuLink`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from core.actor import Access, Actor, Area
from core.i18n import N_
from core.interfaces.web import MenuLink
from web.i18n import current_locale, gettext


@dataclass(frozen=True)
class NavItem:
    """A sub-page of a section.

    Attributes:
        label: English msgid.
        href: the link (path, maybe with a query).
        area: the permission area needed, when different from the section's.
    """

    label: str
    href: str
    area: Area | None = None


@dataclass(frozen=True)
class Section:
    """A top-level entry of the navigation.

    Attributes:
        key: stable id (used for the active state and for plugin links' ``area``).
        label: English msgid.
        href: where the section's entry page is.
        area: the permission area needed (``None``: every signed-in user).
        items: sub-pages, shown in the side bar of the section.
        prefixes: path prefixes that belong to the section (default: ``href``'s path).
        managers_only: only owners and admins see it.
    """

    key: str
    label: str
    href: str
    area: Area | None = None
    items: tuple[NavItem, ...] = ()
    prefixes: tuple[str, ...] = ()
    managers_only: bool = False

    def owns(self, path: str) -> bool:
        """Whether ``path`` belongs to this section."""
        prefixes = self.prefixes or (urlsplit(self.href).path,)
        if prefixes == ("/",):
            return path == "/"
        return any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)


SECTIONS: tuple[Section, ...] = (
    Section("dashboard", N_("Dashboard"), "/"),
    Section(
        "products",
        N_("Products"),
        "/products",
        Area.PRODUCTS,
        (
            NavItem(N_("Collection box"), "/products?state=collection_box"),
            NavItem(N_("Drafts"), "/products?state=draft"),
            NavItem(N_("Publishing"), "/products?state=publishing"),
            NavItem(N_("Published"), "/products?state=published"),
            NavItem(N_("Publish failed"), "/products?state=publish_failed"),
            NavItem(N_("Delisted"), "/products?state=delisted"),
            NavItem(N_("Categories"), "/categories"),
        ),
        prefixes=("/products", "/categories"),
    ),
    Section(
        "orders",
        N_("Orders"),
        "/orders",
        Area.ORDERS,
        (
            NavItem(N_("To review"), "/orders?state=to_review"),
            NavItem(N_("Pending"), "/orders?state=pending"),
            NavItem(N_("Requesting tracking"), "/orders?state=requesting_tracking"),
            NavItem(N_("To print"), "/orders?state=to_print"),
            NavItem(N_("Shipped"), "/orders?state=shipped"),
            NavItem(N_("Ignored"), "/orders?state=ignored"),
            NavItem(N_("Cancelled / refunded"), "/orders?state=cancelled"),
            NavItem(N_("Exceptions"), "/orders?state=exception"),
            NavItem(N_("Logistics settings"), "/shipping", Area.SHIPPING),
        ),
        prefixes=("/orders", "/shipping"),
    ),
    Section("images", N_("Image space"), "/images", Area.IMAGES),
    Section(
        "stock",
        N_("Stock"),
        "/stock",
        Area.STOCK,
        (
            NavItem(N_("Stock items"), "/stock"),
            NavItem(N_("Pairing"), "/stock/pairing"),
            NavItem(N_("Warehouses"), "/stock/warehouses"),
            NavItem(N_("Movements"), "/stock/movements"),
        ),
    ),
    Section(
        "purchasing",
        N_("Purchasing"),
        "/purchasing",
        Area.PURCHASING,
        (
            NavItem(N_("Suggestions"), "/purchasing"),
            NavItem(N_("Purchase orders"), "/purchasing/orders"),
            NavItem(N_("Suppliers"), "/purchasing/suppliers"),
        ),
    ),
    Section("statistics", N_("Statistics"), "/statistics", Area.STATISTICS),
    Section(
        "stores",
        N_("Stores"),
        "/stores",
        None,
        (
            NavItem(N_("Store list"), "/stores"),
            NavItem(N_("Authorize a store"), "/stores/authorize", Area.STORES),
        ),
    ),
    Section(
        "settings",
        N_("Settings"),
        "/settings/profile",
        None,
        (
            NavItem(N_("My profile"), "/settings/profile"),
            NavItem(N_("People"), "/settings/people"),
            NavItem(N_("API tokens"), "/settings/tokens"),
        ),
        prefixes=("/settings",),
    ),
    Section("jobs", N_("Jobs"), "/jobs"),
)

PLUGIN_AREA_SECTION = {
    "products": "products",
    "orders": "orders",
    "shipping": "orders",
    "inventory": "stock",
    "images": "images",
    "stores": "stores",
    "reports": "statistics",
    "settings": "settings",
}
"""Where plugin links of each :data:`~core.interfaces.web.MENU_AREAS` value go (``tools``
gets a section of its own when a plugin adds a link there)."""

MANAGER_ONLY_PATHS = frozenset({"/settings/people"})


@dataclass(frozen=True)
class Link:
    """A navigation entry ready to render.

    Attributes:
        label: translated label.
        href: the link.
        active: whether it is the current page (or section).
        available: whether a route serves it yet (unavailable ones are shown dimmed).
        children: sub-entries (sections only).
    """

    label: str
    href: str
    active: bool = False
    available: bool = True
    children: tuple[Link, ...] = field(default_factory=tuple)


def _area_of(name: str | None) -> Area | None:
    if name is None:
        return None
    if name == "inventory":
        return Area.STOCK
    try:
        return Area(name)
    except ValueError:
        return Area.SETTINGS  # an unknown permission name: only those who may change settings


def _may_see(actor: Actor, area: Area | None) -> bool:
    return area is None or actor.level(area) >= Access.READ


def _is_available(href: str, mounted: Collection[str]) -> bool:
    if href.startswith(("http://", "https://")):
        return True
    return urlsplit(href).path in mounted


def _item_active(href: str, path: str, query: str) -> bool:
    parts = urlsplit(href)
    if parts.path != path:
        return False
    return not parts.query or parts.query == query


def build_menu(
    actor: Actor,
    *,
    path: str,
    query: str,
    mounted: Collection[str],
    plugin_links: Sequence[MenuLink] = (),
) -> tuple[Link, ...]:
    """The navigation for ``actor`` on the page ``path?query``.

    Args:
        actor: who is signed in.
        path: the current path.
        query: the current query string.
        mounted: the paths routes serve (without path parameters).
        plugin_links: links from the registry.
    """
    extra: dict[str, list[MenuLink]] = {}
    for link in plugin_links:
        extra.setdefault(PLUGIN_AREA_SECTION.get(link.area, "tools"), []).append(link)
    sections = list(SECTIONS)
    if "tools" in extra:
        sections.insert(-2, Section("tools", N_("Tools"), extra["tools"][0].href))
    menu = []
    for section in sections:
        if not _may_see(actor, section.area) or (section.managers_only and not actor.is_owner):
            continue
        children = [
            Link(
                gettext(item.label),
                item.href,
                active=_item_active(item.href, path, query),
                available=_is_available(item.href, mounted),
            )
            for item in section.items
            if _may_see(actor, item.area)
            and (item.href not in MANAGER_ONLY_PATHS or actor.is_owner)
        ]
        for link in extra.get(section.key, ()):
            if _may_see(actor, _area_of(link.permission)):
                label = link.label_for(current_locale())
                label = label if label != link.label else gettext(link.label)
                children.append(Link(label, link.href, active=_item_active(link.href, path, query)))
        owns = section.owns(path) or any(c.active for c in children)
        menu.append(
            Link(
                gettext(section.label),
                section.href,
                active=owns,
                available=_is_available(section.href, mounted)
                or any(c.available for c in children),
                children=tuple(children),
            )
        )
    return tuple(menu)
