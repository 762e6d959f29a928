"""UI languages: Babel catalogs, the locale of each request, and locale-aware formatting.

English is the source language (every msgid is English); ``web/translations/zh_CN`` holds the
Chinese catalog. The ``.po`` file is the only committed form: it is compiled in memory with
Babel's API the first time a locale is used, so a clean checkout works without a
``pybabel compile`` step and a stale ``.mo`` can never shadow an edited ``.po`` (see
``docs/i18n.md``).

The locale of a request comes from, in order: the signed-in user's setting, the session, the
``tw_locale`` cookie (anonymous pages), ``Accept-Language``, the ``default_locale`` setting.
It lives in a context variable, so ``gettext`` works in templates, handlers and error pages
without passing the request around.
"""

from __future__ import annotations

import dataclasses
import functools
import gettext as gettext_module
import io
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import TIMEDELTA_UNITS, format_timedelta
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment
from litestar import MediaType, Response
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send
from pydantic import BaseModel

from core.i18n import PARTS_KEY, Message, message_from_parts, message_parts
from core.images.inspect import human_size

LOCALES: tuple[str, ...] = ("zh_CN", "en")
"""UI languages, the default first."""
LOCALE_NAMES: Mapping[str, str] = {"zh_CN": "简体中文", "en": "English"}
"""Each language in its own words (for the language switch)."""
DEFAULT_LOCALE = "zh_CN"
LOCALE_COOKIE = "tw_locale"
SESSION_LOCALE_KEY = "locale"
TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DOMAIN = "messages"

