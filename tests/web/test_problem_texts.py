# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
"""Platform problems in the page's language: generic codes translated, own codes as sent."""

from __future__ import annotations

import contextvars
from typing import Any

import pytest

from core.catalog.lifecycle import problem_dict
from core.interfaces.common import Problem, ProblemCode
from core.registry import Registry
from tests.web.test_product_pages import store_draft
from web.i18n import use_locale
from web.problems import problem_text


@pytest.fixture
def registry(test_market) -> Registry:
    return Registry(marketplaces={"testmarket": test_market})


def text_in(locale: str, problem: dict[str, Any]) -> str:
    """``problem_text`` as a request in ``locale`` sees it (the test's context is left alone)."""

    def run() -> str:
        use_locale(locale)
        return problem_text(problem)

    return contextvars.copy_context().run(run)


def stored(code: str, message: str = "english fallback", **params: Any) -> dict[str, Any]:
    return problem_dict(Problem("title", code, message, params))


@pytest.mark.parametrize(
    ("problem", "chinese", "english"),
    [
        (stored(ProblemCode.REQUIRED), "此项为必填项。", "This field is required."),
        (
            stored(ProblemCode.TOO_LONG, max=80, actual=95),
            "最多 80 个字符（当前 95 个）。",
            "At most 80 characters (now 95).",
        ),
        (stored(ProblemCode.TOO_LONG, max=10), "最多 10 个字符。", "At most 10 characters."),
        (
            stored(ProblemCode.OUT_OF_RANGE, min=0, max=500000, actual=600000),
            "必须在 0 到 500000 之间（当前 600000）。",
            "Must be between 0 and 500000 (now 600000).",
        ),
        # "∞" means no upper bound: the text says "at least".
        (
            stored(ProblemCode.OUT_OF_RANGE, min=0, max="∞", actual="-1"),
            "不能小于 0（当前 -1）。",
            "Must be at least 0 (now -1).",
        ),
        (
            stored(ProblemCode.NOT_ALLOWED, allowed=["new", "used"]),
            "不允许的值，可选：new, used。",
            "Not allowed here; use one of: new, used.",
        ),
        (stored(ProblemCode.NOT_ALLOWED), "此处不允许该值。", "This value is not allowed here."),
        (
            stored(ProblemCode.DUPLICATE, value="SKU-1"),
            "“SKU-1” 重复使用。",
            "“SKU-1” is used twice.",
        ),
        # An adapter's own code: its English message, whatever the language.
        (
            stored("wish.gtin", "A GTIN has 8 to 14 digits."),
            "A GTIN has 8 to 14 digits.",
            "A GTIN has 8 to 14 digits.",
        ),
        # A generic code without the parameters its text needs: the adapter's message.
        (stored(ProblemCode.OUT_OF_RANGE, "out of range"), "out of range", "out of range"),
    ],
)
def test_problem_texts(problem: dict[str, Any], chinese: str, english: str) -> None:
    assert text_in("zh_CN", problem) == chinese
    assert text_in("en", problem) == english


def test_a_problem_with_odd_params_still_has_a_text() -> None:
    assert text_in("zh_CN", {"code": "too_long", "params": "not a mapping", "message": "m"}) == "m"
    assert text_in("zh_CN", {"code": None, "params": None}) == ""


async def test_editor_shows_the_markets_problem_in_chinese_and_english(
    app, owner, oauth_state
) -> None:
    # The test market allows titles of 10 characters; the editor validates on opening.
    draft = await store_draft(app, owner, oauth_state, "Lamp with a long title")
    page = await owner.get(f"/products/{draft}")
    assert page.status_code == 200
    assert page.text.count("最多 10 个字符。") == 2  # next to the field and in the rules list
    assert "too long" not in page.text
    await owner.post("/settings/profile", {"display_name": "Li", "locale": "en"})
    page = await owner.get(f"/products/{draft}")
    assert "At most 10 characters." in page.text
