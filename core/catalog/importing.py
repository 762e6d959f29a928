"""Spreadsheet import into the collection box: a dry run, then the import (rule 10).

Both start with the same pass over the file, which reports every problem (row, column, cell)
and never writes. The import then writes every valid product in batches, each batch in one
transaction; when a batch fails, its products are retried one per transaction, so a product is
written completely or not at all. Invalid products and the reasons are in the report.

Re-running a file does not duplicate: within the collection box the parent SKU is the key. By
default an existing collection-box product with that parent SKU is **updated** — its
product-level fields that the file has columns for, its pictures (when the file has picture
columns), its categories (when it has the category column) and all of its variants are replaced
by the file's — or, with ``on_existing="skip"``, left alone. Products already claimed to a
store are separate drafts and are never touched by an import.

Memory stays bounded: the pass spools the parsed rows to a temporary file and keeps only a few
numbers per product in memory; the write phase reads the spool back product by product.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Actor
from core.catalog import import_writer
from core.catalog.access import require_write
from core.catalog.import_rows import (
    ImportOptions,
    ImportProblem,
    ImportReport,
    RowParser,
    is_blank,
)
from core.catalog.spreadsheet import (
    SheetInfo,
    SpreadsheetError,
    detect_csv_encoding,
    iter_csv,
    iter_xlsx,
    scan_xlsx,
    sniff_format,
)
from core.catalog.template import Layout, detect_layout
from core.i18n import message_of, msg
from core.models.accounts import Account
from core.models.catalog import Product

SPOOL_BATCH = 512
"""Parsed rows pickled together (repeated values are stored once per batch)."""

Progress = Callable[[int, int], Awaitable[None]]
"""``await progress(settled, total)`` after each batch: products settled so far (written,
skipped or left out for their problems) of the products in the file."""


class _Group:
    """What the first pass keeps per parent SKU (a few numbers, not the values)."""

    __slots__ = ("first_row", "hashes", "invalid", "rows")

    def __init__(self, first_row: int) -> None:
        self.first_row = first_row
        self.rows = 0
        self.invalid = False
        self.hashes: dict[str, tuple[int, int]] = {}


@dataclass
class _Pass:
    """The outcome of reading the file once."""

    report: ImportReport
    groups: dict[str, _Group] = field(default_factory=dict)
    category_paths: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)
    sku_rows: dict[str, int] = field(default_factory=dict)
    present: frozenset[str] = frozenset()
    spool: IO[bytes] | None = None
    default_currency: str = "USD"
    currency_given: bool = False

    spooled: list[tuple[int, str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def flush_spool(self) -> None:
        """Write the rows kept so far to the spool (one pickle per batch of rows)."""
        if self.spool is not None and self.spooled:
            pickle.dump(self.spooled, self.spool, protocol=pickle.HIGHEST_PROTOCOL)
        self.spooled = []

    @property
    def valid_keys(self) -> list[str]:
        return [key for key, group in self.groups.items() if not group.invalid]

    def used_category_paths(self) -> list[tuple[str, ...]]:
        """Category paths named by products that can be written."""
        return [
            path
            for path, keys in self.category_paths.items()
            if any(not self.groups[key].invalid for key in keys)
        ]


def _rows(path: Path, info: SheetInfo) -> Iterator[tuple[int, tuple[Any, ...]]]:
    if info.format == "xlsx":
        return iter_xlsx(path)
    assert info.encoding is not None
    return iter_csv(path, info.encoding)


def _open(path: Path, file_name: str, report: ImportReport) -> SheetInfo | None:
    try:
        kind = sniff_format(path, file_name)
        if kind == "xlsx":
            info = scan_xlsx(path)
        else:
            info = SheetInfo(format="csv", encoding=detect_csv_encoding(path))
    except SpreadsheetError as exc:
        report.problems.append(ImportProblem(code="file", message=message_of(exc)))
        return None
    report.format = info.format
    report.encoding = info.encoding
    return info


async def _first_pass(
    session: AsyncSession,
    actor: Actor,
    path: Path,
    file_name: str,
    options: ImportOptions,
    *,
    spool: IO[bytes] | None,
) -> _Pass:
    report = ImportReport(file_name=file_name)
    state = _Pass(report=report, spool=spool)
    account = await session.get(Account, actor.account_id)
    state.currency_given = options.default_currency is not None
    state.default_currency = options.default_currency or (
        account.default_currency if account else "USD"
    )
    info = _open(path, file_name, report)
    if info is None:
        return state
    try:
        _read_rows(state, path, info)
    except SpreadsheetError as exc:
        report.problems.append(ImportProblem(code="file", message=message_of(exc)))
    if not report.file_ok:
        return state
    await _check_existing(session, actor, state)
    await _check_categories(session, actor, state)
    _count(state, options)
    return state


def _read_rows(state: _Pass, path: Path, info: SheetInfo) -> None:
    report = state.report
    rows = _rows(path, info)
    header_row = 0
    parser: RowParser | None = None
    for number, cells in rows:
        if all(is_blank(cell) for cell in cells):
            continue
        header_row = number
        parser = RowParser(cells, detect_layout(str(c) for c in cells if not is_blank(c)))
        break
    if parser is None:
        report.problems.append(ImportProblem(code="empty", message=msg("the file is empty")))
        return
    report.layout = parser.layout
    if parser.layout is Layout.WISH and not state.currency_given:
        state.default_currency = "USD"  # Wish sells in USD
    report.problems.extend(parser.file_problems)
    report.ignored_columns = [
        p.column or "" for p in parser.file_problems if p.severity == "warning"
    ]
    state.present = parser.present
    marked = _sheet_problems(report, info, header_row)
    if not parser.usable:
        return
    for number, cells in rows:
        if all(is_blank(cell) for cell in cells):
            continue
        report.rows += 1
        _one_row(state, parser, number, cells, marked.get(number))
    state.flush_spool()
    if report.rows == 0:
        report.problems.append(
            ImportProblem(
                code="empty", message=msg("the file has a header row but no product rows")
            )
        )


def _sheet_problems(report: ImportReport, info: SheetInfo, header_row: int) -> dict[int, str]:
    """Report merged cells and formulas without results; returns row -> reason (data rows)."""
    marked: dict[int, str] = {}
    for merged in info.merged:
        if merged.min_row <= header_row <= merged.max_row:
            report.problems.append(
                ImportProblem(
                    code="merged",
                    cell=merged.ref,
                    message=msg(
                        "header cells %(cells)s are merged; unmerge them", cells=merged.ref
                    ),
                )
            )
            continue
        report.problems.append(
            ImportProblem(
                row=merged.min_row,
                cell=merged.ref,
                code="merged",
                message=msg(
                    "cells %(cells)s are merged; unmerge them and fill in every row",
                    cells=merged.ref,
                ),
            )
        )
        for row in range(merged.min_row, merged.max_row + 1):
            marked.setdefault(row, "merged")
    for cell in info.formulas_without_value:
        row = int("".join(ch for ch in cell if ch.isdigit()) or 0)
        report.problems.append(
            ImportProblem(
                row=row or None,
                cell=cell,
                code="formula",
                message=msg(
                    "cell %(cell)s has a formula without a saved result; open the file in "
                    "Excel or WPS and save it again, or paste the values",
                    cell=cell,
                ),
            )
        )
        marked.setdefault(row, "formula")
    return marked


def _one_row(
    state: _Pass, parser: RowParser, number: int, cells: tuple[Any, ...], marked: str | None
) -> None:
    product, variant, problems = parser.parse(number, cells)
    parent = product.get("parent_sku")
    group = None
    if parent is not None:
        group = state.groups.get(parent)
        if group is None:
            group = state.groups[parent] = _Group(number)
        group.rows += 1
        new_values = _check_product_fields(state, parser, group, number, parent, product, problems)
        _check_sku(state, parser, number, parent, variant, problems)
        for path in product.get("category", ()):
            state.category_paths.setdefault(path, set()).add(parent)
        if state.spool is not None:
            state.spooled.append((number, parent, new_values, variant))
            if len(state.spooled) >= SPOOL_BATCH:
                state.flush_spool()
        if problems or marked:
            group.invalid = True
    state.report.problems.extend(problems)


def _check_product_fields(
    state: _Pass,
    parser: RowParser,
    group: _Group,
    number: int,
    parent: str,
    product: dict[str, Any],
    problems: list[ImportProblem],
) -> dict[str, Any]:
    """Compare product-level values with the group's first ones; return the new ones."""
    new_values: dict[str, Any] = {}
    for name, value in product.items():
        if name == "parent_sku":
            continue
        digest = hash(value)
        seen = group.hashes.get(name)
        if seen is None:
            group.hashes[name] = (digest, number)
            new_values[name] = value
        elif seen[0] != digest:
            header = parser.header_of(name) or name
            problems.append(
                ImportProblem(
                    row=number,
                    column=header,
                    cell=parser.cell_of(name, number),
                    parent_sku=parent,
                    code="conflict",
                    message=msg(
                        "%(column)s differs from row %(row)s of the same parent SKU %(sku)s; "
                        "product-level columns must be equal (or blank) on every row",
                        column=header,
                        row=seen[1],
                        sku=repr(parent),
                    ),
                )
            )
    return new_values


