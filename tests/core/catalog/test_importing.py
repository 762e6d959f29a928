"""Spreadsheet import: dry run reports every problem; import writes whole products only."""

from __future__ import annotations

import zipfile
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from core.catalog import categories, importing, listing_query, products
from core.catalog.importing import ImportOptions
from core.catalog.schemas import ProductPatch
from core.models import Category, Product, ProductImage, ProductState, Variant
from tests.core.catalog.sheets import EN, ROWS, ZH, give_cached_value, write_csv, write_xlsx


async def counts(sessions):
    async with sessions() as session:
        result = {}
        for model in (Product, Variant, ProductImage, Category):
            result[model.__name__] = (
                await session.exec(select(func.count()).select_from(model))
            ).one()
        return result


def problems(report, code=None):
    return [
        (p.row, p.column, p.cell, p.code) for p in report.problems if code is None or p.code == code
    ]


async def stored_products(sessions, actor):
    async with sessions() as session:
        ids = await listing_query.matching_ids(session, actor)
        found = [await products.get_product(session, actor, i) for i in ids]
    return {p.parent_sku: p for p in found}


@pytest.mark.parametrize(
    ("kind", "header"),
    [("csv", EN), ("xlsx", EN), ("csv", ZH), ("xlsx", ZH)],
    ids=["csv-en", "xlsx-en", "csv-zh", "xlsx-zh"],
)
async def test_import_and_reimport(sessions, seller, tmp_path, kind, header) -> None:
    path = tmp_path / f"products.{kind}"
    (write_csv if kind == "csv" else write_xlsx)(path, header, ROWS)
    report = await importing.dry_run(sessions, seller.actor, path, path.name)
    assert problems(report) == []
    assert (report.rows, report.products, report.to_create, report.to_update) == (3, 2, 2, 0)
    assert report.categories_to_create == ["夏季", "服装", "服装>女装"]
    assert await counts(sessions) == {"Product": 0, "Variant": 0, "ProductImage": 0, "Category": 0}

    done = await importing.import_file(sessions, seller.actor, path, path.name)
    assert (done.created, done.updated, done.dry_run) == (2, 0, False)
    found = await stored_products(sessions, seller.actor)
    shirt, mug = found["TS-1"], found["MUG-7"]
    assert shirt.state is ProductState.COLLECTION_BOX and shirt.store_id is None
    assert (shirt.title, shirt.description, shirt.tags) == (
        "Cotton T-shirt",
        "Soft.\nLine two",
        ["shirt", "cotton"],
    )
    assert shirt.source_url == "https://detail.1688.com/offer/1.html"
    assert [(i.role, i.url) for i in shirt.images] == [
        ("main", "https://img/1.jpg"),
        ("extra", "https://img/2.jpg"),
        ("extra", "https://img/3.jpg"),
    ]
    assert [
        (v.sku, v.options, v.price, v.inventory, v.weight_grams, v.cost) for v in shirt.variants
    ] == [
        ("TS-1-R-M", {"color": "Red", "size": "M"}, Decimal("9.99"), 10, 180, Decimal("12.5")),
        ("TS-1-B-L", {"color": "Blue", "size": "L"}, Decimal("10.99"), 5, 190, Decimal("13")),
    ]
    assert shirt.variants[0].shipping_price == Decimal("2")
    assert shirt.variants[0].cost_currency == "CNY"
    assert (mug.variants[0].price, mug.variants[0].inventory) == (Decimal("4.5"), 0)
    async with sessions() as session:
        paths = await categories.category_paths(session, seller.account_id)
        history = await products.product_history(session, seller.actor, shirt.id)
    assert sorted(paths[c] for c in shirt.category_ids) == ["夏季", "服装>女装"]
    assert history[0].action == "imported" and history[0].user_id == seller.user_id

    # Running the same file again updates, it does not duplicate.
    before = await counts(sessions)
    again = await importing.import_file(sessions, seller.actor, path, path.name)
    assert (again.created, again.updated) == (0, 2)
    assert await counts(sessions) == before
    refound = await stored_products(sessions, seller.actor)
    assert refound["TS-1"].id == shirt.id
    assert [v.sku for v in refound["TS-1"].variants] == ["TS-1-R-M", "TS-1-B-L"]
    skipped = await importing.import_file(
        sessions, seller.actor, path, path.name, ImportOptions(on_existing="skip")
    )
    assert (skipped.created, skipped.updated, skipped.skipped) == (0, 0, 2)


