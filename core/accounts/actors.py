"""Turning a signed-in user into the :class:`~core.actor.Actor` every service takes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Access, Actor, Area
from core.models import PermissionArea, User, UserPermission, UserRole, UserStoreAccess

AREA_OF_PERMISSION: dict[PermissionArea, Area] = {
    PermissionArea.PRODUCTS: Area.PRODUCTS,
    PermissionArea.ORDERS: Area.ORDERS,
    PermissionArea.SHIPPING: Area.SHIPPING,
    PermissionArea.INVENTORY: Area.STOCK,
    PermissionArea.PURCHASING: Area.PURCHASING,
    PermissionArea.IMAGES: Area.IMAGES,
    PermissionArea.STATISTICS: Area.STATISTICS,
    PermissionArea.STORES: Area.STORES,
    PermissionArea.SETTINGS: Area.SETTINGS,
}
"""Stored permission areas (:class:`PermissionArea`) and the :class:`Area` services check."""

PERMISSION_OF_AREA: dict[Area, PermissionArea] = {
    area: stored for stored, area in AREA_OF_PERMISSION.items()
}

MANAGER_ROLES = frozenset({UserRole.OWNER.value, UserRole.ADMIN.value})
"""Roles that may do everything in their account (and manage its people)."""


@dataclass(frozen=True)
class SignedInUser:
    """What the web layer shows about the person signed in.

    Attributes:
        id: the user id.
        account_id: the account.
        email: the email (sign-in name).
        display_name: the name to show (may be empty).
        role: a :class:`~core.models.UserRole` value.
        locale: the UI language (``zh_CN`` or ``en``).
        session_stamp: changes when the password changes, which ends older sessions.
    """

    id: int
    account_id: int
    email: str
    display_name: str
    role: str
    locale: str
    session_stamp: str

    @property
    def name(self) -> str:
        """The display name, else the email."""
        return self.display_name or self.email


def session_stamp(user: User) -> str:
    """A short fingerprint of the user's password hash, kept in the session cookie.

    A session whose stamp no longer matches (the password was changed or reset) is refused.
    """
    return hashlib.sha256(f"tw-session|{user.password_hash}".encode()).hexdigest()[:20]


def signed_in_user(user: User) -> SignedInUser:
    """The :class:`SignedInUser` view of a user row."""
    assert user.id is not None
    return SignedInUser(
        id=user.id,
        account_id=user.account_id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        locale=user.locale,
        session_stamp=session_stamp(user),
    )


async def actor_for_user(session: AsyncSession, user: User) -> Actor:
    """The actor of ``user``: managers may do everything; staff what their rows grant.

    Args:
        session: an open database session.
        user: an active user row.
    """
    assert user.id is not None
    if user.role in MANAGER_ROLES:
        return Actor(account_id=user.account_id, user_id=user.id, is_owner=True)
    grants = await session.exec(
        select(UserPermission).where(
            UserPermission.account_id == user.account_id, UserPermission.user_id == user.id
        )
    )
    access = {
        AREA_OF_PERMISSION[grant.area]: Access.WRITE if grant.can_edit else Access.READ
        for grant in grants
        if grant.area in AREA_OF_PERMISSION
    }
    stores = await session.exec(
        select(UserStoreAccess.store_id).where(
            UserStoreAccess.account_id == user.account_id, UserStoreAccess.user_id == user.id
        )
    )
    return Actor(
        account_id=user.account_id,
        user_id=user.id,
        is_owner=False,
        access=access,
        store_ids=frozenset(stores),
    )


async def load_signed_in(
    session: AsyncSession, user_id: int, stamp: str
) -> tuple[SignedInUser, Actor] | None:
    """The user and actor of a session, or ``None`` when the session no longer holds.

    Args:
        session: an open database session.
        user_id: the user id kept in the session.
        stamp: the :func:`session_stamp` kept in the session.
    """
    user = await session.get(User, user_id)
    if user is None or not user.is_active or session_stamp(user) != stamp:
        return None
    return signed_in_user(user), await actor_for_user(session, user)
