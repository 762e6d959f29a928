"""Wish's listing rules: every problem at once, and the sandbox agrees field by field.

Each malformed case breaks exactly one rule. The contract test sends the same listing to the
sandbox (bypassing the adapter's own check) and expects Wish's 90001 naming the same field,
so the plugin never refuses what Wish accepts, nor lets through what Wish refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pytest

from core.errors import PermanentError
from core.interfaces.common import CallContext, Money, Problem, ProblemCode, Severity
from core.interfaces.listings import ListingPayload, ShippingRate
from core.interfaces.marketplace import Credentials
from plugins.wish.client import WishMarketplace
from plugins.wish.mapping import create_body
from plugins.wish.messages import localized, render
from plugins.wish.session import session_of
from plugins.wish.transport import WishCall
from plugins.wish.validation import validate_listing
from tests.plugins.wish.plugin_helpers import make_listing, usd

Change = Callable[[ListingPayload], ListingPayload]


def variant(index: int, **changes: object) -> Change:
    def change(listing: ListingPayload) -> ListingPayload:
        variants = list(listing.variants)
        variants[index] = replace(variants[index], **changes)  # type: ignore[arg-type]
        return replace(listing, variants=tuple(variants))

    return change


def top(**changes: object) -> Change:
    return lambda listing: replace(listing, **changes)  # type: ignore[arg-type]


def many_variants(count: int) -> Change:
    def change(listing: ListingPayload) -> ListingPayload:
        one = listing.variants[0]
        return replace(
            listing,
            variants=tuple(
                replace(one, sku=f"S-{i}", image_url=f"https://img.example/v/{i % 90}.jpg")
                for i in range(count)
            ),
        )

    return change


MALFORMED: list[tuple[str, Change, str, str]] = [
    ("html", top(description="<p>Great</p> mug"), "description", "wish.html_not_allowed"),
    ("long description", top(description="x" * 4001), "description", ProblemCode.TOO_LONG),
    ("empty title", top(title="  "), "title", ProblemCode.REQUIRED),
    ("11 tags", top(tags=tuple(f"t{i}" for i in range(11))), "tags", ProblemCode.TOO_MANY),
    ("long tag", top(tags=("y" * 81,)), "tags[0]", ProblemCode.TOO_LONG),
    ("long parent sku", top(parent_sku="P" * 81), "parent_sku", ProblemCode.TOO_LONG),
    ("no variants", top(variants=()), "variants", ProblemCode.TOO_FEW),
    ("401 variants", many_variants(401), "variants", ProblemCode.TOO_MANY),
    ("duplicate sku", variant(1, sku="MUG-001-0"), "variants[1].sku", ProblemCode.DUPLICATE),
    ("long sku", variant(0, sku="S" * 81), "variants[0].sku", ProblemCode.TOO_LONG),
    ("negative price", variant(0, price=usd("-1")), "variants[0].price", "wish.price_negative"),
    (
        "too much stock",
        variant(0, quantity=500_001),
        "variants[0].quantity",
        ProblemCode.OUT_OF_RANGE,
    ),
    (
        "variant picture missing",
        variant(1, image_url=None),
        "variants[1].image_url",
        "wish.variant_image_required",
    ),
    ("main image", top(main_image_url="img/main.jpg"), "main_image_url", "wish.image_url"),
    ("no default shipping", top(shipping=()), "shipping", "wish.default_shipping_required"),
    (
        "origin missing",
        variant(0, origin_country=None),
        "variants[0].origin_country",
        ProblemCode.REQUIRED,
    ),
    (
        "weight missing (mainland China)",
        variant(0, weight_grams=None),
        "variants[0].weight_grams",
        "wish.weight_required",
    ),
    ("bad gtin", variant(0, gtin="12AB5678"), "variants[0].gtin", "wish.gtin"),
    ("no category", top(category_id=None), "category_id", ProblemCode.REQUIRED),
    (
        "foreign currency",
        variant(0, price=Money(Decimal("9.99"), "EUR")),
        "variants[0].price",
        "wish.currency_mismatch",
    ),
    (
        "101 extra images",
        top(extra_image_urls=tuple(f"https://img.example/x/{i}.jpg" for i in range(98))),
        "extra_image_urls",
        ProblemCode.TOO_MANY,
    ),
    (
        "negative shipping",
        top(shipping=(ShippingRate(usd("2.50")), ShippingRate(usd("-1"), "US"))),
        "shipping[1].price",
        "wish.price_negative",
    ),
]


def test_a_valid_listing_has_no_problems() -> None:
    assert validate_listing(make_listing()) == []


@pytest.mark.parametrize(
    ("name", "change", "field", "code"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_each_rule_names_its_field(name: str, change: Change, field: str, code: str) -> None:
    listing = change(make_listing(platform_fields={"currency": "USD"}))
    problems = validate_listing(listing)
    assert [(p.field, p.code) for p in problems] == [(field, code)], problems
    assert problems[0].severity is Severity.ERROR and problems[0].message


def test_every_problem_is_reported_at_once() -> None:
    listing = make_listing(
        title="",
        description="<div>x</div>",
        tags=("ok", "z" * 90),
        category_id="shoes",
        shipping=(),
    )
    listing = variant(2, sku="MUG-001-0", quantity=-3, weight_grams=None)(listing)
    fields = [p.field for p in validate_listing(listing)]
    assert fields == [
        "title",
        "description",
        "tags[1]",
        "category_id",
        "shipping",
        "variants[2].sku",
        "variants[2].quantity",
        "variants[2].weight_grams",
    ]


def test_params_feed_translated_messages() -> None:
    (problem,) = validate_listing(top(description="x" * 4001)(make_listing()))
    assert dict(problem.params) == {"max": 4000, "actual": 4001}
    assert problem.message == "At most 4000 characters (now 4001)."
    assert localized(problem, "zh_CN") == "最多 4000 个字符（当前 4001 个）。"  # noqa: RUF001
    assert render("wish.weight_required", {}, "zh_CN").startswith("中国大陆商户")
    custom = Problem("x", "somebody.else", "fallback")
    assert localized(custom, "zh_CN") == "fallback"


@pytest.mark.parametrize(
    ("name", "change", "field", "code"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
async def test_the_sandbox_refuses_the_same_field(
    adapter: WishMarketplace,
    ctx: CallContext,
    credentials: Credentials,
    name: str,
    change: Change,
    field: str,
    code: str,
) -> None:
    listing = change(make_listing())
    session = session_of(credentials)
    body = create_body(listing, str(session.warehouse_id))
    call = WishCall(
        "POST",
        "/api/v3/products",
        session.budget_key,
        token=session.token,
        body=body,
        retry_safe=False,
    )
    with pytest.raises(PermanentError) as refused:
        await adapter.transport.request(ctx, call)
    assert refused.value.code == "90001"
    assert refused.value.field is not None
    assert field == refused.value.field or field.startswith(refused.value.field), str(refused.value)