def _check_sku(
    state: _Pass,
    parser: RowParser,
    number: int,
    parent: str,
    variant: dict[str, Any],
    problems: list[ImportProblem],
) -> None:
    sku = variant.get("sku")
    if sku is None:
        return
    first = state.sku_rows.get(sku)
    if first is None:
        state.sku_rows[sku] = number
        return
    header = parser.header_of("sku") or "sku"
    problems.append(
        ImportProblem(
            row=number,
            column=header,
            cell=parser.cell_of("sku", number),
            parent_sku=parent,
            code="duplicate_sku",
            message=msg(
                "SKU %(sku)s is also in row %(row)s; every SKU must be unique in the file",
                sku=repr(sku),
                row=first,
            ),
        )
    )


async def _check_existing(session: AsyncSession, actor: Actor, state: _Pass) -> None:
    """Find collection-box products with the file's parent SKUs (and report ambiguous ones)."""
    for group_key, group in state.groups.items():
        if "title" not in group.hashes and not group.invalid:
            state.report.problems.append(
                ImportProblem(
                    row=group.first_row,
                    parent_sku=group_key,
                    code="required",
                    message=msg(
                        "the product %(sku)s has no title on any of its rows", sku=repr(group_key)
                    ),
                )
            )
            group.invalid = True
    keys = list(state.groups)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = await session.exec(
            select(Product.parent_sku, func.min(Product.id), func.count())
            .where(
                col(Product.account_id) == actor.account_id,
                col(Product.store_id).is_(None),
                col(Product.parent_sku).in_(chunk),
            )
            .group_by(col(Product.parent_sku))
        )
        for parent, first_id, count in rows.all():
            if parent is None:
                continue
            if count > 1:
                group = state.groups[parent]
                group.invalid = True
                state.report.problems.append(
                    ImportProblem(
                        row=group.first_row,
                        parent_sku=parent,
                        code="existing",
                        message=msg(
                            "the collection box holds %(count)s products with parent SKU "
                            "%(sku)s; delete the extra ones or change the SKU in the file",
                            count=count,
                            sku=repr(parent),
                        ),
                    )
                )
            else:
                state.existing[parent] = int(first_id or 0)


