"""Batch edit: an operations form, a preview of the first rows, then the job.

``/products/batch-edit`` receives the selection from the list (checked rows or all matching)
and shows the form. "Preview" renders what the first 20 products look like before and after
(the same code the job runs, so preview = result); "Apply" starts ``catalog.batch_edit`` and
returns to the list with its progress.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from pydantic import TypeAdapter, ValidationError

from core.actor import Actor
from core.catalog import batch_edit
from core.catalog.batch_operations import Operation
from core.catalog.categories import category_paths
from core.catalog.expressions import Rounding
from core.catalog.listing_query import Selection, selected_ids
from core.errors import RuleViolation, TradewindError
from core.runtime import Runtime
from web.i18n import gettext, translate_message
from web.layout import Crumb, flash, redirect, render
from web.product_selection import selection_from_form, selection_json
from web.products import selection_payload, start_job

PREVIEW_ROWS = 20
_OPERATIONS = TypeAdapter(list[Operation])


def _text(form: Any, name: str) -> str:
    return str(form.get(name) or "").strip()


def _tags(value: str) -> list[str]:
    return [tag.strip() for tag in value.replace("\uff0c", ",").split(",") if tag.strip()]


def operations_from_form(form: Any) -> list[Operation]:
    """The operations the seller filled in, in a fixed order (empty fields are left out).

    Raises:
        RuleViolation: a value the operation refuses (the message names it).
    """
    raw: list[dict[str, Any]] = []
    if formula := _text(form, "price_formula"):
        raw.append(
            {
                "op": "price_formula",
                "formula": formula,
                "target": _text(form, "price_target") or "price",
                "rounding": _text(form, "rounding") or Rounding.CENTS.value,
                **({"currency": c} if (c := _text(form, "currency").upper()) else {}),
            }
        )
    if tags := _tags(_text(form, "tags")):
        mode = _text(form, "tags_mode") or "add"
        raw.append({"op": f"{mode}_tags", "tags": tags})
    category_ids = [int(v) for v in form.getall("category_ids", []) if str(v).isdigit()]
    if category_ids:
        mode = _text(form, "categories_mode") or "add"
        raw.append({"op": f"{mode}_categories", "category_ids": category_ids})
    if shipping := _text(form, "shipping_price"):
        raw.append({"op": "set_shipping_price", "amount": shipping})
    if inventory := _text(form, "inventory"):
        raw.append({"op": "set_inventory", "quantity": inventory})
    if platform_category := _text(form, "platform_category_id"):
        raw.append({"op": "set_platform_category", "category_id": platform_category})
    if origin := _text(form, "origin_country"):
        raw.append({"op": "set_origin_country", "country": origin})
    if prefix := str(form.get("title_prefix") or ""):
        raw.append({"op": "title_prefix", "text": prefix})
    if suffix := str(form.get("title_suffix") or ""):
        raw.append({"op": "title_suffix", "text": suffix})
    if find := str(form.get("find") or ""):
        fields = [v for v in form.getall("find_fields", []) if v in ("title", "description")]
        raw.append(
            {
                "op": "find_replace",
                "find": find,
                "replace": str(form.get("replace") or ""),
                "fields": fields or ["title"],
                "case_insensitive": form.get("case_insensitive") == "1",
            }
        )
    try:
        return _OPERATIONS.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"][1:2])
        raise RuleViolation(f"{where}: {first['msg']}") from None


def _crumbs(title: str) -> list[Crumb]:
    return [Crumb(gettext("Products"), "/products"), Crumb(title)]


class BatchEditController(Controller):
    """``/products/batch-edit``: form, preview, apply."""

    path = "/products/batch-edit"
    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        runtime: Runtime,
        selection: Selection,
        back: str,
        form: Any = None,
        preview: batch_edit.Preview | None = None,
        error: str | None = None,
    ) -> Template:
        async with runtime.sessions() as session:
            matched = len(await selected_ids(session, actor, selection))
            paths = await category_paths(session, actor.account_id)
        values = {key: form.get(key) for key in form} if form is not None else {}
        context = {
            "selection": selection_json(selection),
            "back": back,
            "matched": matched,
            "categories": paths,
            "values": values,
            "chosen_categories": [
                int(v) for v in (form.getall("category_ids", []) if form is not None else [])
            ],
            "find_fields": list(form.getall("find_fields", [])) if form is not None else ["title"],
            "preview": preview,
            "error": error,
            "roundings": Rounding,
        }
        title = gettext("Batch edit")
        return render(
            request,
            "products/batch_edit.html",
            context,
            title=title,
            crumbs=_crumbs(title),
            partial="products/_batch_preview.html",
        )

    @get("/")
    async def form_page(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        selection: FromQuery[str] = "",
        back: FromQuery[str] = "/products",
    ) -> Template | Redirect:
        """The operations form for the selection."""
        back = back if back.startswith("/products") else "/products"
        try:
            chosen = selection_from_form({"selection": selection})
        except TradewindError as exc:
            flash(request, translate_message(exc), "error")
            return redirect(back)
        return await self._page(request, actor, runtime, chosen, back)

    @post("/")
    async def submit(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> Template | Redirect:
        """Preview (``step=preview``) or apply (``step=apply``) the operations."""
        form = await request.form()
        back = str(form.get("back") or "/products")
        back = back if back.startswith("/products") else "/products"
        try:
            selection = selection_from_form(form)
        except TradewindError as exc:
            flash(request, translate_message(exc), "error")
            return redirect(back)
        try:
            operations = operations_from_form(form)
            if form.get("step") == "apply":
                async with runtime.sessions() as session:
                    await batch_edit.preview(session, actor, selection, operations, limit=0)
                job_id = await start_job(
                    runtime,
                    actor,
                    "catalog.batch_edit",
                    {
                        **selection_payload(selection),
                        "operations": [op.model_dump(mode="json") for op in operations],
                    },
                )
                flash(request, gettext("The batch edit is started; its progress is shown below."))
                return redirect(f"{back}{'&' if '?' in back else '?'}job={job_id}")
            async with runtime.sessions() as session:
                preview = await batch_edit.preview(
                    session, actor, selection, operations, limit=PREVIEW_ROWS
                )
        except TradewindError as exc:
            return await self._page(
                request, actor, runtime, selection, back, form, error=translate_message(exc)
            )
        return await self._page(request, actor, runtime, selection, back, form, preview)
