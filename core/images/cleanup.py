"""Deleting images and freeing space (rules 17 and 19).

- Deleting never affects a published product: the platform keeps its own copy, recorded on
  the product image as ``platform_url``; the row stays and only loses its ``image_id``.
- Products not published yet lose the image: their product-image rows are deleted. The
  seller sees them first in :meth:`CleanupMixin.delete_preview`.
- A delete is refused while a product using the image is being published or updated (the
  platform may be downloading it right now), and for a published product whose platform
  copy was never recorded (it would be left with no picture at all): sync it first.
- The file goes when no image row of any account references it any more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, case, delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Actor
from core.errors import RuleViolation
from core.i18n import N_, Message, joined, msg
from core.images.space import SpaceBase
from core.images.store import refund, release_blobs
from core.images.views import (
    DeletePreview,
    DeleteResult,
    FreeSpaceEntry,
    FreeSpaceGroup,
    FreeSpaceView,
    ProductUse,
)
from core.models import Account, Image, ImageRole, Product, ProductImage, ProductState

ON_PLATFORM = (ProductState.PUBLISHED, ProductState.DELISTED)
"""States in which the platform holds the product, and so its own copy of the images."""

_IN_FLIGHT = N_("it is being published or updated right now; wait until that finishes")
_NO_COPY = N_(
    "it is published, but the platform's copy of this image is not recorded; sync the product first"
)


@dataclass
class _Use:
    product_id: int
    title: str
    state: ProductState
    store_id: int | None
    is_updating: bool
    image_ids: list[int] = field(default_factory=list)
    main_image: bool = False
    missing_copy: bool = False

    @property
    def blocked_by(self) -> Message | None:
        in_flight = self.state == ProductState.PUBLISHING or (
            self.state in ON_PLATFORM and self.is_updating
        )
        if in_flight:
            return msg(_IN_FLIGHT)
        if self.state in ON_PLATFORM and self.missing_copy:
            return msg(_NO_COPY)
        return None

    def view(self) -> ProductUse:
        return ProductUse(
            product_id=self.product_id,
            title=self.title,
            state=self.state.value,
            store_id=self.store_id,
            image_ids=sorted(set(self.image_ids)),
            main_image=self.main_image,
            reason=self.blocked_by,
        )


async def _uses(
    session: AsyncSession, account_id: int, image_ids: list[int], *, lock: bool = False
) -> list[_Use]:
    """The products that use the images, with what they use (rows locked when asked)."""
    statement = (
        select(ProductImage, Product)
        .join(Product, col(Product.id) == col(ProductImage.product_id))
        .where(col(ProductImage.account_id) == account_id)
        .where(col(ProductImage.image_id).in_(image_ids))
        .order_by(col(Product.id))
    )
    if lock:
        statement = statement.with_for_update(of=Product)
    uses: dict[int, _Use] = {}
    for row, product in (await session.exec(statement)).all():
        assert product.id is not None and row.image_id is not None
        use = uses.setdefault(
            product.id,
            _Use(product.id, product.title, product.state, product.store_id, product.is_updating),
        )
        use.image_ids.append(row.image_id)
        use.main_image = use.main_image or row.role == ImageRole.MAIN
        use.missing_copy = use.missing_copy or (row.platform_url is None and not row.external_url)
    return list(uses.values())


class CleanupMixin(SpaceBase):
    """Delete preview, delete, and the "free space" view."""

    def _preview(self, actor: Actor, images: list[Image], uses: list[_Use]) -> DeletePreview:
        unpublished: list[ProductUse] = []
        published: list[ProductUse] = []
        blocked: list[ProductUse] = []
        hidden = hidden_blocked = 0
        for use in uses:
            if not actor.can_see_store(use.store_id):
                hidden += 1
                hidden_blocked += use.blocked_by is not None
            elif use.blocked_by is not None:
                blocked.append(use.view())
            elif use.state in ON_PLATFORM:
                published.append(use.view())
            else:
                unpublished.append(use.view())
        return DeletePreview(
            images=[self.view(image) for image in images],
            freed_bytes=sum(image.byte_size for image in images),
            unpublished_products=unpublished,
            published_products=published,
            blocked_products=blocked,
            hidden_products=hidden,
            hidden_blocked=hidden_blocked,
        )

    async def delete_preview(self, actor: Actor, image_ids: Iterable[int]) -> DeletePreview:
        """Say what deleting these images would do, before the seller confirms (rule 17).

        Names the unpublished products that would lose them, the published ones that keep
        the platform's copy, and anything that blocks the delete.

        Raises:
            NotFound: an image is not the account's.
            PermissionDenied: no read access to images.
        """
        self._can_read(actor)
        async with self.sessions() as session:
            images = await self._images(session, actor, image_ids)
            uses = await _uses(session, actor.account_id, [image.id or 0 for image in images])
        return self._preview(actor, images, uses)

    async def delete(
        self,
        actor: Actor,
        image_ids: Iterable[int],
        *,
        confirm_product_ids: Iterable[int] | None = None,
    ) -> DeleteResult:
        """Delete images: unpublished products lose them, published ones keep their copy.

        Args:
            actor: who deletes (needs write access to images).
            image_ids: the images.
            confirm_product_ids: the ``unpublished_product_ids`` of the preview the seller
                confirmed; when given and the products concerned changed since, nothing is
                deleted and a new preview is asked for.

        Raises:
            NotFound: an image is not the account's.
            RuleViolation: a product blocks the delete (see :class:`DeletePreview`), or the
                confirmed products are no longer the ones concerned.
            PermissionDenied: no write access to images.
        """
        self._can_write(actor)
        async with self.sessions() as session, session.begin():
            # First a write: locks the account's image space (its row on PostgreSQL, the
            # database on SQLite) so the sizes read below cannot be refunded twice.
            await session.exec(
                update(Account)
                .where(col(Account.id) == actor.account_id)
                .values(image_bytes_used=col(Account.image_bytes_used))
            )
            images = await self._images(session, actor, image_ids)
            ids = [image.id or 0 for image in images]
            uses = await _uses(session, actor.account_id, ids, lock=True)
            preview = self._preview(actor, images, uses)
            _check_confirmable(preview, confirm_product_ids)
            losing = [use.product_id for use in uses if use.state not in ON_PLATFORM]
            if losing:
                await session.exec(
                    delete(ProductImage)
                    .where(col(ProductImage.account_id) == actor.account_id)
                    .where(col(ProductImage.image_id).in_(ids))
                    .where(col(ProductImage.product_id).in_(losing))
                )
            await session.exec(
                delete(Image)
                .where(col(Image.account_id) == actor.account_id)
                .where(col(Image.id).in_(ids))
            )
            await refund(session, actor.account_id, preview.freed_bytes)
        await release_blobs(self.sessions, self.storage, [image.content_hash for image in images])
        return DeleteResult(
            deleted_image_ids=ids,
            freed_bytes=preview.freed_bytes,
            products_changed=sorted(losing),
            usage=await self.usage(actor),
        )

    async def free_space(self, actor: Actor, *, limit: int = 50) -> FreeSpaceView:
        """The clean-up view (rule 19): what can go to make room, largest first.

        First the images used only by published products (safe to delete: the marketplaces
        keep their copies), then the images no product uses. Each group lists its largest
        ``limit`` images and gives its total count and bytes.

        Raises:
            PermissionDenied: no read access to images.
        """
        self._can_read(actor)
        on_platform = col(Product.state).in_(ON_PLATFORM)
        has_row = col(Product.id).is_not(None)
        no_copy = and_(
            on_platform,
            col(ProductImage.platform_url).is_(None),
            col(ProductImage.external_url).is_(None),
        )
        in_flight = (col(Product.state) == ProductState.PUBLISHING) | and_(
            on_platform, col(Product.is_updating).is_(True)
        )

        def count(condition: object) -> object:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)  # type: ignore[arg-type]

        statement = (
            select(  # type: ignore[call-overload]
                Image.id,
                Image.byte_size,
                count(and_(has_row, on_platform)),
                count(and_(has_row, ~on_platform)),
                count(no_copy),
                count(in_flight),
            )
            .outerjoin(ProductImage, col(ProductImage.image_id) == col(Image.id))
            .outerjoin(Product, col(Product.id) == col(ProductImage.product_id))
            .where(col(Image.account_id) == actor.account_id)
            .group_by(col(Image.id), col(Image.byte_size))
        )
        safe: list[tuple[int, int, int]] = []
        unused: list[tuple[int, int, int]] = []
        async with self.sessions() as session:
            for image_id, size, published, other, missing, flying in (
                await session.exec(statement)
            ).all():
                if published and not (other or missing or flying):
                    safe.append((int(size), int(image_id), int(published)))
                elif not (published or other):
                    unused.append((int(size), int(image_id), 0))
            groups = [await self._group(session, rows, limit) for rows in (safe, unused)]
            usage = await self._usage(session, actor.account_id)
        return FreeSpaceView(usage=usage, published_only=groups[0], unused=groups[1])

    async def _group(
        self, session: AsyncSession, rows: list[tuple[int, int, int]], limit: int
    ) -> FreeSpaceGroup:
        rows.sort(key=lambda row: (-row[0], row[1]))
        top = rows[: max(0, limit)]
        loaded = (
            await session.exec(select(Image).where(col(Image.id).in_([row[1] for row in top])))
        ).all()
        by_id = {image.id: image for image in loaded}
        return FreeSpaceGroup(
            items=[FreeSpaceEntry(self.view(by_id[image_id]), count) for _, image_id, count in top],
            total_count=len(rows),
            total_bytes=sum(row[0] for row in rows),
        )


def _check_confirmable(preview: DeletePreview, confirmed: Iterable[int] | None) -> None:
    if not preview.can_delete:
        raise RuleViolation(_blocked_message(preview))
    if confirmed is not None and set(confirmed) != set(preview.unpublished_product_ids):
        raise RuleViolation(
            msg(
                "The products that use these images changed since the preview; look at the "
                "preview again before deleting."
            )
        )


def _blocked_message(preview: DeletePreview) -> Message:
    """Which products stop the delete, and why (those the actor cannot see only counted)."""
    if not preview.blocked_products:
        return msg(
            "These images cannot be deleted now: %(hidden)s products in stores you cannot "
            "see use them.",
            hidden=preview.hidden_blocked,
        )
    names = ", ".join(f"#{use.product_id} {use.title!r}" for use in preview.blocked_products)
    reasons = joined(
        dict.fromkeys(use.reason for use in preview.blocked_products if use.reason), "; "
    )
    if preview.hidden_blocked:
        return msg(
            "These images cannot be deleted now: products %(products)s and %(hidden)s in "
            "stores you cannot see use them (%(reasons)s).",
            products=names,
            hidden=preview.hidden_blocked,
            reasons=reasons,
        )
    return msg(
        "These images cannot be deleted now: products %(products)s use them (%(reasons)s).",
        products=names,
        reasons=reasons,
    )
