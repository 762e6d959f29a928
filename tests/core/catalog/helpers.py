"""Walk products through their life with the real services (no shortcuts into the tables)."""

from __future__ import annotations

from core.catalog import claiming, lifecycle
from core.db import transaction
from core.interfaces.listings import ListingRecord, ListingStatus, VariantRecord


def listing_for(product) -> ListingRecord:
    return ListingRecord(
        listing_id=f"L{product.id}",
        parent_sku=product.parent_sku,
        title=product.title,
        status=ListingStatus.ACTIVE,
        platform_status="ACTIVE",
        variants=tuple(
            VariantRecord(variant_id=f"V{variant.id}", sku=variant.sku)
            for variant in product.variants
        ),
    )


async def claimed(sessions, actor, product_id: int, store_id: int):
    async with transaction(sessions) as session:
        return await claiming.claim_product(session, actor, product_id, store_id)


async def published(sessions, actor, draft):
    async with transaction(sessions) as session:
        await lifecycle.begin_publish(session, actor, draft.id)
        await lifecycle.publish_succeeded(session, actor, draft.id, listing_for(draft))


async def delisted(sessions, actor, draft):
    await published(sessions, actor, draft)
    async with transaction(sessions) as session:
        await lifecycle.mark_delisted(session, actor, draft.id)


async def failed(sessions, actor, draft, reason: str = "Wish: title too long"):
    async with transaction(sessions) as session:
        await lifecycle.begin_publish(session, actor, draft.id)
        await lifecycle.publish_failed(session, actor, draft.id, reason)


async def publishing(sessions, actor, draft):
    async with transaction(sessions) as session:
        await lifecycle.begin_publish(session, actor, draft.id)
