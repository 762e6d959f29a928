"""The product spreadsheet template: its columns, header names (English and Chinese), layouts.

One row per variant; rows with the same parent SKU form one product. Product-level columns may
be filled on every row of the product (they must then agree) or only on its first row.
Headers are matched without case, spaces, underscores or a leading ``*`` (``Parent SKU`` =
``parent_sku`` = ``*父SKU``). The Wish product-upload layout (``Parent Unique ID``,
``Unique ID``, ``Product Name``, ...) is recognised by its headers; there a blank parent id
means a product with one variant whose parent SKU is its SKU. ``docs/catalog-import.md`` shows
the table below for sellers.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Level = Literal["product", "variant"]
Kind = Literal[
    "text", "money", "int", "currency", "country", "url", "urls", "tags", "categories", "length"
]


class Layout(StrEnum):
    """Which spreadsheet layout a file uses."""

    TRADEWIND = "tradewind"
    WISH = "wish"


@dataclass(frozen=True)
class Column:
    """One column of the template.

    Attributes:
        field: the internal name.
        en: the English header of the template.
        zh: the Chinese header of the template.
        level: ``product`` (same on every row of a product) or ``variant``.
        kind: how a cell is read.
        required: whether the column must exist and its cells be filled.
        description: what goes in, for the documentation.
        example: an example value.
        aliases: further accepted headers (other spellings, the Wish layout).
    """

    field: str
    en: str
    zh: str
    level: Level
    kind: Kind
    required: bool
    description: str
    example: str
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("parent_sku", "parent_sku", "父SKU", "product", "text", True,
           "Product SKU; rows with the same value form one product (max 100).", "TS-001",
           ("parent sku", "Parent Unique ID", "父sku编号", "主SKU")),
    Column("title", "title", "标题", "product", "text", True,
           "Product title (max 500).", "Cotton T-shirt", ("Product Name", "产品标题", "name")),
    Column("description", "description", "描述", "product", "text", False,
           "Plain-text description; line breaks are kept.", "Soft cotton.", ("产品描述",)),
    Column("tags", "tags", "标签", "product", "tags", False,
           "Search tags separated by commas.", "shirt,cotton", ("关键词",)),
    Column("brand", "brand", "品牌", "product", "text", False, "Brand name.", "Acme"),
    Column("main_image", "main_image", "主图", "product", "url", False,
           "URL of the main picture (http/https).", "https://img.example.com/1.jpg",
           ("Main Image URL", "主图链接")),
    Column("extra_images", "extra_images", "附图", "product", "urls", False,
           "Further picture URLs separated by | (or spaces/new lines).",
           "https://img.example.com/2.jpg|https://img.example.com/3.jpg",
           ("Extra Image URL", "Extra Image URLs", "Extra Image URL(s)", "附图链接")),
    Column("source_url", "source_url", "来源链接", "product", "url", False,
           "Where the product was collected or bought; private, never sent to a platform.",
           "https://detail.1688.com/offer/1.html", ("source", "来源网址", "采购链接")),
    Column("category", "category", "分类", "product", "categories", False,
           "Local categories: a path with > between levels, several separated by ;.",
           "服装>女装;夏季", ("本地分类", "categories")),
    Column("language", "language", "语言", "product", "text", False,
           "Language of title and description (zh, en, ...); default zh (Wish layout: en).",
           "zh"),
    Column("platform_category_id", "platform_category_id", "平台类目ID", "product", "text", False,
           "The platform's category id (Wish: a number); sent when the product is published.",
           "1234", ("Category ID", "平台分类ID", "类目ID")),
    Column("origin_country", "origin_country", "发货国家", "product", "country", False,
           "ISO code of the country the goods ship from (CN, US, ...); Wish needs it.", "CN",
           ("Origin Country", "发货地")),
    Column("sku", "sku", "SKU", "variant", "text", True,
           "Variant SKU, unique in the file (max 100).", "TS-001-RED-M",
           ("Unique ID", "子SKU", "variant sku", "sku编号")),
    Column("color", "color", "颜色", "variant", "text", False, "Colour option.", "Red",
           ("colour",)),
    Column("size", "size", "尺码", "variant", "text", False, "Size option.", "M", ("尺寸",)),
    Column("price", "price", "价格", "variant", "money", True, "Selling price.", "9.99",
           ("售价",)),
    Column("currency", "currency", "币种", "variant", "currency", False,
           "ISO currency of the prices; default the account's (Wish layout: USD).", "USD",
           ("货币",)),
    Column("shipping_price", "shipping_price", "运费", "variant", "money", False,
           "Shipping price charged to the buyer.", "2.00", ("Shipping",)),
    Column("msrp", "msrp", "原价", "variant", "money", False,
           "Crossed-out 'was' price.", "19.99", ("MSRP", "建议零售价")),
    Column("inventory", "inventory", "库存", "variant", "int", False,
           "Quantity offered (whole number, 0 or more); default 0.", "100",
           ("Quantity", "数量")),
    Column("weight_g", "weight_g", "重量(g)", "variant", "int", False,
           "Parcel weight in grams.", "180", ("weight", "重量", "weight (g)")),
    Column("length_cm", "length_cm", "长(cm)", "variant", "length", False,
           "Parcel length in cm.", "20", ("length",)),
    Column("width_cm", "width_cm", "宽(cm)", "variant", "length", False,
           "Parcel width in cm.", "15", ("width",)),
    Column("height_cm", "height_cm", "高(cm)", "variant", "length", False,
           "Parcel height in cm.", "3", ("height",)),
    Column("gtin", "gtin", "条码", "variant", "text", False,
           "EAN/UPC barcode (max 14).", "", ("UPC", "EAN", "barcode")),
    Column("variant_image", "variant_image", "SKU图片", "variant", "url", False,
           "URL of this variant's picture.", "",
           ("Variant Main Image URL", "Variant Image URL", "变体图片")),
    Column("cost", "cost", "成本价", "variant", "money", False,
           "Purchase cost; private, used by price formulas.", "12.50", ("采购价", "成本")),
    Column("cost_currency", "cost_currency", "成本币种", "variant", "currency", False,
           "ISO currency of the cost; default CNY.", "CNY"),
)  # fmt: skip
"""Every column, in template order."""

BY_FIELD: Mapping[str, Column] = {column.field: column for column in COLUMNS}
PRODUCT_FIELDS = tuple(c.field for c in COLUMNS if c.level == "product")
VARIANT_FIELDS = tuple(c.field for c in COLUMNS if c.level == "variant")

WISH_MARKERS = frozenset({"uniqueid", "parentuniqueid", "productname", "mainimageurl"})
"""Normalised headers that only the Wish layout uses."""

_SPACES = re.compile(r"[\s_\-]+")


def header_key(header: str) -> str:
    """The comparable form of a header: no case, spaces, underscores, dashes or leading ``*``."""
    # NFKC folds full-width letters and brackets (common in Chinese files) to ASCII.
    text = unicodedata.normalize("NFKC", header).strip().lstrip("*").strip()
    return _SPACES.sub("", text.casefold())


def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.field, column.en, column.zh, *column.aliases):
            table[header_key(name)] = column.field
    return table


ALIASES: Mapping[str, str] = _aliases()
"""Normalised header -> field."""


def detect_layout(headers: Iterable[str]) -> Layout:
    """The layout whose headers these are."""
    keys = {header_key(header) for header in headers}
    return Layout.WISH if len(keys & WISH_MARKERS) >= 2 else Layout.TRADEWIND


def required_fields(layout: Layout) -> tuple[str, ...]:
    """Columns a file of ``layout`` must have (Wish may leave the parent id out)."""
    required = tuple(c.field for c in COLUMNS if c.required)
    if layout is Layout.WISH:
        return tuple(field for field in required if field != "parent_sku")
    return required


def headers(language: Literal["en", "zh"] = "zh") -> list[str]:
    """The template's header row in ``language``."""
    return [column.zh if language == "zh" else column.en for column in COLUMNS]


