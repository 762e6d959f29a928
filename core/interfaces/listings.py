"""Listing records exchanged with marketplace adapters (see :mod:`core.interfaces.marketplace`).

:class:`ListingPayload` is what Tradewind sends (a product to create or update);
:class:`ListingRecord` is what a platform says it has. Both are platform-neutral: platform-only
fields travel in ``platform_fields`` under names the plugin documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from core.interfaces.common import Money, frozen_mapping, require_country, require_utc

ORIGIN_COUNTRY_FIELD = "origin_country"
"""The one platform field Tradewind fills itself: the product's origin country.

The seller gives it per product (the import's ``origin_country`` column, the product editor):
an ISO 3166 alpha-2 code of the country the goods ship from, kept in ``platform_data`` under
this name and sent in :attr:`ListingPayload.platform_fields`. Marketplaces that need an origin
per variant (Wish) use it for every variant whose :attr:`VariantPayload.origin_country` is empty.
"""


def _freeze(record: object, *names: str) -> None:
    for name in names:
        object.__setattr__(record, name, frozen_mapping(getattr(record, name)))


@dataclass(frozen=True)
class ShippingRate:
    """A shipping price charged to the buyer.

    Attributes:
        price: what the buyer pays for shipping one item.
        destination: ISO country code; ``None`` for the default price (all other countries).
    """

    price: Money
    destination: str | None = None

    def __post_init__(self) -> None:
        require_country(self.destination, "ShippingRate.destination")


@dataclass(frozen=True)
class VariantPayload:
    """One SKU of a listing to publish (a colour/size combination, or the only variant).

    Attributes:
        sku: the seller's variant SKU, unique within the store.
        price: selling price.
        quantity: stock offered on the platform.
        options: option name to value, lower-case names (``{"color": "Red", "size": "M"}``).
        image_url: picture of this variant (must also be among the listing's images).
        msrp: crossed-out "was" price, if any.
        gtin: EAN/UPC/GTIN barcode.
        weight_grams: parcel weight.
        length_cm: parcel length.
        width_cm: parcel width.
        height_cm: parcel height.
        origin_country: ISO country the item ships from.
        hs_code: customs tariff code.
        customs_name_en: declared name in English.
        customs_name_local: declared name in the origin's language (e.g. Chinese).
        customs_value: declared value per item.
        remote_id: the platform's id of this variant when it was published before (updates).
        enabled: ``False`` to keep the variant but stop selling it.
    """

    sku: str
    price: Money
    quantity: int
    options: Mapping[str, str] = field(default_factory=frozen_mapping)
    image_url: str | None = None
    msrp: Money | None = None
    gtin: str | None = None
    weight_grams: Decimal | None = None
    length_cm: Decimal | None = None
    width_cm: Decimal | None = None
    height_cm: Decimal | None = None
    origin_country: str | None = None
    hs_code: str | None = None
    customs_name_en: str | None = None
    customs_name_local: str | None = None
    customs_value: Money | None = None
    remote_id: str | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        _freeze(self, "options")
        require_country(self.origin_country, "VariantPayload.origin_country")


@dataclass(frozen=True)
class ListingPayload:
    """A product as Tradewind sends it to a marketplace (create or full update).

    Local-only data (local categories, source URL, purchase cost) is never part of it.

    Attributes:
        parent_sku: the seller's product SKU; the platform's unique key for idempotent creates.
        title: product title in the listing language.
        description: plain text; line breaks as newline characters.
        main_image_url: the main picture, reachable by the platform.
        variants: at least one variant.
        extra_image_urls: further pictures, in order.
        tags: search tags.
        category_id: the platform's category id, when the platform needs one.
        brand: brand name, if any.
        condition: ``"new"``, ``"used"`` or ``"refurbished"``.
        shipping: shipping prices charged to buyers.
        attributes: attribute name to values (``{"material": ("cotton",)}``).
        language: language of title and description (``"en"``).
        platform_fields: values only this platform knows, under names its plugin documents
            (Wish ``warehouse_id``, AliExpress ``freight_template_id``, ...).
    """

    parent_sku: str
    title: str
    description: str
    main_image_url: str
    variants: tuple[VariantPayload, ...]
    extra_image_urls: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    category_id: str | None = None
    brand: str | None = None
    condition: str = "new"
    shipping: tuple[ShippingRate, ...] = ()
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=frozen_mapping)
    language: str = "en"
    platform_fields: Mapping[str, Any] = field(default_factory=frozen_mapping)

    def __post_init__(self) -> None:
        _freeze(self, "attributes", "platform_fields")


class ListingStatus(StrEnum):
    """Where a listing stands on the platform, in Tradewind's words."""

    ACTIVE = "active"
    """On sale (Wish ``ACTIVE``, AliExpress ``onSelling``)."""
    UNDER_REVIEW = "under_review"
    """Waiting for the platform's review (Wish ``WISH_INACTIVE``, AliExpress ``auditing``)."""
    REJECTED = "rejected"
    """Refused by the review; ``status_reason`` says why (AliExpress ``editingRequired``)."""
    DELISTED = "delisted"
    """Taken off sale by the seller; can be relisted (Wish ``MERCHANT_INACTIVE``)."""
    REMOVED = "removed"
    """Gone for good (removed by the platform or deleted); cannot be updated."""


@dataclass(frozen=True)
class VariantRecord:
    """One variant as the platform has it.

    Attributes:
        variant_id: the platform's id of the variant.
        sku: the seller's variant SKU.
        price: current price (``None`` when the platform's listing page omits it).
        quantity: stock on the platform, when known.
        options: option name to value.
        image_url: the variant picture.
        enabled: whether the variant is on sale.
    """

    variant_id: str
    sku: str
    price: Money | None = None
    quantity: int | None = None
    options: Mapping[str, str] = field(default_factory=frozen_mapping)
    image_url: str | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        _freeze(self, "options")


@dataclass(frozen=True)
class ListingRecord:
    """A listing as the platform reports it (result of publish, get and list calls).

    Attributes:
        listing_id: the platform's id of the listing (Wish product id, AliExpress product_id).
        parent_sku: the seller's product SKU, when the platform keeps one.
        title: title on the platform.
        status: normalised state.
        platform_status: the platform's own state value, verbatim (for support and logs).
        variants: the variants; empty when ``partial``.
        updated_at: last change on the platform (UTC).
        created_at: creation on the platform (UTC).
        description: description on the platform.
        main_image_url: main picture URL on the platform.
        extra_image_urls: further picture URLs.
        tags: tags on the platform.
        category_id: the platform's category id.
        url: public product page, when known.
        status_reason: why it was rejected or removed, in the platform's words.
        min_price: lowest variant price (listing pages often give only a range).
        max_price: highest variant price.
        partial: ``True`` when this came from a listing page that omits variants or the
            description; call ``get_listing`` for the full record.
        platform_fields: extra values under names the plugin documents (``num_sold``, ...).
    """

    listing_id: str
    parent_sku: str | None
    title: str
    status: ListingStatus
    platform_status: str
    variants: tuple[VariantRecord, ...] = ()
    updated_at: datetime | None = None
    created_at: datetime | None = None
    description: str = ""
    main_image_url: str | None = None
    extra_image_urls: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    category_id: str | None = None
    url: str | None = None
    status_reason: str = ""
    min_price: Money | None = None
    max_price: Money | None = None
    partial: bool = False
    platform_fields: Mapping[str, Any] = field(default_factory=frozen_mapping)

    def __post_init__(self) -> None:
        _freeze(self, "platform_fields")
        require_utc(self.updated_at, "ListingRecord.updated_at")
        require_utc(self.created_at, "ListingRecord.created_at")
