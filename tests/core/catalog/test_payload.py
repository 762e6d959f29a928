"""Product -> ListingPayload: what goes out, and that private data never does."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from core.catalog import categories, payload
from core.catalog.schemas import ImageRef, VariantIn
from core.db import transaction
from core.interfaces.common import Money
from core.interfaces.listings import ListingPayload
from core.models import CategoryKind, ImageRole, Product, ProductImage, Variant
from tests.core.catalog.conftest import create, sample_product

SECRET_URL = "https://detail.1688.com/offer/SECRET-7788.html"


def every_value(record):
    """Every field name and every leaf value inside a payload, recursively."""
    if dataclasses.is_dataclass(record):
        for field in dataclasses.fields(record):
            yield field.name
            yield from every_value(getattr(record, field.name))
    elif isinstance(record, dict) or hasattr(record, "items"):
        for key, value in record.items():
            yield key
            yield from every_value(value)
    elif isinstance(record, list | tuple):
        for item in record:
            yield from every_value(item)
    else:
        yield record


def test_mapping_of_a_product() -> None:
    product = Product(
        id=1,
        account_id=1,
        store_id=1,
        parent_sku="P-1",
        title="纯棉T恤",
        title_translated="Cotton T-shirt",
        description="描述",
        description_translated="Soft.",
        tags=["T恤"],
        tags_translated=["shirt", "cotton"],
        language="zh",
        translation_language="en",
        brand="Acme",
        platform_category_id="123",
        platform_data={"warehouse_id": "W1"},
        source_url=SECRET_URL,
    )
    variants = [
        Variant(
            id=11,
            account_id=1,
            product_id=1,
            sku="B",
            position=1,
            options=[{"name": "Color", "value": "Blue"}],
            price=Decimal("10.5000"),
            currency="USD",
            shipping_price=Decimal("3"),
            msrp=Decimal("20"),
            inventory=4,
            weight_grams=120,
            cost=Decimal("999.99"),
            platform_variant_id="rv-11",
        ),
        Variant(
            id=10,
            account_id=1,
            product_id=1,
            sku="A",
            position=0,
            options=[{"name": "Color", "value": "Red"}],
            price=Decimal("9.99"),
            currency="USD",
            shipping_price=Decimal("5"),
            inventory=0,
            is_enabled=False,
        ),
    ]
    images = [
        ProductImage(
            id=3,
            account_id=1,
            product_id=1,
            role=ImageRole.EXTRA,
            position=2,
            external_url="https://img/x2.jpg",
        ),
        ProductImage(
            id=2,
            account_id=1,
            product_id=1,
            role=ImageRole.EXTRA,
            position=1,
            external_url="https://img/x1.jpg",
        ),
        ProductImage(
            id=1,
            account_id=1,
            product_id=1,
            role=ImageRole.MAIN,
            position=0,
            external_url="https://img/main.jpg",
        ),
        ProductImage(
            id=4,
            account_id=1,
            product_id=1,
            role=ImageRole.VARIANT,
            position=0,
            variant_id=11,
            platform_url="https://platform/v11.jpg",
        ),
        ProductImage(
            id=5, account_id=1, product_id=1, role=ImageRole.EXTRA, position=3, image_id=77
        ),
    ]
    listing = payload.build_listing_payload(product, variants, images)
    assert isinstance(listing, ListingPayload)
    assert (listing.parent_sku, listing.title, listing.description) == (
        "P-1",
        "Cotton T-shirt",
        "Soft.",
    )
    assert listing.language == "en"
    assert listing.tags == ("shirt", "cotton")
    assert listing.main_image_url == "https://img/main.jpg"
    # The image-space picture needs the image space's resolver; by default it is left out.
    assert listing.extra_image_urls == ("https://img/x1.jpg", "https://img/x2.jpg")
    assert [v.sku for v in listing.variants] == ["A", "B"]
    a, b = listing.variants
    assert (a.enabled, a.quantity, a.price) == (False, 0, Money.of("9.99", "USD"))
    assert b.options == {"color": "Blue"}
    assert b.image_url == "https://platform/v11.jpg"
    assert b.msrp == Money.of("20", "USD")
    assert b.weight_grams == Decimal(120)
    assert b.remote_id == "rv-11"
    # Only enabled variants set the shipping price: the highest of them.
    assert [rate.price for rate in listing.shipping] == [Money.of("3", "USD")]
    assert listing.category_id == "123"
    assert dict(listing.platform_fields) == {"warehouse_id": "W1"}
    values = list(every_value(listing))
    assert SECRET_URL not in values
    assert not {"source_url", "cost", "cost_currency", "category_ids"} & set(values)
    assert Decimal("999.99") not in values


def test_untranslated_texts_go_out_as_typed() -> None:
    product = Product(id=1, account_id=1, title="T", description="D", tags=["a"], language="en")
    listing = payload.build_listing_payload(
        product,
        [Variant(id=1, account_id=1, product_id=1, sku="S", price=Decimal(1))],
        [ProductImage(id=1, account_id=1, product_id=1, role=ImageRole.EXTRA, external_url="u")],
    )
    assert (listing.title, listing.description, listing.tags, listing.language) == (
        "T",
        "D",
        ("a",),
        "en",
    )
    assert (listing.main_image_url, listing.extra_image_urls) == ("u", ())
    assert listing.shipping == ()


def test_payload_has_no_field_for_private_data() -> None:
    names = {f.name for f in dataclasses.fields(ListingPayload)}
    assert not names & {"source_url", "categories", "category_ids", "cost", "local_categories"}


async def test_stored_product_with_categories_and_source_url(sessions, seller) -> None:
    async with transaction(sessions) as session:
        secret = await categories.create_category(
            session, seller.actor, CategoryKind.PRODUCT, "SECRET-CATEGORY"
        )
    product = await create(
        sessions,
        seller.actor,
        sample_product(
            "P-9",
            store_id=seller.store_ids[0],
            source_url=SECRET_URL,
            category_ids=[secret.id],
            variants=[
                VariantIn(
                    sku="P-9-1",
                    price=Decimal("5"),
                    cost=Decimal("31.4159"),
                    image=ImageRef(url="https://img/v.jpg"),
                )
            ],
        ),
    )
    async with sessions() as session:
        listing = await payload.load_listing_payload(session, seller.actor, product.id)
    values = [str(v) for v in every_value(listing)]
    assert listing.variants[0].image_url == "https://img/v.jpg"
    assert not [v for v in values if "SECRET" in v or "31.4159" in v]
    assert listing.category_id is None
