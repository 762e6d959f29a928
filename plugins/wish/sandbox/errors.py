"""Wish's response envelope and the one exception type handlers raise.

Every response body is ``{"code": int, "message": str, "data": ...}``: code 0 and message ""
on success; on error a non-zero code, a (localised) message and empty ``data``. Wish's spec
answers every API error with HTTP 400; only rate limiting (429) and server faults (5xx) differ.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import MethodNotAllowedException, NotFoundException

from plugins.wish.sandbox.messages import pick_language, render

# Error codes from Wish's v3 spec.
INVALID_PARAM = 1001
ACCOUNT_DISABLED = 1002
UNAUTHORIZED = 1006
TOKEN_EXPIRED = 1007
TOKEN_REVOKED = 1008
BAD_CREDENTIALS = 10001
CODE_REDEEMED = 10002
CODE_EXPIRED = 10004
CODE_INCORRECT = 10008
INVALID_PARAMETER = 90001
# Not published by Wish; the sandbox mirrors the HTTP status in the envelope for these.
RATE_LIMITED = 429
NOT_FOUND = 404
METHOD_NOT_ALLOWED = 405
INTERNAL = 500

AnyRequest = Request[Any, Any, Any]
logger = logging.getLogger(__name__)


class WishError(Exception):
    """An API error answered as Wish does.

    Args:
        code: the envelope's error code.
        key: the message key in :mod:`plugins.wish.sandbox.messages`.
        status: the HTTP status (400 unless stated).
        **params: values for the message template.
    """

    def __init__(self, code: int, key: str, *, status: int = 400, **params: object) -> None:
        super().__init__(key)
        self.code = code
        self.key = key
        self.status = status
        self.params = params

    def message(self, language: str) -> str:
        """Return the message in ``language``."""
        return render(self.key, language, self.params)


def invalid(key: str, **params: object) -> WishError:
    """Return the generic invalid-parameter error (code 90001) for message ``key``."""
    error = WishError(INVALID_PARAMETER, key)
    error.params = dict(params)
    return error


def ok(data: Any) -> Response[Any]:
    """Return a success envelope around ``data``."""
    return Response({"code": 0, "message": "", "data": data}, status_code=200)


def error_body(code: int, message: str) -> dict[str, Any]:
    """Return an error envelope."""
    return {"code": code, "message": message, "data": {}}


def language_of(request: AnyRequest) -> str:
    """Return the response language the request asked for."""
    return pick_language(request.headers.get("accept-language"))


def handle_exception(request: AnyRequest, exc: Exception) -> Response[Any]:
    """Turn any exception raised while handling a request into a Wish error envelope."""
    language = language_of(request)
    if isinstance(exc, WishError):
        return Response(error_body(exc.code, exc.message(language)), status_code=exc.status)
    if isinstance(exc, NotFoundException):
        body = error_body(NOT_FOUND, render("not_found", language, {}))
        return Response(body, status_code=404)
    if isinstance(exc, MethodNotAllowedException):
        body = error_body(METHOD_NOT_ALLOWED, render("method_not_allowed", language, {}))
        return Response(body, status_code=405)
    logger.exception("unexpected error in the Wish sandbox", exc_info=exc)
    body = error_body(INTERNAL, render("internal", language, {}))
    return Response(body, status_code=500)
