"""Batch-edit operations as pure functions on a product snapshot.

Preview and apply both run exactly these functions on the same snapshot, so what the preview
shows is what apply writes. Each operation is a pydantic model (the JSON API's request body
names it by ``op``); :func:`edit` runs a list of them in order.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from core.catalog.expressions import Formula, FormulaError, Rounding, apply_rounding, parse_formula
from core.catalog.history import json_safe
from core.catalog.schemas import Amount, Currency, Tag
from core.errors import RuleViolation
from core.i18n import message_of, msg
from core.models.catalog import ProductState

MAX_TITLE_LENGTH = 500
TextField = Literal["title", "description"]
_TITLE: TextField = "title"


@dataclass
class VariantDraft:
    """The editable money and stock fields of one variant."""

    id: int
    sku: str
    price: Decimal
    currency: str
    shipping_price: Decimal | None
    msrp: Decimal | None
    cost: Decimal | None
    inventory: int


@dataclass
class ProductDraft:
    """What batch edit can change on a product, with its variants."""

    id: int
    parent_sku: str | None
    state: ProductState
    title: str
    description: str
    tags: list[str]
    category_ids: list[int]
    variants: list[VariantDraft] = field(default_factory=list)
    platform_category_id: str | None = None
    origin_country: str | None = None


class _Op(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def apply(self, draft: ProductDraft) -> None:  # pragma: no cover - overridden
        """Change ``draft`` in place; raise :class:`RuleViolation` to refuse the product."""
        raise NotImplementedError


class PriceFormula(_Op):
    """Compute ``target`` of every variant from a formula, then round it.

    The formula works on numbers (a cost in CNY and a price in USD are not converted: write
    the rate into the formula, e.g. ``cost / 7.2 * 2.5``); ``currency`` sets the variants'
    currency at the same time.
    """

    op: Literal["price_formula"] = "price_formula"
    formula: str = Field(min_length=1, max_length=200)
    target: Literal["price", "shipping_price", "msrp"] = "price"
    rounding: Rounding = Rounding.CENTS
    currency: Currency | None = None

    def parsed(self) -> Formula:
        """The parsed formula (raises :class:`FormulaError`)."""
        return parse_formula(self.formula)

    def apply(self, draft: ProductDraft) -> None:
        """Price every variant of ``draft``."""
        formula = self.parsed()
        for variant in draft.variants:
            values = {
                "price": variant.price,
                "cost": variant.cost,
                "shipping_price": variant.shipping_price,
                "msrp": variant.msrp,
            }
            try:
                value = apply_rounding(formula.evaluate(values), self.rounding)
            except FormulaError as exc:
                raise RuleViolation(
                    msg("SKU %(sku)s: %(problem)s", sku=variant.sku, problem=message_of(exc))
                ) from None
            if value < 0:
                raise RuleViolation(
                    msg(
                        "SKU %(sku)s: the formula gives %(value)s, below zero",
                        sku=variant.sku,
                        value=value,
                    )
                )
            if value >= Decimal("1e14"):
                raise RuleViolation(
                    msg("SKU %(sku)s: the formula gives a value too large", sku=variant.sku)
                )
            setattr(variant, self.target, value)
            if self.currency:
                variant.currency = self.currency


def _unique(items: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for item in items:
        if item.casefold() not in seen:
            seen.add(item.casefold())
            result.append(item)
    return result


class SetTags(_Op):
    """Replace the tags."""

    op: Literal["set_tags"] = "set_tags"
    tags: list[Tag]

    def apply(self, draft: ProductDraft) -> None:
        """Set the tags of ``draft``."""
        draft.tags = _unique(self.tags)


class AddTags(_Op):
    """Add tags that are not there yet (compared without case)."""

    op: Literal["add_tags"] = "add_tags"
    tags: list[Tag]

    def apply(self, draft: ProductDraft) -> None:
        """Add the tags to ``draft``."""
        draft.tags = _unique([*draft.tags, *self.tags])


class RemoveTags(_Op):
    """Remove tags (compared without case)."""

    op: Literal["remove_tags"] = "remove_tags"
    tags: list[Tag]

    def apply(self, draft: ProductDraft) -> None:
        """Remove the tags from ``draft``."""
        gone = {tag.casefold() for tag in self.tags}
        draft.tags = [tag for tag in draft.tags if tag.casefold() not in gone]


class SetCategories(_Op):
    """Replace the local categories."""

    op: Literal["set_categories"] = "set_categories"
    category_ids: list[int]

    def apply(self, draft: ProductDraft) -> None:
        """Set the categories of ``draft``."""
        draft.category_ids = list(dict.fromkeys(self.category_ids))


class AddCategories(_Op):
    """File under more local categories."""

    op: Literal["add_categories"] = "add_categories"
    category_ids: list[int]

    def apply(self, draft: ProductDraft) -> None:
        """Add the categories to ``draft``."""
        draft.category_ids = list(dict.fromkeys([*draft.category_ids, *self.category_ids]))


class RemoveCategories(_Op):
    """Take local categories away."""

    op: Literal["remove_categories"] = "remove_categories"
    category_ids: list[int]

    def apply(self, draft: ProductDraft) -> None:
        """Remove the categories from ``draft``."""
        draft.category_ids = [c for c in draft.category_ids if c not in set(self.category_ids)]


class SetShippingPrice(_Op):
    """Set the shipping price of every variant."""

    op: Literal["set_shipping_price"] = "set_shipping_price"
    amount: Amount

    def apply(self, draft: ProductDraft) -> None:
        """Set the shipping price of every variant of ``draft``."""
        for variant in draft.variants:
            variant.shipping_price = self.amount


class SetInventory(_Op):
    """Set the quantity offered of every variant."""

    op: Literal["set_inventory"] = "set_inventory"
    quantity: int = Field(ge=0)

    def apply(self, draft: ProductDraft) -> None:
        """Set the inventory of every variant of ``draft``."""
        for variant in draft.variants:
            variant.inventory = self.quantity


def _check_title(title: str) -> str:
    if len(title) > MAX_TITLE_LENGTH:
        raise RuleViolation(
            msg("the title would be longer than %(max)s characters", max=MAX_TITLE_LENGTH)
        )
    return title


class TitlePrefix(_Op):
    """Put text before the title (not again when it is already there)."""

    op: Literal["title_prefix"] = "title_prefix"
    text: str = Field(min_length=1, max_length=200)

    def apply(self, draft: ProductDraft) -> None:
        """Prefix the title of ``draft``."""
        if not draft.title.startswith(self.text):
            draft.title = _check_title(self.text + draft.title)


class TitleSuffix(_Op):
    """Put text after the title (not again when it is already there)."""

    op: Literal["title_suffix"] = "title_suffix"
    text: str = Field(min_length=1, max_length=200)

    def apply(self, draft: ProductDraft) -> None:
        """Suffix the title of ``draft``."""
        if not draft.title.endswith(self.text):
            draft.title = _check_title(draft.title + self.text)


class FindReplace(_Op):
    """Replace plain text (no patterns) in titles and/or descriptions."""

    op: Literal["find_replace"] = "find_replace"
    find: str = Field(min_length=1, max_length=500)
    replace: str = Field(default="", max_length=500)
    fields: list[TextField] = Field(default_factory=lambda: [_TITLE])
    case_insensitive: bool = False

    def apply(self, draft: ProductDraft) -> None:
        """Replace in the chosen texts of ``draft``."""
        flags = re.IGNORECASE if self.case_insensitive else 0
        pattern = re.compile(re.escape(self.find), flags)
        for name in dict.fromkeys(self.fields):
            replaced = pattern.sub(lambda _match: self.replace, getattr(draft, name))
            setattr(draft, name, _check_title(replaced) if name == "title" else replaced)


class SetPlatformCategory(_Op):
    """Set the platform's category id (what the store's marketplace files the listing under)."""

    op: Literal["set_platform_category"] = "set_platform_category"
    category_id: str = Field(min_length=1, max_length=64, pattern=r"^\S+$")

    def apply(self, draft: ProductDraft) -> None:
        """Set the platform category id of ``draft``."""
        draft.platform_category_id = self.category_id


class SetOriginCountry(_Op):
    """Set the country the goods ship from (ISO 3166 alpha-2, e.g. CN), which Wish requires."""

    op: Literal["set_origin_country"] = "set_origin_country"
    country: str = Field(pattern=r"^[A-Za-z]{2}$")

    def apply(self, draft: ProductDraft) -> None:
        """Set the origin country of ``draft``."""
        draft.origin_country = self.country.upper()


Operation = Annotated[
    Union[  # noqa: UP007  (pydantic needs the union object)
        PriceFormula,
        SetTags,
        AddTags,
        RemoveTags,
        SetCategories,
        AddCategories,
        RemoveCategories,
        SetShippingPrice,
        SetInventory,
        TitlePrefix,
        TitleSuffix,
        FindReplace,
        SetPlatformCategory,
        SetOriginCountry,
    ],
    Field(discriminator="op"),
]
"""One batch-edit operation, chosen by its ``op`` field."""


def check_operations(operations: Sequence[Operation]) -> None:
    """Refuse the whole batch up front when a formula cannot be read."""
    if not operations:
        raise RuleViolation(msg("choose at least one change"))
    for operation in operations:
        if isinstance(operation, PriceFormula):
            operation.parsed()


def edit(draft: ProductDraft, operations: Sequence[Operation]) -> ProductDraft:
    """A changed copy of ``draft`` (the input stays as it was).

    Raises:
        RuleViolation: an operation refuses this product (a negative price, a missing cost,
            a title too long); nothing of the product is changed.
    """
    result = copy.deepcopy(draft)
    for operation in operations:
        operation.apply(result)
    return result


PRODUCT_FIELDS = (
    "title",
    "description",
    "tags",
    "category_ids",
    "platform_category_id",
    "origin_country",
)
"""The product-level fields a batch edit can change (also the names its history uses)."""


def changes(before: ProductDraft, after: ProductDraft) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` between two drafts (variants as ``variants[SKU].field``)."""
    found: dict[str, list[Any]] = {}
    for name in PRODUCT_FIELDS:
        if getattr(before, name) != getattr(after, name):
            found[name] = [json_safe(getattr(before, name)), json_safe(getattr(after, name))]
    for old, new in zip(before.variants, after.variants, strict=True):
        for name in ("price", "currency", "shipping_price", "msrp", "inventory"):
            if getattr(old, name) != getattr(new, name):
                found[f"variants[{old.sku}].{name}"] = [
                    json_safe(getattr(old, name)),
                    json_safe(getattr(new, name)),
                ]
    return found


__all__ = [
    "PRODUCT_FIELDS",
    "AddCategories",
    "AddTags",
    "FindReplace",
    "Operation",
    "PriceFormula",
    "ProductDraft",
    "RemoveCategories",
    "RemoveTags",
    "SetCategories",
    "SetInventory",
    "SetOriginCountry",
    "SetPlatformCategory",
    "SetShippingPrice",
    "SetTags",
    "TitlePrefix",
    "TitleSuffix",
    "VariantDraft",
    "changes",
    "check_operations",
    "edit",
]
