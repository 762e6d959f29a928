"""The image space's JSON API, ``/api/v1/images``: the twins of the pages in :mod:`web.images`.

Upload is multipart (field ``files``, repeatable; optional ``folder_id``) and answers one
outcome per file: ``stored``, ``duplicate`` or ``refused`` with ``reason`` and ``message``.
A ZIP archive (``POST /zip``, field ``archive``) and a list of URLs (``POST /fetch``) start a
job and answer ``{"job_id": ...}``; follow it at ``/api/v1/jobs/<id>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from core.actor import Actor
from core.errors import PermanentError
from core.i18n import msg
from core.images.ingest import parse_url_list
from core.images.library import SortOrder
from core.images.views import (
    BatchResult,
    DeletePreview,
    DeleteResult,
    FolderView,
    FreeSpaceView,
    ImagePage,
    ImageView,
    ItemOutcome,
    UsageView,
)
from core.runtime import Runtime
from web.images import MAX_UPLOAD_REQUEST_BYTES, image_space, optional_id, uploaded_files


@dataclass(frozen=True)
class JobStarted:
    """A batch started as a job; follow it at ``/api/v1/jobs/<job_id>``."""

    job_id: int


@dataclass(frozen=True)
class FetchIn:
    """URLs to fetch: a list, or a text with one URL per line (or both)."""

    urls: list[str] = field(default_factory=list)
    text: str = ""
    folder_id: int | None = None


@dataclass(frozen=True)
class ImageIdsIn:
    """Images to preview the delete of."""

    image_ids: list[int]


@dataclass(frozen=True)
class CaptureIn:
    """Products whose external pictures should be copied into the image space."""

    product_ids: list[int]


@dataclass(frozen=True)
class FolderIn:
    """A new image folder."""

    name: str
    parent_id: int | None = None


@dataclass(frozen=True)
class DeleteIn:
    """Images to delete, with the unpublished products of the preview that lose them."""

    image_ids: list[int]
    confirm_product_ids: list[int] = field(default_factory=list)


class ImageApiController(Controller):
    """``/api/v1/images``: list, get, usage, upload, ZIP, fetch, pad, delete, free space."""

    path = "/api/v1/images"
    tags = ["images"]

    @get("/", summary="Search the image space, a page at a time")
    async def list_images(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        q: FromQuery[str] = "",
        folder_id: FromQuery[int | None] = None,
        unfiled: FromQuery[bool] = False,
        small_only: FromQuery[bool] = False,
        sort: FromQuery[SortOrder] = "newest",
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = 50,
    ) -> ImagePage:
        """Images by name (anywhere, case-insensitive), folder (with sub-folders), small."""
        return await image_space(runtime).search(
            actor,
            query=q,
            folder_id=folder_id,
            include_subfolders=True,
            unfiled=unfiled,
            small_only=small_only,
            sort=sort,
            page=page,
            per_page=per_page,
        )

    @get("/usage", summary="How full the image space is")
    async def usage(
        self, actor: NamedDependency[Actor], runtime: NamedDependency[Runtime]
    ) -> UsageView:
        """Used, quota, free bytes, percent and image count."""
        return await image_space(runtime).usage(actor)

    @get("/folders", summary="The image folders")
    async def folders(
        self, actor: NamedDependency[Actor], runtime: NamedDependency[Runtime]
    ) -> list[FolderView]:
        """The account's image folders (local categories of kind ``image``)."""
        return await image_space(runtime).list_folders(actor)

    @get("/free-space", summary="What can be deleted to make room")
    async def free_space(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        limit: FromQuery[int] = 50,
    ) -> FreeSpaceView:
        """Images used only by published products (safe to delete) first, then unused ones."""
        return await image_space(runtime).free_space(actor, limit=min(max(limit, 1), 500))

    @get("/{image_id:int}", summary="One image")
    async def get_image(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        image_id: FromPath[int],
    ) -> ImageView:
        """One image with its public URL, size, dimensions and small-image warning."""
        return await image_space(runtime).get(actor, image_id)

    @post(
        "/",
        summary="Upload images (multipart, field 'files')",
        status_code=200,
        request_max_body_size=MAX_UPLOAD_REQUEST_BYTES,
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> BatchResult:
        """Each file is stored, a duplicate, or refused with its reason; the rest are kept."""
        form = await request.form()
        files = uploaded_files(form)
        if not files:
            raise PermanentError(msg("Send at least one file in the field 'files'."), field="files")
        return await image_space(runtime).upload_many(
            actor, files, folder_id=optional_id(form.get("folder_id"))
        )

    @post(
        "/zip",
        summary="Import a ZIP archive (multipart, field 'archive') as a job",
        status_code=202,
        request_max_body_size=MAX_UPLOAD_REQUEST_BYTES,
    )
    async def import_zip(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> JobStarted:
        """Stage the archive and start ``images.import_zip``."""
        form = await request.form()
        archives = uploaded_files(form, "archive")
        if not archives:
            raise PermanentError(msg("Send the archive in the field 'archive'."), field="archive")
        name, source = archives[0]
        job_id = await image_space(runtime).start_zip_import(
            actor,
            runtime.queue,
            source,
            archive_name=name,
            folder_id=optional_id(form.get("folder_id")),
        )
        return JobStarted(job_id)

    @post("/fetch", summary="Fetch images from URLs as a job", status_code=202)
    async def fetch(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[FetchIn],
    ) -> JobStarted:
        """Start ``images.fetch_urls`` for the URLs (a list and/or one per line of ``text``)."""
        urls = [*data.urls, *parse_url_list(data.text)]
        job_id = await image_space(runtime).start_url_fetch(
            actor, runtime.queue, urls, folder_id=data.folder_id
        )
        return JobStarted(job_id)

    @post("/{image_id:int}/pad", summary="Make a padded square copy", status_code=201)
    async def pad(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        image_id: FromPath[int],
    ) -> ItemOutcome:
        """A NEW image: the picture centred on white, at least 800x800; the original stays."""
        return await image_space(runtime).pad_to_square(actor, image_id)

    @post("/delete-preview", summary="What deleting images would do", status_code=200)
    async def delete_preview(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[ImageIdsIn],
    ) -> DeletePreview:
        """The unpublished products that would lose them, published ones kept, blockers."""
        return await image_space(runtime).delete_preview(actor, data.image_ids)

    @post("/delete", summary="Delete images", status_code=200)
    async def delete(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[DeleteIn],
    ) -> DeleteResult:
        """Delete; pass the preview's unpublished product ids in ``confirm_product_ids``."""
        return await image_space(runtime).delete(
            actor, data.image_ids, confirm_product_ids=data.confirm_product_ids
        )

    @post("/capture", summary="Save the external images of products as a job", status_code=202)
    async def capture(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[CaptureIn],
    ) -> JobStarted:
        """Start ``images.capture_product_images``: external URLs become stored images.

        Only products that are not published change; published ones keep what the platform has.
        """
        job_id = await image_space(runtime).start_capture(actor, runtime.queue, data.product_ids)
        return JobStarted(job_id)

    @post("/folders", summary="Create an image folder", status_code=201)
    async def create_folder(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[FolderIn],
    ) -> FolderView:
        """A new folder (a duplicate or empty name is refused with 409)."""
        return await image_space(runtime).create_folder(actor, data.name, parent_id=data.parent_id)
