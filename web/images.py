"""The image space pages: usage, upload, fetch by URL, the grid, one image, free space.

Pages under ``/images``; the JSON twins are in :mod:`web.api_images`. Files chosen in the
picker or dropped on the page are uploaded in the request (each is stored or refused on its
own, and the page says which); a ZIP archive and a list of URLs become a job whose progress
the page shows (``/images?job=<id>``).
"""

from __future__ import annotations

import contextlib
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.actor import Access, Actor, Area
from core.errors import NotFound, TradewindError
from core.images.batches import MAX_ZIP_UPLOAD_BYTES
from core.images.ingest import UploadSource, parse_url_list
from core.images.inspect import human_size
from core.images.service import ImageSpace
from core.images.views import BatchResult
from core.runtime import Runtime
from web.i18n import gettext, translate_message
from web.jobs import progress_context
from web.layout import Crumb, flash, redirect, render

PER_PAGE = 48
MAX_UPLOAD_REQUEST_BYTES = MAX_ZIP_UPLOAD_BYTES + 1024 * 1024
"""Largest upload request body (a ZIP of up to 1 GiB, or many files)."""
SORTS = ("newest", "oldest", "name", "largest")
INLINE_UPLOAD_MAX = 20
"""Up to this many files are uploaded in the request; more become a job with progress."""


def image_space(runtime: Runtime) -> ImageSpace:
    """The image space of this process's runtime."""
    return ImageSpace.from_runtime(runtime)


