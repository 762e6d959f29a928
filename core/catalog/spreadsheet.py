"""Streaming readers for CSV and XLSX files, and the checks that need the raw file.

Nothing here loads a whole file: XLSX is read with openpyxl in read-only mode (rows are parsed
as they are needed; cached formula results with ``data_only=True``), CSV through the ``csv``
module over a decoded text stream. What openpyxl's read-only mode cannot tell — merged cells
and formulas without a saved result — is found by scanning the worksheet XML itself.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from xml.etree import ElementTree

from openpyxl.utils.cell import get_column_letter, range_boundaries

from core.i18n import msg

csv.field_size_limit(16 * 1024 * 1024)  # descriptions may be long; rows stay bounded anyway

Format = Literal["xlsx", "csv"]
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
"""Encodings tried for CSV files, in order (Excel in China saves CSV as GBK/GB18030)."""

_SNIFF_BYTES = 64 * 1024
_CHUNK = 1024 * 1024
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Za-z]+\d+(?::[A-Za-z]+\d+)?)\"")


class SpreadsheetError(Exception):
    """The file cannot be read as a spreadsheet at all; the message says why."""


@dataclass(frozen=True)
class MergedRange:
    """A block of merged cells (``B5:B7``)."""

    ref: str
    min_row: int
    max_row: int
    min_col: int
    max_col: int


@dataclass
class SheetInfo:
    """What was learnt about the file before its rows are read.

    Attributes:
        format: ``xlsx`` or ``csv``.
        encoding: the CSV encoding that decoded the whole file.
        sheet_title: the worksheet read (the first one).
        merged: merged-cell ranges of that worksheet.
        formulas_without_value: cells (``"D5"``) whose formula has no saved result.
    """

    format: Format
    encoding: str | None = None
    sheet_title: str | None = None
    merged: list[MergedRange] = field(default_factory=list)
    formulas_without_value: list[str] = field(default_factory=list)


def cell_name(row: int, column_index: int) -> str:
    """``(5, 3)`` -> ``"D5"`` (column index from 0)."""
    return f"{get_column_letter(column_index + 1)}{row}"


def sniff_format(path: Path, file_name: str) -> Format:
    """Decide how to read the file from its first bytes (and its name).

    Raises:
        SpreadsheetError: empty, an old ``.xls``, another binary file, or a name that says
            XLSX on something that is not one.
    """
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    suffix = Path(file_name).suffix.lower()
    if not head:
        raise SpreadsheetError(msg("the file is empty"))
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(
            msg(
                "this is an old Excel .xls (or WPS .et) file; save it as .xlsx or CSV and try again"
            )
        )
    if suffix in {".xlsx", ".xlsm"}:
        raise SpreadsheetError(
            msg("%(file)s is not an XLSX spreadsheet (it is not a zip file)", file=file_name)
        )
    if b"\x00" in head or head.startswith(b"%PDF"):
        raise SpreadsheetError(msg("this is not a spreadsheet: upload an XLSX or CSV file"))
    return "csv"


def detect_csv_encoding(path: Path) -> str:
    """The first of :data:`CSV_ENCODINGS` that decodes the whole file.

    Raises:
        SpreadsheetError: none does; the message says where UTF-8 decoding failed.
    """
    first_error: UnicodeDecodeError | None = None
    offset = 0
    for encoding in CSV_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        offset = 0
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    decoder.decode(chunk)
                    offset += len(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError as exc:
            if first_error is None:
                first_error = exc
                offset += exc.start
    raise SpreadsheetError(
        msg(
            "the CSV file is neither UTF-8 nor GB18030/GBK text (UTF-8 decoding failed near "
            "byte %(offset)s); save it as 'CSV UTF-8' and try again",
            offset=offset,
        )
    )


def _sniff_delimiter(line: str) -> str:
    counts = {delimiter: line.count(delimiter) for delimiter in (",", "\t", ";")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def iter_csv(path: Path, encoding: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Yield ``(row number, cells)`` of a CSV file; row 1 is the first record.

    Raises:
        SpreadsheetError: the CSV structure is broken (the message names the row).
    """
    with path.open("r", encoding=encoding, newline="") as handle:
        first = handle.readline()
        handle.seek(0)
        reader = csv.reader(handle, delimiter=_sniff_delimiter(first))
        number = 0
        try:
            for number, row in enumerate(reader, start=1):
                yield number, tuple(row)
        except csv.Error as exc:
            raise SpreadsheetError(
                msg(
                    "row %(row)s: the CSV file is malformed (%(error)s)",
                    row=number + 1,
                    error=str(exc),
                )
            ) from exc


