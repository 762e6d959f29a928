"""Export writes the import template: export -> dry run has no problems -> same data."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from core.catalog import categories, exporting, importing, listing_query, products, template
from core.catalog.listing_query import ProductFilter, Selection
from core.catalog.schemas import ImageRef, VariantIn
from core.models import ProductState
from tests.core.catalog.conftest import create, sample_product
from tests.core.catalog.sheets import EN, ROWS, write_csv


async def snapshot(sessions, actor):
    """Every product's data as the template carries it, by parent SKU (ids left out)."""
    async with sessions() as session:
        paths = await categories.category_paths(session, actor.account_id)
        ids = await listing_query.matching_ids(session, actor)
        result = {}
        for product_id in ids:
            p = await products.get_product(session, actor, product_id)
            sku_of = {v.id: v.sku for v in p.variants}
            result[p.parent_sku] = {
                "title": p.title,
                "description": p.description,
                "tags": p.tags,
                "brand": p.brand,
                "source_url": p.source_url,
                "language": p.language,
                "platform_category_id": p.platform_category_id,
                "platform_data": p.platform_data,
                "categories": sorted(paths[c] for c in p.category_ids),
                "images": [(i.role, i.url, sku_of.get(i.variant_id)) for i in p.images],
                "variants": [
                    (
                        v.sku,
                        v.options,
                        v.price,
                        v.currency,
                        v.shipping_price,
                        v.msrp,
                        v.cost,
                        v.cost_currency,
                        v.inventory,
                        v.weight_grams,
                        v.length_cm,
                        v.width_cm,
                        v.height_cm,
                        v.gtin,
                    )
                    for v in p.variants
                ],
            }
    return result


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize("language", ["zh", "en"])
async def test_round_trip(sessions, seller, other, tmp_path, file_format, language) -> None:
    source = write_csv(tmp_path / "in.csv", EN, ROWS)
    await importing.import_file(sessions, seller.actor, source, source.name)
    await create(
        sessions,
        seller.actor,
        sample_product(
            "HAND-1",
            description='Quotes " and, commas;\nand lines',
            brand="Acme",
            language="en",
            platform_category_id="1234",
            platform_data={"origin_country": "CN"},
            variants=[
                VariantIn(
                    sku="HAND-1-A",
                    options={"color": "Green", "size": "XL"},
                    price=Decimal("19.9"),
                    currency="EUR",
                    msrp=Decimal("29.99"),
                    cost=Decimal("55.1234"),
                    cost_currency="CNY",
                    inventory=3,
                    weight_grams=250,
                    length_cm=Decimal("20.5"),
                    width_cm=Decimal("10"),
                    height_cm=Decimal("2.25"),
                    gtin="4006381333931",
                    image=ImageRef(url="https://img.example.com/green.jpg"),
                )
            ],
        ),
    )
    exported = tmp_path / f"out.{file_format}"
    async with sessions() as session:
        result = await exporting.export_products(
            session,
            seller.actor,
            Selection(filter=ProductFilter(state=ProductState.COLLECTION_BOX), all_matching=True),
            exported,
            file_format=file_format,
            language=language,
        )
    assert (result.products, result.rows, result.without_variants) == (3, 4, [])

    check = await importing.dry_run(sessions, seller.actor, exported, exported.name)
    assert check.problems == []
    assert (check.products, check.to_update, check.to_create) == (3, 3, 0)

    done = await importing.import_file(sessions, other.actor, exported, exported.name)
    assert done.created == 3
    assert await snapshot(sessions, other.actor) == await snapshot(sessions, seller.actor)


async def test_export_to_a_stream_and_products_without_variants(sessions, seller) -> None:
    empty = await create(sessions, seller.actor, sample_product("EMPTY", variants=[]))
    full = await create(sessions, seller.actor, sample_product("FULL"))
    stream = io.BytesIO()
    async with sessions() as session:
        result = await exporting.export_products(
            session,
            seller.actor,
            Selection(product_ids=[empty.id, full.id]),
            stream,
            file_format="csv",
            language="en",
        )
    assert result.without_variants == [empty.id]
    text = stream.getvalue().decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(template.headers("en"))
    assert text.count("FULL-R-M") == 1 and "EMPTY" not in text


def test_header_aliases_are_unambiguous() -> None:
    seen = {}
    for column in template.COLUMNS:
        for name in (column.field, column.en, column.zh, *column.aliases):
            key = template.header_key(name)
            assert seen.setdefault(key, column.field) == column.field, name
    assert template.header_key(" *父SKU ") == template.header_key("父sku")
    assert template.header_key("重量\uff08g\uff09") == template.header_key("重量(g)")
    assert template.header_key("Parent_SKU") == "parentsku"


def test_the_documentation_has_the_column_table() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[3] / "docs" / "catalog-import.md").read_text()
    assert template.column_table_markdown() in doc


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_downloaded_templates_pass_the_dry_run(sessions, seller, tmp_path, language) -> None:
    for name, data in (
        ("template.csv", template.template_csv(language)),
        ("template.xlsx", template.template_xlsx(language)),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        report = await importing.dry_run(sessions, seller.actor, path, name)
        assert report.problems == [], name
        assert (report.rows, report.products) == (2, 1)
