"""Messages that core raises or records for people stay translatable (see docs/i18n.md).

An error raised in the catalog, the image space, the fetcher or the job machinery is shown on
a page, in a flash, in a JSON ``detail`` or as a job item's result. A plain string there is
English on a Chinese page, so this test reads the source and fails on any raise of one of our
error classes, and any refusal / problem / job-item message, given as a string literal, an
f-string, a concatenation or ``str(...)``: build it with ``core.i18n.msg`` instead.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import core
from core.catalog.import_rows import CellError
from core.catalog.spreadsheet import SpreadsheetError
from core.errors import TradewindError

ROOT = Path(core.__file__).resolve().parent
PACKAGES = ("core.catalog", "core.images", "core.net", "core.jobs")
MODULES = ("core.actor",)

MESSAGE_ARGUMENTS: dict[str, tuple[int | None, str | None]] = {
    "Refusal": (None, "reason"),
    "ImportProblem": (None, "message"),
    "ItemResult": (1, "message"),
    "ItemOutcome": (None, "message"),
    "ItemReport": (2, "message"),
    "ZipMemberRejected": (1, "message"),
    "_refuse": (1, "message"),
    "item_failed": (1, "error"),
    "item_skipped": (1, "reason"),
    "item_done": (2, "note"),
}
"""Calls that carry a message for people that are not raises: name -> (position, keyword)."""


def _modules() -> list[str]:
    names = list(MODULES)
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        names.append(package_name)
        names += [
            info.name for info in pkgutil.walk_packages(package.__path__, prefix=package_name + ".")
        ]
    return names


def _error_classes() -> set[str]:
    for name in _modules():
        importlib.import_module(name)
    found: set[str] = set()
    pending: list[type] = [TradewindError, SpreadsheetError, CellError]
    while pending:
        cls = pending.pop()
        if cls.__name__ not in found:
            found.add(cls.__name__)
            pending.extend(cls.__subclasses__())
    return found


def _files() -> list[Path]:
    files = [ROOT.parent / (name.replace(".", "/") + ".py") for name in MODULES]
    for package_name in PACKAGES:
        files += sorted((ROOT.parent / package_name.replace(".", "/")).rglob("*.py"))
    return files


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _is_plain_text(node: ast.expr) -> bool:
    """A string literal (not empty), an f-string, a string operation or ``str(...)``.

    ``"; ".join(...)`` counts too: joining messages loses them (use ``core.i18n.joined``).
    """
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(node.value)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_plain_text(node.left) or _is_plain_text(node.right)
    if isinstance(node, ast.IfExp):
        return _is_plain_text(node.body) or _is_plain_text(node.orelse)
    if isinstance(node, ast.BoolOp):
        return any(_is_plain_text(value) for value in node.values)
    if isinstance(node, ast.Call):
        return _called_name(node) in ("str", "format", "join")
    return False


def _argument(call: ast.Call, position: int | None, keyword: str | None) -> ast.expr | None:
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def _findings(tree: ast.AST, where: str, errors: set[str]) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            name = _called_name(node.exc)
            if name in errors:
                given = _argument(node.exc, 0, "message")
                if given is not None and _is_plain_text(given):
                    found.append(f"{where}:{node.lineno}: raise {name}({ast.unparse(given)})")
        if isinstance(node, ast.Call):
            name = _called_name(node)
            if name in MESSAGE_ARGUMENTS:
                given = _argument(node, *MESSAGE_ARGUMENTS[name])
                if given is not None and _is_plain_text(given):
                    found.append(f"{where}:{node.lineno}: {name}(... {ast.unparse(given)} ...)")
    return found


def _file_findings(path: Path, errors: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return _findings(tree, str(path.relative_to(ROOT.parent)), errors)


def test_error_classes_are_found() -> None:
    errors = _error_classes()
    assert {"RuleViolation", "NotFound", "ImageRejected", "FetchRefused", "FormulaError"} <= errors
    assert {"SpreadsheetError", "CellError", "QuotaExceeded", "PermissionDenied"} <= errors


def test_messages_for_people_are_translatable() -> None:
    errors = _error_classes()
    found = [finding for path in _files() for finding in _file_findings(path, errors)]
    assert not found, "use core.i18n.msg(...) for these messages:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('raise RuleViolation("delist instead")', True),
        ('raise RuleViolation(f"store {name} is gone")', True),
        ('raise NotFound("not " + "found")', True),
        ("raise PermanentError(str(exc))", True),
        ('raise RuleViolation(msg("delist instead"))', False),
        ("raise RuleViolation(refusal)", False),
        ('raise ValueError("internal")', False),
        ('Refusal(product_id=1, reason="not found")', True),
        ('ItemResult(Outcome.DONE, "deleted")', True),
        ('ItemResult(Outcome.DONE, msg("deleted"))', False),
        ('ctx.item_failed(key, "; ".join(reasons))', True),
        ('ctx.item_done(key, note=f"drafts {made}")', True),
    ],
)
def test_the_scan_flags_plain_strings(source: str, flagged: bool) -> None:
    """The scan itself: it must catch what it is meant to catch, and only that."""
    findings = _findings(ast.parse(source), "sample.py", _error_classes())
    assert bool(findings) is flagged
