"""The translator: translates batches of texts (titles, descriptions, tags).

The core keeps a translation memory in front of translators and only sends texts it has not
seen; :func:`translate_in_batches` splits the rest into calls that respect the translator's
limits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from core.errors import PermanentError
from core.interfaces.common import CallContext


@runtime_checkable
class Translator(Protocol):
    """A machine-translation service."""

    @property
    def id(self) -> str:
        """Unique id (lower-case, digits, ``_``): ``"deepl"``."""
        ...

    @property
    def display_name(self) -> str:
        """Name shown to sellers."""
        ...

    @property
    def max_texts_per_call(self) -> int:
        """Most texts one :meth:`translate` call accepts (at least 1)."""
        ...

    @property
    def max_chars_per_call(self) -> int:
        """Most characters (summed over the texts) one call accepts.

        A single text longer than this is still sent alone; the translator must then split
        it itself or raise ``PermanentError``.
        """
        ...

    async def translate(
        self,
        ctx: CallContext,
        texts: Sequence[str],
        *,
        source: str,
        target: str,
        glossary: Mapping[str, str],
    ) -> list[str]:
        """Translate ``texts`` and return the translations in the same order and number.

        Args:
            ctx: call context.
            texts: the texts, within :attr:`max_texts_per_call` and :attr:`max_chars_per_call`.
            source: source language (``"zh"``), or ``"auto"`` to detect it.
            target: target language (``"en"``).
            glossary: terms that must come out as given (brand names map to themselves).
        """
        ...


def split_batches(texts: Sequence[str], max_texts: int, max_chars: int) -> list[list[str]]:
    """Split ``texts`` into consecutive batches within both limits (order kept).

    A text longer than ``max_chars`` makes a batch of its own.

    Args:
        texts: the texts to split.
        max_texts: most texts per batch (at least 1).
        max_chars: most characters per batch (at least 1).
    """
    if max_texts < 1 or max_chars < 1:
        raise ValueError("batch limits must be at least 1")
    batches: list[list[str]] = []
    current: list[str] = []
    size = 0
    for text in texts:
        if current and (len(current) >= max_texts or size + len(text) > max_chars):
            batches.append(current)
            current, size = [], 0
        current.append(text)
        size += len(text)
    if current:
        batches.append(current)
    return batches


async def translate_in_batches(
    translator: Translator,
    ctx: CallContext,
    texts: Sequence[str],
    *,
    source: str,
    target: str,
    glossary: Mapping[str, str] | None = None,
) -> list[str]:
    """Translate any number of texts with as many calls as the translator's limits need.

    Args:
        translator: the translator to use.
        ctx: call context.
        texts: the texts, in order.
        source: source language, or ``"auto"``.
        target: target language.
        glossary: terms that must come out as given.

    Raises:
        PermanentError: the translator answered a different number of texts than it was sent.
    """
    results: list[str] = []
    batches = split_batches(texts, translator.max_texts_per_call, translator.max_chars_per_call)
    for batch in batches:
        translated = await translator.translate(
            ctx, batch, source=source, target=target, glossary=dict(glossary or {})
        )
        if len(translated) != len(batch):
            raise PermanentError(
                f"translator {translator.id!r} returned {len(translated)} texts for {len(batch)}"
            )
        results.extend(translated)
    return results