async def _check_categories(session: AsyncSession, actor: Actor, state: _Pass) -> None:
    used = state.used_category_paths()
    if not used:
        return
    known = await import_writer.existing_category_paths(session, actor.account_id)
    missing = {
        path[: depth + 1]
        for path in used
        for depth in range(len(path))
        if path[: depth + 1] not in known
    }
    state.report.categories_to_create = sorted(">".join(path) for path in missing)


def _count(state: _Pass, options: ImportOptions) -> None:
    report = state.report
    report.products = len(state.groups)
    valid = state.valid_keys
    report.valid_products = len(valid)
    report.invalid_products = report.products - report.valid_products
    existing = sum(1 for key in valid if key in state.existing)
    report.to_create = len(valid) - existing
    if options.on_existing == "update":
        report.to_update = existing
    else:
        report.to_skip = existing
    report.problems.sort(key=lambda problem: problem.row or 0)


async def dry_run(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    path: Path,
    file_name: str,
    options: ImportOptions | None = None,
) -> ImportReport:
    """Check a file and say what an import would do; nothing is written.

    Args:
        sessions: session factory (only reads).
        actor: who imports (needs write access to products).
        path: the uploaded file on disk.
        file_name: its original name (its extension helps to tell CSV from XLSX).
        options: how existing products are treated.
    """
    require_write(actor)
    options = options or ImportOptions()
    async with sessions() as session:
        state = await _first_pass(session, actor, path, file_name, options, spool=None)
    return state.report


