"""Build spreadsheet files for the import tests (real CSV and XLSX files on disk)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

EN = ["parent_sku", "title", "description", "tags", "main_image", "extra_images", "source_url",
      "category", "sku", "color", "size", "price", "currency", "shipping_price", "inventory",
      "weight_g", "cost"]  # fmt: skip
ZH = ["父SKU", "标题", "描述", "标签", "主图", "附图", "来源链接", "分类", "SKU", "颜色", "尺码",
      "价格", "币种", "运费", "库存", "重量(g)", "成本价"]  # fmt: skip

ROWS = [
    ["TS-1", "Cotton T-shirt", "Soft.\nLine two", "shirt,cotton", "https://img/1.jpg",
     "https://img/2.jpg|https://img/3.jpg", "https://detail.1688.com/offer/1.html",
     "服装>女装;夏季", "TS-1-R-M", "Red", "M", "9.99", "USD", "2", "10", "180", "12.5"],
    ["TS-1", "", "", "", "", "", "", "", "TS-1-B-L", "Blue", "L", "10.99", "USD", "2", "5",
     "190", "13"],
    ["MUG-7", "Mug", "", "mug", "https://img/m.jpg", "", "", "", "MUG-7", "", "", "4.50", "USD",
     "", "0", "", ""],
]  # fmt: skip


def write_csv(path: Path, header, rows, encoding: str = "utf-8-sig", delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, header, rows, *, merge: list[str] | None = None, start_row: int = 1):
    workbook = Workbook()
    sheet = workbook.active
    for _ in range(start_row - 1):
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append([_typed(value) for value in row])
    for block in merge or []:
        sheet.merge_cells(block)
    workbook.save(path)
    return path


def _typed(value):
    """Numbers as numbers, like a seller's Excel file."""
    if isinstance(value, str) and re.fullmatch(r"\d+", value):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\d+\.\d+", value):
        return float(value)
    return value


def give_cached_value(path: Path, cell: str, value: str) -> None:
    """Store a formula result in ``cell`` (openpyxl writes formulas without results)."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    pattern = re.compile(rf'(<c r="{cell}"[^>]*>\s*<f>[^<]*</f>)\s*<v\s*/?>(</v>)?')
    sheet, count = pattern.subn(rf"\1<v>{value}</v>", sheet)
    assert count == 1, sheet[:2000]
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
