"""Reading request input the way Wish does: JSON bodies, repeated query parameters."""

from __future__ import annotations

import json
from typing import Any

from plugins.wish.sandbox.errors import AnyRequest, WishError


async def json_object(request: AnyRequest, code: int) -> dict[str, Any]:
    """Return the request body as a JSON object.

    Handlers read the body before touching the database, so that everything after this
    await runs without yielding and is atomic with respect to other requests.

    Args:
        request: the request.
        code: the error code to answer when the body is not a JSON object.

    Raises:
        WishError: the body is missing, not JSON, or not an object.
    """
    raw = await request.body()
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        raise WishError(code, "invalid_json") from None
    if not isinstance(body, dict):
        raise WishError(code, "invalid_json")
    return body


def query_list(request: AnyRequest, name: str) -> list[str]:
    """Return a list query parameter given as ``name=a&name=b``, ``name[]=a`` or ``name=a,b``."""
    values = [*request.query_params.getall(name, []), *request.query_params.getall(f"{name}[]", [])]
    items: list[str] = []
    for value in values:
        items.extend(part.strip() for part in str(value).split(",") if part.strip())
    return items


def query_value(request: AnyRequest, name: str) -> str | None:
    """Return a single query parameter, or None when absent or empty."""
    value = request.query_params.get(name)
    if value is None or str(value) == "":
        return None
    return str(value)
