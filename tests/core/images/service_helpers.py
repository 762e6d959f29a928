"""Helpers for the image-space service tests: accounts, products, files and a test CDN."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

from PIL import Image as PILImage
from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Actor
from core.models import (
    Account,
    Image,
    ImageBlob,
    ImageRole,
    Product,
    ProductImage,
    ProductState,
    Store,
)

MB = 1024 * 1024


def flat_png(width: int, height: int, color: tuple[int, int, int]) -> bytes:
    """An uncompressed PNG: its size depends only on width and height, not on the colour."""
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, "PNG", compress_level=0)
    return buffer.getvalue()


def build_zip(members: Sequence[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, data)
    return buffer.getvalue()


async def new_account(
    sessions: async_sessionmaker[AsyncSession], *, quota: int = 1024**3, name: str = "seller"
) -> Actor:
    async with sessions() as session:
        account = Account(name=name, image_quota_bytes=quota)
        session.add(account)
        await session.commit()
        assert account.id is not None
        return Actor.system(account.id)


async def counter(sessions: async_sessionmaker[AsyncSession], account_id: int) -> int:
    async with sessions() as session:
        account = await session.get(Account, account_id, populate_existing=True)
        assert account is not None
        return account.image_bytes_used


async def stored_sum(sessions: async_sessionmaker[AsyncSession], account_id: int) -> int:
    async with sessions() as session:
        total = (
            await session.exec(
                select(func.coalesce(func.sum(Image.byte_size), 0)).where(
                    col(Image.account_id) == account_id
                )
            )
        ).one()
        return int(total)


async def image_count(sessions: async_sessionmaker[AsyncSession], account_id: int) -> int:
    async with sessions() as session:
        return int(
            (
                await session.exec(
                    select(func.count())
                    .select_from(Image)
                    .where(col(Image.account_id) == account_id)
                )
            ).one()
        )


async def blob_hashes(sessions: async_sessionmaker[AsyncSession]) -> set[str]:
    async with sessions() as session:
        return set((await session.exec(select(ImageBlob.content_hash))).all())


async def new_store(sessions: async_sessionmaker[AsyncSession], account_id: int) -> int:
    async with sessions() as session:
        count = (await session.exec(select(func.count()).select_from(Store))).one()
        store = Store(
            account_id=account_id, platform="wish", platform_shop_id=f"shop-{count}", name="s"
        )
        session.add(store)
        await session.commit()
        assert store.id is not None
        return store.id


async def new_product(
    sessions: async_sessionmaker[AsyncSession],
    account_id: int,
    state: ProductState,
    *,
    title: str = "product",
    store_id: int | None = None,
    images: Sequence[dict[str, object]] = (),
) -> int:
    """A product in ``state`` with product-image rows (dicts of ProductImage fields)."""
    if state != ProductState.COLLECTION_BOX and store_id is None:
        store_id = await new_store(sessions, account_id)
    async with sessions() as session:
        product = Product(
            account_id=account_id,
            store_id=None if state == ProductState.COLLECTION_BOX else store_id,
            state=state,
            title=title,
        )
        session.add(product)
        await session.flush()
        for position, fields in enumerate(images):
            values = {"role": ImageRole.MAIN if position == 0 else ImageRole.EXTRA, **fields}
            session.add(
                ProductImage(
                    account_id=account_id,
                    product_id=product.id,
                    position=position,
                    **values,  # type: ignore[arg-type]
                )
            )
        await session.commit()
        assert product.id is not None
        return product.id


async def product_images(
    sessions: async_sessionmaker[AsyncSession], product_id: int
) -> list[ProductImage]:
    async with sessions() as session:
        return list(
            (
                await session.exec(
                    select(ProductImage)
                    .where(col(ProductImage.product_id) == product_id)
                    .order_by(col(ProductImage.position))
                    .execution_options(populate_existing=True)
                )
            ).all()
        )
