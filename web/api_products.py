"""The catalog JSON API under ``/api/v1``: every action of the product pages, for scripts.

Request and response bodies are the pydantic schemas of :mod:`core.catalog` (never table
models). Permissions and tenancy come from the core services (another account's id: 404).
Actions that talk to a platform (publish, delist, relist, push updates, batch edit apply,
import) run as jobs: the API answers ``{"job_id": ...}`` at once; follow the job under
``/api/v1/jobs/{job_id}``.
"""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from litestar import Controller, Response, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody, QueryParameter
from pydantic import BaseModel, ConfigDict, Field

from core.actor import Actor
from core.catalog import batch_edit, claiming, importing, products, publishing
from core.catalog.batch_operations import Operation
from core.catalog.exporting import export_products
from core.catalog.import_rows import ImportOptions, ImportReport
from core.catalog.jobs import PUSH_UPDATES_JOB, actor_payload
from core.catalog.listing_query import (
    ProductFilter,
    ProductSummary,
    Selection,
    SortField,
    count_by_state,
    list_products,
    selected_ids,
)
from core.catalog.schemas import (
    ClaimResult,
    DeleteResult,
    EditResult,
    ProductCreate,
    ProductOut,
    ProductPatch,
)
from core.catalog.template import template_csv, template_xlsx
from core.crypto import CredentialCipher
from core.errors import PermanentError
from core.i18n import msg
from core.models import ProductState
from core.runtime import Runtime
from core.stores.connector import StoresConnector

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ProductListOut(BaseModel):
    """One page of products, the cursor of the next page, and the count of every state tab."""

    items: list[ProductSummary]
    next_cursor: str | None
    counts: dict[str, int]


class EditOut(EditResult):
    """The product after an edit, and the push job started when it is on the platform."""

    push_job_id: int | None = None


class JobStarted(BaseModel):
    """A job was queued; follow it under ``/api/v1/jobs/{job_id}``."""

    job_id: int
    product_count: int


class ProblemOut(BaseModel):
    """One problem of a product against its platform's rules."""

    field: str
    code: str
    message: str
    severity: str
    params: dict[str, Any] = Field(default_factory=dict)


class ValidationOut(BaseModel):
    """The problems of a store product, field by field (empty: ready to publish)."""

    product_id: int
    ok: bool
    problems: list[ProblemOut]


class ClaimIn(Selection):
    """Collection-box products (by ids or a filter) and the stores to claim them to."""

    store_ids: list[int] = Field(min_length=1)


class BatchEditIn(BaseModel):
    """A selection and the operations to apply to it."""

    model_config = ConfigDict(extra="forbid")

    selection: Selection
    operations: list[Operation] = Field(min_length=1)


class ExportIn(BaseModel):
    """What to export, and how."""

    model_config = ConfigDict(extra="forbid")

    selection: Selection
    format: Literal["xlsx", "csv"] = "xlsx"
    language: Literal["en", "zh"] = "zh"


@dataclass
class ImportUpload:
    """A spreadsheet upload (CSV or XLSX) and its options."""

    file: UploadFile
    on_existing: Literal["update", "skip"] = "update"
    default_currency: str | None = None


def connector(runtime: Runtime) -> StoresConnector:
    """The stores connector (fresh credentials) of the process."""
    return StoresConnector(
        runtime.sessions,
        runtime.registry.marketplaces,
        runtime.http,
        CredentialCipher.from_settings(runtime.settings),
    )


async def start_job(
    runtime: Runtime, actor: Actor, name: str, payload: dict[str, Any], title: str
) -> int:
    """Queue a catalog job acting as ``actor``."""
    return await runtime.queue.enqueue(
        name,
        {"actor": actor_payload(actor), **payload},
        account_id=actor.account_id,
        user_id=actor.user_id,
        title=title,
    )


async def _batch(
    runtime: Runtime, actor: Actor, name: str, selection: Selection, title: str
) -> JobStarted:
    async with runtime.sessions() as session:
        ids = await selected_ids(session, actor, selection)
    if not ids:
        raise PermanentError(msg("no product matches the selection"), field="selection")
    job_id = await start_job(runtime, actor, name, {"product_ids": ids}, title)
    return JobStarted(job_id=job_id, product_count=len(ids))


def _filter(
    state: ProductState | None,
    platform: str | None,
    store_id: int | None,
    category_id: int | None,
    search: str | None,
    search_in: Literal["all", "title", "sku", "source_url"],
    has_problems: bool | None,
    is_updating: bool | None,
) -> ProductFilter:
    return ProductFilter(
        state=state,
        platform=platform,
        store_id=store_id,
        category_id=category_id,
        search=search,
        search_in=search_in,
        has_problems=has_problems,
        is_updating=is_updating,
    )


