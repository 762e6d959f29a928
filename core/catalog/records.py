"""Reading and writing the rows around a product: variants, pictures, local categories.

Shared by the product, variant, claim, import and batch-edit services so every entry point
checks the same things: pictures from the image space and local categories must belong to the
account, variant SKUs are unique within the product and within the store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.catalog.schemas import ImageOut, ImageRef, ProductOut, VariantIn, VariantOut
from core.errors import NotFound, RuleViolation
from core.i18n import msg
from core.models.catalog import Category, CategoryKind, Product, ProductCategory, Variant
from core.models.images import Image, ImageRole, ProductImage

VARIANT_FIELDS = (
    "sku",
    "price",
    "currency",
    "shipping_price",
    "msrp",
    "cost",
    "cost_currency",
    "inventory",
    "weight_grams",
    "length_cm",
    "width_cm",
    "height_cm",
    "gtin",
    "is_enabled",
)
"""Variant columns that the services copy and edit one to one."""


def options_list(options: Mapping[str, str]) -> list[dict[str, str]]:
    """``{"color": "Red"}`` as the stored ``[{"name": "color", "value": "Red"}]``."""
    return [{"name": str(name), "value": str(value)} for name, value in options.items()]


def options_dict(options: Sequence[Any]) -> dict[str, str]:
    """The stored option list as ``{name: value}`` (in order)."""
    result: dict[str, str] = {}
    for option in options:
        if isinstance(option, Mapping) and "name" in option:
            result[str(option["name"])] = str(option.get("value", ""))
    return result


def variant_values(data: VariantIn) -> dict[str, Any]:
    """Column values of a new variant (without ids and position)."""
    values = {name: getattr(data, name) for name in VARIANT_FIELDS}
    values["options"] = options_list(data.options)
    return values


async def require_images(session: AsyncSession, account_id: int, refs: Iterable[ImageRef]) -> None:
    """Raise :class:`NotFound` unless every image-space picture belongs to the account."""
    wanted = {ref.image_id for ref in refs if ref.image_id is not None}
    if not wanted:
        return
    found = set(
        (
            await session.exec(
                select(Image.id).where(
                    col(Image.account_id) == account_id,
                    col(Image.id).in_(wanted),
                )
            )
        ).all()
    )
    missing = wanted - found
    if missing:
        raise NotFound(msg("image %(id)s not found", id=min(missing)))


async def require_categories(
    session: AsyncSession, account_id: int, category_ids: Iterable[int]
) -> list[int]:
    """The ids, deduplicated in order; :class:`NotFound` unless all are product categories."""
    wanted = list(dict.fromkeys(category_ids))
    if not wanted:
        return []
    found = set(
        (
            await session.exec(
                select(Category.id).where(
                    col(Category.account_id) == account_id,
                    col(Category.kind) == CategoryKind.PRODUCT,
                    col(Category.id).in_(wanted),
                )
            )
        ).all()
    )
    missing = [category_id for category_id in wanted if category_id not in found]
    if missing:
        raise NotFound(msg("category %(id)s not found", id=missing[0]))
    return wanted


async def set_categories(
    session: AsyncSession, account_id: int, product_id: int, category_ids: Sequence[int]
) -> None:
    """Replace the product's local categories with ``category_ids`` (already checked)."""
    await session.exec(delete(ProductCategory).where(col(ProductCategory.product_id) == product_id))
    if category_ids:
        await session.exec(
            insert(ProductCategory),
            params=[
                {"account_id": account_id, "product_id": product_id, "category_id": category_id}
                for category_id in category_ids
            ],
        )


def image_row(
    account_id: int,
    product_id: int,
    ref: ImageRef,
    role: ImageRole,
    position: int,
    variant_id: int | None = None,
) -> dict[str, Any]:
    """A ``product_image`` row for a picture reference."""
    return {
        "account_id": account_id,
        "product_id": product_id,
        "variant_id": variant_id,
        "image_id": ref.image_id,
        "external_url": ref.url,
        "platform_url": None,
        "role": role,
        "position": position,
    }


async def replace_product_images(
    session: AsyncSession,
    account_id: int,
    product_id: int,
    *,
    main: ImageRef | None,
    extras: Sequence[ImageRef] | None,
    replace_main: bool,
    replace_extras: bool,
) -> None:
    """Replace the main picture and/or the extra pictures (variant pictures stay)."""
    roles = [
        role
        for role, wanted in ((ImageRole.MAIN, replace_main), (ImageRole.EXTRA, replace_extras))
        if wanted
    ]
    if not roles:
        return
    await session.exec(
        delete(ProductImage).where(
            col(ProductImage.product_id) == product_id,
            col(ProductImage.role).in_(roles),
        )
    )
    rows = []
    if replace_main and main is not None:
        rows.append(image_row(account_id, product_id, main, ImageRole.MAIN, 0))
    if replace_extras:
        rows.extend(
            image_row(account_id, product_id, ref, ImageRole.EXTRA, position)
            for position, ref in enumerate(extras or (), start=1)
        )
    if rows:
        await session.exec(insert(ProductImage), params=rows)


async def set_variant_image(
    session: AsyncSession, account_id: int, product_id: int, variant_id: int, ref: ImageRef | None
) -> None:
    """Replace the picture of one variant (``None`` removes it)."""
    await session.exec(delete(ProductImage).where(col(ProductImage.variant_id) == variant_id))
    if ref is not None:
        await session.exec(
            insert(ProductImage),
            params=[image_row(account_id, product_id, ref, ImageRole.VARIANT, 0, variant_id)],
        )


