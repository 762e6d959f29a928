"""The product editor: fields, variants grid, pictures, texts side by side, rules, history.

``/products/<id>`` shows the product; its store is shown read-only (rule 7). For a store
product the marketplace plugin checks it against the platform's rules
(:func:`core.catalog.publishing.validate_product`) and the problems are shown next to their
fields. Saving posts the whole form: product fields through ``update_product``, the variant
grid row by row (new rows are added, missing rows removed); everything in one transaction,
so a refused change leaves the product as it was. An edit of a listing on the platform starts
the push job and the product shows "updating" until it lands.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import ValidationError

from core.actor import Access, Actor, Area
from core.catalog import states, variants
from core.catalog.categories import category_paths
from core.catalog.products import get_product, product_history, update_product
from core.catalog.publishing import RegistryConnector, validate_product
from core.catalog.schemas import (
    EditResult,
    ImageRef,
    ProductOut,
    ProductPatch,
    VariantIn,
    VariantPatch,
)
from core.errors import RuleViolation, TradewindError
from core.i18n import msg
from core.interfaces.listings import ORIGIN_COUNTRY_FIELD
from core.models.catalog import ProductState
from core.runtime import Runtime
from core.stores.service import get_store
from web.i18n import gettext, translate_message
from web.layout import Crumb, flash, redirect, render
from web.problems import problem_text
from web.products import STATE_TONES, start_job, state_labels
from web.stores import platform_names

VARIANT_FIELDS = ("sku", "options", "price", "currency", "shipping_price", "msrp", "cost")
VARIANT_NUMBERS = ("inventory", "weight_grams")
_INDEX = re.compile(r"^variants\[(\d+)\]\.?(.*)$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _tags(value: str) -> list[str]:
    return [tag.strip() for tag in value.replace("\uff0c", ",").split(",") if tag.strip()]


def _image_ref(value: str) -> ImageRef:
    if value.startswith("image:") and value[6:].isdigit():
        return ImageRef(image_id=int(value[6:]))
    return ImageRef(url=value)


def image_value(image: Any) -> str:
    """How a picture appears in the form: its URL, or ``image:<id>`` for the image space."""
    return f"image:{image.image_id}" if image.image_id is not None else str(image.url or "")


def amount_text(value: Decimal | None) -> str:
    """An amount for an input: ``20.99`` rather than ``20.9900`` (more decimals when used)."""
    if value is None:
        return ""
    cents = value.quantize(Decimal("0.01"))
    return f"{cents}" if cents == value else f"{value.normalize()}"


def options_text(options: dict[str, str]) -> str:
    """``Colour: Red; Size: M``."""
    return "; ".join(f"{name}: {value}" for name, value in options.items())


def _options(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in re.split("[;\uff1b]", text):
        name, sep, value = part.partition(":") if ":" in part else part.partition("\uff1a")
        if sep and name.strip() and value.strip():
            found[name.strip()] = value.strip()
    return found


def _text_changes(form: Any, current: ProductOut) -> dict[str, Any]:
    wanted: dict[str, Any] = {}
    for name in ("title", "title_translated", "description", "description_translated", "brand"):
        value = str(form.get(name) or "")
        if name in form and value != (getattr(current, name) or ""):
            wanted[name] = value if value or name in ("title", "description") else None
    for name in ("parent_sku", "source_url"):
        value = str(form.get(name) or "").strip()
        if name in form and value != (getattr(current, name) or ""):
            wanted[name] = value or None
    for name in ("tags", "tags_translated"):
        if name in form and _tags(str(form.get(name) or "")) != getattr(current, name):
            wanted[name] = _tags(str(form.get(name) or ""))
    return wanted


def origin_country(product: ProductOut) -> str:
    """The product's origin country (the platform field Tradewind fills), or ``""``."""
    return str(product.platform_data.get(ORIGIN_COUNTRY_FIELD) or "")


def _platform_changes(form: Any, current: ProductOut) -> dict[str, Any]:
    """The platform category id and the origin country (kept in ``platform_data``)."""
    wanted: dict[str, Any] = {}
    category = str(form.get("platform_category_id") or "").strip()
    if "platform_category_id" in form and category != (current.platform_category_id or ""):
        wanted["platform_category_id"] = category or None
    origin = str(form.get("origin_country") or "").strip().upper()
    if "origin_country" in form and origin != origin_country(current):
        if origin and not _COUNTRY.match(origin):
            raise RuleViolation(
                msg("The origin country must be a two-letter code such as CN or US.")
            )
        data = dict(current.platform_data)
        if origin:
            data[ORIGIN_COUNTRY_FIELD] = origin
        else:
            data.pop(ORIGIN_COUNTRY_FIELD, None)
        wanted["platform_data"] = data
    return wanted