def optional_id(value: object) -> int | None:
    """A form or query id: an int, or None when empty or not a number."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def id_list(values: list[Any]) -> list[int]:
    """The numeric ids of a multi-valued form field."""
    return [int(v) for v in (str(value).strip() for value in values) if v.isdigit()]


def uploaded_files(form: Any, field: str = "files") -> list[tuple[str, UploadSource]]:
    """The non-empty files of a multipart form field, as (name, reader) pairs."""
    return [
        (item.filename or "image", item)
        for item in form.getall(field, [])
        if isinstance(item, UploadFile) and item.filename
    ]


def report_batch(request: Request[Any, Any, Any], result: BatchResult) -> None:
    """Flash what became of an upload: counts, then each refused file with its reason."""
    flash(
        request,
        gettext(
            "%(stored)s stored, %(duplicates)s already in the image space, %(refused)s refused."
        )
        % {"stored": result.stored, "duplicates": result.duplicates, "refused": result.refused},
        "warning" if result.refused else "success",
    )
    for item in result.items:
        if item.status == "refused":
            flash(
                request,
                gettext("%(name)s was refused: %(reason)s")
                % {"name": item.name, "reason": translate_message(item.message or "")},
                "error",
            )


def _crumbs(*extra: Crumb) -> list[Crumb]:
    return [Crumb(gettext("Image space"), "/images"), *extra]


class ImagePagesController(Controller):
    """``/images``: the image space, one image, free space, delete with confirmation."""

    path = "/images"
    include_in_schema = False

    @get("/")
    async def images_page(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        q: FromQuery[str] = "",
        folder: FromQuery[str] = "",
        small: FromQuery[bool] = False,
        sort: FromQuery[str] = "newest",
        page: FromQuery[int] = 1,
        job: FromQuery[int | None] = None,
    ) -> Template:
        """Usage bar, upload and fetch forms, the filtered grid a page at a time."""
        space = image_space(runtime)
        folders = await space.list_folders(actor)
        unfiled = folder == "none"
        folder_id = optional_id(folder)
        if folder_id is not None and all(f.id != folder_id for f in folders):
            folder_id = None
        order = sort if sort in SORTS else "newest"
        result = await space.search(
            actor,
            query=q,
            folder_id=folder_id,
            include_subfolders=True,
            unfiled=unfiled,
            small_only=small,
            sort=order,  # type: ignore[arg-type]
            page=page,
            per_page=PER_PAGE,
        )
        context: dict[str, Any] = {
            "usage": await space.usage(actor),
            "folders": folders,
            "result": result,
            "filters": {"q": q, "folder": folder, "small": small, "sort": order},
            "sorts": SORTS,
            "can_write": actor.level(Area.IMAGES) >= Access.WRITE,
            "max_file": human_size(runtime.settings.image_max_bytes),
        }
        if job is not None:
            with contextlib.suppress(NotFound):
                context.update(await progress_context(runtime, actor, job))
        return render(request, "images/page.html", context, title=gettext("Image space"))

    @post("/upload", request_max_body_size=MAX_UPLOAD_REQUEST_BYTES)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> Redirect:
        """Upload the chosen (or dropped) files.

        Up to ``INLINE_UPLOAD_MAX`` pictures are stored in the request and each outcome is
        flashed; more become an upload job, and a ZIP among them an import job, whose
        progress the page shows.
        """
        form = await request.form()
        folder_id = optional_id(form.get("folder_id"))
        files = uploaded_files(form)
        space = image_space(runtime)
        archives = [f for f in files if f[0].lower().endswith(".zip")]
        images = [f for f in files if not f[0].lower().endswith(".zip")]
        if not files:
            flash(request, gettext("Choose or drop at least one file."), "error")
            return redirect("/images")
        job_id: int | None = None
        try:
            if len(images) > INLINE_UPLOAD_MAX:
                job_id = await space.start_upload_batch(
                    actor, runtime.queue, images, folder_id=folder_id
                )
            elif images:
                report_batch(request, await space.upload_many(actor, images, folder_id=folder_id))
            for name, source in archives:
                job_id = await space.start_zip_import(
                    actor, runtime.queue, source, archive_name=name, folder_id=folder_id
                )
                flash(request, gettext("Importing %(name)s.") % {"name": name}, "info")
        except TradewindError as exc:
            flash(request, translate_message(exc), "error")
        return redirect(f"/images?job={job_id}" if job_id else "/images")

    @post("/fetch")
    async def fetch(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> Redirect:
        """Fetch the pasted URLs (one per line) into the image space, as a job."""
        form = await request.form()
        urls = parse_url_list(str(form.get("urls") or ""))
        if not urls:
            flash(request, gettext("Paste at least one image URL, one per line."), "error")
            return redirect("/images")
        try:
            job_id = await image_space(runtime).start_url_fetch(
                actor, runtime.queue, urls, folder_id=optional_id(form.get("folder_id"))
            )
        except TradewindError as exc:
            flash(request, translate_message(exc), "error")
            return redirect("/images")
        return redirect(f"/images?job={job_id}")

    @get("/free-space")
    async def free_space_page(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> Template:
        """What can go to make room: used only by published products first, then unused."""
        view = await image_space(runtime).free_space(actor, limit=200)
        title = gettext("Free space")
        context = {"view": view, "can_write": actor.level(Area.IMAGES) >= Access.WRITE}
        return render(
            request, "images/free_space.html", context, title=title, crumbs=_crumbs(Crumb(title))
        )

    @get("/{image_id:int}")
    async def image_page(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        image_id: FromPath[int],
    ) -> Template:
        """One image: public URL, size, format, the products that use it, actions."""
        space = image_space(runtime)
        image = await space.get(actor, image_id)
        context = {
            "image": image,
            "uses": await space.delete_preview(actor, [image_id]),
            "can_write": actor.level(Area.IMAGES) >= Access.WRITE,
        }
        return render(
            request,
            "images/detail.html",
            context,
            title=image.name,
            crumbs=_crumbs(Crumb(image.name)),
        )

    @post("/{image_id:int}/pad")
    async def pad(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        image_id: FromPath[int],
    ) -> Redirect:
        """Make a new 800x800 (or larger) square copy; the original stays."""
        try:
            outcome = await image_space(runtime).pad_to_square(actor, image_id)
        except NotFound:
            raise
        except TradewindError as exc:
            flash(request, translate_message(exc), "error")
            return redirect(f"/images/{image_id}")
        assert outcome.image is not None
        flash(request, gettext("A square copy was made: %(name)s") % {"name": outcome.image.name})
        return redirect(f"/images/{outcome.image.id}")

    @get("/{image_id:int}/delete")
    async def delete_page(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        image_id: FromPath[int],
    ) -> Template:
        """Confirm deleting one image, naming the unpublished products that lose it."""
        return await self._confirm(request, actor, runtime, [image_id])

    @post("/delete")
    async def delete(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> Template | Redirect:
        """Without ``confirmed``: the preview to confirm. With it: delete."""
        form = await request.form()
        image_ids = id_list(form.getall("image_ids", []))
        if not image_ids:
            flash(request, gettext("Choose at least one image."), "error")
            return redirect(str(form.get("back") or "/images"))
        if not form.get("confirmed"):
            return await self._confirm(request, actor, runtime, image_ids)
        try:
            result = await image_space(runtime).delete(
                actor,
                image_ids,
                confirm_product_ids=id_list(form.getall("confirm_product_ids", [])),
            )
        except NotFound:
            raise
        except TradewindError as exc:
            flash(request, translate_message(exc), "error")
            return await self._confirm(request, actor, runtime, image_ids)
        flash(
            request,
            gettext("%(count)s images deleted, %(size)s freed.")
            % {"count": len(result.deleted_image_ids), "size": human_size(result.freed_bytes)},
        )
        return redirect("/images")

    async def _confirm(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        runtime: Runtime,
        image_ids: list[int],
    ) -> Template:
        preview = await image_space(runtime).delete_preview(actor, image_ids)
        title = gettext("Delete images")
        return render(
            request,
            "images/delete.html",
            {"preview": preview, "freed": human_size(preview.freed_bytes)},
            title=title,
            crumbs=_crumbs(Crumb(title)),
        )
