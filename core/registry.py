"""The typed, immutable registry of what the loaded plugins registered.

Built once at start-up by :func:`build_registry` — with :func:`collect_commands`, the only code
that calls plugin hooks. Web, jobs and CLI read the registry (``registry.marketplaces["wish"]``)
and never touch pluggy. Duplicate ids are a start-up error naming both plugins.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from core.config import ConfigError, Settings
from core.interfaces.carrier import CarrierAdapter
from core.interfaces.collector import Collector
from core.interfaces.common import ADAPTER_ID_PATTERN
from core.interfaces.events import ANY_EVENT, EVENT_NAME, Event, EventListener
from core.interfaces.jobs import CronDefinition, JobDefinition
from core.interfaces.marketplace import MarketplaceAdapter
from core.interfaces.storage import StorageBackend
from core.interfaces.translator import Translator
from core.interfaces.web import MENU_AREAS, MenuLink, RouteHandler, is_route_handler
from core.plugins import PluginError, PluginInfo, PluginManager, make_plugin_manager

if TYPE_CHECKING:
    import click

logger = logging.getLogger(__name__)


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class RegisteredListener:
    """An event listener and the plugin that registered it.

    Attributes:
        plugin_id: the plugin that registered it.
        event: the event name it listens to (``"*"`` for all).
        listener: the async callable.
    """

    plugin_id: str
    event: str
    listener: EventListener


@dataclass(frozen=True)
class ListenerFailure:
    """A listener that raised while handling an event (logged, never re-raised).

    Attributes:
        plugin_id: the plugin whose listener failed.
        event: the event it was handling.
        error: what it raised.
    """

    plugin_id: str
    event: Event
    error: Exception


@dataclass(frozen=True)
class Registry:
    """Everything the loaded plugins registered, by id. Immutable once built.

    Attributes:
        jobs: job definitions by job name.
        crons: cron schedules by schedule name.
        marketplaces: marketplace adapters by id.
        collectors: collectors by id, in the order they are asked whether they match a URL.
        translators: translators by id.
        carriers: carrier adapters by id.
        storage_backends: image storage backends by id.
        routes: Litestar route handlers, controllers and routers to mount.
        menu_links: menu links, sorted by area and order.
        template_dirs: plugin template folders, in lookup order.
        event_listeners: every registered listener, in call order.
        plugins: the loaded plugins, with what each registered.
    """

    jobs: Mapping[str, JobDefinition] = field(default_factory=_empty)
    crons: Mapping[str, CronDefinition] = field(default_factory=_empty)
    marketplaces: Mapping[str, MarketplaceAdapter] = field(default_factory=_empty)
    collectors: Mapping[str, Collector] = field(default_factory=_empty)
    translators: Mapping[str, Translator] = field(default_factory=_empty)
    carriers: Mapping[str, CarrierAdapter] = field(default_factory=_empty)
    storage_backends: Mapping[str, StorageBackend] = field(default_factory=_empty)
    routes: tuple[RouteHandler, ...] = ()
    menu_links: tuple[MenuLink, ...] = ()
    template_dirs: tuple[Path, ...] = ()
    event_listeners: tuple[RegisteredListener, ...] = ()
    plugins: tuple[PluginInfo, ...] = ()

    def __post_init__(self) -> None:
        # Callers may pass plain dicts and lists; nobody may change them afterwards.
        for name in (
            "jobs",
            "crons",
            "marketplaces",
            "collectors",
            "translators",
            "carriers",
            "storage_backends",
        ):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        for name in ("routes", "menu_links", "template_dirs", "event_listeners", "plugins"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def plugin(self, plugin_id: str) -> PluginInfo:
        """The loaded plugin ``plugin_id``; ``KeyError`` if it is not loaded."""
        for info in self.plugins:
            if info.id == plugin_id:
                return info
        raise KeyError(plugin_id)

    def collector_for(self, url: str) -> Collector | None:
        """The first collector that matches ``url``, or ``None``."""
        for collector in self.collectors.values():
            if collector.matches(url):
                return collector
        return None

    def listeners_for(self, event_name: str) -> tuple[RegisteredListener, ...]:
        """Listeners of ``event_name``, then those of every event (``"*"``)."""
        exact = [entry for entry in self.event_listeners if entry.event == event_name]
        wildcard = [entry for entry in self.event_listeners if entry.event == ANY_EVENT]
        return tuple(exact + wildcard)

    async def emit(self, event: Event) -> tuple[ListenerFailure, ...]:
        """Call every listener of ``event``, one after another; failures are isolated.

        A listener that raises is logged with its plugin id and the others still run; the
        emitter never sees the exception. Call this after the transaction that made the event
        happen has committed.

        Args:
            event: what happened.

        Returns:
            The failures, for callers that want to record them (usually ignored).
        """
        failures = []
        for entry in self.listeners_for(event.name):
            try:
                await entry.listener(event)
            except Exception as exc:
                logger.exception(
                    "listener of plugin %r failed on event %s (%s)",
                    entry.plugin_id,
                    event.name,
                    event.id,
                )
                failures.append(ListenerFailure(entry.plugin_id, event, exc))
        return tuple(failures)


# -- building -----------------------------------------------------------------------------


def _protocol_members(protocol: type) -> tuple[list[str], list[str]]:
    """(all public member names, names of the async methods) of a Protocol class."""
    names = [name for name in vars(protocol) if not name.startswith("_")]
    coroutines = [name for name in names if inspect.iscoroutinefunction(vars(protocol)[name])]
    return names, coroutines


def _is_async_callable(value: object) -> bool:
    return inspect.iscoroutinefunction(value) or inspect.iscoroutinefunction(
        getattr(value, "__call__", None)  # noqa: B004  (objects with an async __call__)
    )


class _Builder:
    """Calls the registration hooks plugin by plugin and checks what they register."""

    def __init__(self, pm: PluginManager, settings: Settings) -> None:
        self.pm = pm
        self.settings = settings
        self.by_id: dict[str, dict[str, tuple[str, Any]]] = {}
        self.lists: dict[str, list[Any]] = {}
        self.registers: dict[str, dict[str, list[str]]] = {info.id: {} for info in pm.infos}

    def _record(self, plugin_id: str, kind: str, label: str) -> None:
        self.registers.setdefault(plugin_id, {}).setdefault(kind, []).append(label)

    def add_unique(self, kind: str, plugin_id: str, item_id: str, item: Any) -> None:
        """Add ``item`` under ``item_id``; an id taken by another plugin is an error."""
        taken = self.by_id.setdefault(kind, {})
        if item_id in taken:
            raise PluginError(
                f"{kind} '{item_id}' is registered by both plugin '{taken[item_id][0]}' "
                f"and plugin '{plugin_id}'"
            )
        taken[item_id] = (plugin_id, item)
        self._record(plugin_id, kind, item_id)

    def add_listed(self, kind: str, plugin_id: str, label: str, item: Any) -> None:
        """Add ``item`` to the ordered list of ``kind``."""
        self.lists.setdefault(kind, []).append(item)
        self._record(plugin_id, kind, label)

    def call(self, hook_name: str, make_register: Callable[[str], Callable[..., None]]) -> None:
        """Call one registration hook, each plugin with its own ``register``."""
        caller = getattr(self.pm.hook, hook_name)
        for impl in reversed(caller.get_hookimpls()):  # pluggy's call order
            plugin_id = impl.plugin_name
            arguments = {"register": make_register(plugin_id), "settings": self.settings}
            _call_impl(impl, hook_name, plugin_id, arguments)

    def adapters(self, hook_name: str, kind: str, protocol: type) -> None:
        """Collect adapters registered through ``hook_name`` and check them against ``protocol``."""

        def make_register(plugin_id: str) -> Callable[[Any], None]:
            def register(adapter: Any) -> None:
                _check_adapter(adapter, protocol, kind, plugin_id)
                self.add_unique(kind, plugin_id, adapter.id, adapter)

            return register

        self.call(hook_name, make_register)

    def mapping(self, kind: str) -> Mapping[str, Any]:
        """What was registered under ``kind``, by id, in registration order."""
        return {item_id: item for item_id, (_, item) in self.by_id.get(kind, {}).items()}


def _call_impl(impl: Any, hook_name: str, plugin_id: str, arguments: Mapping[str, Any]) -> None:
    if impl.hookwrapper or impl.wrapper or inspect.iscoroutinefunction(impl.function):
        raise PluginError(
            f"plugin '{plugin_id}': {hook_name} must be a plain function (not async, no wrapper)"
        )
    try:
        impl.function(*(arguments[name] for name in impl.argnames))
    except ConfigError as exc:
        if isinstance(exc, PluginError):
            raise
        raise PluginError(f"plugin '{plugin_id}': {exc}") from exc
    except Exception as exc:
        raise PluginError(
            f"plugin '{plugin_id}' failed in {hook_name}: {type(exc).__name__}: {exc}"
        ) from exc


def _check_adapter(adapter: Any, protocol: type, kind: str, plugin_id: str) -> None:
    names, coroutines = _protocol_members(protocol)
    what = f"plugin '{plugin_id}' registered a {kind[:-1]} {type(adapter).__name__}"
    missing = [name for name in names if not hasattr(adapter, name)]
    if missing:
        raise PluginError(f"{what} that lacks {', '.join(missing)}")
    not_async = [name for name in coroutines if not _is_async_callable(getattr(adapter, name))]
    if not_async:
        raise PluginError(f"{what} whose {', '.join(not_async)} must be async")
    if not isinstance(adapter.id, str) or not ADAPTER_ID_PATTERN.match(adapter.id):
        raise PluginError(f"{what} with invalid id {adapter.id!r} (use a-z, 0-9 and _)")


def _collect_jobs(builder: _Builder) -> None:
    def make_register(plugin_id: str) -> Callable[[Any], None]:
        def register(definition: Any) -> None:
            if isinstance(definition, JobDefinition):
                if not _is_async_callable(definition.func):
                    raise PluginError(f"job '{definition.name}' of plugin '{plugin_id}': not async")
                builder.add_unique("jobs", plugin_id, definition.name, definition)
            elif isinstance(definition, CronDefinition):
                builder.add_unique("crons", plugin_id, definition.name, definition)
            else:
                raise PluginError(
                    f"plugin '{plugin_id}' registered {definition!r} as a job; "
                    "expected a JobDefinition or CronDefinition"
                )

        return register

    builder.call("register_jobs", make_register)
    jobs = builder.mapping("jobs")
    for name, (plugin_id, cron) in builder.by_id.get("crons", {}).items():
        if cron.job not in jobs:
            raise PluginError(
                f"cron '{name}' of plugin '{plugin_id}' runs unknown job '{cron.job}'"
            )


def _route_label(handler: Any) -> str:
    paths = getattr(handler, "paths", None)
    if paths:
        return ", ".join(sorted(paths))
    return str(getattr(handler, "path", "") or getattr(handler, "__name__", repr(handler)))


def _collect_web(builder: _Builder) -> None:
    def route(plugin_id: str) -> Callable[[Any], None]:
        def register(handler: Any) -> None:
            if not is_route_handler(handler):
                raise PluginError(
                    f"plugin '{plugin_id}' registered {handler!r} as a route; expected a "
                    "Litestar route handler, Controller subclass or Router"
                )
            builder.add_listed("routes", plugin_id, _route_label(handler), handler)

        return register

    def menu(plugin_id: str) -> Callable[[Any], None]:
        def register(link: Any) -> None:
            if not isinstance(link, MenuLink):
                raise PluginError(f"plugin '{plugin_id}' registered {link!r}; expected MenuLink")
            builder.add_listed("menu_links", plugin_id, link.href, link)

        return register

    def templates(plugin_id: str) -> Callable[[Any], None]:
        def register(folder: Any) -> None:
            path = Path(folder)
            if not path.is_dir():
                raise PluginError(f"plugin '{plugin_id}': template folder {path} does not exist")
            builder.add_listed("template_dirs", plugin_id, str(path), path.resolve())

        return register

    builder.call("register_routes", route)
    builder.call("register_menu_links", menu)
    builder.call("register_template_dirs", templates)


def _collect_listeners(builder: _Builder) -> None:
    def make_register(plugin_id: str) -> Callable[[str, Any], None]:
        def register(event_name: str, listener: Any) -> None:
            if event_name != ANY_EVENT and not EVENT_NAME.match(str(event_name)):
                raise PluginError(
                    f"plugin '{plugin_id}' listens to {event_name!r}; event names look like "
                    "'order.shipped' (or '*' for all)"
                )
            if not _is_async_callable(listener):
                raise PluginError(
                    f"plugin '{plugin_id}': listener {listener!r} of {event_name} must be async"
                )
            entry = RegisteredListener(plugin_id, event_name, listener)
            builder.add_listed("event_listeners", plugin_id, event_name, entry)

        return register

    builder.call("register_event_listeners", make_register)


def build_registry(settings: Settings, pm: PluginManager | None = None) -> Registry:
    """Call every registration hook once and return the immutable registry.

    Args:
        settings: the effective settings (passed to the hooks).
        pm: the plugin manager; ``None`` builds one with :func:`make_plugin_manager`.

    Raises:
        ConfigError: one line naming the plugin: a duplicate id or job name (naming both
            plugins), an object that does not implement its interface, a cron of an unknown
            job, a missing template folder, or an exception raised by a hook.
    """
    pm = make_plugin_manager(settings) if pm is None else pm
    builder = _Builder(pm, settings)
    builder.adapters("register_marketplaces", "marketplaces", MarketplaceAdapter)
    builder.adapters("register_collectors", "collectors", Collector)
    builder.adapters("register_translators", "translators", Translator)
    builder.adapters("register_carriers", "carriers", CarrierAdapter)
    builder.adapters("register_storage_backends", "storage_backends", StorageBackend)
    _collect_jobs(builder)
    _collect_web(builder)
    _collect_listeners(builder)
    plugins = tuple(
        replace(
            info,
            registers=MappingProxyType(
                {kind: tuple(labels) for kind, labels in builder.registers[info.id].items()}
            ),
        )
        for info in pm.infos
    )
    menu_links = sorted(
        builder.lists.get("menu_links", []),
        key=lambda link: (MENU_AREAS.index(link.area), link.order),
    )
    return Registry(
        jobs=builder.mapping("jobs"),
        crons=builder.mapping("crons"),
        marketplaces=builder.mapping("marketplaces"),
        collectors=builder.mapping("collectors"),
        translators=builder.mapping("translators"),
        carriers=builder.mapping("carriers"),
        storage_backends=builder.mapping("storage_backends"),
        routes=tuple(builder.lists.get("routes", [])),
        menu_links=tuple(menu_links),
        template_dirs=tuple(builder.lists.get("template_dirs", [])),
        event_listeners=tuple(builder.lists.get("event_listeners", [])),
        plugins=plugins,
    )


@dataclass(frozen=True)
class PluginCommand:
    """A command-line command added by a plugin.

    Attributes:
        plugin_id: the plugin that added it.
        command: the click command or group.
    """

    plugin_id: str
    command: click.Command


def _merge_groups(first: PluginCommand, command: click.Command, plugin_id: str) -> bool:
    """Add the sub-commands of ``command`` to ``first`` when both are groups."""
    import click

    if not isinstance(first.command, click.Group) or not isinstance(command, click.Group):
        return False
    for sub_name, sub in command.commands.items():
        if sub_name in first.command.commands:
            raise PluginError(
                f"command '{first.command.name} {sub_name}' is added by both plugin "
                f"'{first.plugin_id}' and plugin '{plugin_id}'"
            )
        first.command.add_command(sub, sub_name)
    return True


def collect_commands(pm: PluginManager, reserved: Collection[str] = ()) -> dict[str, PluginCommand]:
    """Call ``register_commands`` of every plugin and return the commands by name.

    Each plugin gets a group of its own, so the core knows who added what. Click groups of
    the same name added by several plugins are merged into the first one (``tradewind sandbox
    wish``, ``tradewind sandbox aliexpress``); their sub-commands must differ.

    Args:
        pm: the plugin manager.
        reserved: names of built-in commands, which plugins may not take.

    Raises:
        ConfigError: a command name is built-in or added by two plugins (other than two
            groups), or two plugins add the same sub-command to a shared group.
    """
    import click

    commands: dict[str, PluginCommand] = {}
    caller = pm.hook.register_commands
    for impl in reversed(caller.get_hookimpls()):
        plugin_id = impl.plugin_name
        group = click.Group(name="tradewind")
        _call_impl(impl, "register_commands", plugin_id, {"cli": group})
        for name, command in group.commands.items():
            if name in reserved:
                raise PluginError(f"plugin '{plugin_id}' adds command '{name}', a built-in one")
            if name in commands and _merge_groups(commands[name], command, plugin_id):
                continue
            if name in commands:
                raise PluginError(
                    f"command '{name}' is added by both plugin '{commands[name].plugin_id}' "
                    f"and plugin '{plugin_id}'"
                )
            commands[name] = PluginCommand(plugin_id, command)
    return commands
