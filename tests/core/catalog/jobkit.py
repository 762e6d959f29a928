"""A real JobContext writing job rows, and an in-memory test platform for the catalog jobs.

``RecordingContext`` implements :class:`core.interfaces.jobs.JobContext` on the job tables of
the test database (the queue module arrives later; its context must pass the same tests).
``TestMarket`` plays a marketplace: it validates, keeps listings by parent SKU and can be told
to lose an answer or refuse a listing, which is what the idempotency tests need.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import timedelta

from cryptography.fernet import Fernet
from sqlmodel import col, select

from core.config import load_settings
from core.crypto import CredentialCipher
from core.errors import OutcomeUnknown, PermanentError, TransientError
from core.interfaces.common import Problem
from core.interfaces.listings import ListingRecord, ListingStatus, VariantRecord
from core.interfaces.marketplace import MarketplaceCapability
from core.models import ItemStatus, JobItem, JobRecord, Store
from core.registry import Registry


class RecordingContext:
    """JobContext on the job_record / job_item tables."""

    def __init__(self, sessions, settings, registry, account_id: int, job_id: int) -> None:
        self.sessions = sessions
        self.settings = settings
        self.registry = registry
        self.account_id = account_id
        self.job_id = job_id
        self.attempt = 1
        self.http = None
        self.enqueued: list[tuple[str, dict]] = []

    @classmethod
    async def start(cls, sessions, settings, registry, account_id: int, name: str):
        async with sessions() as session, session.begin():
            record = JobRecord(account_id=account_id, name=name)
            session.add(record)
            await session.flush()
            return cls(sessions, settings, registry, account_id, record.id)

    async def set_total(self, total: int) -> None:
        async with self.sessions() as session, session.begin():
            record = await session.get(JobRecord, self.job_id)
            record.total = total

    async def _item(self, key: str, status: ItemStatus, error: str | None, label: str) -> None:
        async with self.sessions() as session, session.begin():
            item = (
                await session.exec(
                    select(JobItem).where(col(JobItem.job_id) == self.job_id, JobItem.key == key)
                )
            ).one_or_none()
            if item is None:
                item = JobItem(job_id=self.job_id, key=key)
            item.status, item.error, item.label = status, error, label
            item.attempts += 1
            session.add(item)

    async def item_done(self, key: str, label: str = "", note: str = "") -> None:
        await self._item(key, ItemStatus.DONE, note or None, label)

    async def item_failed(self, key: str, error: str, label: str = "") -> None:
        await self._item(key, ItemStatus.FAILED, error, label)

    async def item_skipped(self, key: str, reason: str, label: str = "") -> None:
        await self._item(key, ItemStatus.SKIPPED, reason, label)

    async def record_items(self, reports) -> None:
        for report in reports:
            await self._item(
                report.key, ItemStatus(report.outcome), report.message or None, report.label
            )

    async def finished_items(self) -> set[str]:
        async with self.sessions() as session:
            rows = await session.exec(
                select(JobItem.key).where(
                    col(JobItem.job_id) == self.job_id,
                    col(JobItem.status).in_([ItemStatus.DONE, ItemStatus.SKIPPED]),
                )
            )
            return set(rows.all())

    async def is_cancelled(self) -> bool:
        async with self.sessions() as session:
            return (await session.get(JobRecord, self.job_id)).cancel_requested

    async def enqueue(self, name, payload=None, *, account_id=None, dedup_key=None, title=""):
        self.enqueued.append((name, payload or {}))
        async with self.sessions() as session, session.begin():
            record = JobRecord(account_id=account_id, name=name, payload=payload or {})
            session.add(record)
            await session.flush()
            return record.id

    async def items(self) -> dict[str, tuple[str, str | None]]:
        async with self.sessions() as session:
            rows = (
                await session.exec(select(JobItem).where(col(JobItem.job_id) == self.job_id))
            ).all()
            return {row.key: (row.status.value, row.error) for row in rows}


@dataclass
class TestMarket:
    """An in-memory marketplace with switches for the failures publishing must survive."""

    listings: dict[str, ListingRecord] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    lose_next_answer: bool = False
    lose_next_request: bool = False
    refuse_next: str | None = None
    unavailable: bool = False
    max_title: int = 60
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1000))

    id = "testmarket"
    display_name = "Test market"
    capabilities = frozenset({MarketplaceCapability.RELIST})
    order_sync_overlap = timedelta(minutes=5)

    def validate_listing(self, listing):
        problems = []
        if len(listing.title) > self.max_title:
            problems.append(Problem("title", "too_long", f"at most {self.max_title} characters"))
        if not listing.main_image_url:
            problems.append(Problem("main_image_url", "required", "a main image is required"))
        for index, variant in enumerate(listing.variants):
            if variant.price.currency != "USD":
                problems.append(
                    Problem(f"variants[{index}].price", "not_allowed", "prices must be in USD")
                )
        return problems

    async def find_listing_by_sku(self, ctx, credentials, parent_sku):
        assert credentials.data["token"] == "secret-token"
        self.calls.append(f"find:{parent_sku}")
        return self.listings.get(parent_sku)

    async def publish_listing(self, ctx, credentials, listing):
        self.calls.append(f"publish:{listing.parent_sku}")
        if self.unavailable:
            raise TransientError("503 from the platform", retry_after=30)
        if self.lose_next_request:
            self.lose_next_request = False
            raise OutcomeUnknown("timeout after sending")
        if self.refuse_next:
            reason, self.refuse_next = self.refuse_next, None
            raise PermanentError(reason, code="1001", field="title")
        assert listing.parent_sku not in self.listings, "duplicate listing created"
        record = ListingRecord(
            listing_id=f"L{next(self._ids)}",
            parent_sku=listing.parent_sku,
            title=listing.title,
            status=ListingStatus.UNDER_REVIEW,
            platform_status="WISH_INACTIVE",
            variants=tuple(
                VariantRecord(variant_id=f"{v.sku}@remote", sku=v.sku) for v in listing.variants
            ),
        )
        self.listings[listing.parent_sku] = record
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise OutcomeUnknown("connection dropped after sending")
        return record

    async def update_listing(self, ctx, credentials, listing_id, listing):
        self.calls.append(f"update:{listing_id}")
        current = self.listings[listing.parent_sku]
        assert current.listing_id == listing_id
        updated = replace(current, title=listing.title)
        self.listings[listing.parent_sku] = updated
        return updated

    async def delist_listing(self, ctx, credentials, listing_id):
        self.calls.append(f"delist:{listing_id}")

    async def relist_listing(self, ctx, credentials, listing_id):
        self.calls.append(f"relist:{listing_id}")


async def market_setup(sessions, tmp_path, seller):
    """Settings with a real key, the stores' encrypted credentials, a registry with TestMarket."""
    settings = load_settings(
        env={}, data_dir=tmp_path / "data", encryption_key=Fernet.generate_key().decode()
    )
    cipher = CredentialCipher.from_settings(settings)
    async with sessions() as session, session.begin():
        for store_id in seller.store_ids:
            store = await session.get(Store, store_id)
            store.credentials_encrypted = cipher.encrypt({"token": "secret-token"})
    market = TestMarket()
    return settings, Registry(marketplaces={"testmarket": market}), market