async def require_free_skus(
    session: AsyncSession,
    store_id: int | None,
    skus: Iterable[str],
    *,
    product_id: int | None = None,
    exclude_variant_ids: Iterable[int] = (),
) -> None:
    """Raise :class:`RuleViolation` if a SKU is taken in the product or, when bound, the store.

    Args:
        session: the caller's session.
        store_id: the product's store (``None`` in the collection box: product scope only).
        skus: the SKUs about to be written.
        product_id: the product they belong to (``None`` for a new product).
        exclude_variant_ids: variants being changed, whose current SKUs do not count.
    """
    wanted = set(skus)
    if not wanted:
        return
    scope = []
    if store_id is not None:
        scope.append(Variant.store_id == store_id)
    elif product_id is not None:
        scope.append(Variant.product_id == product_id)
    else:
        return
    statement = select(Variant.sku, col(Variant.product_id)).where(
        *scope,
        col(Variant.sku).in_(wanted),
    )
    excluded = list(exclude_variant_ids)
    if excluded:
        statement = statement.where(col(Variant.id).not_in(excluded))
    taken = (await session.exec(statement)).first()
    if taken is not None:
        sku, owner = taken
        if owner == product_id:
            raise RuleViolation(msg("SKU %(sku)s is already used by this product", sku=repr(sku)))
        raise RuleViolation(
            msg(
                "SKU %(sku)s is already used by product %(product)s of this store",
                sku=repr(sku),
                product=owner,
            )
        )


async def require_free_parent_sku(
    session: AsyncSession,
    account_id: int,
    store_id: int | None,
    parent_sku: str | None,
    *,
    product_id: int | None = None,
) -> None:
    """Raise :class:`RuleViolation` if another product of the store has ``parent_sku``."""
    if store_id is None or not parent_sku:
        return
    statement = select(Product.id).where(
        col(Product.account_id) == account_id,
        col(Product.store_id) == store_id,
        col(Product.parent_sku) == parent_sku,
    )
    if product_id is not None:
        statement = statement.where(Product.id != product_id)
    other = (await session.exec(statement.limit(1))).one_or_none()
    if other is not None:
        raise RuleViolation(
            msg(
                "parent SKU %(sku)s is already used by product %(product)s of this store",
                sku=repr(parent_sku),
                product=other,
            )
        )


def _image_out(row: ProductImage) -> ImageOut:
    assert row.id is not None
    return ImageOut(
        id=row.id,
        role=row.role,
        position=row.position,
        image_id=row.image_id,
        url=row.external_url or row.platform_url,
        variant_id=row.variant_id,
    )


def variant_out(row: Variant) -> VariantOut:
    """The response schema of a variant row."""
    assert row.id is not None
    values = {name: getattr(row, name) for name in VARIANT_FIELDS}
    return VariantOut(
        id=row.id,
        position=row.position,
        options=options_dict(row.options),
        platform_variant_id=row.platform_variant_id,
        **values,
    )


async def product_outs(session: AsyncSession, products: Sequence[Product]) -> list[ProductOut]:
    """Response schemas of ``products`` with variants, pictures and categories (3 queries)."""
    ids = [product.id for product in products if product.id is not None]
    variants: dict[int, list[Variant]] = defaultdict(list)
    images: dict[int, list[ProductImage]] = defaultdict(list)
    categories: dict[int, list[int]] = defaultdict(list)
    if ids:
        for variant in await session.exec(
            select(Variant)
            .where(col(Variant.product_id).in_(ids))
            .order_by(col(Variant.position), col(Variant.id))
        ):
            variants[variant.product_id].append(variant)
        for image in await session.exec(
            select(ProductImage)
            .where(col(ProductImage.product_id).in_(ids))
            .order_by(col(ProductImage.position), col(ProductImage.id))
        ):
            images[image.product_id].append(image)
        for product_id, category_id in await session.exec(
            select(ProductCategory.product_id, col(ProductCategory.category_id))
            .where(col(ProductCategory.product_id).in_(ids))
            .order_by(col(ProductCategory.id))
        ):
            categories[product_id].append(category_id)
    return [
        _product_out(product, variants, images, categories)
        for product in products
        if product.id is not None
    ]


def _product_out(
    product: Product,
    variants: Mapping[int, list[Variant]],
    images: Mapping[int, list[ProductImage]],
    categories: Mapping[int, list[int]],
) -> ProductOut:
    assert product.id is not None
    data = product.model_dump(
        exclude={
            "account_id",
            "created_by_id",
            "last_synced_at",
            "problem_count",
            "collected_from",
        }
    )
    return ProductOut(
        **data,
        collected_from=product.collected_from,
        variants=[variant_out(row) for row in variants.get(product.id, [])],
        images=[_image_out(row) for row in images.get(product.id, [])],
        category_ids=list(categories.get(product.id, [])),
    )


async def product_out(session: AsyncSession, product: Product) -> ProductOut:
    """The response schema of one product."""
    return (await product_outs(session, [product]))[0]


async def count_variants(session: AsyncSession, product_id: int) -> int:
    """How many variants the product has."""
    return int(
        (
            await session.exec(
                select(func.count()).select_from(Variant).where(Variant.product_id == product_id)
            )
        ).one()
    )
