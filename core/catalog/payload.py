"""Product -> :class:`~core.interfaces.listings.ListingPayload`: what a platform receives.

A pure mapping (OCA's "mapper"). Private data never goes out (rules 8, 9): the source URL,
local categories and purchase costs are not read here at all, and the payload type has no
field for them. Texts go out translated when a translation exists, else as typed.

Shipping: the payload carries one default shipping price per listing while Tradewind keeps one
per variant; the highest variant price is sent, so no buyer is charged less than the seller
set for the variant bought.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Actor
from core.catalog.access import load_product, require_read
from core.catalog.records import options_dict
from core.interfaces.common import Money
from core.interfaces.listings import ListingPayload, ShippingRate, VariantPayload
from core.models.catalog import Product, Variant
from core.models.images import ImageRole, ProductImage

ImageUrlResolver = Callable[[ProductImage], str | None]
"""Gives the URL a platform downloads a picture from (``None``: the picture is unusable)."""


def default_image_url(image: ProductImage) -> str | None:
    """The platform's copy, else the external URL.

    Pictures from the image space need the image space's public URL: pass a resolver from
    :mod:`core.images` instead (they are left out here).
    """
    return image.platform_url or image.external_url


def _text(translated: str | None, original: str) -> str:
    return translated if translated and translated.strip() else original


def build_listing_payload(
    product: Product,
    variants: Sequence[Variant],
    images: Sequence[ProductImage],
    *,
    image_url: ImageUrlResolver = default_image_url,
) -> ListingPayload:
    """The listing a platform receives for ``product`` (pure; no I/O).

    Args:
        product: the product.
        variants: its variants (all of them; disabled ones go out with ``enabled=False``).
        images: its pictures (main, extra and variant pictures).
        image_url: how a picture becomes a URL the platform can download.
    """
    ordered = sorted(images, key=lambda image: (image.position, image.id or 0))
    mains = [url for i in ordered if i.role is ImageRole.MAIN and (url := image_url(i))]
    extras = [url for i in ordered if i.role is ImageRole.EXTRA and (url := image_url(i))]
    variant_images = {
        i.variant_id: url
        for i in ordered
        if i.role is ImageRole.VARIANT and i.variant_id is not None and (url := image_url(i))
    }
    if not mains and extras:
        mains, extras = extras[:1], extras[1:]
    translated = bool(product.title_translated and product.title_translated.strip())
    tags = product.tags_translated if product.tags_translated else product.tags
    ordered_variants = sorted(variants, key=lambda variant: (variant.position, variant.id or 0))
    return ListingPayload(
        parent_sku=product.parent_sku or "",
        title=_text(product.title_translated, product.title),
        description=_text(product.description_translated, product.description),
        main_image_url=mains[0] if mains else "",
        extra_image_urls=tuple(extras),
        variants=tuple(
            _variant_payload(variant, variant_images.get(variant.id or 0))
            for variant in ordered_variants
        ),
        tags=tuple(str(tag) for tag in tags),
        category_id=product.platform_category_id,
        brand=product.brand,
        shipping=_shipping(ordered_variants),
        language=(product.translation_language if translated else None) or product.language or "en",
        platform_fields=dict(product.platform_data or {}),
    )


def _variant_payload(variant: Variant, image_url: str | None) -> VariantPayload:
    return VariantPayload(
        sku=variant.sku,
        price=Money(Decimal(variant.price), variant.currency),
        quantity=variant.inventory,
        options={name.lower(): value for name, value in options_dict(variant.options).items()},
        image_url=image_url,
        msrp=Money(Decimal(variant.msrp), variant.currency) if variant.msrp is not None else None,
        gtin=variant.gtin,
        weight_grams=Decimal(variant.weight_grams) if variant.weight_grams is not None else None,
        length_cm=variant.length_cm,
        width_cm=variant.width_cm,
        height_cm=variant.height_cm,
        remote_id=variant.platform_variant_id,
        enabled=variant.is_enabled,
    )


def _shipping(variants: Sequence[Variant]) -> tuple[ShippingRate, ...]:
    priced = [v for v in variants if v.shipping_price is not None and v.is_enabled]
    if not priced:
        return ()
    highest = max(priced, key=lambda v: Decimal(v.shipping_price or 0))
    return (ShippingRate(price=Money(Decimal(highest.shipping_price or 0), highest.currency)),)


async def load_listing_payload(
    session: AsyncSession,
    actor: Actor,
    product_id: int,
    *,
    image_url: ImageUrlResolver = default_image_url,
) -> ListingPayload:
    """Load a product with its variants and pictures and map it (for publish and update)."""
    require_read(actor)
    product = await load_product(session, actor, product_id)
    return await payload_of(session, product, image_url=image_url)


async def payload_of(
    session: AsyncSession, product: Product, *, image_url: ImageUrlResolver = default_image_url
) -> ListingPayload:
    """Map an already loaded (and permission-checked) product."""
    variants = (
        await session.exec(select(Variant).where(col(Variant.product_id) == product.id))
    ).all()
    images = (
        await session.exec(select(ProductImage).where(col(ProductImage.product_id) == product.id))
    ).all()
    return build_listing_payload(product, variants, images, image_url=image_url)
