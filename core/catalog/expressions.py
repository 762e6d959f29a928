"""Price formulas such as ``cost * 2.5 + 1.99``, parsed and computed safely (never ``eval``).

Grammar (the signs U+00D7 and U+00F7, and ``x``, are accepted for ``*`` and ``/``)::

    expression := term (("+" | "-") term)*
    term       := factor (("*" | "/") factor)*
    factor     := ("+" | "-") factor | number | variable | "(" expression ")"

Variables: ``price``, ``cost``, ``shipping_price``, ``msrp`` of the variant being priced.
Arithmetic is :class:`~decimal.Decimal`; the result is rounded by a :class:`Rounding`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from enum import StrEnum
from typing import Union

from core.errors import RuleViolation
from core.i18n import msg

VARIABLES = frozenset({"price", "cost", "shipping_price", "msrp"})
MAX_FORMULA_LENGTH = 200
MAX_NESTING = 20

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?|\.\d+)|([A-Za-z_]+)|(.))")
_OPERATOR_ALIASES = {"\u00d7": "*", "\u00f7": "/", "x": "*"}


class FormulaError(RuleViolation):
    """A formula that cannot be read or computed; the message says where and why."""


@dataclass(frozen=True)
class _Number:
    value: Decimal


@dataclass(frozen=True)
class _Variable:
    name: str


@dataclass(frozen=True)
class _Unary:
    operator: str
    operand: _Node


@dataclass(frozen=True)
class _Binary:
    operator: str
    left: _Node
    right: _Node


_Node = Union[_Number, _Variable, _Unary, _Binary]  # noqa: UP007  (a runtime alias)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if match is None:  # pragma: no cover - the pattern matches any character
            break
        number, name, other = match.groups()
        if number is not None:
            tokens.append(("number", number))
        elif name is not None:
            lowered = name.lower()
            if lowered in _OPERATOR_ALIASES:
                tokens.append(("op", _OPERATOR_ALIASES[lowered]))
            elif lowered in VARIABLES:
                tokens.append(("name", lowered))
            else:
                known = ", ".join(sorted(VARIABLES))
                raise FormulaError(
                    msg(
                        "unknown name %(name)s in the formula (use %(known)s)",
                        name=repr(name),
                        known=known,
                    )
                )
        else:
            symbol = _OPERATOR_ALIASES.get(other, other)
            if symbol not in "+-*/()":
                raise FormulaError(
                    msg("unexpected character %(char)s in the formula", char=repr(other))
                )
            tokens.append(("op", symbol))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FormulaError(msg("the formula ends too early"))
        self.position += 1
        return token

    def expression(self) -> _Node:
        node = self.term()
        while (token := self.peek()) is not None and token[1] in "+-" and token[0] == "op":
            self.take()
            node = _Binary(token[1], node, self.term())
        return node

    def term(self) -> _Node:
        node = self.factor()
        while (token := self.peek()) is not None and token[1] in "*/" and token[0] == "op":
            self.take()
            node = _Binary(token[1], node, self.factor())
        return node

    def factor(self) -> _Node:
        kind, value = self.take()
        if kind == "number":
            return _Number(Decimal(value))
        if kind == "name":
            return _Variable(value)
        if value in "+-":
            return _Unary(value, self.factor())
        if value == "(":
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise FormulaError(msg("too many nested parentheses in the formula"))
            node = self.expression()
            if self.peek() != ("op", ")"):
                raise FormulaError(msg("a parenthesis is not closed in the formula"))
            self.take()
            self.depth -= 1
            return node
        raise FormulaError(msg("unexpected %(token)s in the formula", token=repr(value)))


@dataclass(frozen=True)
class Formula:
    """A parsed formula; :meth:`evaluate` computes it for one variant."""

    text: str
    tree: _Node
    variables: frozenset[str]

    def evaluate(self, values: Mapping[str, Decimal | None]) -> Decimal:
        """The formula's value with ``values`` for its variables.

        Raises:
            FormulaError: a variable it uses is not set, or a division by zero.
        """
        with localcontext() as context:
            context.prec = 28
            try:
                return _evaluate(self.tree, values)
            except (InvalidOperation, ZeroDivisionError):
                raise FormulaError(msg("the formula divides by zero")) from None


def _evaluate(node: _Node, values: Mapping[str, Decimal | None]) -> Decimal:
    if isinstance(node, _Number):
        return node.value
    if isinstance(node, _Variable):
        value = values.get(node.name)
        if value is None:
            raise FormulaError(msg("%(name)s is not set", name=node.name))
        return Decimal(value)
    if isinstance(node, _Unary):
        operand = _evaluate(node.operand, values)
        return -operand if node.operator == "-" else operand
    left = _evaluate(node.left, values)
    right = _evaluate(node.right, values)
    if node.operator == "+":
        return left + right
    if node.operator == "-":
        return left - right
    if node.operator == "*":
        return left * right
    return left / right


def _variables(node: _Node) -> set[str]:
    if isinstance(node, _Variable):
        return {node.name}
    if isinstance(node, _Unary):
        return _variables(node.operand)
    if isinstance(node, _Binary):
        return _variables(node.left) | _variables(node.right)
    return set()


def parse_formula(text: str) -> Formula:
    """Parse ``text`` into a :class:`Formula`.

    Raises:
        FormulaError: empty, too long, an unknown name, a stray character, unbalanced
            parentheses or a missing operand; the message says which.
    """
    if not text or not text.strip():
        raise FormulaError(msg("the formula is empty"))
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaError(
            msg("the formula is longer than %(max)s characters", max=MAX_FORMULA_LENGTH)
        )
    parser = _Parser(_tokens(text))
    tree = parser.expression()
    leftover = parser.peek()
    if leftover is not None:
        raise FormulaError(msg("unexpected %(token)s in the formula", token=repr(leftover[1])))
    return Formula(text=text.strip(), tree=tree, variables=frozenset(_variables(tree)))


class Rounding(StrEnum):
    """How a computed price is rounded (the ``.99`` modes round up, never below the formula)."""

    NONE = "none"
    """Keep the value (stored with 4 decimals)."""
    CENTS = "cents"
    """To 2 decimals, half up: 12.345 -> 12.35."""
    END_99 = "end_99"
    """Up to the next price ending in .99: 12.34 -> 12.99, 12.99 -> 12.99, 13.00 -> 13.99."""
    END_X9 = "end_x9"
    """Up to the next price whose cents end in 9: 12.34 -> 12.39, 12.30 -> 12.39."""


_CENT = Decimal("0.01")
_STORAGE = Decimal("0.0001")


def apply_rounding(value: Decimal, rounding: Rounding) -> Decimal:
    """Round ``value`` as ``rounding`` says."""
    if rounding is Rounding.CENTS:
        return value.quantize(_CENT, rounding=ROUND_HALF_UP)
    if rounding is Rounding.END_99:
        whole = value.to_integral_value(rounding="ROUND_FLOOR")
        candidate = whole + Decimal("0.99")
        return candidate if candidate >= value else candidate + 1
    if rounding is Rounding.END_X9:
        steps = ((value - Decimal("0.09")) * 10).to_integral_value(rounding=ROUND_CEILING)
        return (steps / 10 + Decimal("0.09")).quantize(_CENT)
    return value.quantize(_STORAGE, rounding=ROUND_HALF_UP)
