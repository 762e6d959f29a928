"""Wish's error answers mapped to Tradewind's error taxonomy (:mod:`core.errors`).

Wish answers API errors with HTTP 400 and an envelope ``{code, message, data}``; rate limiting
with 429 and ``Wish-Rate-Limit-Reset``; server trouble with 5xx (sometimes an HTML page from a
proxy). The mapping:

- 1006 (no/unknown token, app missing, scope missing), 1007 (token expired), 1008 (token
  revoked) → :class:`~core.errors.AuthorizationExpired`: the store needs re-authorization;
- 1002 (merchant account disabled) → :class:`~core.errors.PermanentError` code ``1002``;
- 1001, 10001, 10002, 10004, 10008 (OAuth parameters, credentials, codes) →
  :class:`~core.errors.PermanentError` with that code;
- 90001 (validation, unknown ids) → :class:`~core.errors.PermanentError` with the field the
  message names, translated to the Tradewind payload's field path when possible (the caller
  turns 90001 on a lookup by id into :class:`~core.errors.NotFound`);
- 429 → :class:`~core.errors.TransientError` with ``retry_after``; 5xx, timeouts and connection
  errors → :class:`~core.errors.TransientError`, or :class:`~core.errors.OutcomeUnknown` for a
  write that may have been applied.
"""

from __future__ import annotations

import re

from core.errors import AuthorizationExpired, PermanentError, TradewindError

AUTHORIZATION_CODES = frozenset({1006, 1007, 1008})
ACCOUNT_DISABLED = 1002
INVALID_PARAMETER = 90001

_FIELD = re.compile(r"[a-z][a-z0-9_]*(?:\[\d+\])?(?:\.[a-z][a-z0-9_]*(?:\[\d+\])?)*")
_KNOWN_HEADS = frozenset(
    {
        "name",
        "description",
        "parent_sku",
        "tags",
        "category_id",
        "subcategory_id",
        "brand_id",
        "condition",
        "max_quantity",
        "msrp",
        "attributes",
        "unit",
        "reference_value",
        "video",
        "default_shipping_prices",
        "warehouse_to_shippings",
        "main_image",
        "extra_images",
        "variations",
        "status",
        "tracking_number",
        "origin_country",
        "shipping_provider",
        "ship_note",
        "refund_reason",
        "refund_reason_note",
        "limit",
        "sort_by",
        "states",
        "updated_at_min",
        "updated_at_max",
        "created_at_min",
        "created_at_max",
        "released_at_min",
        "released_at_max",
    }
)
_VARIATION_FIELDS = {
    "sku": "sku",
    "price": "price",
    "cost": "price",
    "inventories": "quantity",
    "image": "image_url",
    "options": "options",
    "gtin": "gtin",
    "status": "enabled",
    "id": "remote_id",
}
_LOGISTICS_FIELDS = {
    "origin_country": "origin_country",
    "weight": "weight_grams",
    "length": "length_cm",
    "width": "width_cm",
    "height": "height_cm",
    "customs_hs_code": "hs_code",
    "customs_declared_name": "customs_name_en",
    "declared_name": "customs_name_en",
    "declared_local_name": "customs_name_local",
    "customs_declared_value": "customs_value",
}
_PRODUCT_FIELDS = {
    "name": "title",
    "description": "description",
    "parent_sku": "parent_sku",
    "tags": "tags",
    "category_id": "category_id",
    "subcategory_id": "category_id",
    "brand_id": "brand",
    "condition": "condition",
    "attributes": "attributes",
    "default_shipping_prices": "shipping",
    "warehouse_to_shippings": "shipping",
    "main_image": "main_image_url",
    "extra_images": "extra_image_urls",
    "msrp": "variants",
}


def wish_field_in(message: str) -> str | None:
    """Return the first Wish field path named in an error message (English or Chinese)."""
    for match in _FIELD.finditer(message):
        path = match.group(0)
        head = re.split(r"[\[.]", path, maxsplit=1)[0]
        if head in _KNOWN_HEADS:
            return path
    return None


def payload_field(wish_path: str) -> str:
    """Translate a Wish field path to the matching :class:`ListingPayload` field path.

    ``variations[2].logistics_details.weight`` becomes ``variants[2].weight_grams``;
    ``name`` becomes ``title``. Paths without a counterpart are returned unchanged.
    """
    parts = wish_path.split(".")
    head = parts[0]
    variation = re.fullmatch(r"variations\[(\d+)\]", head)
    if variation is not None:
        prefix = f"variants[{variation.group(1)}]"
        if len(parts) == 1:
            return prefix
        name = re.sub(r"\[\d+\]$", "", parts[1])
        if name == "logistics_details" and len(parts) > 2:
            inner = _LOGISTICS_FIELDS.get(re.sub(r"\[\d+\]$", "", parts[2]))
            return f"{prefix}.{inner}" if inner else prefix
        mapped = _VARIATION_FIELDS.get(name)
        return f"{prefix}.{mapped}" if mapped else prefix
    bare = re.sub(r"\[\d+\]$", "", head)
    if bare == "variations":
        return "variants"
    mapped = _PRODUCT_FIELDS.get(bare)
    if mapped is None:
        return wish_path
    if bare in ("tags", "extra_images"):
        index = re.search(r"\[(\d+)\]$", head)
        return f"{mapped}[{index.group(1)}]" if index else mapped
    return mapped


def error_for_envelope(code: int, message: str) -> TradewindError:
    """Map a Wish error envelope to the taxonomy (see the module docstring)."""
    text = message or f"Wish error {code}"
    if code in AUTHORIZATION_CODES:
        return AuthorizationExpired(f"Wish refused the store's token: {text}", code=str(code))
    if code == INVALID_PARAMETER:
        wish_path = wish_field_in(text)
        field = payload_field(wish_path) if wish_path else None
        return PermanentError(text, code=str(code), field=field)
    return PermanentError(text, code=str(code))
