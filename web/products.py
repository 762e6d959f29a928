"""The product list: state tabs with counts, filters, keyset pages and batch actions.

``/products`` shows one state tab (or all products) of the account's products, narrowed by
platform, store, search and filters, sorted, 20-200 rows a page with keyset paging. The batch
form posts to ``/products/batch`` with the checked rows or "all N matching": claim, publish,
delist, relist and batch edit start ``catalog.*`` jobs and come back to the list with their
live progress; delete asks for confirmation first (how many, permanently, and which ones
cannot go and why); export answers the spreadsheet.
"""

from __future__ import annotations

import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import File, Redirect, Template
from sqlmodel import col, select

from core.actor import Access, Actor, Area
from core.catalog import exporting, states
from core.catalog.categories import category_paths
from core.catalog.jobs import actor_payload
from core.catalog.listing_query import Selection, count_by_state, list_products, selected_ids
from core.errors import TradewindError
from core.models.catalog import Product, ProductState
from core.runtime import Runtime
from core.stores.service import store_choices
from web.i18n import current_locale, gettext, translate_message
from web.jobs import progress_context
from web.layout import Crumb, flash, redirect, render
from web.product_selection import (
    PAGE_SIZES,
    ListQuery,
    filter_json,
    selection_from_form,
    selection_json,
)
from web.stores import platform_names

STATE_TABS: tuple[ProductState, ...] = (
    ProductState.COLLECTION_BOX,
    ProductState.DRAFT,
    ProductState.PUBLISHING,
    ProductState.PUBLISHED,
    ProductState.PUBLISH_FAILED,
    ProductState.DELISTED,
)
STATE_TONES = {
    "collection_box": "neutral",
    "draft": "info",
    "publishing": "warn",
    "published": "ok",
    "publish_failed": "bad",
    "delisted": "neutral",
}
JOB_ACTIONS = {
    "publish": "catalog.publish",
    "delist": "catalog.delist",
    "relist": "catalog.relist",
}
REFUSALS_SHOWN = 50


def state_labels() -> dict[str, str]:
    """Translated names of the states (tabs and badges)."""
    return {
        "collection_box": gettext("Collection box"),
        "draft": gettext("Drafts"),
        "publishing": gettext("Publishing"),
        "published": gettext("Published"),
        "publish_failed": gettext("Publish failed"),
        "delisted": gettext("Delisted"),
    }


def job_titles() -> dict[str, str]:
    """Translated titles of the batch jobs started from the list."""
    return {
        "catalog.claim": gettext("Claim products to stores"),
        "catalog.publish": gettext("Publish products"),
        "catalog.delist": gettext("Delist products"),
        "catalog.relist": gettext("Relist products"),
        "catalog.delete": gettext("Delete products"),
        "catalog.batch_edit": gettext("Batch edit products"),
        "catalog.import": gettext("Import products"),
    }


async def start_job(runtime: Runtime, actor: Actor, name: str, payload: dict[str, Any]) -> int:
    """Enqueue a catalog job acting as ``actor``; return its record id."""
    return await runtime.queue.enqueue(
        name,
        {"actor": actor_payload(actor), **payload},
        account_id=actor.account_id,
        user_id=actor.user_id,
        title=job_titles().get(name, ""),
    )


def selection_payload(selection: Selection) -> dict[str, Any]:
    """A job payload's product part: ``product_ids`` or the ``selection``."""
    if selection.product_ids is not None:
        return {"product_ids": selection.product_ids}
    return {"selection": selection.model_dump(mode="json", exclude_none=True)}


def _crumbs(*extra: Crumb) -> list[Crumb]:
    return [Crumb(gettext("Products"), "/products"), *extra]


