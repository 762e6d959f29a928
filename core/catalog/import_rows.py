"""Reading spreadsheet cells into product and variant values, with a problem per bad cell.

:class:`RowParser` maps a header row onto the template's columns and turns each data row into
``(product values, variant values, problems)``. Every problem names its row, the column as the
file calls it, and the cell (``D5``), so the seller can find it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, Field

from core.catalog.categories import LIST_SEPARATOR, PATH_SEPARATOR
from core.catalog.spreadsheet import cell_name
from core.catalog.template import (
    ALIASES,
    BY_FIELD,
    Column,
    Layout,
    header_key,
    required_fields,
)
from core.i18n import MessageText, message_of, msg

MAX_LENGTHS = {
    "parent_sku": 100,
    "sku": 100,
    "title": 500,
    "brand": 100,
    "gtin": 14,
    "language": 16,
    "color": 100,
    "size": 100,
    "platform_category_id": 64,
}
_MONEY = re.compile(r"^\d{1,14}(\.\d{1,4})?$")
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_CURRENCY_SIGNS = "$¥€£\uffe5"
_TAG_SPLIT = re.compile(r"[,\uff0c\u3001]")
_URL_SPLIT = re.compile(r"[|\s]+")
_STORAGE = Decimal("0.0001")


class ImportProblem(BaseModel):
    """One thing wrong with the file, a row or a cell.

    Attributes:
        row: the row number as the spreadsheet shows it (``None``: the whole file).
        column: the column's header as written in the file.
        cell: the cell (``"D5"``), when there is one.
        parent_sku: the product the row belongs to, when known.
        code: a message key (``missing_column``, ``invalid``, ``required``, ``duplicate_sku``,
            ``conflict``, ``formula``, ``merged``, ``empty``, ``file``, ``existing``,
            ``unknown_column``, ``write_failed``).
        message: what is wrong and how to fix it: English text that keeps its translatable
            template in memory (:data:`core.i18n.MessageText`); JSON answers give the text.
        severity: ``error`` keeps the product (or the file) out; ``warning`` does not.
    """

    row: int | None = None
    column: str | None = None
    cell: str | None = None
    parent_sku: str | None = None
    code: str
    message: MessageText
    severity: Literal["error", "warning"] = "error"


class ImportOptions(BaseModel):
    """How an import treats what it finds."""

    on_existing: Literal["update", "skip"] = "update"
    default_currency: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{3}$",
        description="Currency of prices without one; default the account's (Wish layout: USD).",
    )


class ImportReport(BaseModel):
    """What a dry run found, or what an import did.

    ``problems`` lists every problem (errors and warnings) in file order; ``rows`` counts
    data rows; ``products`` counts parent SKUs, of which ``valid_products`` can be written.
    """

    file_name: str
    format: str | None = None
    encoding: str | None = None
    layout: Layout | None = None
    dry_run: bool = True
    rows: int = 0
    products: int = 0
    valid_products: int = 0
    invalid_products: int = 0
    to_create: int = 0
    to_update: int = 0
    to_skip: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    categories_to_create: list[str] = Field(default_factory=list)
    ignored_columns: list[str] = Field(default_factory=list)
    problems: list[ImportProblem] = Field(default_factory=list)

    @property
    def error_count(self) -> int:
        """How many problems are errors."""
        return sum(1 for problem in self.problems if problem.severity == "error")

    @property
    def file_ok(self) -> bool:
        """Whether the file itself could be read (products may still have problems)."""
        return not any(p.severity == "error" and p.row is None for p in self.problems)


class CellError(ValueError):
    """A cell value that does not fit its column."""


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_text(value: Any) -> str:
    """A text cell (numbers such as SKU ``10023`` read as text)."""
    if type(value) is str:
        return value.strip()
    if isinstance(value, bool):
        raise CellError(msg("expected text, found TRUE/FALSE"))
    if isinstance(value, datetime | date | time):
        raise CellError(msg("expected text, found a date"))
    return _plain(value)


def read_money(value: Any) -> Decimal:
    """An amount: 0 or more, at most 4 decimals; ``$9.99`` and ``1,299.00`` are accepted."""
    if isinstance(value, bool | datetime | date | time):
        raise CellError(msg("expected an amount"))
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value)).quantize(_STORAGE, rounding=ROUND_HALF_UP)
    else:
        text = str(value).strip().lstrip(_CURRENCY_SIGNS).strip()
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        if not _MONEY.match(text.lstrip("-")):
            raise CellError(
                msg("%(value)s is not an amount like 9.99", value=repr(str(value).strip()))
            )
        amount = Decimal(text)
    if not amount.is_finite() or amount >= Decimal("1e14"):
        raise CellError(msg("the amount is too large"))
    if amount < 0:
        raise CellError(msg("the amount cannot be negative"))
    return amount


def read_int(value: Any) -> int:
    """A whole number, 0 or more."""
    if isinstance(value, bool | datetime | date | time):
        raise CellError(msg("expected a whole number"))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError(msg("%(value)s is not a whole number", value=value))
        number = int(value)
    else:
        text = str(value).strip()
        try:
            parsed = Decimal(text)
        except InvalidOperation:
            raise CellError(msg("%(value)s is not a whole number", value=repr(text))) from None
        if not parsed.is_finite() or parsed != parsed.to_integral_value():
            raise CellError(msg("%(value)s is not a whole number", value=repr(text)))
        number = int(parsed)
    if number < 0:
        raise CellError(msg("cannot be negative"))
    if number > 2_000_000_000:
        raise CellError(msg("is too large"))
    return number


def read_length(value: Any) -> Decimal:
    """A length in cm: 0 or more, 2 decimals."""
    amount = read_money(value)
    if amount >= Decimal("1e6"):
        raise CellError(msg("the length is too large"))
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def read_currency(value: Any) -> str:
    """An ISO 4217 code such as USD (lower case accepted)."""
    text = read_text(value).upper()
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise CellError(msg("%(value)s is not a currency code like USD or CNY", value=repr(text)))
    return text


def read_country(value: Any) -> str:
    """An ISO 3166 alpha-2 country code such as CN (lower case accepted)."""
    text = read_text(value).upper()
    if not re.fullmatch(r"[A-Z]{2}", text):
        raise CellError(
            msg("%(value)s is not a two-letter country code like CN or US", value=repr(text))
        )
    return text


_URL = re.compile(r"https?://\S+\Z", re.IGNORECASE)


def read_url(value: Any) -> str:
    """An http(s) URL."""
    text = read_text(value)
    if not _URL.match(text):
        raise CellError(msg("%(value)s is not an http(s) URL", value=repr(text[:80])))
    return text


def read_urls(value: Any) -> tuple[str, ...]:
    """URLs separated by ``|``, spaces or line breaks."""
    return tuple(read_url(part) for part in _URL_SPLIT.split(read_text(value)) if part)


def read_tags(value: Any) -> tuple[str, ...]:
    """Tags separated by commas (also Chinese commas), without duplicates."""
    tags: dict[str, None] = {}
    for part in _TAG_SPLIT.split(read_text(value)):
        tag = part.strip()
        if len(tag) > 100:
            raise CellError(msg("a tag is longer than %(max)s characters", max=100))
        if tag:
            tags.setdefault(tag)
    return tuple(tags)


def read_categories(value: Any) -> tuple[tuple[str, ...], ...]:
    """Category paths: levels separated by ``>``, several paths by ``;``."""
    paths: dict[tuple[str, ...], None] = {}
    for part in read_text(value).split(LIST_SEPARATOR):
        names = tuple(" ".join(name.split()) for name in part.split(PATH_SEPARATOR))
        if not part.strip():
            continue
        if any(not name for name in names):
            raise CellError(msg("%(value)s has an empty level", value=repr(part.strip())))
        if any(len(name) > 100 for name in names):
            raise CellError(msg("a category name is longer than %(max)s characters", max=100))
        paths.setdefault(names)
    return tuple(paths)


READERS = {
    "text": read_text,
    "money": read_money,
    "int": read_int,
    "length": read_length,
    "currency": read_currency,
    "country": read_country,
    "url": read_url,
    "urls": read_urls,
    "tags": read_tags,
    "categories": read_categories,
}


def is_blank(value: Any) -> bool:
    """Whether a cell is empty (``None`` or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


class RowParser:
    """Reads data rows of one file, given its header row.

    Attributes:
        layout: the file's layout.
        file_problems: problems with the header row (missing or repeated columns, unknown
            columns as warnings); any error among them stops the import.
        present: the fields whose column the file has.
    """

    def __init__(self, header: Sequence[Any], layout: Layout) -> None:
        self.layout = layout
        self.file_problems: list[ImportProblem] = []
        self.columns: list[tuple[int, Column, str]] = []
        seen: dict[str, str] = {}
        for index, raw in enumerate(header):
            if is_blank(raw):
                continue
            name = _plain(raw)
            field = ALIASES.get(header_key(name))
            if field is None:
                self.file_problems.append(
                    ImportProblem(
                        row=None,
                        column=name,
                        code="unknown_column",
                        message=msg(
                            "column %(column)s is not part of the template and is ignored",
                            column=repr(name),
                        ),
                        severity="warning",
                    )
                )
                continue
            if field in seen:
                self.file_problems.append(
                    ImportProblem(
                        column=name,
                        code="duplicate_column",
                        message=msg(
                            "columns %(first)s and %(second)s both mean %(field)s",
                            first=repr(seen[field]),
                            second=repr(name),
                            field=repr(field),
                        ),
                    )
                )
                continue
            seen[field] = name
            self.columns.append((index, BY_FIELD[field], name))
        self.present = frozenset(seen)
        self._where = {column.field: (name, index) for index, column, name in self.columns}
        # Cells often repeat the row above (product-level columns on every row of a
        # product, the same price or currency): the last value of each column is remembered.
        self._last: dict[int, tuple[Any, Any]] = {}
        for field in required_fields(layout):
            if field not in seen:
                column = BY_FIELD[field]
                self.file_problems.append(
                    ImportProblem(
                        code="missing_column",
                        message=msg(
                            "required column %(column)s (%(zh)s) is missing",
                            column=repr(column.en),
                            zh=column.zh,
                        ),
                    )
                )

    @property
    def usable(self) -> bool:
        """Whether the header allows reading rows (no error among the file problems)."""
        return not any(problem.severity == "error" for problem in self.file_problems)

    def parse(
        self, number: int, cells: Sequence[Any]
    ) -> tuple[dict[str, Any], dict[str, Any], list[ImportProblem]]:
        """Product values, variant values and problems of data row ``number``.

        Blank cells are left out of the values; required variant cells (SKU, price) that are
        blank are problems. The parent SKU is in the product values (for the Wish layout, a
        blank parent id is the SKU).
        """
        product: dict[str, Any] = {}
        variant: dict[str, Any] = {}
        problems: list[ImportProblem] = []
        size = len(cells)
        for index, column, name in self.columns:
            value = cells[index] if index < size else None
            if value is None or value == "" or (isinstance(value, str) and value.isspace()):
                continue
            remembered = self._last.get(index)
            if (
                remembered is not None
                and type(remembered[0]) is type(value)
                and remembered[0] == value
            ):
                (product if column.level == "product" else variant)[column.field] = remembered[1]
                continue
            try:
                parsed: Any = READERS[column.kind](value)
                limit = MAX_LENGTHS.get(column.field)
                if limit is not None and len(parsed) > limit:
                    raise CellError(msg("longer than %(max)s characters", max=limit))
                self._last[index] = (value, parsed)
            except CellError as exc:
                problems.append(
                    ImportProblem(
                        row=number,
                        column=name,
                        cell=cell_name(number, index),
                        code="invalid",
                        message=msg(
                            "%(column)s: %(problem)s", column=name, problem=message_of(exc)
                        ),
                    )
                )
                continue
            (product if column.level == "product" else variant)[column.field] = parsed
        if self.layout is Layout.WISH and "parent_sku" not in product and "sku" in variant:
            product["parent_sku"] = variant["sku"]
        failed = {problem.column for problem in problems} if problems else set()
        for field in ("parent_sku", "sku", "price"):
            if field in product or field in variant:
                continue
            column_name = self.header_of(field)
            if field not in product and field not in variant and column_name not in failed:
                problems.append(
                    ImportProblem(
                        row=number,
                        column=column_name,
                        cell=self.cell_of(field, number),
                        code="required",
                        message=msg("%(column)s is required", column=column_name or field),
                    )
                )
        parent = product.get("parent_sku")
        for problem in problems:
            problem.parent_sku = parent
        return product, variant, problems

    def header_of(self, field: str) -> str | None:
        """The file's header of ``field``, if the file has the column."""
        where = self._where.get(field)
        return where[0] if where else None

    def cell_of(self, field: str, row: int) -> str | None:
        """The cell of ``field`` in ``row``, if the file has the column."""
        where = self._where.get(field)
        return cell_name(row, where[1]) if where else None
