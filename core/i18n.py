"""Messages that core code shows to people, kept translatable without core knowing any locale.

Core raises errors in English. A message built with :func:`msg` is still a plain ``str`` (so
``str(error)`` reads well in logs and the CLI) but remembers its untranslated template and its
parameters, so the web layer can look the template up in the user's catalog and format it
again. ``pybabel extract -k msg -k N_`` collects both markers (see ``docs/i18n.md``).

Example::

    raise RuleViolation(msg("store %(name)s is disabled", name=store.name))
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any


def N_(text: str) -> str:
    """Mark ``text`` for extraction into the catalogs without translating it here."""
    return text


class Message(str):
    """An English message that also carries its template and parameters.

    Attributes:
        template: the untranslated text with ``%(name)s`` placeholders (the catalog msgid).
        params: the values the template is formatted with.
    """

    template: str
    params: Mapping[str, Any]

    def __new__(cls, template: str, params: Mapping[str, Any] | None = None) -> Message:
        """Format ``template`` with ``params`` and keep both."""
        values = MappingProxyType(dict(params or {}))
        instance = super().__new__(cls, template % values if values else template)
        instance.template = template
        instance.params = values
        return instance


def msg(template: str, **params: Any) -> Message:
    """A translatable message: ``template`` (an English msgid) formatted with ``params``."""
    return Message(template, params)


def message_parts(value: object) -> tuple[str, Mapping[str, Any]]:
    """The template and parameters of ``value``.

    ``value`` is a :class:`Message`, an exception raised with one, or any other text.
    """
    if isinstance(value, BaseException) and value.args and isinstance(value.args[0], Message):
        value = value.args[0]
    if isinstance(value, Message):
        return value.template, value.params
    return str(value), MappingProxyType({})