class ProductListController(Controller):
    """``/products``: the list and its batch actions."""

    path = "/products"
    include_in_schema = False

    @get("/")
    async def products_page(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        job: FromQuery[int | None] = None,
    ) -> Template:
        """One tab of the product list, filtered, sorted and paged."""
        query = ListQuery.parse(request.query_params)
        wanted = query.product_filter()
        async with runtime.sessions() as session:
            counts = await count_by_state(session, actor, wanted)
            page = await list_products(
                session,
                actor,
                wanted,
                sort=query.sort,
                descending=query.descending,
                cursor=query.cursor,
                limit=query.limit,
            )
            paths = await category_paths(session, actor.account_id)
            stores = await store_choices(session, actor)
        matching = counts[query.state] if query.state else sum(counts.values())
        context: dict[str, Any] = {
            "query": query,
            "page": page,
            "counts": counts,
            "total": sum(counts.values()),
            "matching": matching,
            "tabs": STATE_TABS,
            "labels": state_labels(),
            "tones": STATE_TONES,
            "stores": stores,
            "store_names": {store.id: store.name for store in stores},
            "platforms": platform_names(runtime),
            "categories": paths,
            "filter_json": filter_json(wanted),
            "page_sizes": PAGE_SIZES,
            "can_write": actor.level(Area.PRODUCTS) >= Access.WRITE,
        }
        if job is not None:
            with suppress(TradewindError):  # another account's or an unknown job: no panel
                context.update(await progress_context(runtime, actor, job))
        title = state_labels()[query.state.value] if query.state else gettext("Products")
        return render(request, "products/list.html", context, title=title, crumbs=_crumbs())

    @post("/batch")
    async def batch(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> Template | Redirect | File:
        """Run the batch action the list form asked for on the selected products."""
        form = await request.form()
        action = str(form.get("action") or "")
        back = str(form.get("back") or "/products")
        back = back if back.startswith("/products") else "/products"
        try:
            selection = selection_from_form(form)
            if action == "claim":
                store_ids = [int(v) for v in form.getall("store_ids", []) if str(v).isdigit()]
                if not store_ids:
                    flash(
                        request, gettext("Choose the store(s) to claim the products to."), "error"
                    )
                    return redirect(back)
                job_id = await start_job(
                    runtime,
                    actor,
                    "catalog.claim",
                    {**selection_payload(selection), "store_ids": store_ids},
                )
            elif action in JOB_ACTIONS:
                job_id = await start_job(
                    runtime, actor, JOB_ACTIONS[action], selection_payload(selection)
                )
            elif action == "delete":
                return await self._confirm_delete(request, actor, runtime, selection, back)
            elif action == "edit":
                target = "/products/batch-edit?selection=" + selection_json(selection)
                return Redirect(_quoted(target, back), status_code=303)
            elif action in ("export_xlsx", "export_csv"):
                return await _export(actor, runtime, selection, action.removeprefix("export_"))
            else:
                flash(request, gettext("Choose an action."), "error")
                return redirect(back)
        except TradewindError as exc:
            flash(request, translate_message(exc), "error")
            return redirect(back)
        flash(request, gettext("The batch is started; its progress is shown below."), "info")
        return redirect(_with_job(back, job_id))

    async def _confirm_delete(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        runtime: Runtime,
        selection: Selection,
        back: str,
    ) -> Template:
        async with runtime.sessions() as session:
            ids = await selected_ids(session, actor, selection)
            rows = (
                await session.exec(
                    select(Product.id, Product.title, Product.state).where(
                        col(Product.id).in_(ids) if len(ids) <= 5000 else col(Product.id) > 0,
                        col(Product.account_id) == actor.account_id,
                    )
                )
            ).all()
        wanted = set(ids)
        refused = []
        deletable = 0
        for product_id, title, state in rows:
            if product_id not in wanted:
                continue
            reason = states.deletion_refusal(ProductState(state))
            if reason:
                refused.append({"id": product_id, "title": title, "reason": reason})
            else:
                deletable += 1
        context = {
            "selection": selection_json(selection),
            "requested": len(ids),
            "deletable": deletable,
            "refused": refused[:REFUSALS_SHOWN],
            "refused_count": len(refused),
            "back": back,
        }
        title = gettext("Delete products")
        return render(
            request, "products/delete.html", context, title=title, crumbs=_crumbs(Crumb(title))
        )

    @post("/batch/delete")
    async def delete(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> Redirect:
        """Delete the confirmed selection (a job; refused products are reported per row)."""
        form = await request.form()
        back = str(form.get("back") or "/products")
        back = back if back.startswith("/products") else "/products"
        try:
            selection = selection_from_form(form)
            job_id = await start_job(runtime, actor, "catalog.delete", selection_payload(selection))
        except TradewindError as exc:
            flash(request, translate_message(exc), "error")
            return redirect(back)
        flash(
            request, gettext("Deleting; products that cannot be deleted are listed below."), "info"
        )
        return redirect(_with_job(back, job_id))


def _with_job(url: str, job_id: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}job={job_id}"


def _quoted(target: str, back: str) -> str:
    path, _, value = target.partition("?selection=")
    return f"{path}?selection={quote(value)}&back={quote(back)}"


async def _export(actor: Actor, runtime: Runtime, selection: Selection, file_format: str) -> File:
    """Write the selection into a spreadsheet and answer it as a download (then remove it)."""
    language: Literal["en", "zh"] = "zh" if current_locale().startswith("zh") else "en"
    suffix = ".xlsx" if file_format == "xlsx" else ".csv"
    with tempfile.NamedTemporaryFile(
        prefix="tradewind-export-", suffix=suffix, delete=False
    ) as out:
        path = Path(out.name)
    async with runtime.sessions() as session:
        await exporting.export_products(
            session,
            actor,
            selection,
            path,
            file_format="xlsx" if file_format == "xlsx" else "csv",
            language=language,
        )
    media = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if file_format == "xlsx"
        else "text/csv; charset=utf-8"
    )
    return File(
        path=path,
        filename=f"products{suffix}",
        media_type=media,
        background=BackgroundTask(path.unlink, missing_ok=True),
    )
