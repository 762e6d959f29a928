"""Who is acting: the account, the user, and what that user may do.

Every core service takes an :class:`Actor` and scopes every query by ``actor.account_id``.
Permissions are checked here, in core, so the UI, the JSON API, the CLI and jobs all get the
same answers; hiding a button is never the only protection.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from core.errors import NotFound, TradewindError
from core.i18n import N_, msg


class Area(enum.StrEnum):
    """Permission areas a staff member can be given, as in Dianxiaomi's sub-accounts."""

    PRODUCTS = "products"
    ORDERS = "orders"
    SHIPPING = "shipping"
    IMAGES = "images"
    STOCK = "stock"
    PURCHASING = "purchasing"
    STATISTICS = "statistics"
    STORES = "stores"
    SETTINGS = "settings"


class Access(enum.IntEnum):
    """Level of access to an area."""

    NONE = 0
    READ = 1
    WRITE = 2


_AREA_NAMES = {
    Area.PRODUCTS: N_("products"),
    Area.ORDERS: N_("orders"),
    Area.SHIPPING: N_("shipping"),
    Area.IMAGES: N_("images"),
    Area.STOCK: N_("stock"),
    Area.PURCHASING: N_("purchasing"),
    Area.STATISTICS: N_("statistics"),
    Area.STORES: N_("stores"),
    Area.SETTINGS: N_("settings"),
}
_ACCESS_NAMES = {Access.READ: N_("read"), Access.WRITE: N_("write")}


class PermissionDenied(TradewindError):
    """The user may not do this; the message names the area."""


@dataclass(frozen=True)
class Actor:
    """The account and user a service call runs for.

    Attributes:
        account_id: the tenant; every query is scoped by it.
        user_id: the person (``None`` for system jobs acting for the account).
        is_owner: owners may do everything in their account.
        access: the level per area for staff members.
        store_ids: the stores a staff member may see; ``None`` means all stores.
    """

    account_id: int
    user_id: int | None = None
    is_owner: bool = True
    access: dict[Area, Access] = field(default_factory=dict)
    store_ids: frozenset[int] | None = None

    @classmethod
    def system(cls, account_id: int) -> Actor:
        """An actor for jobs and operator commands acting for the whole account."""
        return cls(account_id=account_id, user_id=None, is_owner=True)

    def level(self, area: Area) -> Access:
        """The access level this actor has in ``area``."""
        if self.is_owner:
            return Access.WRITE
        return self.access.get(area, Access.NONE)

    def require(self, area: Area, access: Access = Access.READ) -> None:
        """Raise :class:`PermissionDenied` unless the actor has ``access`` in ``area``."""
        if self.level(area) < access:
            raise PermissionDenied(
                msg(
                    "no %(access)s permission for %(area)s",
                    access=msg(_ACCESS_NAMES.get(access, access.name.lower())),
                    area=msg(_AREA_NAMES.get(area, area.value)),
                )
            )

    def can_see_store(self, store_id: int | None) -> bool:
        """Whether the actor may see data of ``store_id`` (``None``: not store-bound)."""
        return store_id is None or self.store_ids is None or store_id in self.store_ids

    def require_store(self, store_id: int | None) -> None:
        """Answer like a missing object (404) for a store the actor may not see."""
        if not self.can_see_store(store_id):
            raise NotFound(msg("not found"))
