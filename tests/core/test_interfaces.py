"""The records and helpers of core.interfaces."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from core.errors import PermanentError, TransientError
from core.interfaces.carrier import Label, label_pdf_bytes
from core.interfaces.common import (
    Address,
    CallContext,
    Money,
    Page,
    Problem,
    ProblemCode,
    Severity,
    blocking,
    iterate_pages,
)
from core.interfaces.events import Event
from core.interfaces.listings import ListingPayload, VariantPayload
from core.interfaces.marketplace import Credentials
from core.interfaces.storage import validate_key
from core.interfaces.translator import split_batches, translate_in_batches
from core.interfaces.web import MenuLink
from tests.core.plugin_kit import FakeCarrier, FakeMarketplace, UpperTranslator

PDF = b"%PDF-1.4\n" + b"x" * 2000


def test_money_is_decimal_and_a_currency_code() -> None:
    assert Money.of("9.99", "USD") == Money(Decimal("9.99"), "USD")
    with pytest.raises(TypeError):
        Money(9.99, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.of(9.99, "USD")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ISO 4217"):
        Money.of("1", "usd")
    with pytest.raises(ValueError, match="finite"):
        Money(Decimal("NaN"), "USD")


def test_records_refuse_naive_times_and_bad_country_codes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Credentials({}, expires_at=datetime(2030, 1, 1))
    with pytest.raises(ValueError, match="alpha-2"):
        Address("Ann", "1 Main St", "Springfield", "USA")
    with pytest.raises(ValueError, match="alpha-2"):
        VariantPayload("S1", Money.of("1", "USD"), 1, origin_country="China")


def test_credentials_never_show_their_secrets() -> None:
    expires = datetime(2030, 1, 1, tzinfo=UTC)
    credentials = Credentials({"access_token": "s3cr3t", "merchant_id": "m1"}, expires_at=expires)
    assert "s3cr3t" not in repr(credentials)
    assert "access_token" in repr(credentials)
    assert credentials.expires_within(timedelta(days=2), expires - timedelta(days=1))
    assert not credentials.expires_within(timedelta(hours=1), expires - timedelta(days=1))
    assert not Credentials({}).expires_within(timedelta(days=999), expires)


def test_nested_mappings_of_records_are_read_only() -> None:
    payload = ListingPayload(
        "P1",
        "Title",
        "Text",
        "https://img.example/1.jpg",
        (VariantPayload("S1", Money.of("5", "USD"), 3, options={"color": "Red"}),),
        platform_fields={"warehouse_id": "w1"},
    )
    with pytest.raises(TypeError):
        payload.platform_fields["warehouse_id"] = "w2"  # type: ignore[index]
    with pytest.raises(TypeError):
        payload.variants[0].options["color"] = "Blue"  # type: ignore[index]


def test_validate_listing_problems_carry_keys_params_and_severity() -> None:
    problems = FakeMarketplace().validate_listing(
        ListingPayload("P1", "A title far too long", "", "https://i/1.jpg", ())
    )
    assert problems == [Problem("title", ProblemCode.TOO_LONG, "too long", {"max": 10})]
    warning = Problem("images[0]", "small_image", "small", severity=Severity.WARNING)
    assert blocking([warning, *problems]) == problems


async def test_iterate_pages_follows_cursors_to_the_end() -> None:
    pages = {None: Page((1, 2), "p2"), "p2": Page((), "p3"), "p3": Page((3,), None)}
    seen: list[str | None] = []

    async def fetch(cursor: str | None) -> Page[int]:
        seen.append(cursor)
        return pages[cursor]

    assert [item async for item in iterate_pages(fetch)] == [1, 2, 3]
    assert seen == [None, "p2", "p3"]


async def test_iterate_pages_stops_a_cursor_that_does_not_advance() -> None:
    async def fetch(cursor: str | None) -> Page[int]:
        return Page((1,), "same")

    with pytest.raises(PermanentError, match="paging did not advance"):
        _ = [item async for item in iterate_pages(fetch)]


def test_split_batches_respects_both_limits_and_keeps_order() -> None:
    texts = ["aaaa", "bb", "c", "dddddddddd", "e", "f", "g"]
    assert split_batches(texts, max_texts=3, max_chars=6) == [
        ["aaaa", "bb"],
        ["c"],
        ["dddddddddd"],
        ["e", "f", "g"],
    ]
    with pytest.raises(ValueError, match="at least 1"):
        split_batches(texts, 0, 10)


async def test_translate_in_batches_uses_the_translator_limits() -> None:
    translator = UpperTranslator(max_texts=2, max_chars=100)
    texts = ["red", "blue", "Nike", "green", "pink"]
    async with httpx.AsyncClient() as http:
        result = await translate_in_batches(
            translator,
            CallContext(http=http, account_id=1),
            texts,
            source="en",
            target="en",
            glossary={"Nike": "Nike"},
        )
    assert result == ["RED", "BLUE", "Nike", "GREEN", "PINK"]
    assert translator.batches == [["red", "blue"], ["Nike", "green"], ["pink"]]


async def test_translate_in_batches_refuses_a_short_answer() -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(PermanentError, match="returned 1 texts for 2"):
            await translate_in_batches(
                UpperTranslator(drop_one=True),
                CallContext(http=http),
                ["a", "b"],
                source="zh",
                target="en",
            )


def test_carrier_settings_validation_names_every_problem() -> None:
    problems = FakeCarrier().validate_settings({"customer_code": "  ", "print_format": "A5"})
    assert [(problem.field, problem.code) for problem in problems] == [
        ("api_token", ProblemCode.REQUIRED),
        ("customer_code", ProblemCode.REQUIRED),
        ("print_format", ProblemCode.NOT_ALLOWED),
    ]
    assert problems[2].params == {"allowed": ["A4", "4x6"]}
    assert (
        FakeCarrier().validate_settings(
            {"api_token": "t", "customer_code": "c", "print_format": "4x6"}
        )
        == []
    )


async def label_server(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A tiny carrier label host: /ok.pdf, /busy, and an HTML error page for anything else."""
    path = scope["path"]
    status, body = {"/ok.pdf": (200, PDF), "/busy": (503, b"")}.get(path, (200, b"<html>err"))
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": body})


