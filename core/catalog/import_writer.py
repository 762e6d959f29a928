"""The write phase of an import: bulk inserts of complete products, batch by batch.

Rows go in with SQLAlchemy Core ``executemany`` (``INSERT ... RETURNING`` where ids are needed),
a few statements per batch of products, so 100,000 variant rows take seconds. A batch is one
transaction; when it fails, its products are written one per transaction so that only the
product at fault is left out (and reported) — never half a product.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Actor
from core.catalog.history import Author, diff, history_row
from core.catalog.import_rows import ImportProblem, ImportReport
from core.catalog.template import Layout
from core.i18n import msg
from core.interfaces.listings import ORIGIN_COUNTRY_FIELD
from core.models.base import utcnow
from core.models.catalog import CategoryKind, ProductState
from core.models.images import ImageRole

BATCH_PRODUCTS = 500

_TABLES = SQLModel.metadata.tables
PRODUCT: Table = _TABLES["product"]
VARIANT: Table = _TABLES["variant"]
IMAGE: Table = _TABLES["product_image"]
LINK: Table = _TABLES["product_category"]
CATEGORY: Table = _TABLES["category"]

SCALAR_PRODUCT_FIELDS = (
    "title",
    "description",
    "tags",
    "brand",
    "source_url",
    "language",
    "platform_category_id",
)
"""Product columns an import sets directly (the parent SKU is the key)."""


WriteOutcome = Literal["created", "updated", "skipped"]


@dataclass(frozen=True)
class WrittenProduct:
    """What the write phase did with one product (in a committed transaction).

    Attributes:
        parent_sku: the product's parent SKU (its key in the collection box).
        row: the first row of the product in the file.
        outcome: ``created``, ``updated``, or ``skipped`` (it existed and the import was set
            to leave existing products alone).
        product_id: the product written or left alone.
    """

    parent_sku: str
    row: int
    outcome: WriteOutcome
    product_id: int


Written = Callable[[list[WrittenProduct]], Awaitable[None]]
"""``await written(products)`` after each committed transaction of the write phase."""


@dataclass
class GroupData:
    """One complete product read back from the spool."""

    parent_sku: str
    first_row: int
    product: dict[str, Any] = field(default_factory=dict)
    variants: list[dict[str, Any]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


async def existing_category_paths(
    session: AsyncSession, account_id: int
) -> dict[tuple[str, ...], int]:
    """The account's product categories by name path (``("服装", "女装") -> id``)."""
    connection = await session.connection()
    return await _category_paths(connection, account_id)


async def _category_paths(
    connection: AsyncConnection, account_id: int
) -> dict[tuple[str, ...], int]:
    rows = (
        await connection.execute(
            select(CATEGORY.c.id, CATEGORY.c.path, CATEGORY.c.name).where(
                CATEGORY.c.account_id == account_id, CATEGORY.c.kind == CategoryKind.PRODUCT
            )
        )
    ).all()
    names = {row.id: row.name for row in rows}
    paths: dict[tuple[str, ...], int] = {}
    for row in rows:
        chain = [names.get(int(part), "?") for part in row.path.strip("/").split("/") if part]
        paths[(*chain, row.name)] = row.id
    return paths


