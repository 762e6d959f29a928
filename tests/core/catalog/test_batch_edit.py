"""Batch edit: the preview is the result; refusals per product; pushes for live listings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from core.catalog import batch_edit, categories, products
from core.catalog.batch_edit import Selection
from core.catalog.batch_operations import Operation
from core.catalog.listing_query import ProductFilter
from core.catalog.schemas import VariantIn
from core.db import transaction
from core.errors import NotFound, RuleViolation
from core.models import CategoryKind, ProductState
from tests.core.catalog.conftest import create, sample_product
from tests.core.catalog.helpers import claimed, published, publishing

OPERATIONS = TypeAdapter(list[Operation])


def ops(*items):
    return OPERATIONS.validate_python(list(items))


def current_value(product, field):
    """Read a preview field name back from a stored product."""
    if field.startswith("variants["):
        sku, name = field[len("variants[") :].split("].")
        variant = next(v for v in product.variants if v.sku == sku)
        value = getattr(variant, name)
    else:
        value = getattr(product, field)
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def normal(value):
    return Decimal(value).normalize() if isinstance(value, str) and value[:1].isdigit() else value


async def test_preview_is_the_result(sessions, seller) -> None:
    async with transaction(sessions) as session:
        sale = await categories.create_category(session, seller.actor, CategoryKind.PRODUCT, "sale")
    made = [
        await create(sessions, seller.actor, sample_product(f"P{n}", title=f"Red shirt {n}"))
        for n in range(5)
    ]
    no_cost = await create(
        sessions,
        seller.actor,
        sample_product("NOCOST", variants=[VariantIn(sku="NC-1", price=Decimal("3"))]),
    )
    operations = ops(
        {"op": "price_formula", "formula": "cost / 6.5 * 2.5 + 1.99", "rounding": "end_99"},
        {"op": "add_tags", "tags": ["summer", "SHIRT"]},
        {"op": "remove_tags", "tags": ["cotton"]},
        {"op": "add_categories", "category_ids": [sale.id]},
        {"op": "set_shipping_price", "amount": "1.50"},
        {"op": "set_inventory", "quantity": 20},
        {"op": "title_prefix", "text": "[NEW] "},
        {
            "op": "find_replace",
            "find": "red",
            "replace": "Crimson",
            "case_insensitive": True,
            "fields": ["title", "description"],
        },
    )
    selection = Selection(product_ids=[*(p.id for p in made), no_cost.id])
    async with sessions() as session:
        shown = await batch_edit.preview(session, seller.actor, selection, operations, limit=20)
    assert shown.matched == 6
    assert [row.product_id for row in shown.rows] == [*(p.id for p in made), no_cost.id]
    first = {change.field: change.after for change in shown.rows[0].changes}
    assert first["title"] == "[NEW] Crimson shirt 0"
    assert first["tags"] == ["shirt", "summer"]
    assert first["variants[P0-R-M].price"] == "6.99"
    assert shown.rows[-1].refused == "SKU NC-1: cost is not set"

    async with transaction(sessions) as session:
        result = await batch_edit.apply(session, seller.actor, selection, operations)
    assert (result.matched, result.changed, result.unchanged) == (6, 5, 0)
    assert [(r.product_id, r.reason) for r in result.refused] == [
        (no_cost.id, "SKU NC-1: cost is not set")
    ]
    assert result.push is None  # nothing is on a platform
    async with sessions() as session:
        for row in shown.rows[:5]:
            stored = await products.get_product(session, seller.actor, row.product_id)
            for change in row.changes:
                assert current_value(stored, change.field) == normal(change.after), change.field
        untouched = await products.get_product(session, seller.actor, no_cost.id)
        history = await products.product_history(session, seller.actor, made[0].id)
    assert untouched.title == no_cost.title
    assert history[0].action == "batch_edited"
    assert history[0].changes["title"] == ["Red shirt 0", "[NEW] Crimson shirt 0"]


def test_formula_arithmetic_of_the_preview_example() -> None:
    # 12.50 / 6.5 * 2.5 + 1.99 = 6.797 -> rounded up to .99 = 6.99; 13 -> 6.99 as well.
    from core.catalog.expressions import Rounding, apply_rounding, parse_formula

    value = parse_formula("cost / 6.5 * 2.5 + 1.99").evaluate({"cost": Decimal("12.50")})
    assert apply_rounding(value, Rounding.END_99) == Decimal("6.99")


async def test_filter_selection_all_matching_and_state_rules(sessions, seller) -> None:
    store = seller.store_ids[0]
    box = await create(sessions, seller.actor, sample_product("BOX"))
    live = await claimed(sessions, seller.actor, box.id, store)
    await published(sessions, seller.actor, live)
    busy_box = await create(sessions, seller.actor, sample_product("BUSY"))
    busy = await claimed(sessions, seller.actor, busy_box.id, store)
    await publishing(sessions, seller.actor, busy)
    selection = Selection(filter=ProductFilter(store_id=store), all_matching=True)
    operations = ops({"op": "title_suffix", "text": " - free shipping"})
    async with transaction(sessions) as session:
        shown = await batch_edit.preview(session, seller.actor, selection, operations)
        result = await batch_edit.apply(session, seller.actor, selection, operations)
    assert shown.matched == 2
    assert {row.product_id: row.refused for row in shown.rows} == {
        live.id: None,
        busy.id: "the product is being published; edit it when publishing has finished",
    }
    assert result.changed == 1
    assert result.push is not None and result.push.product_ids == [live.id]
    async with sessions() as session:
        stored = await products.get_product(session, seller.actor, live.id)
        box_after = await products.get_product(session, seller.actor, box.id)
    assert stored.is_updating and stored.title.endswith(" - free shipping")
    assert stored.state is ProductState.PUBLISHED
    assert box_after.title == box.title  # not in the store's selection


async def test_private_changes_push_nothing(sessions, seller) -> None:
    async with transaction(sessions) as session:
        tag = await categories.create_category(session, seller.actor, CategoryKind.PRODUCT, "x")
    box = await create(sessions, seller.actor, sample_product())
    live = await claimed(sessions, seller.actor, box.id, seller.store_ids[0])
    await published(sessions, seller.actor, live)
    async with transaction(sessions) as session:
        result = await batch_edit.apply(
            session,
            seller.actor,
            Selection(product_ids=[live.id]),
            ops({"op": "set_categories", "category_ids": [tag.id]}),
        )
        stored = await products.get_product(session, seller.actor, live.id)
    assert result.changed == 1 and result.push is None
    assert not stored.is_updating and stored.category_ids == [tag.id]


async def test_bad_batches_are_refused_before_anything_runs(sessions, seller, other) -> None:
    product = await create(sessions, seller.actor, sample_product())
    foreign = await create(sessions, other.actor, sample_product())
    async with transaction(sessions) as session:
        foreign_category = await categories.create_category(
            session, other.actor, CategoryKind.PRODUCT, "theirs"
        )
    selection = Selection(product_ids=[product.id, foreign.id])
    async with transaction(sessions) as session:
        with pytest.raises(RuleViolation, match="unknown name 'os'"):
            await batch_edit.preview(
                session, seller.actor, selection, ops({"op": "price_formula", "formula": "os"})
            )
        with pytest.raises(RuleViolation, match="at least one"):
            await batch_edit.apply(session, seller.actor, selection, [])
        with pytest.raises(NotFound):
            await batch_edit.apply(
                session,
                seller.actor,
                selection,
                ops({"op": "add_categories", "category_ids": [foreign_category.id]}),
            )
        shown = await batch_edit.preview(
            session, seller.actor, selection, ops({"op": "set_inventory", "quantity": 1})
        )
    assert shown.matched == 1  # the other account's product is not selectable
    with pytest.raises(ValidationError):
        ops({"op": "set_inventory", "quantity": -1})
    with pytest.raises(ValidationError):
        Selection(filter=ProductFilter())
    with pytest.raises(ValidationError):
        Selection()


async def test_negative_results_refuse_the_product(sessions, seller) -> None:
    product = await create(sessions, seller.actor, sample_product())
    async with transaction(sessions) as session:
        result = await batch_edit.apply(
            session,
            seller.actor,
            Selection(product_ids=[product.id]),
            ops({"op": "price_formula", "formula": "price - 10"}),
        )
        stored = await products.get_product(session, seller.actor, product.id)
    assert result.changed == 0
    assert result.refused[0].reason == "SKU P-1-R-M: the formula gives -0.01, below zero"
    assert [v.price for v in stored.variants] == [Decimal("9.99"), Decimal("10.99")]


async def test_platform_category_and_origin_country_keep_other_platform_fields(
    sessions, seller
) -> None:
    made = [
        await create(
            sessions,
            seller.actor,
            sample_product(f"O{n}", platform_data={"brand_tag": "house", "origin_country": "US"}),
        )
        for n in range(2)
    ]
    operations = ops(
        {"op": "set_platform_category", "category_id": "1234"},
        {"op": "set_origin_country", "country": "cn"},
    )
    selection = Selection(product_ids=[p.id for p in made])
    async with sessions() as session:
        shown = await batch_edit.preview(session, seller.actor, selection, operations)
    assert {c.field: (c.before, c.after) for c in shown.rows[0].changes} == {
        "platform_category_id": (None, "1234"),
        "origin_country": ("US", "CN"),
    }
    async with transaction(sessions) as session:
        result = await batch_edit.apply(session, seller.actor, selection, operations)
    assert result.changed == 2
    async with sessions() as session:
        for product in made:
            stored = await products.get_product(session, seller.actor, product.id)
            assert stored.platform_category_id == "1234"
            assert stored.platform_data == {"brand_tag": "house", "origin_country": "CN"}
    # The same batch again changes nothing.
    async with transaction(sessions) as session:
        again = await batch_edit.apply(session, seller.actor, selection, operations)
    assert (again.changed, again.unchanged) == (0, 2)
    with pytest.raises(ValidationError):
        ops({"op": "set_origin_country", "country": "China"})
    with pytest.raises(ValidationError):
        ops({"op": "set_platform_category", "category_id": "has space"})
