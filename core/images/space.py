"""What every part of the image-space service shares: its dependencies and account scoping.

:class:`core.images.service.ImageSpace` is assembled from the mixins of ``ingest``,
``library``, ``folders``, ``cleanup``, ``capture`` and ``batches``, all built on
:class:`SpaceBase`. Every public method takes an :class:`~core.actor.Actor`, checks its
permission in :attr:`~core.actor.Area.IMAGES`, and reads or writes only rows of
``actor.account_id``: another account's id answers :class:`~core.errors.NotFound`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Access, Actor, Area
from core.config import Settings
from core.errors import NotFound
from core.i18n import msg
from core.images.inspect import ImageLimits
from core.images.store import read_usage
from core.images.views import ImageView, ItemOutcome, UsageView, image_view
from core.images.zipimport import ZipLimits
from core.interfaces.storage import StorageBackend
from core.models import Category, CategoryKind, Image
from core.net.safe_fetch import SafeFetcher


class BatchProgress:
    """Where a batch reports its items; the default reports nowhere and skips nothing.

    Jobs pass one that writes the job record (see :mod:`core.images.jobs`), so the same
    code runs a batch inline or as a resumable job.

    Attributes:
        finished: keys of items a previous attempt already finished; they are skipped.
    """

    finished: frozenset[str] = frozenset()

    async def total(self, count: int) -> None:
        """The batch has ``count`` items (when known before it starts)."""

    async def record(self, key: str, label: str, outcome: ItemOutcome) -> None:
        """Item ``key`` (shown as ``label``) ended with ``outcome``."""

    async def stop_requested(self) -> bool:
        """Whether the batch should stop before its next item (a cancelled job)."""
        return False


class SpaceBase:
    """The image space's dependencies and the helpers its parts share.

    Args:
        sessions: the database session factory.
        settings: the deployment settings (limits, public base URL, fetch allow-list).
        storage: the storage backend that keeps the files.
        fetcher: the safe URL fetcher; default: one with ``settings.fetch_allowed_networks``.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        storage: StorageBackend,
        *,
        fetcher: SafeFetcher | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.storage = storage
        self.fetcher = fetcher or SafeFetcher(allowed_networks=settings.fetch_allowed_networks)
        self.limits = ImageLimits(max_bytes=settings.image_max_bytes)
        self.zip_limits = ZipLimits(max_member_bytes=settings.image_max_bytes)
        self.base_url = settings.effective_public_base_url

    def view(self, image: Image) -> ImageView:
        """The :class:`ImageView` of a row, with its public URLs."""
        return image_view(image, self.base_url)

    @staticmethod
    def _can_read(actor: Actor) -> None:
        actor.require(Area.IMAGES, Access.READ)

    @staticmethod
    def _can_write(actor: Actor) -> None:
        actor.require(Area.IMAGES, Access.WRITE)

    async def _image(self, session: AsyncSession, actor: Actor, image_id: int) -> Image:
        """The account's image ``image_id``; NotFound for a missing one or another account's."""
        image = (
            await session.exec(
                select(Image)
                .where(col(Image.id) == image_id)
                .where(col(Image.account_id) == actor.account_id)
            )
        ).first()
        if image is None:
            raise NotFound(msg("not found"))
        return image

    async def _images(
        self, session: AsyncSession, actor: Actor, image_ids: Iterable[int]
    ) -> list[Image]:
        """The account's images, in the order asked; NotFound when any is not the account's."""
        wanted = list(dict.fromkeys(image_ids))
        if not wanted:
            return []
        rows = (
            await session.exec(
                select(Image)
                .where(col(Image.id).in_(wanted))
                .where(col(Image.account_id) == actor.account_id)
            )
        ).all()
        by_id = {row.id: row for row in rows}
        if len(by_id) != len(wanted):
            raise NotFound(msg("not found"))
        return [by_id[image_id] for image_id in wanted]

    async def _check_folder(
        self, session: AsyncSession, actor: Actor, folder_id: int | None
    ) -> None:
        """NotFound unless ``folder_id`` is None or an image folder of the account."""
        if folder_id is None:
            return
        found = (
            await session.exec(
                select(Category.id)
                .where(col(Category.id) == folder_id)
                .where(col(Category.account_id) == actor.account_id)
                .where(col(Category.kind) == CategoryKind.IMAGE)
            )
        ).first()
        if found is None:
            raise NotFound(msg("not found"))

    async def _usage(self, session: AsyncSession, account_id: int) -> UsageView:
        usage = await read_usage(session, account_id)
        count = (
            await session.exec(
                select(func.count()).select_from(Image).where(col(Image.account_id) == account_id)
            )
        ).one()
        return UsageView.of(usage, int(count))

    async def usage(self, actor: Actor) -> UsageView:
        """How full the account's image space is (used, quota, percent, image count).

        Raises:
            PermissionDenied: no read access to images.
        """
        self._can_read(actor)
        async with self.sessions() as session:
            return await self._usage(session, actor.account_id)