async def test_reimport_replaces_the_content(sessions, seller, tmp_path) -> None:
    path = write_csv(tmp_path / "a.csv", EN, ROWS)
    await importing.import_file(sessions, seller.actor, path, path.name)
    changed = [list(row) for row in ROWS[:1]]
    changed[0][1] = "Better T-shirt"
    changed[0][11] = "8.00"
    path = write_csv(tmp_path / "b.csv", EN, changed)
    report = await importing.import_file(sessions, seller.actor, path, path.name)
    assert report.updated == 1
    shirt = (await stored_products(sessions, seller.actor))["TS-1"]
    assert shirt.title == "Better T-shirt"
    assert [(v.sku, v.price) for v in shirt.variants] == [("TS-1-R-M", Decimal("8"))]
    async with sessions() as session:
        history = await products.product_history(session, seller.actor, shirt.id)
    assert history[0].action == "import_updated"
    assert history[0].changes["title"] == ["Cotton T-shirt", "Better T-shirt"]


async def test_gb18030_csv(sessions, seller, tmp_path) -> None:
    path = write_csv(tmp_path / "gbk.csv", ZH, ROWS, encoding="gb18030")
    report = await importing.import_file(sessions, seller.actor, path, path.name)
    assert report.encoding == "gb18030"
    assert report.created == 2
    assert (await stored_products(sessions, seller.actor))["TS-1"].title == "Cotton T-shirt"


