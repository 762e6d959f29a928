"""The image-space service (DESIGN.md §2 rules 16-19), one object for pages, API, CLI and jobs.

Build one per process (or per job) with :meth:`ImageSpace.from_runtime` or
:meth:`ImageSpace.for_job`; every method takes the :class:`~core.actor.Actor` it acts for.

- Getting images in (:mod:`core.images.ingest`): ``upload``, ``upload_many``, ``import_zip``,
  ``fetch_url``, ``fetch_urls``, ``pad_to_square``.
- Products' external images (:mod:`core.images.capture`): ``capture_product_images``.
- Looking and organising (:mod:`core.images.library`, :mod:`core.images.folders`): ``get``,
  ``search``, ``usage``, ``rename``, ``move``, ``recount_usage``, ``list_folders``,
  ``create_folder``, ``rename_folder``, ``delete_folder``.
- Deleting (:mod:`core.images.cleanup`): ``delete_preview``, ``delete``, ``free_space``.
- As jobs (:mod:`core.images.batches`): ``start_upload_batch``, ``start_zip_import``,
  ``start_url_fetch``, ``start_capture``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.images.backends import storage_for
from core.images.batches import BatchJobsMixin
from core.images.cleanup import CleanupMixin
from core.images.folders import FoldersMixin
from core.images.library import LibraryMixin

if TYPE_CHECKING:
    from core.interfaces.jobs import JobContext
    from core.runtime import Runtime


class ImageSpace(BatchJobsMixin, CleanupMixin, FoldersMixin, LibraryMixin):
    """An account's image space: uploads, URL capture, quota, folders, delete rules.

    Args:
        sessions: the database session factory.
        settings: the deployment settings (limits, public base URL, fetch allow-list).
        storage: the storage backend that keeps the files.
        fetcher: the safe URL fetcher; default: one with ``settings.fetch_allowed_networks``.
    """

    @classmethod
    def from_runtime(cls, runtime: Runtime) -> ImageSpace:
        """The image space of a running process (web app, CLI).

        Raises:
            ConfigError: the ``image_storage`` backend is not registered.
        """
        return cls(
            runtime.sessions,
            runtime.settings,
            storage_for(runtime.settings, runtime.registry),
        )

    @classmethod
    def for_job(cls, ctx: JobContext) -> ImageSpace:
        """The image space for a job attempt.

        Raises:
            ConfigError: the ``image_storage`` backend is not registered.
        """
        return cls(ctx.sessions, ctx.settings, storage_for(ctx.settings, ctx.registry))
