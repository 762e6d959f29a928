"""Finding, selecting and loading plugins into a plugin manager.

Plugins come from three places:

- installed distributions, through the entry-point group ``tradewind`` (the entry-point name
  is the plugin id; Tradewind's built-in plugins are registered the same way);
- the ``plugins_dir`` setting: each ``*.py`` file in it is a plugin whose id is the file stem
  (files starting with ``_`` are skipped);
- explicit objects passed to :func:`make_plugin_manager` (tests, embedding).

The ``plugins`` setting selects among the discovered ones: unset loads all, a list loads exactly
those, an empty list none. Explicit plugins are always loaded. Only selected plugins are
imported, so a broken plugin that is not selected cannot break start-up.

There is no module-level manager: every caller builds its own with :func:`make_plugin_manager`
and hands it to :func:`core.registry.build_registry`.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import importlib.util
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib.metadata import EntryPoint
from importlib.metadata import entry_points as installed_entry_points
from pathlib import Path
from types import MappingProxyType, ModuleType

import pluggy

from core import PROJECT_NAME, hookspecs
from core.config import ConfigError, Settings
from core.interfaces.common import ADAPTER_ID_PATTERN

ENTRY_POINT_GROUP = PROJECT_NAME
"""Entry-point group plugins are registered under (``[project.entry-points.tradewind]``)."""


class PluginError(ConfigError):
    """A plugin cannot be loaded or registered what it may not; the message is one line."""


class PluginSourceKind(StrEnum):
    """Where a plugin was found."""

    ENTRY_POINT = "entry_point"
    FILE = "file"
    EXPLICIT = "explicit"


@dataclass(frozen=True)
class PluginInfo:
    """What is known about one loaded plugin.

    Attributes:
        id: the plugin id (entry-point name, file stem, or the explicit key).
        version: the distribution's version; ``"file"`` for plugins_dir files, ``"explicit"``
            for explicit objects, ``"unknown"`` for an entry point without distribution.
        kind: where it was found.
        source: human description of where it was found (entry point and distribution, or
            file path).
        hooks: names of the hooks it implements, sorted.
        registers: what it registered, by kind (``{"marketplaces": ("wish",), "jobs": ...}``);
            filled in by :func:`core.registry.build_registry`.
    """

    id: str
    version: str
    kind: PluginSourceKind
    source: str
    hooks: tuple[str, ...] = ()
    registers: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class _Candidate:
    id: str
    kind: PluginSourceKind
    source: str
    version: str
    load: Callable[[], object]


class PluginManager(pluggy.PluginManager):
    """A pluggy manager with Tradewind's hook specs, remembering where each plugin came from."""

    def __init__(self) -> None:
        super().__init__(PROJECT_NAME)
        self.add_hookspecs(hookspecs)
        self._infos: dict[str, PluginInfo] = {}

    @property
    def infos(self) -> tuple[PluginInfo, ...]:
        """The loaded plugins, in registration order."""
        return tuple(self._infos.values())

    def add_plugin(
        self,
        plugin_id: str,
        plugin: object,
        *,
        kind: PluginSourceKind = PluginSourceKind.EXPLICIT,
        source: str = "explicit",
        version: str = "explicit",
    ) -> None:
        """Register ``plugin`` under ``plugin_id`` and record its origin.

        Args:
            plugin_id: the plugin id.
            plugin: a module, class or object with ``@hookimpl`` functions.
            kind: where it was found.
            source: human description of where it was found.
            version: its version.

        Raises:
            PluginError: the id is invalid or taken, or a hook implementation does not match
                its spec.
        """
        _check_id(plugin_id, source)
        if plugin_id in self._infos:
            raise PluginError(
                f"plugin id '{plugin_id}' is provided twice: "
                f"{self._infos[plugin_id].source} and {source}"
            )
        try:
            self.register(plugin, name=plugin_id)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin '{plugin_id}' ({source}): {_one_line(exc)}") from exc
        except ValueError as exc:  # the same object under two ids
            raise PluginError(f"plugin '{plugin_id}' ({source}): {_one_line(exc)}") from exc
        hooks = tuple(sorted(caller.name for caller in self.get_hookcallers(plugin) or ()))
        self._infos[plugin_id] = PluginInfo(plugin_id, version, kind, source, hooks)


def _one_line(exc: BaseException) -> str:
    text = " ".join(part.strip() for part in str(exc).splitlines() if part.strip())
    return text or type(exc).__name__


def _check_id(plugin_id: str, source: str) -> None:
    if not ADAPTER_ID_PATTERN.match(plugin_id):
        raise PluginError(
            f"plugin id '{plugin_id}' ({source}) is not valid: "
            "use lower-case letters, digits and _ (starting with a letter)"
        )


