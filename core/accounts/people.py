"""The people of an account: the owner, admins and staff (sub-accounts, free and unlimited).

The owner invites staff and gives each a role, a level per area and the stores they may
work in.

Only managers (the owner and admins) see and change people; staff get
:class:`~core.actor.PermissionDenied`. Changes take effect on the person's next request:
sessions and API tokens load permissions fresh every time, and a deactivated person is signed
out everywhere at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.accounts.actors import AREA_OF_PERMISSION, PERMISSION_OF_AREA
from core.accounts.errors import EmailTaken
from core.accounts.links import make_link_token
from core.accounts.signin import email_exists, normalize_email
from core.actor import Access, Actor, Area, PermissionDenied
from core.errors import NotFound, PermanentError, RuleViolation
from core.i18n import msg
from core.models import Store, User, UserPermission, UserRole, UserStoreAccess

INVITABLE_ROLES = (UserRole.STAFF.value, UserRole.ADMIN.value)


@dataclass(frozen=True)
class StaffGrant:
    """What a person may do.

    Attributes:
        role: ``"staff"`` (only what ``access`` and ``store_ids`` grant) or ``"admin"``
            (everything, like the owner).
        access: level per area (areas left out: no access); ignored for admins.
        store_ids: the stores the person may see; ignored for admins.
    """

    role: str = UserRole.STAFF.value
    access: Mapping[Area, Access] = field(default_factory=dict)
    store_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class PersonView:
    """A person as the people page shows them.

    Attributes:
        id: the user id.
        email: sign-in email.
        display_name: name to show.
        role: a :class:`~core.models.UserRole` value.
        is_active: whether the person can sign in.
        invitation_pending: no password set yet (the set-password link was not used).
        access: level per area (staff).
        store_ids: stores the person may see (staff).
        created_at: when the person was added.
        last_sign_in_at: the last successful sign-in.
    """

    id: int
    email: str
    display_name: str
    role: str
    is_active: bool
    invitation_pending: bool
    access: Mapping[Area, Access]
    store_ids: frozenset[int]
    created_at: datetime
    last_sign_in_at: datetime | None

    @property
    def is_manager(self) -> bool:
        """Owners and admins may do everything."""
        return self.role in (UserRole.OWNER.value, UserRole.ADMIN.value)


def require_manager(actor: Actor) -> None:
    """Raise :class:`PermissionDenied` unless the actor is the owner or an admin."""
    if not actor.is_owner:
        raise PermissionDenied(msg("Only the owner or an admin can manage people."))


async def _view(session: AsyncSession, user: User) -> PersonView:
    assert user.id is not None
    grants = await session.exec(select(UserPermission).where(UserPermission.user_id == user.id))
    stores = await session.exec(
        select(UserStoreAccess.store_id).where(UserStoreAccess.user_id == user.id)
    )
    return PersonView(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        is_active=user.is_active,
        invitation_pending=not user.password_hash,
        access={
            AREA_OF_PERMISSION[g.area]: Access.WRITE if g.can_edit else Access.READ
            for g in grants
            if g.area in AREA_OF_PERMISSION
        },
        store_ids=frozenset(stores),
        created_at=user.created_at,
        last_sign_in_at=user.last_sign_in_at,
    )


async def _person(session: AsyncSession, actor: Actor, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None or user.account_id != actor.account_id:
        raise NotFound("no such person")
    return user


async def _check_stores(session: AsyncSession, actor: Actor, store_ids: Iterable[int]) -> None:
    wanted = set(store_ids)
    if not wanted:
        return
    found = await session.exec(
        select(Store.id).where(Store.account_id == actor.account_id, col(Store.id).in_(wanted))
    )
    if set(found) != wanted:
        raise NotFound("no such store")


async def _write_grant(session: AsyncSession, actor: Actor, user: User, grant: StaffGrant) -> None:
    if grant.role not in INVITABLE_ROLES:
        raise PermanentError(msg("Choose the role staff or admin."), field="role")
    assert user.id is not None
    user.role = grant.role
    session.add(user)
    await session.exec(delete(UserPermission).where(col(UserPermission.user_id) == user.id))
    await session.exec(delete(UserStoreAccess).where(col(UserStoreAccess.user_id) == user.id))
    if grant.role == UserRole.ADMIN.value:
        return
    await _check_stores(session, actor, grant.store_ids)
    for area, level in grant.access.items():
        if level > Access.NONE:
            session.add(
                UserPermission(
                    account_id=actor.account_id,
                    user_id=user.id,
                    area=PERMISSION_OF_AREA[area],
                    can_edit=level >= Access.WRITE,
                )
            )
    for store_id in sorted(grant.store_ids):
        session.add(
            UserStoreAccess(account_id=actor.account_id, user_id=user.id, store_id=store_id)
        )
    await session.flush()


async def list_people(sessions: async_sessionmaker[AsyncSession], actor: Actor) -> list[PersonView]:
    """Everyone in the account, the owner first."""
    require_manager(actor)
    async with sessions() as session:
        users = await session.exec(
            select(User).where(User.account_id == actor.account_id).order_by(col(User.id))
        )
        return [await _view(session, user) for user in users]


async def get_person(
    sessions: async_sessionmaker[AsyncSession], actor: Actor, user_id: int
) -> PersonView:
    """One person of the account.

    Raises:
        NotFound: no such person in the account.
    """
    require_manager(actor)
    async with sessions() as session:
        return await _view(session, await _person(session, actor, user_id))


async def invite_person(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    email: str,
    display_name: str,
    grant: StaffGrant,
    secret: str,
) -> tuple[PersonView, str]:
    """Add a person to the account; returns them and a one-time set-password link token.

    There is no mail server: the manager hands the link over (it is shown once).

    Raises:
        PermissionDenied: the actor is not a manager.
        PermanentError: invalid email or role.
        EmailTaken: the email is in use already.
        NotFound: a store id that is not the account's.
    """
    require_manager(actor)
    email = normalize_email(email)
    taken = EmailTaken(msg("A user with this email exists already."))
    try:
        async with sessions() as session, session.begin():
            if await email_exists(session, email):
                raise taken
            user = User(
                account_id=actor.account_id,
                email=email,
                display_name=display_name.strip()[:200],
                password_hash="",
                role=UserRole.STAFF.value,
            )
            session.add(user)
            await session.flush()
            await _write_grant(session, actor, user, grant)
            view = await _view(session, user)
    except IntegrityError:
        raise taken from None
    return view, make_link_token(secret, user)


async def update_person(
    sessions: async_sessionmaker[AsyncSession], actor: Actor, user_id: int, grant: StaffGrant
) -> PersonView:
    """Change a person's role, areas and stores.

    Raises:
        NotFound: no such person (or store) in the account.
        RuleViolation: the person is the owner, or the actor themself.
    """
    require_manager(actor)
    async with sessions() as session, session.begin():
        user = await _person(session, actor, user_id)
        _refuse_owner_or_self(actor, user)
        await _write_grant(session, actor, user, grant)
        return await _view(session, user)


def _refuse_owner_or_self(actor: Actor, user: User) -> None:
    if user.role == UserRole.OWNER.value:
        raise RuleViolation(msg("The account owner cannot be changed or deactivated."))
    if user.id == actor.user_id:
        raise RuleViolation(msg("You cannot change your own role or deactivate yourself."))


async def set_person_active(
    sessions: async_sessionmaker[AsyncSession], actor: Actor, user_id: int, *, active: bool
) -> PersonView:
    """Deactivate (signed out everywhere, tokens stop) or reactivate a person.

    Raises:
        NotFound: no such person in the account.
        RuleViolation: the person is the owner, or the actor themself.
    """
    require_manager(actor)
    async with sessions() as session, session.begin():
        user = await _person(session, actor, user_id)
        _refuse_owner_or_self(actor, user)
        user.is_active = active
        session.add(user)
        return await _view(session, user)


async def new_set_password_link(
    sessions: async_sessionmaker[AsyncSession], actor: Actor, user_id: int, *, secret: str
) -> str:
    """A fresh one-time set-password link token for a person (lost invite, lost password).

    The person's current password keeps working until the link is used.

    Raises:
        NotFound: no such person in the account.
        RuleViolation: the person is the owner or the actor (use the profile page instead).
    """
    require_manager(actor)
    async with sessions() as session:
        user = await _person(session, actor, user_id)
        _refuse_owner_or_self(actor, user)
        if not user.is_active:
            raise RuleViolation(msg("Reactivate the person first."))
        return make_link_token(secret, user)
