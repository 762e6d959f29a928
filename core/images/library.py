"""Looking through the image space: one image, search with pagination, rename, move."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from sqlalchemy import ColumnElement, UnaryExpression, func, or_, update
from sqlmodel import col, select

from core.actor import Actor
from core.images.space import SpaceBase
from core.images.store import recount_usage
from core.images.views import ImagePage, ImageView, UsageView
from core.models import Category, Image

SortOrder = Literal["newest", "oldest", "name", "largest"]

MAX_PER_PAGE = 200


def like_pattern(text: str) -> str:
    """A ``LIKE`` pattern that finds ``text`` anywhere; its wildcards and backslash are literal."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class LibraryMixin(SpaceBase):
    """Reading and organising the images of an account."""

    async def get(self, actor: Actor, image_id: int) -> ImageView:
        """One image of the account.

        Raises:
            NotFound: no such image in the account.
            PermissionDenied: no read access to images.
        """
        self._can_read(actor)
        async with self.sessions() as session:
            return self.view(await self._image(session, actor, image_id))

    async def search(
        self,
        actor: Actor,
        *,
        query: str = "",
        folder_id: int | None = None,
        include_subfolders: bool = False,
        unfiled: bool = False,
        small_only: bool = False,
        sort: SortOrder = "newest",
        page: int = 1,
        per_page: int = 50,
    ) -> ImagePage:
        """A page of the account's images.

        Args:
            actor: who looks (needs read access to images).
            query: text found anywhere in the name, case-insensitively ('' for all).
            folder_id: only images in this folder.
            include_subfolders: with ``folder_id``, also the images of its sub-folders.
            unfiled: only images in no folder (``folder_id`` is then ignored).
            small_only: only images under 800x800 (the ones with the warning).
            sort: ``newest`` (default), ``oldest``, ``name`` or ``largest``.
            page: page number, from 1.
            per_page: page size (1-200).

        Raises:
            NotFound: the folder is not the account's.
            PermissionDenied: no read access to images.
        """
        self._can_read(actor)
        page = max(1, page)
        per_page = min(max(1, per_page), MAX_PER_PAGE)
        async with self.sessions() as session:
            conditions: list[ColumnElement[bool]] = [col(Image.account_id) == actor.account_id]
            if query.strip():
                conditions.append(col(Image.name).ilike(like_pattern(query.strip()), escape="\\"))
            if unfiled:
                conditions.append(col(Image.category_id).is_(None))
            elif folder_id is not None:
                await self._check_folder(session, actor, folder_id)
                conditions.append(await self._folder_condition(folder_id, include_subfolders))
            if small_only:
                conditions.append(col(Image.is_small).is_(True))
            total = (
                await session.exec(select(func.count()).select_from(Image).where(*conditions))
            ).one()
            statement = (
                select(Image)
                .where(*conditions)
                .order_by(*_ordering(sort))
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
            rows = (await session.exec(statement)).all()
        return ImagePage(
            items=[self.view(row) for row in rows], total=int(total), page=page, per_page=per_page
        )

    async def _folder_condition(
        self, folder_id: int, include_subfolders: bool
    ) -> ColumnElement[bool]:
        if not include_subfolders:
            return col(Image.category_id) == folder_id
        async with self.sessions() as session:
            folder = await session.get(Category, folder_id)
        assert folder is not None
        subtree = select(Category.id).where(
            col(Category.account_id) == folder.account_id,
            col(Category.kind) == folder.kind,
            col(Category.path).like(f"{folder.path}{folder_id}/%"),
        )
        return or_(col(Image.category_id) == folder_id, col(Image.category_id).in_(subtree))

    async def rename(self, actor: Actor, image_id: int, name: str) -> ImageView:
        """Rename an image (the name is for people; URLs do not change).

        Raises:
            NotFound: no such image in the account.
            PermissionDenied: no write access to images.
        """
        from core.images.ingest import clean_name

        self._can_write(actor)
        async with self.sessions() as session, session.begin():
            image = await self._image(session, actor, image_id)
            image.name = clean_name(name, fallback=image.name)
            session.add(image)
            await session.flush()
            return self.view(image)

    async def move(self, actor: Actor, image_ids: Iterable[int], folder_id: int | None) -> int:
        """Put images into a folder (None: into no folder); returns how many.

        Raises:
            NotFound: an image or the folder is not the account's.
            PermissionDenied: no write access to images.
        """
        self._can_write(actor)
        async with self.sessions() as session, session.begin():
            await self._check_folder(session, actor, folder_id)
            images = await self._images(session, actor, image_ids)
            if images:
                await session.exec(
                    update(Image)
                    .where(col(Image.id).in_([image.id for image in images]))
                    .where(col(Image.account_id) == actor.account_id)
                    .values(category_id=folder_id)
                )
            return len(images)

    async def recount_usage(self, actor: Actor) -> UsageView:
        """Recompute the account's usage from its images (a repair; normally a no-op).

        Raises:
            PermissionDenied: no write access to images.
        """
        self._can_write(actor)
        await recount_usage(self.sessions, actor.account_id)
        return await self.usage(actor)


def _ordering(sort: SortOrder) -> tuple[UnaryExpression[Any], ...]:
    if sort == "oldest":
        return (col(Image.created_at).asc(), col(Image.id).asc())
    if sort == "name":
        return (col(Image.name).asc(), col(Image.id).asc())
    if sort == "largest":
        return (col(Image.byte_size).desc(), col(Image.id).desc())
    return (col(Image.created_at).desc(), col(Image.id).desc())
