"""The typed, immutable registry of what the loaded plugins registered.

Built once at start-up by :func:`build_registry` (the only code that calls ``pm.hook.*``);
web, jobs and CLI read it and never touch pluggy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from core.interfaces.jobs import CronDefinition, JobDefinition


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Registry:
    """Everything the loaded plugins registered, by id. Immutable once built."""

    jobs: Mapping[str, JobDefinition] = field(default_factory=_empty)
    crons: Mapping[str, CronDefinition] = field(default_factory=_empty)