def example_rows() -> list[list[str]]:
    """Two example rows (one product with two variants) under :func:`headers`."""
    first = [column.example for column in COLUMNS]
    second = list(first)
    for field, value in (("sku", "TS-001-BLUE-L"), ("color", "Blue"), ("size", "L")):
        second[list(BY_FIELD).index(field)] = value
    return [first, second]


def template_csv(language: Literal["en", "zh"] = "zh") -> bytes:
    """The template as CSV (UTF-8 with BOM, so Excel opens Chinese headers correctly)."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers(language))
    writer.writerows(example_rows())
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(language: Literal["en", "zh"] = "zh") -> bytes:
    """The template as XLSX with the example product."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("products")
    sheet.append(headers(language))
    for row in example_rows():
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def column_table_markdown() -> str:
    """The column table for the documentation (English header, Chinese header, meaning)."""
    lines = [
        "| English header | 中文表头 | level | required | what goes in | also accepted |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for column in COLUMNS:
        aliases = ", ".join(f"`{alias}`" for alias in column.aliases)
        lines.append(
            f"| `{column.en}` | `{column.zh}` | {column.level} | "
            f"{'yes' if column.required else ''} | {column.description.replace('|', chr(92) + '|')}"
            f" | {aliases} |"
        )
    return "\n".join(lines)
