"""Languages: zh_CN by default, English per user or per browser; catalogs complete; formats."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

import web
from core.i18n import msg
from tests.web.helpers import post_form, sign_in
from web import i18n

ROOT = Path(web.__file__).resolve().parent.parent
CATALOG = ROOT / "web" / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"


def extracted_msgids() -> set[str]:
    """Every message of the code and templates, extracted the way docs/i18n.md says."""
    keywords = {**DEFAULT_KEYWORDS, "msg": None}
    method_map = [
        ("core/**.py", "python"),
        ("web/**.py", "python"),
        ("plugins/**.py", "python"),
        ("web/templates/**.html", "jinja2"),
    ]
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options, keywords=keywords
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_ui_string_has_a_chinese_translation() -> None:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id
        and (m.string if isinstance(m.string, str) else m.string[0])
        and "fuzzy" not in m.flags
    }
    missing = sorted(extracted_msgids() - translated)
    assert not missing, f"add these to {CATALOG.relative_to(ROOT)} (see docs/i18n.md): {missing}"


def test_placeholders_survive_translation() -> None:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    import re

    for message in catalog:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        assert set(re.findall(r"%\((\w+)\)s", source)) == set(re.findall(r"%\((\w+)\)s", target)), (
            source
        )


async def test_anonymous_pages_follow_accept_language_then_the_cookie(new_client) -> None:
    client = new_client()
    assert "登录" in (await client.get("/signin")).text  # default zh_CN
    english = await client.get("/signin", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Sign in" in english.text and "登录" not in english.text
    chinese = await client.get("/signin", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert "登录" in chinese.text

    switched = await post_form(client, "/locale", {"locale": "en", "next": "/signin"})
    assert switched.status_code == 303 and switched.headers["location"] == "/signin"
    assert "Sign in" in (await client.get("/signin")).text


async def test_the_language_is_a_user_setting(app, owner, new_client) -> None:
    assert "欢迎" in (await owner.get("/")).text
    await owner.post("/settings/profile", {"display_name": "Li", "locale": "en"})
    assert "Welcome, Li" in (await owner.get("/")).text
    # another browser of the same user, with a Chinese Accept-Language, gets English too
    laptop = await sign_in(app, new_client(), owner.email, owner.password)
    page = await laptop.get("/", headers={"Accept-Language": "zh-CN"})
    assert "Welcome, Li" in page.text


async def test_unknown_language_is_refused(owner) -> None:
    response = await owner.post("/locale", {"locale": "tlh", "next": "/"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("zh_CN", "US$1,234.50"), ("en", "$1,234.50")],
)
def test_money_per_locale(locale: str, expected: str) -> None:
    i18n.use_locale(locale)
    assert i18n.format_money(Decimal("1234.5"), "USD") == expected


def test_dates_numbers_and_durations_per_locale() -> None:
    moment = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    i18n.use_locale("zh_CN")
    assert i18n.format_date(moment) == "2026年3月4日"
    assert i18n.format_number(Decimal("1234567.5")) == "1,234,567.5"
    assert i18n.format_duration(180) == "3分钟"
    i18n.use_locale("en")
    assert i18n.format_date(moment) == "Mar 4, 2026"
    assert i18n.format_duration(180) == "3 minutes"


def test_core_messages_are_translated_with_their_parameters() -> None:
    error = msg("The password must have at least %(count)s characters.", count=8)
    assert str(error) == "The password must have at least 8 characters."
    i18n.use_locale("zh_CN")
    assert i18n.translate_message(error) == "密码至少需要 8 个字符。"
    i18n.use_locale("en")
    assert i18n.translate_message(error) == "The password must have at least 8 characters."
    i18n.use_locale("zh_CN")
    assert i18n.translate_message(ValueError(error)) == "密码至少需要 8 个字符。"


def test_negotiation() -> None:
    assert i18n.negotiate("fr-FR, en;q=0.8, zh;q=0.9") == "zh_CN"
    assert i18n.negotiate("fr-FR") is None
    assert i18n.negotiate("en;q=0, zh-TW") == "zh_CN"
    assert i18n.negotiate("en-GB;q=oops") is None


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_cached_ago_and_money_read_exactly_as_babel_formats_them(locale: str) -> None:
    from datetime import timedelta

    from babel.dates import TIMEDELTA_UNITS, format_timedelta
    from babel.numbers import format_currency

    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    seconds = [0.0, 0.4, 1.0, 44.9, 59.6, 3_000.0, 5.95 * 86_400, 6.2 * 86_400, 40e6]
    for _unit, unit_seconds in TIMEDELTA_UNITS:  # around every switch to a larger unit
        for factor in (0.84, 0.849, 0.85, 0.851, 1.0, 1.49, 1.5, 1.51, 2.5, 11.5):
            seconds.append(factor * unit_seconds)
    i18n.use_locale(locale)
    for value in seconds:
        for sign in (1, -1):
            moment = now + timedelta(seconds=sign * value)
            expected = format_timedelta(moment - now, add_direction=True, locale=locale)
            assert i18n.format_ago(moment, now) == expected, (locale, sign * value)
    for amount in (Decimal("9.99"), Decimal("9.990"), Decimal("1234.5"), Decimal("0")):
        assert i18n.format_money(amount, "USD") == format_currency(amount, "USD", locale=locale)
        assert i18n.format_money(amount, "CNY") == format_currency(amount, "CNY", locale=locale)


def test_nested_and_stored_messages_are_translated() -> None:
    from core.i18n import msg

    refusal = msg(
        "%(host)s is %(problem)s; only public internet addresses are fetched.",
        host="127.0.0.1",
        problem=msg("a loopback address"),
    )
    i18n.use_locale("zh_CN")
    assert i18n.translate_message(refusal) == "127.0.0.1 是回环地址；只抓取公网地址。"  # noqa: RUF001
    assert i18n.translate_message(refusal.parts()) == i18n.translate_message(refusal)
    assert i18n.translate_message("") == ""  # never the catalog's header
    i18n.use_locale("en")
    assert i18n.translate_message(refusal.parts()) == str(refusal)


def test_localized_translates_messages_in_answers_and_leaves_the_rest() -> None:
    from core.catalog.schemas import DeleteResult, Refusal
    from core.i18n import msg

    i18n.use_locale("zh_CN")
    result = DeleteResult(
        requested=2,
        deleted=1,
        deleted_ids=[1],
        refused=[Refusal(product_id=2, reason=msg("not found"))],
    )
    answer = i18n.localized(result)
    assert answer.refused[0].reason == "未找到" and result.refused[0].reason == "not found"
    untouched = {"items": [{"name": "plain"}], "count": 1}
    assert i18n.localized(untouched) is untouched
