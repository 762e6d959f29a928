"""Describe and check settings a seller types into a form (carrier accounts, for now).

An adapter lists its :class:`SettingField` s; the web layer renders a form from them and the
adapter's ``validate_settings`` (usually starting with :func:`check_settings`) names every
missing or invalid one, so "no tracking number" never hides a missing setting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from core.interfaces.common import Problem, ProblemCode


class SettingKind(StrEnum):
    """The kind of value a setting holds (decides the form input and the check)."""

    TEXT = "text"
    SECRET = "secret"
    """Text shown masked and encrypted at rest (API tokens, secrets)."""
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    """One of :attr:`SettingField.choices`."""


@dataclass(frozen=True)
class SettingField:
    """One setting of an adapter's form.

    Attributes:
        name: key in the settings mapping (``"api_token"``).
        label: English label; the web layer translates it.
        kind: kind of value.
        required: whether the adapter cannot work without it.
        help: one sentence on where the seller finds the value.
        choices: allowed values for :attr:`SettingKind.CHOICE`.
        default: value used when the seller leaves it empty.
    """

    name: str
    label: str
    kind: SettingKind = SettingKind.TEXT
    required: bool = True
    help: str = ""
    choices: tuple[str, ...] = ()
    default: str | int | bool | None = None


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_one(spec: SettingField, value: Any) -> Problem | None:
    if spec.kind is SettingKind.INTEGER and not (
        isinstance(value, int) and not isinstance(value, bool)
    ):
        try:
            int(str(value))
        except ValueError:
            return Problem(
                spec.name,
                ProblemCode.INVALID_FORMAT,
                f"{spec.label} must be a whole number",
                {"expected": "integer"},
            )
    if (
        spec.kind is SettingKind.BOOLEAN
        and not isinstance(value, bool)
        and str(value).lower() not in ("true", "false", "1", "0", "yes", "no")
    ):
        return Problem(
            spec.name,
            ProblemCode.INVALID_FORMAT,
            f"{spec.label} must be yes or no",
            {"expected": "boolean"},
        )
    if spec.kind is SettingKind.CHOICE and str(value) not in spec.choices:
        return Problem(
            spec.name,
            ProblemCode.NOT_ALLOWED,
            f"{spec.label} must be one of: {', '.join(spec.choices)}",
            {"allowed": list(spec.choices)},
        )
    return None


def check_settings(fields: Sequence[SettingField], values: Mapping[str, Any]) -> list[Problem]:
    """Name every required setting that is missing and every value of the wrong kind.

    Args:
        fields: the adapter's setting fields.
        values: the settings as the seller saved them.
    """
    problems: list[Problem] = []
    for spec in fields:
        value = values.get(spec.name)
        if _is_empty(value):
            if spec.required and spec.default is None:
                problems.append(
                    Problem(spec.name, ProblemCode.REQUIRED, f"{spec.label} is required")
                )
            continue
        problem = _check_one(spec, value)
        if problem is not None:
            problems.append(problem)
    return problems