def _entry_point_candidates(entry_points: Iterable[EntryPoint]) -> list[_Candidate]:
    candidates = []
    for entry_point in entry_points:
        if entry_point.group != ENTRY_POINT_GROUP:
            continue
        dist = entry_point.dist
        version = dist.version if dist is not None else "unknown"
        where = f" in {dist.name} {version}" if dist is not None else ""
        candidates.append(
            _Candidate(
                id=entry_point.name,
                kind=PluginSourceKind.ENTRY_POINT,
                source=f"entry point {entry_point.value}{where}",
                version=version,
                load=entry_point.load,
            )
        )
    return candidates


def _load_file(path: Path) -> ModuleType:
    """Import one plugins_dir file as a fresh module (unique name per path)."""
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    name = f"_tradewind_plugin_{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    # Registered so dataclasses, pickling and tracebacks can find the module by name.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _file_candidates(folder: Path) -> list[_Candidate]:
    if not folder.is_dir():
        raise ConfigError(f"setting 'plugins_dir': folder {folder} does not exist")
    return [
        _Candidate(
            id=path.stem,
            kind=PluginSourceKind.FILE,
            source=str(path),
            version="file",
            load=functools.partial(_load_file, path),
        )
        for path in sorted(folder.glob("*.py"))
        if not path.name.startswith("_")
    ]


def _select(
    found: Mapping[str, list[_Candidate]], explicit_ids: Iterable[str], wanted: list[str] | None
) -> list[str]:
    """The ids of the discovered plugins to load, per the ``plugins`` setting."""
    if wanted is None:
        return sorted(found)
    known = set(found) | set(explicit_ids)
    unknown = [name for name in dict.fromkeys(wanted) if name not in known]
    if unknown:
        names = ", ".join(f"'{name}'" for name in unknown)
        installed = ", ".join(sorted(known)) or "none"
        raise ConfigError(f"setting 'plugins': unknown plugin {names} (installed: {installed})")
    return [name for name in dict.fromkeys(wanted) if name in found]


def _load(candidate: _Candidate) -> object:
    try:
        return candidate.load()
    except Exception as exc:
        raise PluginError(
            f"plugin '{candidate.id}' ({candidate.source}) failed to load: "
            f"{type(exc).__name__}: {_one_line(exc)}"
        ) from exc


def _check_pending(pm: PluginManager) -> None:
    """Run pluggy's ``check_pending`` and turn its error into one helpful line."""
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        plugin_id = pm.get_name(exc.plugin) or "?"
        known = [name for name in vars(hookspecs) if name.startswith("register_")]
        unknown = sorted(
            caller.name for caller in pm.get_hookcallers(exc.plugin) or () if not caller.has_spec()
        )
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, known, n=1)
            hints.append(f"'{name}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        raise PluginError(
            f"plugin '{plugin_id}' implements unknown hook {', '.join(hints)}; "
            f"known hooks: {', '.join(sorted(known))}"
        ) from exc


def make_plugin_manager(
    settings: Settings,
    *,
    plugins: Mapping[str, object] | None = None,
    entry_points: Iterable[EntryPoint] | None = None,
    discover: bool = True,
) -> PluginManager:
    """Build a plugin manager with the plugins this deployment selects.

    Args:
        settings: the effective settings (``plugins`` selects, ``plugins_dir`` adds files).
        plugins: explicit plugins by id (modules, classes or objects with ``@hookimpl``
            functions); always loaded, after the discovered ones.
        entry_points: the entry points to consider instead of the installed ones (tests).
        discover: ``False`` skips entry points and ``plugins_dir`` entirely.

    Raises:
        ConfigError: one line: an unknown plugin in ``plugins`` (listing the installed ids),
            a plugin id provided twice (naming both sources), a plugin that fails to import,
            a hook implementation that does not match its spec, or a misspelled hook.
    """
    explicit = dict(plugins or {})
    found: dict[str, list[_Candidate]] = {}
    if discover:
        if entry_points is None:
            entry_points = installed_entry_points(group=ENTRY_POINT_GROUP)
        candidates = _entry_point_candidates(entry_points)
        if settings.plugins_dir is not None:
            candidates += _file_candidates(settings.plugins_dir)
        for candidate in candidates:
            found.setdefault(candidate.id, []).append(candidate)
    pm = PluginManager()
    for plugin_id in _select(found, explicit, settings.plugins if discover else []):
        first, *others = found[plugin_id]
        if others:
            raise PluginError(
                f"plugin id '{plugin_id}' is provided twice: {first.source} and {others[0].source}"
            )
        if plugin_id in explicit:
            raise PluginError(
                f"plugin id '{plugin_id}' is provided twice: {first.source} and explicit"
            )
        pm.add_plugin(
            plugin_id,
            _load(first),
            kind=first.kind,
            source=first.source,
            version=first.version,
        )
    for plugin_id, plugin in explicit.items():
        pm.add_plugin(plugin_id, plugin, source=f"explicit {_describe(plugin)}")
    _check_pending(pm)
    return pm


def _describe(plugin: object) -> str:
    if isinstance(plugin, ModuleType):
        return f"module {plugin.__name__}"
    name = getattr(plugin, "__qualname__", None) or type(plugin).__qualname__
    return f"object {name}"