def product_patch(form: Any, current: ProductOut) -> ProductPatch:
    """The product-level changes of the form (fields that did not change are left out).

    Raises:
        RuleViolation: the origin country is not a two-letter code.
    """
    wanted = _text_changes(form, current)
    wanted.update(_platform_changes(form, current))
    main = [image_value(i) for i in current.images if i.role.value == "main"]
    extra = [image_value(i) for i in current.images if i.role.value == "extra"]
    main_value = str(form.get("main_image") or "").strip()
    if "main_image" in form and main_value != "".join(main[:1]):
        wanted["main_image"] = _image_ref(main_value) if main_value else None
    extra_values = _lines(str(form.get("extra_images") or ""))
    if "extra_images" in form and extra_values != extra:
        wanted["extra_images"] = [_image_ref(value) for value in extra_values]
    if form.get("categories_sent") == "1":
        chosen = sorted(int(v) for v in form.getall("category_ids", []) if str(v).isdigit())
        if chosen != sorted(current.category_ids):
            wanted["category_ids"] = chosen
    return ProductPatch.model_validate(wanted)


def variant_rows(form: Any) -> list[dict[str, str]]:
    """The grid's rows as posted (one value per column per row, in order)."""
    columns = {name: list(form.getall(f"v_{name}", [])) for name in ("id", *VARIANT_FIELDS)}
    columns.update({name: list(form.getall(f"v_{name}", [])) for name in VARIANT_NUMBERS})
    count = len(columns["sku"])
    return [
        {
            name: str(values[i]).strip() if i < len(values) else ""
            for name, values in columns.items()
        }
        for i in range(count)
    ]