@dataclass
class Writer:
    """Writes the valid products of one import and counts what it did."""

    sessions: async_sessionmaker[AsyncSession]
    actor: Actor
    options_update: bool
    existing: Mapping[str, int]
    present: frozenset[str]
    default_currency: str
    file_name: str
    job_id: int | None
    report: ImportReport
    written: Written | None = None
    category_ids: dict[tuple[str, ...], int] = field(default_factory=dict)
    language: str = "zh"

    async def prepare_categories(self, paths: Iterable[tuple[str, ...]]) -> None:
        """Create the local categories the file names and that do not exist yet."""
        wanted = set(paths)
        if not wanted:
            return
        async with self.sessions() as session, session.begin():
            connection = await session.connection()
            known = await _category_paths(connection, self.actor.account_id)
            for path in sorted({p[: d + 1] for p in wanted for d in range(len(p))}, key=len):
                if path in known:
                    continue
                parent_id = known.get(path[:-1]) if len(path) > 1 else None
                parent_path = "/"
                if parent_id is not None:
                    parent_row = (
                        await connection.execute(
                            select(CATEGORY.c.path).where(CATEGORY.c.id == parent_id)
                        )
                    ).scalar_one()
                    parent_path = f"{parent_row}{parent_id}/"
                result = await connection.execute(
                    insert(CATEGORY).returning(CATEGORY.c.id),
                    {
                        "account_id": self.actor.account_id,
                        "kind": CategoryKind.PRODUCT,
                        "parent_id": parent_id,
                        "path": parent_path,
                        "name": path[-1],
                        "position": 0,
                        "created_at": utcnow(),
                    },
                )
                known[path] = int(result.scalar_one())
        self.category_ids = known

    async def run(
        self, groups: Iterator[GroupData], progress: Callable[[int, int], Awaitable[None]] | None
    ) -> None:
        """Write every group, :data:`BATCH_PRODUCTS` per transaction.

        ``progress`` gets the products settled so far (the invalid ones, left out, count as
        settled from the start) and the number of products in the file.
        """
        if self.report.layout is Layout.WISH:
            self.language = "en"
        total = self.report.products
        done = self.report.invalid_products
        batch: list[GroupData] = []
        for group in groups:
            batch.append(group)
            if len(batch) >= BATCH_PRODUCTS:
                done += await self._batch(batch)
                batch = []
                if progress is not None:
                    await progress(done, total)
        if batch:
            done += await self._batch(batch)
            if progress is not None:
                await progress(done, total)

    async def _batch(self, batch: list[GroupData]) -> int:
        try:
            async with self.sessions() as session, session.begin():
                settled = await self._write(await session.connection(), batch)
        except SQLAlchemyError:
            settled = []
            for group in batch:
                try:
                    async with self.sessions() as session, session.begin():
                        settled += await self._write(await session.connection(), [group])
                except SQLAlchemyError as exc:
                    self._failed(group, exc)
        outcomes = [product.outcome for product in settled]
        self.report.created += outcomes.count("created")
        self.report.updated += outcomes.count("updated")
        self.report.skipped += outcomes.count("skipped")
        if settled and self.written is not None:
            await self.written(settled)
        return len(batch)

    def _failed(self, group: GroupData, exc: SQLAlchemyError) -> None:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0][:300]
        self.report.problems.append(
            ImportProblem(
                row=group.first_row,
                parent_sku=group.parent_sku,
                code="write_failed",
                message=msg(
                    "the product %(sku)s could not be written: %(reason)s",
                    sku=repr(group.parent_sku),
                    reason=reason,
                ),
            )
        )
        self.report.valid_products -= 1
        self.report.invalid_products += 1

    async def _write(
        self, connection: AsyncConnection, batch: list[GroupData]
    ) -> list[WrittenProduct]:
        now = utcnow()
        new = [g for g in batch if g.parent_sku not in self.existing]
        old = [g for g in batch if g.parent_sku in self.existing]
        skipped: list[GroupData] = []
        if not self.options_update:
            skipped, old = old, []
        ids: dict[str, int] = {}
        if new:
            # RETURNING the key instead of asking for parameter order keeps the insert one
            # batched statement (SQLite would otherwise insert row by row).
            result = await connection.execute(
                insert(PRODUCT).returning(PRODUCT.c.id, PRODUCT.c.parent_sku),
                [self._product_row(group, now) for group in new],
            )
            ids.update({parent: product_id for product_id, parent in result.all()})
        history = [
            history_row(
                self.actor.account_id,
                ids[g.parent_sku],
                "imported",
                self._author,
                {"state": [None, ProductState.COLLECTION_BOX]},
                f"imported from {self.file_name}, row {g.first_row}",
            )
            for g in new
        ]
        if old:
            history.extend(await self._update_existing(connection, old, ids, now))
        written = [*new, *old]
        await self._children(connection, written, ids, now)
        if history:
            await connection.execute(insert(_TABLES["product_history"]), history)
        return [
            *(WrittenProduct(g.parent_sku, g.first_row, "created", ids[g.parent_sku]) for g in new),
            *(WrittenProduct(g.parent_sku, g.first_row, "updated", ids[g.parent_sku]) for g in old),
            *(
                WrittenProduct(g.parent_sku, g.first_row, "skipped", self.existing[g.parent_sku])
                for g in skipped
            ),
        ]

    @property
    def _author(self) -> Author:
        return Author(user_id=self.actor.user_id, job_id=self.job_id)

    def _product_values(self, group: GroupData) -> dict[str, Any]:
        values = {}
        for name in SCALAR_PRODUCT_FIELDS:
            if name in self.present:
                value = group.product.get(name)
                if name == "tags":
                    value = list(value or ())
                elif name in ("description",):
                    value = value or ""
                elif name == "language":
                    value = value or self.language
                values[name] = value
        if "title" in values and values["title"] is None:
            values["title"] = ""
        return values

    def _platform_data(
        self, group: GroupData, current: Mapping[str, Any] | None
    ) -> dict[str, Any] | None:
        """``current`` with the file's origin country (``None``: the file has no such column)."""
        if "origin_country" not in self.present:
            return None
        data = dict(current or {})
        origin = group.product.get("origin_country")
        if origin:
            data[ORIGIN_COUNTRY_FIELD] = origin
        else:
            data.pop(ORIGIN_COUNTRY_FIELD, None)
        return data

    def _product_row(self, group: GroupData, now: datetime) -> dict[str, Any]:
        row: dict[str, Any] = {
            "account_id": self.actor.account_id,
            "store_id": None,
            "state": ProductState.COLLECTION_BOX,
            "is_updating": False,
            "parent_sku": group.parent_sku,
            "title": "",
            "description": "",
            "tags": [],
            "tags_translated": [],
            "language": self.language,
            "brand": None,
            "source_url": None,
            "platform_data": {},
            "problems": [],
            "problem_count": 0,
            "created_by_id": self.actor.user_id,
            "created_at": now,
            "updated_at": now,
        }
        row.update(self._product_values(group))
        row["platform_data"] = self._platform_data(group, None) or {}
        return row

    async def _update_existing(
        self,
        connection: AsyncConnection,
        old: list[GroupData],
        ids: dict[str, int],
        now: datetime,
    ) -> list[dict[str, Any]]:
        for group in old:
            ids[group.parent_sku] = self.existing[group.parent_sku]
        keys = [ids[g.parent_sku] for g in old]
        fields = [name for name in SCALAR_PRODUCT_FIELDS if name in self.present]
        if "origin_country" in self.present:
            fields.append("platform_data")
        before = {
            row.id: dict(row._mapping)
            for row in (
                await connection.execute(
                    select(PRODUCT.c.id, *(PRODUCT.c[name] for name in fields)).where(
                        PRODUCT.c.id.in_(keys)
                    )
                )
            ).all()
        }
        rows = []
        history = []
        for group in old:
            product_id = ids[group.parent_sku]
            values = self._product_values(group)
            if "platform_data" in fields:
                current = before.get(product_id, {}).get("platform_data")
                values["platform_data"] = self._platform_data(group, current)
            rows.append({"b_id": product_id, **{f"b_{k}": v for k, v in values.items()}})
            history.append(
                history_row(
                    self.actor.account_id,
                    product_id,
                    "import_updated",
                    self._author,
                    diff(before.get(product_id, {}), values),
                    f"updated from {self.file_name}, row {group.first_row}; variants replaced",
                )
            )
        await connection.execute(
            update(PRODUCT)
            .where(PRODUCT.c.id == bindparam("b_id"))
            .values(updated_at=now, **{name: bindparam(f"b_{name}") for name in fields}),
            rows,
        )
        await connection.execute(delete(VARIANT).where(VARIANT.c.product_id.in_(keys)))
        if {"main_image", "extra_images"} & self.present:
            await connection.execute(
                delete(IMAGE).where(
                    IMAGE.c.product_id.in_(keys),
                    IMAGE.c.role.in_([ImageRole.MAIN, ImageRole.EXTRA]),
                )
            )
        if "category" in self.present:
            await connection.execute(delete(LINK).where(LINK.c.product_id.in_(keys)))
        return history

    async def _children(
        self,
        connection: AsyncConnection,
        groups: list[GroupData],
        ids: Mapping[str, int],
        now: datetime,
    ) -> None:
        variant_rows = []
        for group in groups:
            product_id = ids[group.parent_sku]
            for position, values in enumerate(group.variants):
                variant_rows.append(self._variant_row(product_id, position, values, now))
        needs_ids = any(v.get("variant_image") for g in groups for v in g.variants)
        variant_ids: dict[tuple[int, str], int] = {}
        if variant_rows:
            if needs_ids:
                result = await connection.execute(
                    insert(VARIANT).returning(VARIANT.c.id, VARIANT.c.product_id, VARIANT.c.sku),
                    variant_rows,
                )
                variant_ids = {(pid, sku): vid for vid, pid, sku in result.all()}
            else:
                await connection.execute(insert(VARIANT), variant_rows)
        images = self._image_rows(groups, ids, variant_ids)
        if images:
            await connection.execute(insert(IMAGE), images)
        links = [
            {
                "account_id": self.actor.account_id,
                "product_id": ids[group.parent_sku],
                "category_id": self.category_ids[path],
            }
            for group in groups
            for path in group.product.get("category", ())
            if path in self.category_ids
        ]
        if links:
            await connection.execute(insert(LINK), links)

    def _variant_row(
        self, product_id: int, position: int, values: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        options = [
            {"name": name, "value": values[name]} for name in ("color", "size") if name in values
        ]
        cost = values.get("cost")
        return {
            "account_id": self.actor.account_id,
            "product_id": product_id,
            "store_id": None,
            "sku": values["sku"],
            "position": position,
            "options": options,
            "price": values["price"],
            "currency": values.get("currency") or self.default_currency,
            "shipping_price": values.get("shipping_price"),
            "msrp": values.get("msrp"),
            "cost": cost,
            "cost_currency": values.get("cost_currency") or ("CNY" if cost is not None else None),
            "inventory": values.get("inventory", 0),
            "weight_grams": values.get("weight_g"),
            "length_cm": values.get("length_cm"),
            "width_cm": values.get("width_cm"),
            "height_cm": values.get("height_cm"),
            "gtin": values.get("gtin"),
            "is_enabled": True,
            "platform_variant_id": None,
            "created_at": now,
            "updated_at": now,
        }

    def _image_rows(
        self,
        groups: list[GroupData],
        ids: Mapping[str, int],
        variant_ids: Mapping[tuple[int, str], int],
    ) -> list[dict[str, Any]]:
        rows = []
        for group in groups:
            product_id = ids[group.parent_sku]
            urls: list[tuple[str, ImageRole]] = []
            if group.product.get("main_image"):
                urls.append((group.product["main_image"], ImageRole.MAIN))
            urls.extend((url, ImageRole.EXTRA) for url in group.product.get("extra_images", ()))
            for position, (url, role) in enumerate(urls):
                rows.append(self._image(product_id, url, role, position, None))
            for values in group.variants:
                if values.get("variant_image"):
                    variant_id = variant_ids[(product_id, values["sku"])]
                    rows.append(
                        self._image(
                            product_id, values["variant_image"], ImageRole.VARIANT, 0, variant_id
                        )
                    )
        return rows

    def _image(
        self, product_id: int, url: str, role: ImageRole, position: int, variant_id: int | None
    ) -> dict[str, Any]:
        return {
            "account_id": self.actor.account_id,
            "product_id": product_id,
            "variant_id": variant_id,
            "image_id": None,
            "external_url": url,
            "platform_url": None,
            "role": role,
            "position": position,
        }
