"""Request and response schemas of the catalog services (pydantic; separate from table models).

Controllers parse JSON into the ``*In``/``*Patch`` models (a bad value answers 400 with
pydantic's field errors) and return the ``*Out`` models as JSON. Money travels as decimal
strings with a currency code, never as floats.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from core.i18n import MessageText
from core.models.catalog import ProductState
from core.models.images import ImageRole

Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Amount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4, allow_inf_nan=False)]
Length = Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2, allow_inf_nan=False)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ImageRef(_In):
    """A picture of a product: from the image space (``image_id``) or by URL (``url``)."""

    image_id: int | None = None
    url: str | None = Field(default=None, min_length=1)

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        if value is not None and not value.lower().startswith(("http://", "https://")):
            raise ValueError("an image URL must start with http:// or https://")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> ImageRef:
        if (self.image_id is None) == (self.url is None):
            raise ValueError("give either image_id or url")
        return self


class VariantIn(_In):
    """A new variant (one SKU). ``options`` maps an option name to its value, in order."""

    sku: Sku
    options: dict[str, str] = Field(default_factory=dict)
    price: Amount = Decimal("0")
    currency: Currency = "USD"
    shipping_price: Amount | None = None
    msrp: Amount | None = None
    cost: Amount | None = None
    cost_currency: Currency | None = None
    inventory: int = Field(default=0, ge=0)
    weight_grams: int | None = Field(default=None, ge=0)
    length_cm: Length | None = None
    width_cm: Length | None = None
    height_cm: Length | None = None
    gtin: str | None = Field(default=None, max_length=14)
    is_enabled: bool = True
    image: ImageRef | None = None


class VariantPatch(_In):
    """Changes to a variant; only the fields given are changed (``null`` clears a value)."""

    sku: Sku | None = None
    options: dict[str, str] | None = None
    price: Amount | None = None
    currency: Currency | None = None
    shipping_price: Amount | None = None
    msrp: Amount | None = None
    cost: Amount | None = None
    cost_currency: Currency | None = None
    inventory: int | None = Field(default=None, ge=0)
    weight_grams: int | None = Field(default=None, ge=0)
    length_cm: Length | None = None
    width_cm: Length | None = None
    height_cm: Length | None = None
    gtin: str | None = Field(default=None, max_length=14)
    is_enabled: bool | None = None
    image: ImageRef | None = None


class ProductFields(_In):
    """Product-level fields shared by create and patch."""

    parent_sku: Sku | None = None
    title: str | None = Field(default=None, max_length=500)
    title_translated: str | None = Field(default=None, max_length=500)
    description: str | None = None
    description_translated: str | None = None
    tags: list[Tag] | None = None
    tags_translated: list[Tag] | None = None
    language: str | None = Field(default=None, max_length=16)
    translation_language: str | None = Field(default=None, max_length=16)
    brand: str | None = Field(default=None, max_length=100)
    source_url: str | None = None
    platform_category_id: str | None = Field(default=None, max_length=64)
    platform_data: dict[str, Any] | None = None
    main_image: ImageRef | None = None
    extra_images: list[ImageRef] | None = None
    category_ids: list[int] | None = None


class ProductCreate(ProductFields):
    """A product typed by hand: into the collection box, or as a draft of ``store_id``."""

    title: str = Field(default="", max_length=500)
    store_id: int | None = None
    variants: list[VariantIn] = Field(default_factory=list)

    @field_validator("variants")
    @classmethod
    def _unique_skus(cls, variants: list[VariantIn]) -> list[VariantIn]:
        seen: set[str] = set()
        for variant in variants:
            if variant.sku in seen:
                raise ValueError(f"SKU {variant.sku!r} is used twice")
            seen.add(variant.sku)
        return variants


class ProductPatch(ProductFields):
    """Changes to a product; only the fields given are changed.

    ``store_id`` is accepted only to refuse a change of store with a clear message (rule 7);
    the state changes only through the publishing actions, never by an edit.
    """

    store_id: int | None = None


class ImageOut(BaseModel):
    """One picture of a product, in order."""

    id: int
    role: ImageRole
    position: int
    image_id: int | None
    url: str | None
    variant_id: int | None


class VariantOut(BaseModel):
    """A variant as the editor grid shows it."""

    id: int
    sku: str
    position: int
    options: dict[str, str]
    price: Decimal
    currency: str
    shipping_price: Decimal | None
    msrp: Decimal | None
    cost: Decimal | None
    cost_currency: str | None
    inventory: int
    weight_grams: int | None
    length_cm: Decimal | None
    width_cm: Decimal | None
    height_cm: Decimal | None
    gtin: str | None
    is_enabled: bool
    platform_variant_id: str | None


class ProductOut(BaseModel):
    """A product with its variants, pictures and local categories (the editor's data)."""

    id: int
    store_id: int | None
    state: ProductState
    is_updating: bool
    parent_sku: str | None
    title: str
    title_translated: str | None
    description: str
    description_translated: str | None
    tags: list[str]
    tags_translated: list[str]
    language: str
    translation_language: str | None
    brand: str | None
    source_url: str | None
    collected_from: str | None
    copied_from_id: int | None
    platform_product_id: str | None
    platform_category_id: str | None
    platform_state: str | None
    platform_data: dict[str, Any]
    publish_error: str | None
    update_error: str | None
    problems: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    delisted_at: datetime | None
    variants: list[VariantOut]
    images: list[ImageOut]
    category_ids: list[int]


class PushIntent(BaseModel):
    """Edits of listings that exist on the platform and must be pushed there (a job).

    The caller enqueues ``job`` with ``payload()``; until the push lands the products show as
    "updating".
    """

    job: str = "catalog.push_updates"
    product_ids: list[int]

    def payload(self) -> dict[str, Any]:
        """The job payload."""
        return {"product_ids": list(self.product_ids)}


class EditResult(BaseModel):
    """The product after an edit, and the push to start when it is on the platform."""

    product: ProductOut
    push: PushIntent | None = None


class Refusal(BaseModel):
    """One product (and store, for claims) that an action left alone, and why."""

    product_id: int
    reason: MessageText
    store_id: int | None = None


class DeleteResult(BaseModel):
    """Outcome of deleting products: how many went, and why the others stayed."""

    requested: int
    deleted: int
    deleted_ids: list[int]
    refused: list[Refusal]


class ClaimedCopy(BaseModel):
    """A draft made by claiming a collection-box product to a store."""

    source_id: int
    store_id: int
    product_id: int


class ClaimResult(BaseModel):
    """Outcome of claiming products to stores: the drafts made and the pairs refused."""

    claimed: list[ClaimedCopy]
    refused: list[Refusal]


class HistoryEntry(BaseModel):
    """One line of a product's history."""

    id: int
    action: str
    user_id: int | None
    job_id: int | None
    changes: dict[str, Any]
    message: str | None
    created_at: datetime
