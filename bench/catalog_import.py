"""Benchmark: spreadsheet import of 100,000 variant rows vs a plain executemany baseline.

For each database (SQLite always; PostgreSQL when TRADEWIND_BENCH_DATABASE_URL is set) and each
format (XLSX, CSV) it runs, each in a fresh process on a freshly migrated database:

- baseline: read the same file with the same raw reader (openpyxl read-only / csv) and insert
  the same products, variants and pictures with plain Core ``executemany``, 500 products per
  transaction, no checks, no history;
- importer: ``core.catalog.importing.import_file`` (full dry-run checks, spool, categories,
  history rows, batched writes).

It prints wall time and peak RSS of each, and the ratio importer / baseline.

    uv run python bench/catalog_import.py --rows 100000
    TRADEWIND_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/postgres \
        uv run python bench/catalog_import.py --rows 100000
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

HEADER = ["parent_sku", "title", "description", "tags", "main_image", "extra_images",
          "source_url", "sku", "color", "size", "price", "currency", "shipping_price",
          "inventory", "weight_g", "cost"]  # fmt: skip
SIZES = ("S", "M", "L")


def rows(count: int):
    description = "Breathable cotton T-shirt, relaxed fit, machine washable. " * 4
    for index in range(count):
        product, variant = divmod(index, len(SIZES))
        parent = f"BENCH-{product:07}"
        size = SIZES[variant]
        yield [
            parent, f"Cotton T-shirt {product}", description, "shirt,cotton,summer",
            f"https://img.example.com/{product}/main.jpg",
            f"https://img.example.com/{product}/2.jpg|https://img.example.com/{product}/3.jpg",
            f"https://detail.1688.com/offer/{product}.html", f"{parent}-{size}", "Red", size,
            "9.99", "USD", "2.00", "100", "180", "12.50",
        ]  # fmt: skip


def make_files(folder: Path, count: int) -> dict[str, Path]:
    from openpyxl import Workbook

    csv_path = folder / "products.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows(count))
    xlsx_path = folder / "products.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("products")
    sheet.append(HEADER)
    for row in rows(count):
        sheet.append(row)
    workbook.save(xlsx_path)
    return {"csv": csv_path, "xlsx": xlsx_path}


# -- one measured phase, run in its own process -------------------------------------------


def raw_rows(path: Path):
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        iterator = workbook.worksheets[0].iter_rows(values_only=True)
    else:
        handle = path.open(encoding="utf-8-sig", newline="")
        iterator = csv.reader(handle)
    next(iterator)
    yield from iterator


async def setup_account(url: str) -> tuple[int, int]:
    from core.db import create_engine, session_factory, transaction
    from core.models import Account, User

    engine = create_engine(url)
    async with transaction(session_factory(engine)) as session:
        account = Account(name="bench")
        session.add(account)
        await session.flush()
        user = User(account_id=account.id, email=f"{uuid.uuid4().hex}@bench")
        session.add(user)
        await session.flush()
        ids = (account.id, user.id)
    await engine.dispose()
    return ids


async def baseline(url: str, path: Path) -> None:
    from sqlmodel import SQLModel

    import core.models  # noqa: F401
    from core.db import create_engine
    from core.models.base import utcnow

    account_id, user_id = await setup_account(url)
    tables = SQLModel.metadata.tables
    product_t, variant_t, image_t = tables["product"], tables["variant"], tables["product_image"]
    engine = create_engine(url)
    groups: list[tuple[list, list]] = []

    async def flush() -> None:
        now = utcnow()
        async with engine.begin() as conn:
            result = await conn.execute(
                insert(product_t).returning(product_t.c.id, product_t.c.parent_sku),
                [
                    {
                        "account_id": account_id,
                        "store_id": None,
                        "state": "collection_box",
                        "is_updating": False,
                        "parent_sku": first[0],
                        "title": first[1],
                        "description": first[2],
                        "tags": first[3].split(","),
                        "tags_translated": [],
                        "language": "zh",
                        "source_url": first[6],
                        "platform_data": {},
                        "problems": [],
                        "problem_count": 0,
                        "created_by_id": user_id,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for first, _variants in groups
                ],
            )
            by_parent = {parent: pid for pid, parent in result.all()}
            ids = [by_parent[first[0]] for first, _variants in groups]
            await conn.execute(
                insert(variant_t),
                [
                    {
                        "account_id": account_id,
                        "product_id": pid,
                        "store_id": None,
                        "sku": v[7],
                        "position": n,
                        "options": [
                            {"name": "color", "value": v[8]},
                            {"name": "size", "value": v[9]},
                        ],
                        "price": Decimal(str(v[10])),
                        "currency": v[11],
                        "shipping_price": Decimal(str(v[12])),
                        "inventory": int(v[13]),
                        "weight_grams": int(v[14]),
                        "cost": Decimal(str(v[15])),
                        "cost_currency": "CNY",
                        "is_enabled": True,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for pid, (_first, variants) in zip(ids, groups, strict=True)
                    for n, v in enumerate(variants)
                ],
            )
            await conn.execute(
                insert(image_t),
                [
                    {
                        "account_id": account_id,
                        "product_id": pid,
                        "external_url": url_,
                        "role": "main" if n == 0 else "extra",
                        "position": n,
                    }
                    for pid, (first, _variants) in zip(ids, groups, strict=True)
                    for n, url_ in enumerate([first[4], *first[5].split("|")])
                ],
            )
        groups.clear()

    current = None
    for row in raw_rows(path):
        if current is None or current[0][0] != row[0]:
            if len(groups) >= 500:
                await flush()
            current = (list(row), [])
            groups.append(current)
        current[1].append(list(row))
    if groups:
        await flush()
    await engine.dispose()


async def importer(url: str, path: Path) -> None:
    from core.actor import Actor
    from core.catalog import importing
    from core.db import create_engine, session_factory

    account_id, user_id = await setup_account(url)
    engine = create_engine(url)
    report = await importing.import_file(
        session_factory(engine), Actor(account_id=account_id, user_id=user_id), path, path.name
    )
    await engine.dispose()
    assert report.error_count == 0, report.problems[:5]
    assert report.created == report.products, (report.created, report.products)


def run_phase(phase: str, url: str, path: str) -> None:
    started = time.perf_counter()
    asyncio.run((baseline if phase == "baseline" else importer)(url, Path(path)))
    wall = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"wall": wall, "peak_mb": peak_kib / 1024}))


# -- orchestration --------------------------------------------------------------------------


async def fresh_database(backend: str, folder: Path) -> tuple[str, str | None]:
    """A migrated empty database; returns (url, name to drop afterwards)."""
    from core import migrate
    from core.config import load_settings
    from core.db import create_engine

    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        await migrate.upgrade(url)
        return url, None
    server = load_settings(
        env={}, database_url=os.environ["TRADEWIND_BENCH_DATABASE_URL"]
    ).effective_database_url
    name = f"tw_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    await migrate.upgrade(url)
    return url, name


async def drop_database(name: str) -> None:
    from core.config import load_settings
    from core.db import create_engine

    server = load_settings(
        env={}, database_url=os.environ["TRADEWIND_BENCH_DATABASE_URL"]
    ).effective_database_url
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


def measure(phase: str, backend: str, path: Path, folder: Path) -> dict[str, float]:
    url, name = asyncio.run(fresh_database(backend, folder))
    try:
        output = subprocess.run(
            [sys.executable, __file__, "--phase", phase, "--url", url, "--file", str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        if name:
            asyncio.run(drop_database(name))
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="xlsx,csv")
    parser.add_argument("--phase", choices=["baseline", "importer"])
    parser.add_argument("--url")
    parser.add_argument("--file")
    args = parser.parse_args()
    if args.phase:
        run_phase(args.phase, args.url, args.file)
        return
    backends = ["sqlite"] + (
        ["postgresql"] if os.environ.get("TRADEWIND_BENCH_DATABASE_URL") else []
    )
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        started = time.perf_counter()
        files = make_files(folder, args.rows)
        sizes = ", ".join(f"{k} {p.stat().st_size / 1e6:.1f} MB" for k, p in files.items())
        print(f"generated {args.rows} rows in {time.perf_counter() - started:.1f} s: {sizes}")
        print(
            "| database | format | baseline s | importer s | ratio | baseline peak MB "
            "| importer peak MB |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for backend in backends:
            for file_format in args.formats.split(","):
                base = measure("baseline", backend, files[file_format], folder)
                full = measure("importer", backend, files[file_format], folder)
                print(
                    f"| {backend} | {file_format} | {base['wall']:.1f} | {full['wall']:.1f} | "
                    f"{full['wall'] / base['wall']:.2f}x | {base['peak_mb']:.0f} | "
                    f"{full['peak_mb']:.0f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