class ProductApiController(Controller):
    """``/api/v1/products``: list, read, create, edit, delete, claim, validate, batches."""

    path = "/api/v1/products"
    tags = ["products"]

    @get("/", summary="List products (filters, keyset cursor, counts per state)")
    async def list_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        wanted_state: Annotated[ProductState | None, QueryParameter(name="state")] = None,
        platform: FromQuery[str | None] = None,
        store_id: FromQuery[int | None] = None,
        category_id: FromQuery[int | None] = None,
        search: FromQuery[str | None] = None,
        search_in: FromQuery[Literal["all", "title", "sku", "source_url"]] = "all",
        has_problems: FromQuery[bool | None] = None,
        is_updating: FromQuery[bool | None] = None,
        sort: FromQuery[SortField] = SortField.UPDATED_AT,
        descending: FromQuery[bool] = True,
        cursor: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
    ) -> ProductListOut:
        """Products matching the filters; pass ``next_cursor`` as ``cursor`` for the next page."""
        wanted = _filter(
            wanted_state,
            platform,
            store_id,
            category_id,
            search,
            search_in,
            has_problems,
            is_updating,
        )
        async with runtime.sessions() as session:
            page = await list_products(
                session,
                actor,
                wanted,
                sort=sort,
                descending=descending,
                cursor=cursor,
                limit=max(1, min(limit, 500)),
            )
            counts = await count_by_state(session, actor, wanted)
        return ProductListOut(
            items=page.items,
            next_cursor=page.next_cursor,
            counts={key.value: value for key, value in counts.items()},
        )

    @get("/{product_id:int}", summary="One product")
    async def get_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        product_id: FromPath[int],
    ) -> ProductOut:
        """The product with variants, pictures and categories."""
        async with runtime.sessions() as session:
            return await products.get_product(session, actor, product_id)

    @post("/", summary="Create a product (collection box, or a draft of store_id)")
    async def create_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[ProductCreate],
    ) -> ProductOut:
        """Without ``store_id`` it lands in the collection box; with one, a draft of that store."""
        async with runtime.sessions() as session, session.begin():
            return await products.create_product(session, actor, data)

    @patch("/{product_id:int}", summary="Edit a product (its store never changes: 409)")
    async def patch_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        product_id: FromPath[int],
        data: JSONBody[ProductPatch],
    ) -> EditOut:
        """Edit; a listing on the platform gets its change pushed by a job (``push_job_id``)."""
        async with runtime.sessions() as session, session.begin():
            result = await products.update_product(session, actor, product_id, data)
        job_id = None
        if result.push is not None:
            job_id = await start_job(
                runtime, actor, PUSH_UPDATES_JOB, result.push.payload(), "Push edited listings"
            )
        return EditOut(product=result.product, push=result.push, push_job_id=job_id)

    @delete("/{product_id:int}", summary="Delete a product (published: delist instead)")
    async def delete_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        product_id: FromPath[int],
    ) -> None:
        """Delete permanently; a product on the platform is refused (409, delist instead)."""
        async with runtime.sessions() as session, session.begin():
            await products.delete_product(session, actor, product_id)

    @post("/delete", summary="Delete many products", status_code=200)
    async def delete_many_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[Selection],
    ) -> DeleteResult:
        """Delete the deletable ones; ``refused`` says why not the others."""
        async with runtime.sessions() as session, session.begin():
            ids = await selected_ids(session, actor, data)
            return await products.delete_products(session, actor, ids)

    @post("/claim", summary="Claim collection-box products to stores", status_code=200)
    async def claim_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[ClaimIn],
    ) -> ClaimResult:
        """One draft per product and store; refused pairs say why."""
        selection = Selection(
            product_ids=data.product_ids, filter=data.filter, all_matching=data.all_matching
        )
        async with runtime.sessions() as session, session.begin():
            ids = await selected_ids(session, actor, selection)
            return await claiming.claim_products(session, actor, ids, data.store_ids)

    @post("/{product_id:int}/validate", summary="Check against the platform", status_code=200)
    async def validate_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        product_id: FromPath[int],
    ) -> ValidationOut:
        """The problems field by field; they are kept on the product too."""
        async with runtime.sessions() as session, session.begin():
            found = await publishing.validate_product(
                session, actor, connector(runtime), product_id
            )
        problems = [
            ProblemOut(
                field=p.field,
                code=p.code,
                message=p.message,
                severity=p.severity.value,
                params=dict(p.params),
            )
            for p in found
        ]
        ok = not any(p.severity == "error" for p in problems)
        return ValidationOut(product_id=product_id, ok=ok, problems=problems)

    @post("/publish", summary="Publish products (job)", status_code=202)
    async def publish_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[Selection],
    ) -> JobStarted:
        """Queue ``catalog.publish`` for the selection."""
        return await _batch(runtime, actor, "catalog.publish", data, "Publish products")

    @post("/delist", summary="Delist products (job)", status_code=202)
    async def delist_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[Selection],
    ) -> JobStarted:
        """Queue ``catalog.delist`` for the selection."""
        return await _batch(runtime, actor, "catalog.delist", data, "Delist products")

    @post("/relist", summary="Relist products (job)", status_code=202)
    async def relist_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[Selection],
    ) -> JobStarted:
        """Queue ``catalog.relist`` for the selection."""
        return await _batch(runtime, actor, "catalog.relist", data, "Relist products")

    @post("/push-updates", summary="Push edits of listings (job)", status_code=202)
    async def push_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[Selection],
    ) -> JobStarted:
        """Queue ``catalog.push_updates`` for the selection."""
        return await _batch(runtime, actor, PUSH_UPDATES_JOB, data, "Push edited listings")

    @post("/batch-edit/preview", summary="Preview a batch edit", status_code=200)
    async def batch_preview_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[BatchEditIn],
    ) -> batch_edit.Preview:
        """The first products before and after; nothing is written."""
        async with runtime.sessions() as session:
            return await batch_edit.preview(session, actor, data.selection, data.operations)

    @post("/batch-edit", summary="Apply a batch edit (job)", status_code=202)
    async def batch_apply_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[BatchEditIn],
    ) -> JobStarted:
        """Queue ``catalog.batch_edit``; edited listings get a push job of their own."""
        async with runtime.sessions() as session:
            ids = await selected_ids(session, actor, data.selection)
        if not ids:
            raise PermanentError(msg("no product matches the selection"), field="selection")
        operations = [op.model_dump(mode="json") for op in data.operations]
        payload = {"product_ids": ids, "operations": operations}
        job_id = await start_job(runtime, actor, "catalog.batch_edit", payload, "Batch edit")
        return JobStarted(job_id=job_id, product_count=len(ids))

    @post("/import/dry-run", summary="Check a spreadsheet (nothing is written)", status_code=200)
    async def import_dry_run_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: MultipartBody[ImportUpload],
    ) -> ImportReport:
        """What an import of this file would do, problem by problem."""
        path = await _save_upload(runtime, data.file)
        try:
            return await importing.dry_run(
                runtime.sessions, actor, path, data.file.filename, _options(data)
            )
        finally:
            path.unlink(missing_ok=True)

    @post("/import", summary="Import a spreadsheet (job)", status_code=202)
    async def import_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: MultipartBody[ImportUpload],
    ) -> JobStarted:
        """Queue ``catalog.import`` for the uploaded file (kept in the data folder)."""
        path = await _save_upload(runtime, data.file)
        payload = {
            "path": str(path),
            "file_name": data.file.filename,
            "options": _options(data).model_dump(mode="json"),
        }
        job_id = await start_job(runtime, actor, "catalog.import", payload, "Import products")
        return JobStarted(job_id=job_id, product_count=0)

    @post("/export", summary="Export products (file download)", status_code=200)
    async def export_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[ExportIn],
    ) -> Response[bytes]:
        """The selected products in the import template (XLSX or CSV)."""
        with tempfile.TemporaryFile() as stream:
            async with runtime.sessions() as session:
                await export_products(
                    session,
                    actor,
                    data.selection,
                    stream,
                    file_format=data.format,
                    language=data.language,
                )
            stream.seek(0)
            content = stream.read()
        return _download(content, f"products.{data.format}", data.format)

    @get("/template", summary="The import template (CSV or XLSX, zh or en headers)")
    async def template_api(
        self,
        format: FromQuery[Literal["xlsx", "csv"]] = "xlsx",
        language: FromQuery[Literal["en", "zh"]] = "zh",
    ) -> Response[bytes]:
        """An empty template with example rows."""
        content = template_csv(language) if format == "csv" else template_xlsx(language)
        return _download(content, f"tradewind-products-{language}.{format}", format)


def _options(data: ImportUpload) -> ImportOptions:
    return ImportOptions(on_existing=data.on_existing, default_currency=data.default_currency)


async def _save_upload(runtime: Runtime, upload: UploadFile) -> Path:
    folder = runtime.settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(upload.filename or "upload.csv").suffix.lower()[:8]
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    path.write_bytes(await upload.read())
    return path


def _download(content: bytes, file_name: str, file_format: str) -> Response[bytes]:
    media_type = "text/csv; charset=utf-8" if file_format == "csv" else XLSX_TYPE
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
    )