@pytest.mark.parametrize(
    "label",
    [
        Label(pdf=PDF),
        Label(base64_pdf=base64.b64encode(PDF).decode()),
        Label(url="http://labels.test/ok.pdf"),
    ],
)
async def test_every_label_form_becomes_pdf_bytes(label: Label) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=label_server)) as http:
        assert await label_pdf_bytes(label, http) == PDF


async def test_a_label_that_is_not_a_pdf_is_a_permanent_error() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=label_server)) as http:
        with pytest.raises(PermanentError, match="not a PDF"):
            await label_pdf_bytes(Label(url="http://labels.test/error.html"), http)
        with pytest.raises(PermanentError, match="not valid base64"):
            await label_pdf_bytes(Label(base64_pdf="***"), http)
        with pytest.raises(TransientError, match="HTTP 503"):
            await label_pdf_bytes(Label(url="http://labels.test/busy"), http)
    with pytest.raises(ValueError, match="exactly one"):
        Label(pdf=PDF, url="http://x")


@pytest.mark.parametrize("key", ["ab/cd/0123.jpg", "thumbs/x_1-2.webp"])
def test_safe_storage_keys_pass(key: str) -> None:
    assert validate_key(key) == key


@pytest.mark.parametrize("key", ["", "/etc/passwd", "a/../b", "a//b", "a/./b", "..", "a b"])
def test_unsafe_storage_keys_are_refused(key: str) -> None:
    with pytest.raises(ValueError, match="invalid storage key"):
        validate_key(key)


def test_menu_links_and_events_check_their_fields() -> None:
    link = MenuLink("Wish", "/wish", "stores", labels={"zh_CN": "Wish 店铺"})
    assert link.label_for("zh_CN") == "Wish 店铺"
    assert link.label_for("en") == "Wish"
    with pytest.raises(ValueError, match="unknown area 'nowhere'"):
        MenuLink("X", "/x", "nowhere")
    with pytest.raises(ValueError, match="href must start with"):
        MenuLink("X", "javascript:alert(1)", "tools")
    with pytest.raises(ValueError, match="must look like"):
        Event("OrderShipped", account_id=1)
    event = Event("order.shipped", account_id=1, data={"order_id": 5})
    assert event.occurred_at.tzinfo is not None
    assert event.id != Event("order.shipped", account_id=1).id