async def test_tab_separated_csv(sessions, seller, tmp_path) -> None:
    path = write_csv(tmp_path / "tabs.csv", EN, ROWS, delimiter="\t")
    report = await importing.dry_run(sessions, seller.actor, path, path.name)
    assert problems(report) == [] and report.products == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("blank.csv", b"\n\n  \n", "the file is empty"),
        ("header.csv", ",".join(EN).encode(), "no product rows"),
        ("report.xlsx", b"%PDF-1.7 not a sheet", "is not an XLSX spreadsheet"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a spreadsheet"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old Excel .xls"),
        ("latin.csv", b"title,sku\n\xff\xfe\x80,1\n", "neither UTF-8 nor GB18030"),
        ("broken.xlsx", b"PK\x03\x04 this is no zip", "damaged"),
    ],
)
async def test_unreadable_files_write_nothing(sessions, seller, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    report = await importing.import_file(sessions, seller.actor, path, name)
    assert report.file_ok is False
    assert any(message in p.message for p in report.problems), report.problems
    assert (await counts(sessions))["Product"] == 0


async def test_zip_that_is_not_a_workbook(sessions, seller, tmp_path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    report = await importing.dry_run(sessions, seller.actor, path, path.name)
    assert [p.message for p in report.problems] == ["this zip file is not an XLSX workbook"]


async def test_missing_and_repeated_columns(sessions, seller, tmp_path) -> None:
    header = [h for h in EN if h != "price"] + ["价格", "售价", "colour_code"]
    rows = [row[:11] + row[12:] + ["1", "1", "x"] for row in ROWS]
    path = write_csv(tmp_path / "cols.csv", header, rows)
    report = await importing.import_file(sessions, seller.actor, path, path.name)
    assert [(p.code, p.message) for p in report.problems if p.severity == "error"] == [
        ("duplicate_column", "columns '价格' and '售价' both mean 'price'")
    ]
    assert report.ignored_columns == ["colour_code"]
    assert (await counts(sessions))["Product"] == 0
    path = write_csv(tmp_path / "noprice.csv", EN[:11], [r[:11] for r in ROWS])
    report = await importing.import_file(sessions, seller.actor, path, path.name)
    assert [p.message for p in report.problems] == ["required column 'price' (价格) is missing"]
    assert (await counts(sessions))["Product"] == 0


async def test_bad_cells_are_all_reported_and_their_products_left_out(
    sessions, seller, tmp_path
) -> None:
    rows = [list(row) for row in ROWS]
    rows[0][11] = "abc"  # price, row 2 (L2)
    rows[1][14] = "-1"  # inventory, row 3 (O3)
    rows[1][12] = "us"  # currency, row 3 (M3)
    rows.append(["BAD", "Bad", "", "", "ftp://x/y.jpg", "", "", "", "", "", "", "", "USD", "",
                 "2.5", "", ""])  # fmt: skip
    rows.append(["OK-1", "Fine", "", "", "", "", "", "", "OK-1-A", "", "", "1", "", "", "", "", ""])
    path = write_csv(tmp_path / "bad.csv", EN, rows)
    report = await importing.dry_run(sessions, seller.actor, path, path.name)
    assert problems(report) == [
        (2, "price", "L2", "invalid"),
        (3, "currency", "M3", "invalid"),
        (3, "inventory", "O3", "invalid"),
        (5, "main_image", "E5", "invalid"),
        (5, "inventory", "O5", "invalid"),
        (5, "sku", "I5", "required"),
        (5, "price", "L5", "required"),
    ]
    messages = [p.message for p in report.problems]
    assert "price: 'abc' is not an amount like 9.99" in messages
    assert "inventory: cannot be negative" in messages
    assert "inventory: '2.5' is not a whole number" in messages
    assert (report.valid_products, report.invalid_products) == (2, 2)
    done = await importing.import_file(sessions, seller.actor, path, path.name)
    assert done.created == 2
    assert set(await stored_products(sessions, seller.actor)) == {"MUG-7", "OK-1"}


async def test_duplicate_skus_and_conflicting_product_fields(sessions, seller, tmp_path) -> None:
    rows = [list(row) for row in ROWS]
    rows[1][1] = "Another title"  # conflicts with row 2's title
    rows.append(
        ["MUG-8", "Mug 8", "", "", "", "", "", "", "MUG-7", "", "", "3", "", "", "", "", ""]
    )
    rows.append(
        ["MUG-9", "Mug 9", "", "", "", "", "", "", "MUG-9", "", "", "3", "", "", "", "", ""]
    )
    rows.append(["NOTITLE", "", "", "", "", "", "", "", "NT-1", "", "", "3", "", "", "", "", ""])
    path = write_csv(tmp_path / "dupes.csv", EN, rows)
    report = await importing.import_file(sessions, seller.actor, path, path.name)
    assert problems(report) == [
        (3, "title", "B3", "conflict"),
        (5, "sku", "I5", "duplicate_sku"),
        (7, None, None, "required"),
    ]
    assert "SKU 'MUG-7' is also in row 4" in report.problems[1].message
    assert "differs from row 2" in report.problems[0].message
    assert set(await stored_products(sessions, seller.actor)) == {"MUG-7", "MUG-9"}


async def test_groups_need_not_be_contiguous(sessions, seller, tmp_path) -> None:
    rows = [ROWS[0], ROWS[2], ROWS[1]]
    path = write_csv(tmp_path / "mixed.csv", EN, rows)
    report = await importing.import_file(sessions, seller.actor, path, path.name)
    assert report.created == 2
    shirt = (await stored_products(sessions, seller.actor))["TS-1"]
    assert [v.sku for v in shirt.variants] == ["TS-1-R-M", "TS-1-B-L"]


async def test_formulas_and_merged_cells(sessions, seller, tmp_path) -> None:
    rows = [list(row) for row in ROWS]
    rows[0][11] = "=1+1"  # L2: a formula whose result was never saved
    rows[2][11] = "=2*2.25"  # L4: a formula with a saved result
    rows.append(["M-1", "Merged", "", "", "", "", "", "", "M-1-A", "", "", "1", "", "", "", "", ""])
    rows.append(["", "", "", "", "", "", "", "", "M-1-B", "", "", "1", "", "", "", "", ""])
    path = write_xlsx(tmp_path / "f.xlsx", EN, rows, merge=["A5:A6"])
    give_cached_value(path, "L4", "4.5")
    report = await importing.import_file(sessions, seller.actor, path, path.name)
    found = problems(report)
    assert (2, None, "L2", "formula") in found
    assert (5, None, "A5:A6", "merged") in found
    assert (2, "price", "L2", "required") in found  # no value came with the formula
    assert (6, "parent_sku", "A6", "required") in found
    stored = await stored_products(sessions, seller.actor)
    assert set(stored) == {"MUG-7"}
    assert stored["MUG-7"].variants[0].price == Decimal("4.5")


async def test_merged_header_cells_stop_the_file(sessions, seller, tmp_path) -> None:
    path = write_xlsx(tmp_path / "h.xlsx", EN, ROWS, merge=["A1:B1"])
    report = await importing.import_file(sessions, seller.actor, path, path.name)
    assert report.file_ok is False
    assert any(p.code == "merged" and "header" in p.message for p in report.problems)
    assert (await counts(sessions))["Product"] == 0


async def test_header_may_start_lower_in_the_sheet(sessions, seller, tmp_path) -> None:
    path = write_xlsx(tmp_path / "low.xlsx", ZH, ROWS, start_row=3)
    report = await importing.dry_run(sessions, seller.actor, path, path.name)
    assert problems(report) == [] and report.products == 2


WISH_HEADER = ["Parent Unique ID", "*Product Name", "Description", "*Tags", "*Unique ID", "Color",
               "Size", "*Quantity", "*Price", "MSRP", "*Shipping", "Shipping Time",
               "*Main Image URL", "Extra Image URL", "Variant Main Image URL"]  # fmt: skip
WISH_ROWS = [
    ["W-1", "Summer dress", "Light.", "dress,summer", "W-1-S", "Red", "S", "20", "12.00", "30",
     "3", "7-14", "https://img/w1.jpg", "https://img/w2.jpg|https://img/w3.jpg",
     "https://img/w1s.jpg"],
    ["W-1", "Summer dress", "Light.", "dress,summer", "W-1-M", "Red", "M", "15", "12.00", "30",
     "3", "7-14", "https://img/w1.jpg", "https://img/w2.jpg|https://img/w3.jpg", ""],
    ["", "Hat", "", "hat", "HAT-1", "", "", "5", "4", "", "1", "7-14", "https://img/h.jpg", "",
     ""],
]  # fmt: skip


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
async def test_wish_upload_layout(sessions, seller, tmp_path, kind) -> None:
    path = tmp_path / f"wish.{kind}"
    (write_csv if kind == "csv" else write_xlsx)(path, WISH_HEADER, WISH_ROWS)
    report = await importing.import_file(sessions, seller.actor, path, path.name)
    assert report.layout == "wish"
    assert [p.column for p in report.problems] == ["Shipping Time"]
    assert report.created == 2
    found = await stored_products(sessions, seller.actor)
    dress, hat = found["W-1"], found["HAT-1"]
    assert dress.language == "en"
    assert [(v.sku, v.options, v.inventory, v.msrp, v.currency) for v in dress.variants] == [
        ("W-1-S", {"color": "Red", "size": "S"}, 20, Decimal("30"), "USD"),
        ("W-1-M", {"color": "Red", "size": "M"}, 15, Decimal("30"), "USD"),
    ]
    assert [(i.role, i.url, i.variant_id is not None) for i in dress.images] == [
        ("main", "https://img/w1.jpg", False),
        ("variant", "https://img/w1s.jpg", True),
        ("extra", "https://img/w2.jpg", False),
        ("extra", "https://img/w3.jpg", False),
    ]
    assert [v.sku for v in hat.variants] == ["HAT-1"]


async def test_imports_are_per_account(sessions, seller, other, tmp_path) -> None:
    path = write_csv(tmp_path / "p.csv", EN, ROWS)
    await importing.import_file(sessions, other.actor, path, path.name)
    report = await importing.dry_run(sessions, seller.actor, path, path.name)
    assert report.to_create == 2 and report.to_update == 0
    await importing.import_file(sessions, seller.actor, path, path.name)
    async with sessions() as session:
        mine = await listing_query.matching_ids(session, seller.actor)
        theirs = await listing_query.matching_ids(session, other.actor)
    assert len(mine) == len(theirs) == 2 and not set(mine) & set(theirs)


async def test_a_failing_product_is_left_out_whole(sessions, seller, tmp_path, monkeypatch) -> None:
    """A product whose write fails is rolled back alone; the others are written."""
    from core.catalog import import_writer

    monkeypatch.setattr(import_writer, "BATCH_PRODUCTS", 1)
    rows = [
        ["A", "first", "", "", "", "", "", "", "A-1", "", "", "1", "", "", "", "", ""],
        ["B", "second", "", "", "https://img/b.jpg", "", "", "doomed", "B-1", "", "", "1", "", "",
         "", "", ""],
        ["C", "third", "", "", "", "", "", "", "C-1", "", "", "1", "", "", "", "", ""],
    ]  # fmt: skip
    path = write_csv(tmp_path / "f.csv", EN, rows)

    async def sabotage(done, total):
        # After product A, the category product B is filed under disappears.
        if done == 1:
            async with sessions() as session, session.begin():
                doomed = (
                    await session.exec(select(Category).where(col(Category.name) == "doomed"))
                ).one()
                await session.delete(doomed)

    report = await importing.import_file(sessions, seller.actor, path, path.name, progress=sabotage)
    assert report.created == 2
    assert [(p.row, p.code) for p in report.problems] == [(3, "write_failed")]
    assert set(await stored_products(sessions, seller.actor)) == {"A", "C"}
    assert await counts(sessions) == {"Product": 2, "Variant": 2, "ProductImage": 0, "Category": 0}


async def test_platform_category_and_origin_country(sessions, seller, tmp_path) -> None:
    header = ["父SKU", "标题", "平台类目ID", "发货国家", "SKU", "价格"]
    rows = [
        ["LAMP-1", "Lamp", "1234", "cn", "LAMP-1-R", "10"],
        ["LAMP-1", "", "", "", "LAMP-1-B", "10"],
        ["MUG-2", "Mug", "", "", "MUG-2-W", "6.5"],
        ["BAD-3", "Bad", "77", "China", "BAD-3-K", "8"],
    ]
    path = write_csv(tmp_path / "platform.csv", header, rows)
    report = await importing.import_file(sessions, seller.actor, path, path.name)
    assert problems(report) == [(5, "发货国家", "D5", "invalid")]
    assert (
        report.problems[0].message
        == "发货国家: 'CHINA' is not a two-letter country code like CN or US"
    )
    found = await stored_products(sessions, seller.actor)
    assert set(found) == {"LAMP-1", "MUG-2"}
    assert (found["LAMP-1"].platform_category_id, found["LAMP-1"].platform_data) == (
        "1234",
        {"origin_country": "CN"},
    )
    assert (found["MUG-2"].platform_category_id, found["MUG-2"].platform_data) == (None, {})

    # Re-importing replaces the origin but keeps the product's other platform fields.
    async with sessions() as session, session.begin():
        await products.update_product(
            session,
            seller.actor,
            found["LAMP-1"].id,
            ProductPatch(platform_data={"origin_country": "CN", "warehouse_id": "W1"}),
        )
    rows = [["LAMP-1", "Lamp", "5678", "us", "LAMP-1-R", "10"]]
    path = write_csv(tmp_path / "again.csv", header, rows)
    assert (await importing.import_file(sessions, seller.actor, path, path.name)).updated == 1
    lamp = (await stored_products(sessions, seller.actor))["LAMP-1"]
    assert lamp.platform_category_id == "5678"
    assert lamp.platform_data == {"origin_country": "US", "warehouse_id": "W1"}
    rows = [["LAMP-1", "Lamp", "5678", "", "LAMP-1-R", "10"]]
    path = write_csv(tmp_path / "blank.csv", header, rows)
    await importing.import_file(sessions, seller.actor, path, path.name)
    lamp = (await stored_products(sessions, seller.actor))["LAMP-1"]
    assert lamp.platform_data == {"warehouse_id": "W1"}
