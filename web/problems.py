"""A platform's problems with a product, in the page's language.

Adapters report each problem with a code, its parameters and an English ``message``
(:class:`core.interfaces.common.Problem`). The generic codes (:class:`ProblemCode`: required,
too long, out of range, ...) are worded here and translated through the catalog, so a
Chinese page says "此项为必填项。" whichever marketplace found the problem. An adapter's own
codes (``wish.…``) show the adapter's English message: plugins cannot ship texts for their
codes yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.i18n import N_
from core.interfaces.common import ProblemCode
from web.i18n import gettext

# Per code, the templates to try in order: the first whose placeholders the problem's
# parameters all fill is used.
_TEMPLATES: dict[str, tuple[str, ...]] = {
    ProblemCode.REQUIRED: (N_("This field is required."),),
    ProblemCode.TOO_LONG: (
        N_("At most %(max)s characters (now %(actual)s)."),
        N_("At most %(max)s characters."),
    ),
    ProblemCode.TOO_SHORT: (
        N_("At least %(min)s characters (now %(actual)s)."),
        N_("At least %(min)s characters."),
    ),
    ProblemCode.TOO_MANY: (
        N_("At most %(max)s items (now %(actual)s)."),
        N_("At most %(max)s items."),
    ),
    ProblemCode.TOO_FEW: (
        N_("At least %(min)s items needed (now %(actual)s)."),
        N_("At least %(min)s items needed."),
    ),
    ProblemCode.OUT_OF_RANGE: (
        N_("Must be between %(min)s and %(max)s (now %(actual)s)."),
        N_("Must be at least %(min)s (now %(actual)s)."),
        N_("Must be at most %(max)s (now %(actual)s)."),
    ),
    ProblemCode.INVALID_FORMAT: (N_("Wrong format: %(expected)s."), N_("Wrong format.")),
    ProblemCode.NOT_ALLOWED: (
        N_("Not allowed here; use one of: %(allowed)s."),
        N_("This value is not allowed here."),
    ),
    ProblemCode.DUPLICATE: (N_("“%(value)s” is used twice."), N_("This value is used twice.")),
}
_PLACEHOLDERS: dict[str, frozenset[str]] = {}


def _placeholders(template: str) -> frozenset[str]:
    found = _PLACEHOLDERS.get(template)
    if found is None:
        found = frozenset(
            part.split(")s", 1)[0] for part in template.split("%(")[1:] if ")s" in part
        )
        _PLACEHOLDERS[template] = found
    return found


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def problem_text(problem: Mapping[str, Any]) -> str:
    """The text of one problem (as kept on the product) in the current language.

    Falls back to the adapter's English ``message`` for its own codes, and for generic codes
    whose parameters are missing.
    """
    code = str(problem.get("code") or "")
    params = problem.get("params") or {}
    fallback = str(problem.get("message") or "")
    values = {
        key: _shown(value)
        for key, value in (params.items() if isinstance(params, Mapping) else ())
        # "∞" is how some adapters write "no upper bound": the text without it says so.
        if value is not None and value not in ("", "∞")
    }
    for template in _TEMPLATES.get(code, ()):
        wanted = _placeholders(template)
        if wanted <= values.keys():
            try:
                return gettext(template) % {key: values[key] for key in wanted}
            except (KeyError, ValueError, TypeError):  # a broken translation keeps the page
                return template % {key: values[key] for key in wanted}
    return fallback