def _variant_values(row: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {"sku": row["sku"], "options": _options(row["options"])}
    for name in ("price", "shipping_price", "msrp", "cost"):
        values[name] = row[name] or None
    values["currency"] = (row["currency"] or "USD").upper()
    values["inventory"] = row["inventory"] or "0"
    values["weight_grams"] = row["weight_grams"] or None
    if values["price"] is None:
        values["price"] = "0"
    return values


async def save_variants(
    session: Any, actor: Actor, product: ProductOut, rows: list[dict[str, str]]
) -> list[EditResult]:
    """Add, change and remove variants so the product has the grid's rows."""
    results: list[EditResult] = []
    current = {variant.id: variant for variant in product.variants}
    kept = {int(row["id"]) for row in rows if row["id"].isdigit()}
    for variant_id in current:
        if variant_id not in kept:
            results.append(await variants.remove_variant(session, actor, product.id, variant_id))
    for row in rows:
        if not row["sku"] and not row["id"]:
            continue  # an empty new row
        values = _variant_values(row)
        if row["id"].isdigit() and int(row["id"]) in current:
            old = current[int(row["id"])].model_dump()
            patch = VariantPatch.model_validate(values)
            changed = {
                name for name in patch.model_fields_set if getattr(patch, name) != old.get(name)
            }
            if changed:
                results.append(
                    await variants.update_variant(
                        session,
                        actor,
                        product.id,
                        int(row["id"]),
                        VariantPatch.model_validate({k: values[k] for k in changed}),
                    )
                )
        else:
            results.append(
                await variants.add_variant(session, actor, product.id, VariantIn(**values))
            )
    return results


def problems_by_field(problems: list[dict[str, Any]]) -> dict[str, list[str]]:
    """``{field: [message, ...]}``; variant problems as ``variants[<index>]``."""
    found: dict[str, list[str]] = defaultdict(list)
    for problem in problems:
        name = str(problem.get("field") or "")
        match = _INDEX.match(name)
        key = f"variants[{match.group(1)}]" if match else name.split(".")[0].split("[")[0]
        label = f"{match.group(2)}: " if match and match.group(2) else ""
        message = problem_text(problem)
        found[key].append(label + message)
        if name.endswith(ORIGIN_COUNTRY_FIELD) and message not in found[ORIGIN_COUNTRY_FIELD]:
            found[ORIGIN_COUNTRY_FIELD].append(message)  # also next to the product's field
    return dict(found)


def _validation_error(exc: ValidationError) -> RuleViolation:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return RuleViolation(f"{where}: {first['msg']}" if where else str(first["msg"]))


class ProductEditorController(Controller):
    """``/products/<id>``: the editor, its variant rows, validation and history."""

    path = "/products"
    include_in_schema = False

    @get("/{product_id:int}")
    async def editor(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        product_id: FromPath[int],
        tab: FromQuery[str] = "details",
    ) -> Template:
        """The editor (``tab=history`` for the history)."""
        return await self._render(request, actor, runtime, product_id, tab=tab)

    async def _render(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        runtime: Runtime,
        product_id: int,
        *,
        tab: str = "details",
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        can_write = actor.level(Area.PRODUCTS) >= Access.WRITE
        rules_note = None
        async with runtime.sessions() as session:
            product = await get_product(session, actor, product_id)
        if can_write and product.store_id and product.state in _CHECKED_STATES:
            try:
                connector = RegistryConnector(runtime.registry, runtime.settings, runtime.http)
                async with runtime.sessions() as session, session.begin():
                    await validate_product(session, actor, connector, product_id)
                async with runtime.sessions() as session:
                    product = await get_product(session, actor, product_id)
            except TradewindError as exc:  # store deauthorized, plugin missing: say so
                rules_note = translate_message(exc)
        async with runtime.sessions() as session:
            history = await product_history(session, actor, product_id) if tab == "history" else []
            paths = await category_paths(session, actor.account_id)
        store = (
            await get_store(runtime.sessions, actor, product.store_id) if product.store_id else None
        )
        context = {
            "product": product,
            "store": store,
            "platforms": platform_names(runtime),
            "labels": state_labels(),
            "tones": STATE_TONES,
            "problems": problems_by_field(product.problems),
            "problem_lines": [
                (str(problem.get("field") or ""), problem_text(problem))
                for problem in product.problems
            ],
            "rules_note": rules_note,
            "categories": paths,
            "history": history,
            "tab": "history" if tab == "history" else "details",
            "can_write": can_write and states.edit_refusal(product.state) is None,
            "error": error,
            "image_value": image_value,
            "options_text": options_text,
            "amount": amount_text,
            "origin_country": origin_country(product),
        }
        title = product.title or gettext("(untitled)")
        crumbs = [Crumb(gettext("Products"), "/products"), Crumb(title)]
        return render(
            request,
            "products/editor.html",
            context,
            title=title,
            crumbs=crumbs,
            status_code=status_code,
        )

    @post("/{product_id:int}")
    async def save(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        product_id: FromPath[int],
    ) -> Template | Redirect:
        """Save the whole form in one transaction; on a refusal nothing is changed."""
        form = await request.form()
        push: list[int] = []
        try:
            async with runtime.sessions() as session, session.begin():
                current = await get_product(session, actor, product_id)
                try:
                    patch = product_patch(form, current)
                    rows = variant_rows(form)
                except ValidationError as exc:
                    raise _validation_error(exc) from None
                results = []
                if patch.model_fields_set:
                    results.append(await update_product(session, actor, product_id, patch))
                try:
                    results.extend(await save_variants(session, actor, current, rows))
                except ValidationError as exc:
                    raise _validation_error(exc) from None
                for result in results:
                    if result.push:
                        push.extend(result.push.product_ids)
        except RuleViolation as exc:
            return await self._render(
                request, actor, runtime, product_id, error=translate_message(exc), status_code=400
            )
        if push:
            await start_job(
                runtime, actor, "catalog.push_updates", {"product_ids": sorted(set(push))}
            )
            flash(request, gettext("Saved. The change is being sent to the platform."))
        else:
            flash(request, gettext("Saved."))
        return redirect(f"/products/{product_id}")

    @get("/{product_id:int}/variant-row")
    async def variant_row(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        product_id: FromPath[int],
    ) -> Template:
        """An empty row for the variants grid (htmx appends it)."""
        async with runtime.sessions() as session:
            product = await get_product(session, actor, product_id)
        currency = product.variants[0].currency if product.variants else "USD"
        return Template(
            template_name="products/_variant_row.html",
            context={
                "variant": None,
                "currency": currency,
                "row_problems": [],
                "can_write": True,
                "amount": amount_text,
            },
        )


_CHECKED_STATES = frozenset({ProductState.DRAFT, ProductState.PUBLISH_FAILED})
