"""One answer per kind of error, as a page or as JSON (under ``/api/``), never a bare 500.

| error | status |
| --- | --- |
| :class:`~core.errors.NotFound`, unknown route, another account's id | 404 |
| :class:`~core.actor.PermissionDenied`, failed CSRF check | 403 |
| :class:`~core.errors.PermanentError` (bad input; ``field`` named), validation errors | 400 |
| :class:`~core.errors.RuleViolation` (a rule of the product said no) | 409 |
| :class:`~core.accounts.errors.TooManyAttempts` | 429 + ``Retry-After`` |
| :class:`~core.errors.TransientError` (try later) | 503 + ``Retry-After`` |
| not signed in | page: redirect to sign-in; API: 401 JSON |

JSON bodies look like ``{"status_code": 404, "detail": "...", "field": "email"}``.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap

from core.accounts.errors import TooManyAttempts
from core.actor import PermissionDenied
from core.errors import NotFound, PermanentError, RuleViolation, TradewindError, TransientError
from web.i18n import (
    format_duration,
    gettext,
    locale_of_scope,
    translate_message,
    use_locale,
)
from web.security import current_user

log = logging.getLogger(__name__)

API_PREFIX = "/api/"


def wants_json(request: Request[Any, Any, Any]) -> bool:
    """Whether to answer JSON: API paths, and clients that ask for JSON but not HTML."""
    if request.url.path.startswith(API_PREFIX):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _answer(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    *,
    field: str | None = None,
    headers: dict[str, str] | None = None,
    extra: list[dict[str, Any]] | None = None,
) -> Response[Any]:
    if current_user(request) is None:  # the guard did not run (unknown route): negotiate again
        use_locale(locale_of_scope(request.scope))
    if wants_json(request):
        body: dict[str, Any] = {"status_code": status, "detail": detail}
        if field:
            body["field"] = field
        if extra:
            body["extra"] = extra
        return Response(body, status_code=status, headers=headers, media_type=MediaType.JSON)
    from web.layout import layout_context

    context = {**layout_context(request), "status": status, "detail": detail, "field": field}
    context["title"] = context["detail"]
    context["crumbs"] = []
    return Template(
        template_name="errors/error.html", context=context, status_code=status, headers=headers
    )


def _not_found(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return _answer(request, 404, gettext("Not found: this page or object does not exist."))


def _forbidden(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return _answer(request, 403, translate_message(exc))


def _csrf_failed(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    detail = gettext(
        "This form has expired or was sent from elsewhere; reload the page and try again."
    )
    return _answer(request, 403, detail)


def _bad_input(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, PermanentError)
    return _answer(request, 400, translate_message(exc), field=exc.field)


def _rule(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return _answer(request, 409, translate_message(exc))


def _retry_headers(exc: TransientError) -> dict[str, str]:
    if exc.retry_after is None:
        return {}
    return {"Retry-After": str(max(1, round(exc.retry_after)))}


def _too_many(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, TooManyAttempts)
    detail = gettext("Too many failed sign-ins. Try again in %(wait)s.") % {
        "wait": format_duration(exc.retry_after or 1)
    }
    return _answer(request, 429, detail, headers=_retry_headers(exc))


def _transient(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, TransientError)
    log.warning("transient error on %s: %s", request.url.path, exc)
    detail = gettext("A service is busy or unreachable; try again in a moment.")
    return _answer(request, 503, detail, headers=_retry_headers(exc))


_NAMED_FIELD = re.compile(r"field `([^`]+)`")


def _field_of(problem: dict[str, Any]) -> str | None:
    """The field a validation problem is about (a missing one is named in the message)."""
    named = _NAMED_FIELD.search(str(problem.get("message", "")))
    if named:
        return named.group(1)
    key = problem.get("key")
    return str(key) if key else None


def _validation(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, ValidationException)
    problems = exc.extra if isinstance(exc.extra, list) else []
    fields = [f for p in problems if isinstance(p, dict) and (f := _field_of(p))]
    if fields:
        detail = gettext("Invalid or missing value: %(fields)s.") % {"fields": ", ".join(fields)}
    else:
        detail = gettext("The request is not valid: %(reason)s") % {"reason": exc.detail}
    return _answer(request, 400, detail, field=fields[0] if fields else None, extra=problems)


def _not_signed_in(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if wants_json(request):
        detail = gettext(
            "Authentication required: sign in or send 'Authorization: Bearer <token>'."
        )
        if request.headers.get("authorization"):
            detail = gettext("The API token is not valid (unknown, revoked or expired).")
        return _answer(request, 401, detail, headers={"WWW-Authenticate": "Bearer"})
    target = "/signin"
    if request.method == "GET":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target += f"?next={quote(here, safe='')}"
    if request.headers.get("hx-request"):
        return Response(b"", status_code=200, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)


def _http(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, HTTPException)
    if exc.status_code >= 500:
        return _crash(request, exc)
    return _answer(request, exc.status_code, gettext(str(exc.detail)), headers=exc.headers)


def _domain(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # A TradewindError without a more specific handler: the platform or a rule said no.
    return _answer(request, 400, translate_message(exc))


def _crash(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return _answer(request, 500, gettext("Something went wrong on our side; it has been logged."))


def exception_handlers() -> ExceptionHandlersMap:
    """The handlers to pass to ``Litestar(exception_handlers=...)``."""
    return {
        NotFound: _not_found,
        NotFoundException: _not_found,
        PermissionDenied: _forbidden,
        PermissionDeniedException: _csrf_failed,
        TooManyAttempts: _too_many,
        TransientError: _transient,
        RuleViolation: _rule,
        PermanentError: _bad_input,
        TradewindError: _domain,
        ValidationException: _validation,
        NotAuthorizedException: _not_signed_in,
        HTTPException: _http,
        Exception: _crash,
    }
