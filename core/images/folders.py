"""Folders of the image space: the account's local categories of kind ``image`` (rule 8).

A folder is a :class:`~core.models.Category` node; ``path`` holds its ancestors' ids
(``"/"`` at the top, ``"/3/17/"`` under 17 under 3), so names are unique among siblings and a
subtree is one ``LIKE`` away. Deleting a folder deletes its sub-folders; their images stay in
the image space, in no folder.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from core.actor import Actor
from core.errors import NotFound, RuleViolation
from core.i18n import msg
from core.images.space import SpaceBase
from core.images.views import FolderView
from core.models import Category, CategoryKind, Image

MAX_FOLDER_NAME = 100


def _clean_folder_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise RuleViolation(msg("A folder needs a name."))
    if len(cleaned) > MAX_FOLDER_NAME:
        raise RuleViolation(
            msg("A folder name has at most %(max)s characters.", max=MAX_FOLDER_NAME)
        )
    return cleaned


class FoldersMixin(SpaceBase):
    """Image folders: list, create, rename, delete."""

    async def list_folders(self, actor: Actor) -> list[FolderView]:
        """The account's image folders, parents before children, with their image counts.

        Raises:
            PermissionDenied: no read access to images.
        """
        self._can_read(actor)
        counts = (
            select(Image.category_id, func.count().label("images"))
            .where(col(Image.account_id) == actor.account_id)
            .group_by(col(Image.category_id))
            .subquery()
        )
        statement = (
            select(Category, func.coalesce(counts.c.images, 0))
            .outerjoin(counts, counts.c.category_id == col(Category.id))
            .where(col(Category.account_id) == actor.account_id)
            .where(col(Category.kind) == CategoryKind.IMAGE)
            .order_by(col(Category.path), col(Category.position), col(Category.name))
        )
        async with self.sessions() as session:
            rows = (await session.exec(statement)).all()
        folders = [
            FolderView(
                id=folder.id or 0,
                name=folder.name,
                parent_id=folder.parent_id,
                path=folder.path,
                image_count=int(count),
            )
            for folder, count in rows
        ]
        return _tree_order(folders)

    async def create_folder(
        self, actor: Actor, name: str, *, parent_id: int | None = None
    ) -> FolderView:
        """Create an image folder, at the top or under ``parent_id``.

        Raises:
            RuleViolation: an empty or too long name, or a sibling with the same name.
            NotFound: the parent is not an image folder of the account.
            PermissionDenied: no write access to images.
        """
        self._can_write(actor)
        cleaned = _clean_folder_name(name)
        async with self.sessions() as session:
            path = "/"
            if parent_id is not None:
                await self._check_folder(session, actor, parent_id)
                parent = await session.get(Category, parent_id)
                assert parent is not None
                path = f"{parent.path}{parent_id}/"
            folder = Category(
                account_id=actor.account_id,
                kind=CategoryKind.IMAGE,
                parent_id=parent_id,
                path=path,
                name=cleaned,
            )
            session.add(folder)
            try:
                await session.commit()
            except IntegrityError:
                raise RuleViolation(
                    msg("There is already a folder named %(name)s here.", name=repr(cleaned))
                ) from None
            assert folder.id is not None
            return FolderView(folder.id, folder.name, folder.parent_id, folder.path, 0)

    async def rename_folder(self, actor: Actor, folder_id: int, name: str) -> FolderView:
        """Rename an image folder.

        Raises:
            RuleViolation: an empty or too long name, or a sibling with the same name.
            NotFound: not an image folder of the account.
            PermissionDenied: no write access to images.
        """
        self._can_write(actor)
        cleaned = _clean_folder_name(name)
        async with self.sessions() as session:
            await self._check_folder(session, actor, folder_id)
            folder = await session.get(Category, folder_id)
            assert folder is not None
            folder.name = cleaned
            session.add(folder)
            try:
                await session.commit()
            except IntegrityError:
                raise RuleViolation(
                    msg("There is already a folder named %(name)s here.", name=repr(cleaned))
                ) from None
        for view in await self.list_folders(actor):
            if view.id == folder_id:
                return view
        raise NotFound(msg("not found"))  # pragma: no cover - deleted concurrently

    async def delete_folder(self, actor: Actor, folder_id: int) -> None:
        """Delete an image folder and its sub-folders; their images stay, in no folder.

        Raises:
            NotFound: not an image folder of the account.
            PermissionDenied: no write access to images.
        """
        self._can_write(actor)
        async with self.sessions() as session, session.begin():
            await self._check_folder(session, actor, folder_id)
            folder = await session.get(Category, folder_id)
            assert folder is not None
            await session.delete(folder)


def _tree_order(folders: list[FolderView]) -> list[FolderView]:
    """Depth-first order: each folder followed by its sub-folders, siblings by name."""
    children: dict[int | None, list[FolderView]] = {}
    for folder in folders:
        children.setdefault(folder.parent_id, []).append(folder)
    ordered: list[FolderView] = []

    def walk(parent: int | None) -> None:
        for folder in sorted(children.get(parent, []), key=lambda f: f.name.casefold()):
            ordered.append(folder)
            walk(folder.id)

    walk(None)
    return ordered
