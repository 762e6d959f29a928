"""Messages that core code shows to people, kept translatable without core knowing any locale.

Core raises errors in English. A message built with :func:`msg` is still a plain ``str`` (so
``str(error)`` reads well in logs and the CLI) but remembers its untranslated template and its
parameters, so the web layer can look the template up in the user's catalog and format it
again. ``pybabel extract -k msg -k N_`` collects both markers (see ``docs/i18n.md``).

Example::

    raise RuleViolation(msg("store %(name)s is disabled", name=store.name))

A parameter may itself be a message (``msg("%(shown)s is %(problem)s", problem=msg(...))``);
it is translated too. Messages that must outlive the request (job item results, job results)
are stored as their :meth:`Message.parts` and rebuilt with :func:`message_from_parts`, so they
are translated when they are shown, in the language of whoever looks at them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import SerializationInfo, SerializerFunctionWrapHandler, WrapSerializer, WrapValidator
from pydantic_core.core_schema import ValidatorFunctionWrapHandler

PARTS_KEY = "msg"
"""Key of the template in the stored form of a message (``{"msg": ..., "params": {...}}``)."""

STORE_MESSAGES: Mapping[str, Any] = MappingProxyType({"message_parts": True})
"""Serialization context that writes :data:`MessageText` fields in their stored form:
``model.model_dump(mode="json", context=STORE_MESSAGES)``."""


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

    def __reduce__(self) -> tuple[Any, ...]:
        """Copy and pickle as template and parameters (a mapping proxy cannot be pickled)."""
        return (Message, (self.template, dict(self.params)))

    def parts(self) -> dict[str, Any]:
        """The JSON form kept in the database: ``{"msg": template, "params": {...}}``.

        Parameters that are messages are kept in the same form; other values that JSON
        cannot hold become their text.
        """
        return {
            PARTS_KEY: self.template,
            "params": {k: _param_json(v) for k, v in self.params.items()},
        }


def _param_json(value: Any) -> Any:
    if isinstance(value, Message):
        return value.parts()
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def msg(template: str, **params: Any) -> Message:
    """A translatable message: ``template`` (an English msgid) formatted with ``params``."""
    return Message(template, params)


def message_from_parts(parts: Mapping[str, Any]) -> Message:
    """Rebuild a message from its :meth:`Message.parts`."""
    params = {
        key: message_from_parts(value) if _is_parts(value) else value
        for key, value in dict(parts.get("params") or {}).items()
    }
    return Message(str(parts[PARTS_KEY]), params)


def revive_messages(value: Any) -> Any:
    """``value`` (JSON from the database) with every stored message rebuilt as a Message."""
    if _is_parts(value):
        return message_from_parts(value)
    if isinstance(value, list):
        return [revive_messages(item) for item in value]
    if isinstance(value, dict):
        return {key: revive_messages(item) for key, item in value.items()}
    return value


def _is_parts(value: object) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get(PARTS_KEY), str)


def message_of(value: object) -> str:
    """The text of ``value`` keeping its :class:`Message` (an exception's first argument).

    Use it instead of ``str(error)`` where the message travels on (into a refusal, a job
    item) and must stay translatable.
    """
    if isinstance(value, Message):
        return value
    if isinstance(value, BaseException) and value.args and isinstance(value.args[0], Message):
        return value.args[0]
    return str(value)


def parts_of(value: object) -> dict[str, Any] | None:
    """The stored form of ``value``'s message, or ``None`` when it is plain text."""
    found = message_of(value)
    return found.parts() if isinstance(found, Message) else None


def joined(messages: Iterable[str], separator: str = "\n") -> Message:
    """One message made of several, each translated on its own (``separator`` between)."""
    items = list(messages)
    template = separator.replace("%", "%%").join(f"%(m{n})s" for n in range(len(items)))
    return Message(template, {f"m{n}": item for n, item in enumerate(items)})


def message_parts(value: object) -> tuple[str, Mapping[str, Any]]:
    """The template and parameters of ``value``.

    ``value`` is a :class:`Message`, an exception raised with one, or any other text.
    """
    found = message_of(value)
    if isinstance(found, Message):
        return found.template, found.params
    return found, MappingProxyType({})


def _keep_message(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    if isinstance(value, Message):
        return value
    if _is_parts(value):
        return message_from_parts(value)
    return handler(value)


def _store_message(
    value: Any, handler: SerializerFunctionWrapHandler, info: SerializationInfo
) -> Any:
    context = info.context
    if isinstance(value, Message) and isinstance(context, Mapping) and context.get("message_parts"):
        return value.parts()
    return handler(value)


MessageText = Annotated[str, WrapValidator(_keep_message), WrapSerializer(_store_message)]
"""A pydantic ``str`` field that keeps a :class:`Message` as it is (plain ``str`` drops the
template). It serialises as the English text, or, with the :data:`STORE_MESSAGES` context, in
the stored form, which validation turns back into a message."""
