"""What plugins add to the web UI: route handlers, menu links and template folders.

Route handlers are Litestar's own (``@get`` functions, ``Controller`` subclasses or ``Router``
instances); the web layer mounts them as given. Plugin templates live in
``templates/<plugin id>/...`` inside the folder a plugin registers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.interfaces.common import frozen_mapping

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

    RouteHandler = ControllerRouterHandler
else:
    RouteHandler = Any

MENU_AREAS = (
    "products",
    "orders",
    "shipping",
    "inventory",
    "images",
    "stores",
    "reports",
    "tools",
    "settings",
)
"""Menu sections a plugin link can go into."""


@dataclass(frozen=True)
class MenuLink:
    """A link a plugin adds to the navigation menu.

    Attributes:
        label: English label; the web layer translates it unless ``labels`` has the locale.
        href: absolute path inside Tradewind (``"/wish/settings"``) or an http(s) URL.
        area: the menu section, one of :data:`MENU_AREAS`.
        icon: icon name from the UI's icon set, if any.
        order: position within the area (smaller first; built-in links use steps of 10).
        permission: the permission area a user needs to see the link (``None``: everyone
            signed in).
        labels: label per locale (``{"zh_CN": "Wish 设置"}``), winning over translation.
    """

    label: str
    href: str
    area: str
    icon: str | None = None
    order: int = 100
    permission: str | None = None
    labels: Mapping[str, str] = field(default_factory=frozen_mapping)

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", frozen_mapping(self.labels))
        if self.area not in MENU_AREAS:
            raise ValueError(
                f"menu link {self.label!r}: unknown area {self.area!r} "
                f"(known: {', '.join(MENU_AREAS)})"
            )
        if not self.href.startswith(("/", "http://", "https://")):
            raise ValueError(f"menu link {self.label!r}: href must start with / or http(s)://")

    def label_for(self, locale: str) -> str:
        """The label for ``locale``: its own entry in ``labels``, else the English label."""
        return self.labels.get(locale, self.label)


def is_route_handler(value: object) -> bool:
    """Whether ``value`` is something Litestar can mount (handler, Controller class, Router).

    Args:
        value: what a plugin registered as a route.
    """
    from litestar import Controller, Router
    from litestar.handlers import BaseRouteHandler

    if isinstance(value, type):
        return issubclass(value, Controller)
    return isinstance(value, BaseRouteHandler | Router)
