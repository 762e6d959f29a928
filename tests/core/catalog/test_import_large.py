"""A 50 MB spreadsheet goes through the dry run and the import (streamed, in batches)."""

from __future__ import annotations

import csv

from sqlalchemy import func
from sqlmodel import select

from core.catalog import importing
from core.models import Product, Variant
from tests.core.catalog.sheets import EN

FIFTY_MB = 50 * 1024 * 1024


def write_big_csv(path, *, target_bytes: int) -> tuple[int, int]:
    """Products of 3 variants with long descriptions until the file reaches ``target_bytes``."""
    description = ("Breathable cotton, relaxed fit. 透气纯棉\uff0c宽松版型\u3002" * 60)[:2000]
    rows = products = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EN)
        while handle.tell() < target_bytes:
            products += 1
            parent = f"BIG-{products:06}"
            for size in ("S", "M", "L"):
                writer.writerow([
                    parent, f"T-shirt {products}", description, "shirt,cotton",
                    f"https://img.example.com/{products}.jpg", "", "", "", f"{parent}-{size}",
                    "Red", size, "9.99", "USD", "2", "10", "180", "12.5",
                ])  # fmt: skip
                rows += 1
    return products, rows


async def test_a_50_mb_file(sessions, seller, tmp_path) -> None:
    path = tmp_path / "big.csv"
    products, rows = write_big_csv(path, target_bytes=FIFTY_MB)
    assert path.stat().st_size >= FIFTY_MB
    report = await importing.dry_run(sessions, seller.actor, path, path.name)
    assert report.problems == []
    assert (report.rows, report.products, report.to_create) == (rows, products, products)
    done = await importing.import_file(sessions, seller.actor, path, path.name)
    assert (done.created, done.problems) == (products, [])
    async with sessions() as session:
        stored_products = (await session.exec(select(func.count()).select_from(Product))).one()
        stored_variants = (await session.exec(select(func.count()).select_from(Variant))).one()
        longest = (await session.exec(select(func.max(func.length(Product.description))))).one()
    assert (stored_products, stored_variants) == (products, rows)
    assert longest == 2000
