"""Save all external images of these products (rule 18).

A collected product refers to its pictures by the source site's URLs; if the source removes
them before the product is published, they are lost. Capturing fetches each external URL into
the image space (through the safe fetcher) and points the product's image rows at our copy
instead (``image_id`` set, ``external_url`` cleared; the URL stays on the image as its
``source_url``). Only products not yet on a platform are changed: published and delisted
products live on the platform with its own copies, and a product being published is left
alone while the platform may be downloading its pictures.

One item per distinct URL (``url:<hash>``), however many products use it; a URL the account
already fetched (an image with that ``source_url``) is reused without downloading it again,
which also makes a re-run cheap.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterable

from sqlalchemy import update
from sqlmodel import col, select

from core.actor import Access, Actor, Area
from core.errors import NotFound
from core.i18n import msg
from core.images.ingest import BatchEntry, IngestMixin, Prepared, url_key
from core.images.space import BatchProgress
from core.images.views import BatchResult, ItemOutcome
from core.models import Image, Product, ProductImage, ProductState

NOT_ON_PLATFORM = (ProductState.COLLECTION_BOX, ProductState.DRAFT, ProductState.PUBLISH_FAILED)
"""Product states whose external images are captured (nothing of them is on a platform)."""


class CaptureMixin(IngestMixin):
    """Capture the external images of products into the image space."""

    async def _external_rows(
        self, actor: Actor, product_ids: list[int]
    ) -> tuple[dict[str, list[int]], int]:
        """Rows to capture by URL, and how many external rows of other products stay."""
        async with self.sessions() as session:
            products = (
                await session.exec(
                    select(Product.id, Product.store_id)
                    .where(col(Product.id).in_(product_ids))
                    .where(col(Product.account_id) == actor.account_id)
                )
            ).all()
            if len(products) != len(product_ids) or not all(
                actor.can_see_store(store_id) for _, store_id in products
            ):
                raise NotFound(msg("not found"))
            rows = (
                await session.exec(
                    select(ProductImage.id, ProductImage.external_url, Product.state)
                    .join(Product, col(Product.id) == col(ProductImage.product_id))
                    .where(col(ProductImage.account_id) == actor.account_id)
                    .where(col(ProductImage.product_id).in_(product_ids))
                    .where(col(ProductImage.image_id).is_(None))
                    .where(col(ProductImage.external_url).is_not(None))
                    .order_by(col(ProductImage.product_id), col(ProductImage.position))
                )
            ).all()
        by_url: dict[str, list[int]] = {}
        left_alone = 0
        for row_id, url, state in rows:
            if row_id is not None and state in NOT_ON_PLATFORM and url and url.strip():
                by_url.setdefault(url.strip(), []).append(row_id)
            else:
                left_alone += 1
        return by_url, left_alone

    async def _reuse_or_fetch(self, actor: Actor, url: str) -> Prepared | ItemOutcome:
        async with self.sessions() as session:
            known = (
                await session.exec(
                    select(Image)
                    .where(col(Image.account_id) == actor.account_id)
                    .where(col(Image.source_url) == url)
                    .order_by(col(Image.id))
                )
            ).first()
        if known is not None:
            return ItemOutcome(url, "duplicate", image=self.view(known))
        return await self._fetch(url)

    async def _point_rows_at(
        self, actor: Actor, row_ids: list[int], outcome: ItemOutcome
    ) -> ItemOutcome:
        if outcome.image is None:
            return outcome
        still_unpublished = select(Product.id).where(
            col(Product.account_id) == actor.account_id,
            col(Product.state).in_(NOT_ON_PLATFORM),
        )
        async with self.sessions() as session, session.begin():
            result = await session.exec(
                update(ProductImage)
                .where(col(ProductImage.id).in_(row_ids))
                .where(col(ProductImage.account_id) == actor.account_id)
                .where(col(ProductImage.image_id).is_(None))
                .where(col(ProductImage.product_id).in_(still_unpublished))
                .values(image_id=outcome.image.id, external_url=None)
            )
        return dataclasses.replace(outcome, products_updated=int(result.rowcount))

    async def capture_product_images(
        self,
        actor: Actor,
        product_ids: Iterable[int],
        *,
        progress: BatchProgress | None = None,
    ) -> BatchResult:
        """Keep our own copies of these products' external images, and use them instead.

        Only products not yet on a platform change.

        Returns:
            One item per distinct URL, with ``products_updated`` (product image rows now
            using the copy); ``skipped_published`` counts the external images of products
            left alone because they are on a platform or being published.

        Raises:
            NotFound: a product is not the account's (or in a store the actor cannot see).
            PermissionDenied: no write access to images or to products.
        """
        self._can_write(actor)
        actor.require(Area.PRODUCTS, Access.WRITE)
        progress = progress or BatchProgress()
        by_url, left_alone = await self._external_rows(actor, list(dict.fromkeys(product_ids)))
        await progress.total(len(by_url))
        keys = {url_key(url): url for url in by_url}

        async def entries() -> AsyncIterator[BatchEntry]:
            for url in by_url:

                async def prepare(url: str = url) -> Prepared | ItemOutcome:
                    return await self._reuse_or_fetch(actor, url)

                yield url_key(url), url, prepare

        async def finish(key: str, outcome: ItemOutcome) -> ItemOutcome:
            return await self._point_rows_at(actor, by_url[keys[key]], outcome)

        items = await self._run_batch(actor, entries(), progress, None, finish)
        result = await self._batch_result(actor, items)
        return dataclasses.replace(result, skipped_published=left_alone)
