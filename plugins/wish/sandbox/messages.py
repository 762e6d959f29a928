# ruff: noqa: RUF001 (Chinese messages use full-width punctuation on purpose)
"""Error messages in English and Chinese (``Accept-Language: zh``).

Messages quoted in Wish's spec are kept word for word in English; the rest are the sandbox's
own wording. Each message is a ``str.format`` template; ``{field}`` names the offending field
as a path such as ``variations[1].price.amount``.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # OAuth and authentication
    "missing_param": ("Missing required parameter: {field}", "缺少必填参数：{field}"),
    "grant_type": (
        "grant_type must be set to '{expected}'",
        "grant_type 必须为 '{expected}'",
    ),
    "bad_credentials": (
        "Incorrect credentials. One of client_id, client_secret, or redirect_url does not "
        "match our records",
        "凭证错误：client_id、client_secret 或 redirect_uri 与记录不符",
    ),
    "bad_client_credentials": (
        "Incorrect credentials. client_id or client_secret does not match our records",
        "凭证错误：client_id 或 client_secret 与记录不符",
    ),
    "code_incorrect": ("Incorrect authorization code provided", "授权码不正确"),
    "code_redeemed": (
        "The authorization code has already been redeemed",
        "授权码已被使用",
    ),
    "code_expired": ("The authorization code has expired", "授权码已过期"),
    "token_expired": ("This access token has expired", "该访问令牌已过期"),
    "token_revoked": ("This access token has been revoked", "该访问令牌已被撤销"),
    "no_token": (
        "No access token found or the app does not exist",
        "未找到访问令牌或应用不存在",
    ),
    "unauthorized": ("Unauthorized access on this API", "无权访问此 API"),
    "missing_scope": (
        "Unauthorized access on this API: the token lacks the scope {scope}",
        "无权访问此 API：令牌缺少权限 {scope}",
    ),
    "account_disabled": (
        "Cannot access API due to account is disabled",
        "账户已被停用，无法访问 API",
    ),
    "rate_limited": (
        "Too many requests. Wait until the rate limit resets.",
        "请求过于频繁，请等待限流窗口重置后再试。",
    ),
    # Generic
    "invalid_json": ("The request body must be a JSON object.", "请求体必须是 JSON 对象。"),
    "not_found": ("No such API endpoint.", "API 接口不存在。"),
    "method_not_allowed": (
        "This method is not allowed on this endpoint.",
        "该接口不支持此请求方法。",
    ),
    "internal": ("Internal server error.", "服务器内部错误。"),
    "admin_invalid": ("{detail}", "{detail}"),
    # Query parameters
    "limit_range": ("limit must be between 1 and {max}.", "limit 必须在 1 到 {max} 之间。"),
    "bad_datetime": (
        "{field} must be a date-time like 2020-01-01T07:00:00.000Z.",
        "{field} 必须是日期时间，例如 2020-01-01T07:00:00.000Z。",
    ),
    "bad_sort_by": ("sort_by must match {pattern}.", "sort_by 必须符合 {pattern}。"),
    # Field validation (code 90001)
    "required": ("{field} is required.", "{field} 为必填项。"),
    "type_string": ("{field} must be a string.", "{field} 必须是字符串。"),
    "type_integer": ("{field} must be an integer.", "{field} 必须是整数。"),
    "type_number": ("{field} must be a number.", "{field} 必须是数字。"),
    "type_boolean": ("{field} must be true or false.", "{field} 必须是 true 或 false。"),
    "type_object": ("{field} must be an object.", "{field} 必须是对象。"),
    "type_array": ("{field} must be an array.", "{field} 必须是数组。"),
    "empty": ("{field} must not be empty.", "{field} 不能为空。"),
    "max_length": (
        "{field} must be at most {max} characters long.",
        "{field} 最多 {max} 个字符。",
    ),
    "min_items": ("{field} must have at least {min} item(s).", "{field} 至少需要 {min} 项。"),
    "max_items": ("{field} can have at most {max} items.", "{field} 最多 {max} 项。"),
    "range": ("{field} must be between {min} and {max}.", "{field} 必须在 {min} 到 {max} 之间。"),
    "minimum": ("{field} must be at least {min}.", "{field} 不能小于 {min}。"),
    "enum": ("{field} must be one of: {allowed}.", "{field} 必须是以下之一：{allowed}。"),
    "html": (
        "{field} must not contain HTML code.",
        "{field} 不能包含 HTML 代码。",
    ),
    "url": ("{field} must be a valid http(s) URL.", "{field} 必须是有效的 http(s) 网址。"),
    "country": (
        "{field} must be a 2-letter ISO 3166 country code.",
        "{field} 必须是 ISO 3166 两位国家代码。",
    ),
    "currency": (
        "{field} must be {currency}, the merchant's localized currency.",
        "{field} 必须是店铺的本地化币种 {currency}。",
    ),
    "gtin": (
        "{field} should be 8 to 14 digits with no letters or other characters.",
        "{field} 必须是 8 到 14 位数字。",
    ),
    "additional_price": (
        "{field} must be smaller than or equal to the shipping price.",
        "{field} 不能大于运费。",
    ),
    "one_clean_image": (
        "Only one clean image URL can be specified.",
        "只能指定一张干净图片（clean image）。",
    ),
    "variation_image_required": (
        "{field} is required when the product has more than one variation.",
        "商品有多个变体时 {field} 为必填项。",
    ),
    "variation_image_not_extra": (
        "{field} must also be one of the extra_images.",
        "{field} 必须同时出现在 extra_images 中。",
    ),
    "standard_warehouse_shipping": (
        "default_shipping_prices must include the standard warehouse {warehouse_id}.",
        "default_shipping_prices 必须包含标准仓库 {warehouse_id}。",
    ),
    "unknown_warehouse": (
        "{field}: there is no such warehouse ID for the merchant.",
        "{field}：该店铺没有此仓库 ID。",
    ),
    "weight_required": (
        "{field} is required for mainland China-based merchants.",
        "中国大陆商户必须填写 {field}。",
    ),
    "duplicate_parent_sku": (
        "parent_sku '{value}' is already used by another product of this merchant.",
        "parent_sku '{value}' 已被该店铺的其他商品使用。",
    ),
    "duplicate_sku": (
        "{field} '{value}' is already used by another variation of this merchant.",
        "{field} '{value}' 已被该店铺的其他变体使用。",
    ),
    "unknown_variation": (
        "{field}: there is no such variation in this product.",
        "{field}：该商品没有此变体。",
    ),
    # Products
    "no_such_product": (
        "There is no such product for the merchant.",
        "该店铺没有此商品。",
    ),
    "product_removed": (
        "Removed products cannot be updated.",
        "已删除的商品不能修改。",
    ),
    "no_such_request": (
        "No product create or update request was found with the provided ID",
        "未找到该商品创建或更新请求",
    ),
    # Orders
    "no_such_order": ("There is no such order for the merchant.", "该店铺没有此订单。"),
    "tracking_number": (
        "tracking_number should only contain alphanumeric characters with no space between them.",
        "tracking_number 只能包含字母和数字，不能有空格。",
    ),
    "unknown_carrier": (
        "shipping_provider '{value}' is not an accepted shipping carrier.",
        "shipping_provider '{value}' 不是认可的物流商。",
    ),
    "order_not_shippable": (
        "An order in state {state} cannot be shipped.",
        "状态为 {state} 的订单不能发货。",
    ),
    "order_busy": (
        "The order is being processed ({source}); wait until processing_status is no longer "
        "IN_PROGRESS.",
        "订单正在处理中（{source}），请等 processing_status 不再是 IN_PROGRESS 后重试。",
    ),
    "refund_reason_invalid": (
        "refund_reason {value} is not valid for this order. Valid reasons: {allowed}.",
        "refund_reason {value} 对此订单无效。有效原因：{allowed}。",
    ),
    "order_type_required": (
        "order_type is required (GENERAL or CONFIRMED_DELIVERY).",
        "order_type 为必填项（GENERAL 或 CONFIRMED_DELIVERY）。",
    ),
}


def render(key: str, language: str, params: dict[str, object]) -> str:
    """Return message ``key`` in ``language`` ("en" or "zh") with ``params`` filled in."""
    english, chinese = MESSAGES[key]
    template = chinese if language == "zh" else english
    return template.format(**params)


def pick_language(accept_language: str | None) -> str:
    """Return "zh" when the caller's most preferred language is Chinese, else "en"."""
    if not accept_language:
        return "en"
    best_tag, best_q = "", -1.0
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > best_q:
            best_tag, best_q = tag.lower(), quality
    return "zh" if best_tag.startswith("zh") else "en"
