"""Records and helpers shared by several plugin interfaces.

Everything here is platform-neutral: money as :class:`~decimal.Decimal` plus a currency code,
times UTC-aware, addresses with ISO country codes, problems as message keys that the web layer
translates. Adapters map their platform's payloads to and from these records.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from core.errors import PermanentError

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")

ADAPTER_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
"""Ids of plugins and adapters: lowercase letters, digits and ``_`` (used in URLs and names)."""

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def frozen_mapping(data: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """Return a read-only copy of ``data`` (records stay immutable all the way down)."""
    return MappingProxyType(dict(data or {}))


def require_utc(value: datetime | None, name: str) -> None:
    """Raise ``ValueError`` unless ``value`` is ``None`` or timezone-aware."""
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got a naive datetime")


def require_country(value: str | None, name: str) -> None:
    """Raise ``ValueError`` unless ``value`` is ``None``, empty or an ISO 3166 alpha-2 code."""
    if value and not _COUNTRY.match(value):
        raise ValueError(f"{name} must be an ISO 3166-1 alpha-2 code like 'US', got {value!r}")


@dataclass(frozen=True)
class Money:
    """An amount of money: a :class:`~decimal.Decimal` and an ISO 4217 currency code.

    Attributes:
        amount: the amount; never a float.
        currency: three upper-case letters, e.g. ``"USD"``.
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money.amount must be a Decimal, got {type(self.amount).__name__}")
        if not self.amount.is_finite():
            raise ValueError("Money.amount must be finite")
        if not _CURRENCY.match(self.currency):
            raise ValueError(f"Money.currency must be an ISO 4217 code, got {self.currency!r}")

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        """Build from a string or int amount (``Money.of("9.99", "USD")``); floats are refused."""
        if isinstance(amount, float):
            raise TypeError("Money.of does not take floats; pass a string")
        return cls(Decimal(amount), currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


@dataclass(frozen=True)
class Address:
    """A postal address (buyer, sender, pickup or return address).

    Attributes:
        name: the person's (or company's) name.
        street1: first street line.
        city: city or town.
        country_code: ISO 3166-1 alpha-2 code.
        street2: second street line.
        street3: third street line.
        district: district or county (4PX ``district``, EUB ``county``).
        state: state, province or region.
        postal_code: ZIP or postal code.
        phone: phone number as given, with country code when known.
        email: e-mail address.
        company: company name.
    """

    name: str
    street1: str
    city: str
    country_code: str
    street2: str = ""
    street3: str = ""
    district: str = ""
    state: str = ""
    postal_code: str = ""
    phone: str = ""
    email: str = ""
    company: str = ""

    def __post_init__(self) -> None:
        require_country(self.country_code, "Address.country_code")


class Severity(StrEnum):
    """How bad a :class:`Problem` is."""

    ERROR = "error"
    """Blocks the action (publishing, shipping, saving settings)."""
    WARNING = "warning"
    """Shown to the seller but does not block (e.g. an image under 800x800)."""


class ProblemCode(StrEnum):
    """Generic message keys the web layer words in the page's language (``web/problems.py``).

    Adapters may use their own keys too, prefixed with their id (``"wish.category_locked"``);
    for those, and for a generic key without the params it names, the page shows
    ``Problem.message``, the English fallback.
    """

    REQUIRED = "required"
    """A value is missing. No params."""
    TOO_LONG = "too_long"
    """Text too long. Params: ``max`` (characters), ``actual``."""
    TOO_SHORT = "too_short"
    """Text too short. Params: ``min``, ``actual``."""
    TOO_MANY = "too_many"
    """Too many items. Params: ``max``, ``actual``."""
    TOO_FEW = "too_few"
    """Too few items. Params: ``min``, ``actual``."""
    OUT_OF_RANGE = "out_of_range"
    """A number outside its range. Params: ``min`` and/or ``max``, ``actual``."""
    INVALID_FORMAT = "invalid_format"
    """Wrong shape. Params: ``expected`` (a short description or a pattern)."""
    NOT_ALLOWED = "not_allowed"
    """A value the platform refuses. Params: ``allowed`` (list) when there is a fixed set."""
    DUPLICATE = "duplicate"
    """The same value appears twice where it must be unique. Params: ``value``."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field, e.g. of a listing before publishing or of settings.

    Attributes:
        field: dotted path of the field, with indexes: ``"title"``, ``"variants[2].sku"``,
            ``"settings.api_token"``.
        code: message key (a :class:`ProblemCode` value or ``"<adapter id>.<key>"``).
        message: English fallback text, already formatted with ``params``.
        params: values the translated message is formatted with (``max``, ``actual``, ...).
        severity: :attr:`Severity.ERROR` blocks the action; warnings do not.
    """

    field: str
    code: str
    message: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=frozen_mapping)
    severity: Severity = Severity.ERROR

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", frozen_mapping(self.params))


def blocking(problems: list[Problem]) -> list[Problem]:
    """Return only the problems that block the action (severity error)."""
    return [problem for problem in problems if problem.severity is Severity.ERROR]


@dataclass(frozen=True)
class CallContext:
    """What an adapter gets with each call that does I/O.

    Adapters keep no connection state of their own: the core hands them its shared HTTP client
    (explicit timeouts; in tests an ``httpx.AsyncClient`` on a sandbox's ASGI app) and says on
    whose behalf the call is made, for logs and rate budgets. New fields may be added later,
    always with defaults.

    Attributes:
        http: the process's shared ``httpx.AsyncClient``; adapters send every request with it.
        account_id: the Tradewind account the call is made for, when there is one.
        store_id: Tradewind's id of the store (shop) the call is made for, when there is one.
        locale: the seller's UI locale (``"zh_CN"`` or ``"en"``), for platforms that localise
            their error messages (e.g. Wish ``Accept-Language: zh``).
    """

    http: httpx.AsyncClient
    account_id: int | None = None
    store_id: int | None = None
    locale: str = "en"


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing call, with an opaque cursor for the next page.

    The cursor hides the platform's paging style: a keyset bound (Wish ``updated_at_max``), a
    page number (AliExpress ``current_page``) or a platform token. The core stores and passes it
    back unchanged and never parses it.

    Attributes:
        items: the records of this page (may be empty even when more pages follow).
        next_cursor: pass this to get the next page; ``None`` when this was the last page.
    """

    items: tuple[T, ...]
    next_cursor: str | None = None


async def iterate_pages(fetch: Callable[[str | None], Awaitable[Page[T]]]) -> AsyncIterator[T]:
    """Yield every item of every page, starting with cursor ``None``.

    Args:
        fetch: called with the cursor (``None`` first) and returning that page.

    Raises:
        PermanentError: the adapter returned the cursor it was just given, which would loop
            forever.
    """
    cursor: str | None = None
    while True:
        page = await fetch(cursor)
        for item in page.items:
            yield item
        if page.next_cursor is None:
            return
        if page.next_cursor == cursor:
            raise PermanentError(f"paging did not advance (cursor {cursor!r} returned again)")
        cursor = page.next_cursor
