"""Import products from a spreadsheet: template, upload, dry-run report, import job.

``/products/import`` offers the template (Chinese or English headers, XLSX or CSV) and an
upload form. The upload is kept under ``<data_dir>/uploads`` with a name bound to the account
and checked with a dry run: every problem with its row and column, nothing written. "Import
valid rows" starts ``catalog.import`` on the same file and shows its progress.
"""

from __future__ import annotations

import re
import secrets
import time
from contextlib import suppress
from pathlib import Path
from typing import Any, Literal

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Response, Template

from core.actor import Actor
from core.catalog import importing, template
from core.catalog.access import require_write
from core.catalog.import_rows import ImportOptions
from core.errors import TradewindError
from core.runtime import Runtime
from web.i18n import gettext, translate_message
from web.jobs import progress_context
from web.layout import Crumb, flash, redirect, render
from web.products import start_job

MAX_UPLOAD_BYTES = 60 * 1024 * 1024
PROBLEMS_SHOWN = 500
_TOKEN = re.compile(r"^(\d+)-([0-9a-f]{32})\.(csv|xlsx|txt)$")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload_dir(runtime: Runtime) -> Path:
    """Where uploaded spreadsheets wait for their import."""
    folder = runtime.settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_path(runtime: Runtime, actor: Actor, token: str) -> Path | None:
    """The stored upload of ``token`` if it is this account's and still there."""
    match = _TOKEN.match(token)
    if not match or int(match.group(1)) != actor.account_id:
        return None
    path = upload_dir(runtime) / token
    return path if path.is_file() else None


def prune_uploads(runtime: Runtime, max_age_seconds: float = 86400) -> None:
    """Remove uploads older than a day (their import has long run or was abandoned)."""
    limit = time.time() - max_age_seconds
    for path in upload_dir(runtime).iterdir():
        if _TOKEN.match(path.name) and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _crumbs(title: str) -> list[Crumb]:
    return [Crumb(gettext("Products"), "/products"), Crumb(title)]


class ProductImportController(Controller):
    """``/products/import``: template, upload + dry run, import job."""

    path = "/products/import"
    include_in_schema = False

    @get("/")
    async def import_page(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        job: FromQuery[int | None] = None,
    ) -> Template:
        """The template links and the upload form (and an import's progress)."""
        require_write(actor)
        context: dict[str, Any] = {"report": None}
        if job is not None:
            with suppress(TradewindError):  # another account's or an unknown job: no panel
                context.update(await progress_context(runtime, actor, job))
        title = gettext("Import products")
        return render(request, "products/import.html", context, title=title, crumbs=_crumbs(title))

    @get("/template")
    async def template_file(
        self, lang: FromQuery[str] = "zh", fmt: FromQuery[str] = "xlsx"
    ) -> Response[bytes]:
        """The documented template with Chinese (``zh``) or English (``en``) headers."""
        language: Literal["en", "zh"] = "en" if lang == "en" else "zh"
        if fmt == "csv":
            body, media, suffix = template.template_csv(language), "text/csv; charset=utf-8", "csv"
        else:
            body, media, suffix = template.template_xlsx(language), XLSX_TYPE, "xlsx"
        name = f"tradewind-products-template-{language}.{suffix}"
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @post("/", request_max_body_size=MAX_UPLOAD_BYTES)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> Template | Redirect:
        """Store the upload and show the dry-run report; nothing is written yet."""
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            flash(request, gettext("Choose a CSV or XLSX file to upload."), "error")
            return redirect("/products/import")
        suffix = Path(upload.filename).suffix.lower().lstrip(".")
        suffix = suffix if suffix in ("csv", "xlsx", "txt") else "csv"
        prune_uploads(runtime)
        token = f"{actor.account_id}-{secrets.token_hex(16)}.{suffix}"
        path = upload_dir(runtime) / token
        path.write_bytes(await upload.read())
        options = ImportOptions(
            on_existing="skip" if form.get("on_existing") == "skip" else "update"
        )
        try:
            report = await importing.dry_run(
                runtime.sessions, actor, path, upload.filename, options
            )
        except TradewindError as exc:
            path.unlink(missing_ok=True)
            flash(request, translate_message(exc), "error")
            return redirect("/products/import")
        if not report.file_ok or not report.valid_products:
            path.unlink(missing_ok=True)
            token = ""
        context = {
            "report": report,
            "problems": report.problems[:PROBLEMS_SHOWN],
            "token": token,
            "file_name": upload.filename,
            "on_existing": options.on_existing,
        }
        title = gettext("Import products")
        return render(request, "products/import.html", context, title=title, crumbs=_crumbs(title))

    @post("/run")
    async def run(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> Redirect:
        """Import the valid rows of the checked upload (a job)."""
        form = await request.form()
        path = upload_path(runtime, actor, str(form.get("token") or ""))
        if path is None:
            flash(request, gettext("The uploaded file is gone; upload it again."), "error")
            return redirect("/products/import")
        on_existing = "skip" if form.get("on_existing") == "skip" else "update"
        job_id = await start_job(
            runtime,
            actor,
            "catalog.import",
            {
                "path": str(path),
                "file_name": str(form.get("file_name") or path.name),
                "options": {"on_existing": on_existing},
            },
        )
        flash(request, gettext("The import is started; its progress is shown below."))
        return redirect(f"/products/import?job={job_id}")
