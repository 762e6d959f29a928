# ruff: noqa: RUF001 (Chinese messages use full-width punctuation on purpose)
"""Wording of the Wish plugin's own problem keys (``wish.*``), in English and Chinese.

Generic keys (``required``, ``too_long``, ...) are translated by the web layer; the keys below
are the plugin's own. :func:`render` formats one for a locale; the English text is also each
:class:`~core.interfaces.common.Problem`'s ``message``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.interfaces.common import Problem

MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("This field is required.", "此项为必填项。"),
    "too_long": (
        "At most {max} characters (now {actual}).",
        "最多 {max} 个字符（当前 {actual} 个）。",
    ),
    "too_many": ("At most {max} items (now {actual}).", "最多 {max} 项（当前 {actual} 项）。"),
    "too_few": ("At least {min} item(s) needed.", "至少需要 {min} 项。"),
    "out_of_range": (
        "Must be between {min} and {max} (now {actual}).",
        "必须在 {min} 到 {max} 之间（当前 {actual}）。",
    ),
    "invalid_format": ("Wrong format: {expected}.", "格式错误：{expected}。"),
    "not_allowed": ("Not allowed here; use one of: {allowed}.", "不允许的值，可选：{allowed}。"),
    "duplicate": ("'{value}' is used twice.", "“{value}” 重复使用。"),
    "wish.html_not_allowed": (
        "Wish does not accept HTML in descriptions; use plain text and line breaks.",
        "Wish 描述不能包含 HTML 代码，请使用纯文本和换行。",
    ),
    "wish.variant_image_required": (
        "Each variant needs its own picture when the product has several variants.",
        "商品有多个变体时，每个变体都需要图片。",
    ),
    "wish.weight_required": (
        "Wish requires the parcel weight (grams) for merchants based in mainland China.",
        "中国大陆商户必须填写包裹重量（克）。",
    ),
    "wish.default_shipping_required": (
        "A default shipping price (for all other countries) is required.",
        "必须填写默认运费（适用于其他所有国家）。",
    ),
    "wish.currency_mismatch": (
        "Prices must be in the store's currency {currency} (found {actual}).",
        "价格必须使用店铺币种 {currency}（当前为 {actual}）。",
    ),
    "wish.price_negative": ("A price cannot be negative.", "价格不能为负数。"),
    "wish.category_id": (
        "Wish needs its numeric category id here.",
        "此处需要 Wish 的数字类目 ID。",
    ),
    "wish.image_url": (
        "Pictures must be public http(s) URLs Wish can download.",
        "图片必须是 Wish 可以下载的公开 http(s) 网址。",
    ),
    "wish.gtin": ("A GTIN has 8 to 14 digits.", "GTIN 必须是 8 到 14 位数字。"),
    "wish.country": (
        "Use a two-letter ISO country code such as CN or US.",
        "请使用两位 ISO 国家代码，例如 CN、US。",
    ),
}


def render(code: str, params: Mapping[str, Any], locale: str = "en") -> str:
    """Format message ``code`` in ``locale`` (``zh_CN`` or ``en``) with ``params``."""
    english, chinese = MESSAGES.get(code, (code, code))
    template = chinese if locale.lower().startswith("zh") else english
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def localized(problem: Problem, locale: str) -> str:
    """The message of ``problem`` in ``locale`` (the English fallback for unknown keys)."""
    if problem.code in MESSAGES:
        return render(problem.code, problem.params, locale)
    return problem.message