_current_locale: ContextVar[str] = ContextVar("tradewind_locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> gettext_module.NullTranslations:
    """The translations of ``locale``, compiled from its ``.po`` file on first use.

    A locale without a catalog (English, the source language) gets identity translations.
    """
    po_path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.is_file():
        return gettext_module.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def known_locale(value: str | None) -> str | None:
    """``value`` if it names a UI language (``zh_CN``, ``zh-cn``, ``en-US`` ...), else ``None``."""
    if not value:
        return None
    lowered = value.strip().replace("-", "_").lower()
    if lowered.startswith("zh"):
        return "zh_CN"
    if lowered.startswith("en"):
        return "en"
    return None


def negotiate(accept_language: str | None) -> str | None:
    """The best UI language for an ``Accept-Language`` header, or ``None``."""
    if not accept_language:
        return None
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        locale = known_locale(tag)
        if locale is not None and quality > 0:
            weighted.append((-quality, position, locale))
    return min(weighted)[2] if weighted else None


def use_locale(locale: str) -> None:
    """Make ``locale`` the language of everything rendered from now on in this task."""
    _current_locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def current_locale() -> str:
    """The language of the current request."""
    return _current_locale.get()


def gettext(message: str) -> str:
    """Translate ``message`` into the current language."""
    return translations(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a plural form into the current language."""
    return translations(current_locale()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """Translate ``message`` in ``context`` (for words with several meanings)."""
    return translations(current_locale()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """Translate a plural message in ``context``."""
    return translations(current_locale()).npgettext(context, singular, plural, n)


def translate_message(value: object) -> str:
    """Translate a message from core into the current language.

    ``value`` is a :class:`core.i18n.Message`, an exception raised with one, the stored form
    of one (``{"msg": ..., "params": ...}``), or plain text; parameters that are messages are
    translated too.
    """
    if isinstance(value, Mapping) and isinstance(value.get(PARTS_KEY), str):
        value = message_from_parts(value)  # a message as job results keep it
    template, params = message_parts(value)
    if not template:
        return ""  # gettext("") would answer the catalog's header
    translated = gettext(template)
    if not params:
        return translated
    values = {
        key: translate_message(param) if isinstance(param, Message) else param
        for key, param in params.items()
    }
    try:
        return translated % values
    except (KeyError, ValueError, TypeError):  # a broken translation must not break the page
        return template % values


def localized(value: Any) -> Any:
    """``value`` with every :class:`~core.i18n.Message` in it translated (JSON answers).

    Walks pydantic models, dataclasses, lists, tuples and dicts; other values stay as they
    are. What holds no message is returned as it is (not copied).
    """
    if isinstance(value, Message):
        return translate_message(value)
    if isinstance(value, BaseModel):
        changed = _changed({name: getattr(value, name) for name in type(value).model_fields})
        return value.model_copy(update=changed) if changed else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.init}
        changed = _changed(fields)
        return dataclasses.replace(value, **changed) if changed else value
    if type(value) in (list, tuple):
        items = [localized(item) for item in value]
        same = all(new is old for new, old in zip(items, value, strict=True))
        return value if same else type(value)(items)
    if type(value) is dict:
        changed = _changed(value)
        return {**value, **changed} if changed else value
    return value


def _changed(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values that :func:`localized` changes, by name."""
    changed = {}
    for name, old in values.items():
        new = localized(old)
        if new is not old:
            changed[name] = new
    return changed


async def localize_json_answer(response: Any) -> Any:
    """Translate the messages in a JSON answer into the request's language.

    The app's ``after_request`` hook: core messages reach the JSON API in the same language
    as the pages and the error ``detail`` (see ``docs/api.md``).
    """
    if (
        isinstance(response, Response)
        and response.media_type == MediaType.JSON
        and not isinstance(response.content, bytes | str)
    ):
        response.content = localized(response.content)
    return response


# -- formatting ---------------------------------------------------------------------------


def babel_locale() -> Locale:
    """The Babel locale of the current language."""
    return _parsed_locale(current_locale())


@functools.lru_cache(maxsize=16)
def _parsed_locale(name: str) -> Locale:
    """Parsing a locale costs more than formatting a number with it: parse each once."""
    return Locale.parse(name)


def format_datetime(value: datetime | None, format: str = "medium") -> str:
    """A UTC time in the current language's style (empty for ``None``)."""
    if value is None:
        return ""
    return babel_format_datetime(value, format=format, tzinfo=UTC, locale=babel_locale())


def format_date(value: datetime | None, format: str = "medium") -> str:
    """A date in the current language's style (empty for ``None``)."""
    if value is None:
        return ""
    return babel_format_date(value.astimezone(UTC), format=format, locale=babel_locale())


def format_number(value: int | Decimal | None) -> str:
    """A number with the current language's grouping and decimal signs."""
    if value is None:
        return ""
    return _formatted_number(value, current_locale())


def format_money(amount: Decimal | None, currency: str) -> str:
    """An amount with its currency, in the current language's style (``US$9.99``)."""
    if amount is None:
        return ""
    return _formatted_money(amount, currency, current_locale())


# A list page formats hundreds of prices and stock figures, and catalogs repeat them (9.99,
# 19.99, ...): each distinct (value, language) is formatted by Babel once. Equal values
# format the same (Babel quantizes money to the currency's digits), so 5 and 5.0 may share.
@functools.lru_cache(maxsize=8192)
def _formatted_number(value: int | Decimal, locale: str) -> str:
    return format_decimal(value, locale=_parsed_locale(locale))


@functools.lru_cache(maxsize=8192)
def _formatted_money(amount: Decimal, currency: str, locale: str) -> str:
    return format_currency(amount, currency, locale=_parsed_locale(locale))


def format_duration(seconds: float) -> str:
    """A duration in words (``3 minutes`` / ``3分钟``), for "try again in ..."."""
    return format_timedelta(
        timedelta(seconds=max(1.0, seconds)), threshold=1.1, locale=babel_locale()
    )


def format_ago(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago (or in how long) ``value`` is: ``3 hours ago`` / ``3小时前``.

    The words depend only on the unit, the rounded amount and the direction, which are
    picked here the way Babel's ``format_timedelta`` picks them (threshold 0.85, down to
    seconds); the text of each (unit, amount, direction, language) is made by Babel once.
    """
    if value is None:
        return ""
    seconds = (value - (now or datetime.now(UTC))).total_seconds()
    for unit, unit_seconds in TIMEDELTA_UNITS:
        amount = abs(seconds) / unit_seconds
        if amount >= _AGO_THRESHOLD or unit == "second":
            if unit == "second" and amount > 0:
                amount = max(1.0, amount)
            return _ago_text(unit, round(amount), seconds >= 0, current_locale())
    return ""  # pragma: no cover - "second" always matches


_AGO_THRESHOLD = 0.85


@functools.lru_cache(maxsize=4096)
def _ago_text(unit: str, amount: int, future: bool, locale: str) -> str:
    unit_seconds = dict(TIMEDELTA_UNITS)[unit]
    # Babel with this unit forced as the granularity and no other unit allowed.
    return format_timedelta(
        timedelta(seconds=amount * unit_seconds * (1 if future else -1)),
        threshold=float("inf"),
        granularity=unit,  # type: ignore[arg-type]
        add_direction=True,
        locale=_parsed_locale(locale),
    )


def install(environment: Environment) -> None:
    """Add the i18n extension, the per-request gettext functions and the format filters."""
    environment.add_extension("jinja2.ext.i18n")
    environment.policies["ext.i18n.trimmed"] = True
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext
    )
    environment.filters.update(
        datetime=format_datetime,
        date=format_date,
        number=format_number,
        money=format_money,
        ago=format_ago,
        duration=format_duration,
        translate_message=translate_message,
        filesize=human_size,
    )
    environment.globals.update(
        current_locale=current_locale, LOCALES=LOCALES, LOCALE_NAMES=LOCALE_NAMES
    )


# -- the locale of each request -------------------------------------------------------------


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                cookie_name, _, cookie_value = part.strip().partition("=")
                if cookie_name == name:
                    return cookie_value
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def locale_of_scope(scope: Scope, default: str = DEFAULT_LOCALE) -> str:
    """The language for a request before we know who is signed in (see the module doc)."""
    session: Any = scope.get("session")
    from_session = session.get(SESSION_LOCALE_KEY) if isinstance(session, dict) else None
    return (
        known_locale(from_session)
        or known_locale(_cookie(scope, LOCALE_COOKIE))
        or negotiate(_header(scope, b"accept-language"))
        or default
    )


class LocaleMiddleware:
    """Sets the language of every HTTP request (after the session middleware has run).

    Args:
        app: the next ASGI app.
        default_locale: the deployment's ``default_locale``.
    """

    def __init__(self, app: ASGIApp, default_locale: str = DEFAULT_LOCALE) -> None:
        self.app = app
        self.default_locale = default_locale

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Set the locale, then hand the request on."""
        if scope["type"] == ScopeType.HTTP:
            use_locale(locale_of_scope(scope, self.default_locale))
        await self.app(scope, receive, send)