async def import_file(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    path: Path,
    file_name: str,
    options: ImportOptions | None = None,
    *,
    job_id: int | None = None,
    progress: Progress | None = None,
    written: import_writer.Written | None = None,
) -> ImportReport:
    """Check a file, then write its valid products into the collection box.

    Nothing is written when the file itself is unreadable (not a spreadsheet, empty, a
    required column missing). Otherwise every valid product is written; the report lists the
    problems of the others.

    Args:
        sessions: session factory.
        actor: who imports (needs write access to products).
        path: the uploaded file on disk.
        file_name: its original name.
        options: how existing products are treated.
        job_id: the job the import runs in, for the products' history.
        progress: called after each transaction of the write phase (see :data:`Progress`).
        written: called after each transaction with the products it created, updated or
            skipped (a job records them as its items).
    """
    require_write(actor)
    options = options or ImportOptions()
    with tempfile.TemporaryFile(prefix="tradewind-import-") as spool:
        async with sessions() as session:
            state = await _first_pass(session, actor, path, file_name, options, spool=spool)
            report = state.report
        report.dry_run = False
        if not report.file_ok or not state.valid_keys:
            return report
        spool.seek(0)
        writer = import_writer.Writer(
            sessions=sessions,
            actor=actor,
            options_update=options.on_existing == "update",
            existing=state.existing,
            present=state.present,
            default_currency=state.default_currency,
            file_name=file_name,
            job_id=job_id,
            report=report,
            written=written,
        )
        await writer.prepare_categories(state.used_category_paths())
        await writer.run(_complete_groups(spool, state), progress)
    return report


def _spooled_rows(spool: IO[bytes]) -> Iterator[tuple[int, str, dict[str, Any], dict[str, Any]]]:
    while True:
        try:
            batch = pickle.load(spool)
        except EOFError:
            return
        yield from batch


def _complete_groups(spool: IO[bytes], state: _Pass) -> Iterator[import_writer.GroupData]:
    """Read the spool back, yielding each valid product once all its rows are read."""
    pending: dict[str, import_writer.GroupData] = {}
    remaining: dict[str, int] = {}
    for number, parent, product, variant in _spooled_rows(spool):
        group = state.groups[parent]
        if group.invalid:
            continue
        data = pending.get(parent)
        if data is None:
            data = pending[parent] = import_writer.GroupData(parent, group.first_row)
            remaining[parent] = group.rows
        for name, value in product.items():
            data.product.setdefault(name, value)
        data.variants.append(variant)
        data.rows.append(number)
        remaining[parent] -= 1
        if remaining[parent] == 0:
            del remaining[parent]
            yield pending.pop(parent)


__all__ = ["ImportOptions", "ImportProblem", "ImportReport", "dry_run", "import_file"]
