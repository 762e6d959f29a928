"""Export products to XLSX or CSV in the import template (one row per variant).

Streams: products are read 500 at a time and rows written as they come (openpyxl's write-only
mode for XLSX), so exporting 100,000 products does not hold them in memory. What is written
imports back unchanged (see ``docs/catalog-import.md``).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Literal

from pydantic import BaseModel
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Actor
from core.catalog.access import load_products, require_read
from core.catalog.categories import LIST_SEPARATOR, category_paths
from core.catalog.history import format_decimal
from core.catalog.listing_query import Selection, selected_ids
from core.catalog.payload import ImageUrlResolver, default_image_url
from core.catalog.records import options_dict
from core.catalog.template import COLUMNS, headers
from core.interfaces.listings import ORIGIN_COUNTRY_FIELD
from core.models.catalog import Product, ProductCategory, Variant
from core.models.images import ImageRole, ProductImage

CHUNK = 500
_OPTION_NAMES = {
    "color": ("color", "colour", "颜色"),
    "size": ("size", "尺码", "尺寸"),
}


class ExportResult(BaseModel):
    """What an export wrote."""

    products: int
    rows: int
    without_variants: list[int]


def _option(options: dict[str, str], field: str) -> str | None:
    lowered = {name.casefold(): value for name, value in options.items()}
    for name in _OPTION_NAMES[field]:
        if name in lowered:
            return lowered[name]
    return None


def _money(value: Decimal | None) -> Decimal | None:
    return Decimal(format_decimal(value)) if value is not None else None


def _rows_of(
    product: Product,
    variants: Sequence[Variant],
    images: Sequence[ProductImage],
    category_names: Sequence[str],
    image_url: ImageUrlResolver,
) -> Iterator[dict[str, Any]]:
    ordered = sorted(images, key=lambda image: (image.position, image.id or 0))
    mains = [url for i in ordered if i.role is ImageRole.MAIN and (url := image_url(i))]
    extras = [url for i in ordered if i.role is ImageRole.EXTRA and (url := image_url(i))]
    by_variant = {
        i.variant_id: url for i in ordered if i.role is ImageRole.VARIANT and (url := image_url(i))
    }
    shared = {
        "parent_sku": product.parent_sku,
        "title": product.title,
        "description": product.description,
        "tags": ",".join(str(tag) for tag in product.tags),
        "brand": product.brand,
        "main_image": mains[0] if mains else None,
        "extra_images": "|".join(extras),
        "source_url": product.source_url,
        "category": LIST_SEPARATOR.join(category_names),
        "language": product.language,
        "platform_category_id": product.platform_category_id,
        "origin_country": (product.platform_data or {}).get(ORIGIN_COUNTRY_FIELD),
    }
    for variant in variants:
        options = options_dict(variant.options)
        yield {
            **shared,
            "sku": variant.sku,
            "color": _option(options, "color"),
            "size": _option(options, "size"),
            "price": _money(variant.price),
            "currency": variant.currency,
            "shipping_price": _money(variant.shipping_price),
            "msrp": _money(variant.msrp),
            "inventory": variant.inventory,
            "weight_g": variant.weight_grams,
            "length_cm": _money(variant.length_cm),
            "width_cm": _money(variant.width_cm),
            "height_cm": _money(variant.height_cm),
            "gtin": variant.gtin,
            "variant_image": by_variant.get(variant.id),
            "cost": _money(variant.cost),
            "cost_currency": variant.cost_currency,
        }


async def _chunks(
    session: AsyncSession, actor: Actor, ids: Sequence[int], image_url: ImageUrlResolver
) -> AsyncIterator[tuple[Product, list[dict[str, Any]]]]:
    """Yield (product, rows) for ``ids``, loading 500 products at a time."""
    paths = await category_paths(session, actor.account_id)
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        found = await load_products(session, actor, part)
        keys = list(found)
        variants: dict[int, list[Variant]] = defaultdict(list)
        for row in (
            await session.exec(
                select(Variant)
                .where(col(Variant.product_id).in_(keys))
                .order_by(col(Variant.position), col(Variant.id))
            )
        ).all():
            variants[row.product_id].append(row)
        images: dict[int, list[ProductImage]] = defaultdict(list)
        for image in (
            await session.exec(select(ProductImage).where(col(ProductImage.product_id).in_(keys)))
        ).all():
            images[image.product_id].append(image)
        links: dict[int, list[str]] = defaultdict(list)
        for product_id, category_id in (
            await session.exec(
                select(ProductCategory.product_id, ProductCategory.category_id)
                .where(col(ProductCategory.product_id).in_(keys))
                .order_by(col(ProductCategory.id))
            )
        ).all():
            if category_id in paths:
                links[product_id].append(paths[category_id])
        for product_id in part:
            product = found.get(product_id)
            if product is not None:
                rows = _rows_of(
                    product,
                    variants.get(product_id, []),
                    images.get(product_id, []),
                    links.get(product_id, []),
                    image_url,
                )
                yield product, list(rows)


async def export_products(
    session: AsyncSession,
    actor: Actor,
    selection: Selection,
    destination: Path | BinaryIO,
    *,
    file_format: Literal["xlsx", "csv"] = "xlsx",
    language: Literal["en", "zh"] = "zh",
    image_url: ImageUrlResolver = default_image_url,
) -> ExportResult:
    """Write the selected products to ``destination`` in the template.

    Args:
        session: the caller's session (reads only).
        actor: who exports.
        selection: explicit ids or a filter with ``all_matching``.
        destination: a path or a binary stream.
        file_format: ``xlsx`` or ``csv`` (UTF-8 with BOM, which Excel opens correctly).
        language: header language.
        image_url: how image-space pictures become URLs.
    """
    require_read(actor)
    ids = await selected_ids(session, actor, selection)
    fields = [column.field for column in COLUMNS]
    writer: _CsvWriter | _XlsxWriter = (
        _XlsxWriter(destination, language)
        if file_format == "xlsx"
        else _CsvWriter(destination, language)
    )
    result = ExportResult(products=0, rows=0, without_variants=[])
    try:
        async for product, rows in _chunks(session, actor, ids, image_url):
            if not rows:
                assert product.id is not None
                result.without_variants.append(product.id)
                continue
            result.products += 1
            for row in rows:
                writer.write([row.get(name) for name in fields])
                result.rows += 1
    finally:
        writer.close()
    return result


class _CsvWriter:
    """Writes CSV rows straight to the destination (UTF-8 with BOM for Excel)."""

    def __init__(self, destination: Path | BinaryIO, language: Literal["en", "zh"]) -> None:
        self.owned = isinstance(destination, Path)
        binary = destination.open("wb") if isinstance(destination, Path) else destination
        self.text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.text)
        self.writer.writerow(headers(language))

    def write(self, values: list[Any]) -> None:
        self.writer.writerow(["" if value is None else value for value in values])

    def close(self) -> None:
        self.text.flush()
        if self.owned:
            self.text.close()
        else:
            self.text.detach()  # leave the caller's stream open


class _XlsxWriter:
    """Writes an XLSX workbook in openpyxl's write-only (streaming) mode."""

    def __init__(self, destination: Path | BinaryIO, language: Literal["en", "zh"]) -> None:
        from openpyxl import Workbook

        self.destination = destination
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet("products")
        self.sheet.append(headers(language))

    def write(self, values: list[Any]) -> None:
        self.sheet.append(values)

    def close(self) -> None:
        self.workbook.save(self.destination)