def _worksheet_member(archive: zipfile.ZipFile) -> tuple[str, str]:
    """The zip member and title of the first worksheet."""
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "p": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError as exc:
        raise SpreadsheetError(msg("this zip file is not an XLSX workbook")) from exc
    sheet = workbook.find("m:sheets/m:sheet", ns)
    if sheet is None:
        raise SpreadsheetError(msg("the workbook has no worksheet"))
    rel_id = sheet.get(f"{{{ns['r']}}}id")
    for rel in rels.findall("p:Relationship", ns):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return member, sheet.get("name", "")
    raise SpreadsheetError(msg("the workbook's first worksheet is missing"))


def scan_xlsx(path: Path) -> SheetInfo:
    """Merged cells and formulas without saved results of the first worksheet.

    Decompresses the worksheet XML once as a byte stream (merges are listed after the cell
    data); only when it has formulas is it parsed again to find the cells without a result.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            member, title = _worksheet_member(archive)
            has_formula, merged = _scan_bytes(archive, member)
            info = SheetInfo(format="xlsx", sheet_title=title, merged=merged)
            if has_formula:
                info.formulas_without_value = _formulas_without_value(archive, member)
            return info
    except zipfile.BadZipFile as exc:
        raise SpreadsheetError(msg("the XLSX file is damaged (%(error)s)", error=str(exc))) from exc
    except KeyError as exc:
        raise SpreadsheetError(
            msg("the XLSX file is incomplete (%(error)s)", error=str(exc))
        ) from exc


def _scan_bytes(archive: zipfile.ZipFile, member: str) -> tuple[bool, list[MergedRange]]:
    has_formula = False
    refs: list[bytes] = []
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            window = tail + chunk
            if not has_formula and _FORMULA_TAG.search(window):
                has_formula = True
            if b"mergeCell" in window:
                refs.extend(_MERGE_REF.findall(window))
            # Keep enough of the end to catch a tag cut in two; the refs found in the kept
            # part are found again, so drop duplicates below.
            tail = window[-512:]
    merged = []
    for ref in dict.fromkeys(refs):
        text = ref.decode("ascii").upper()
        min_col, min_row, max_col, max_row = range_boundaries(text)
        if None in (min_col, min_row, max_col, max_row):  # pragma: no cover - whole rows/cols
            continue
        merged.append(
            MergedRange(text, int(min_row or 0), int(max_row or 0), int(min_col or 0),
                        int(max_col or 0))
        )  # fmt: skip
    return has_formula, merged


def _formulas_without_value(archive: zipfile.ZipFile, member: str) -> list[str]:
    missing: list[str] = []
    with archive.open(member) as stream:
        for _event, element in ElementTree.iterparse(stream, events=("end",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "c":
                children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                value = children.get("v")
                if "f" in children and (value is None or not (value.text or "").strip()):
                    missing.append(element.get("r", "?"))
                element.clear()
            elif tag == "row":
                element.clear()
    return missing


def iter_xlsx(path: Path) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Yield ``(row number, cell values)`` of the first worksheet, streaming.

    Raises:
        SpreadsheetError: openpyxl cannot open the workbook.
    """
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise SpreadsheetError(
            msg("the XLSX file cannot be read (%(error)s)", error=str(exc))
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:  # some writers store a wrong size; read what is there
            reset()
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, tuple(row)
    finally:
        workbook.close()
