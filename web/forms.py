"""Helpers for HTML forms: safe redirects, and field errors for re-rendering a form.

Take a form body with ``data: URLEncodedBody[MyForm]`` (``litestar.params``). Give every field
of a form dataclass a default, so a missing field reaches the core service (which names it)
instead of failing before the handler.
"""

from __future__ import annotations

from core.errors import PermanentError
from web.i18n import translate_message


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def field_errors(error: PermanentError) -> dict[str, str]:
    """``{field: message}`` for a form to show next to the field (``""``: the whole form)."""
    return {error.field or "": translate_message(error)}
