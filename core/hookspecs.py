"""The plugin contract: every hook a Tradewind plugin can implement.

Hooks only *discover*: they are synchronous, cheap, do no I/O, and hand the core objects through
a ``register`` callable. The registered objects (adapters) implement the small interfaces of
:mod:`core.interfaces` and do the work in ``async`` methods.

A plugin implements any subset of these hooks with functions named exactly like them and
marked with :data:`core.hookimpl`; an implementation may accept fewer arguments than the spec
(e.g. only ``register``). A misspelled hook name is a start-up error.

Every ``register_*`` hook except :func:`register_commands` is called once, when the core builds
its :class:`~core.registry.Registry` at start-up (web server, worker, CLI command), in pluggy's
order (last registered plugin first, ``tryfirst``/``trylast`` honoured). An exception raised by
a hook stops start-up with an error naming the plugin; a plugin whose settings are wrong should
raise :class:`~core.config.ConfigError` with one line naming the setting.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from core import hookspec

if TYPE_CHECKING:
    import click

    from core.config import Settings
    from core.interfaces.carrier import CarrierAdapter
    from core.interfaces.collector import Collector
    from core.interfaces.events import EventListener
    from core.interfaces.jobs import CronDefinition, JobDefinition
    from core.interfaces.marketplace import MarketplaceAdapter
    from core.interfaces.storage import StorageBackend
    from core.interfaces.translator import Translator
    from core.interfaces.web import MenuLink, RouteHandler


@hookspec
def register_marketplaces(
    register: Callable[[MarketplaceAdapter], None], settings: Settings
) -> None:
    """Register marketplace adapters (sales platforms such as Wish or AliExpress).

    Called once at start-up. Build each adapter from the deployment settings (base URL, app
    key and secret from ``settings.plugin_settings("<plugin id>")``) and register it; the
    adapter's ``id`` becomes the platform id in stores, URLs and jobs. An id registered by two
    plugins stops start-up.

    Example::

        @hookimpl
        def register_marketplaces(register, settings):
            register(WishMarketplace(WishSettings.load(settings)))

    Args:
        register: call it once per adapter with an object implementing
            :class:`~core.interfaces.marketplace.MarketplaceAdapter`.
        settings: the deployment's effective settings; read your own table with
            ``settings.plugin_settings("<plugin id>")``.

    Returns:
        Nothing; adapters are handed over through ``register``.
    """


@hookspec
def register_collectors(register: Callable[[Collector], None], settings: Settings) -> None:
    """Register product collectors (source sites such as Taobao, 1688 or Amazon).

    Called once at start-up. When a seller collects a URL, the core asks the collectors in
    registration order whether they ``matches()`` it; the first that does fetches and parses
    the page.

    Args:
        register: call it once per collector with an object implementing
            :class:`~core.interfaces.collector.Collector`.
        settings: the deployment's effective settings.

    Returns:
        Nothing; collectors are handed over through ``register``.
    """


@hookspec
def register_translators(register: Callable[[Translator], None], settings: Settings) -> None:
    """Register machine-translation services.

    Called once at start-up. Register a translator only when it is usable (e.g. its API key
    is configured), or let its ``translate`` raise ``PermanentError`` naming the missing
    setting.

    Args:
        register: call it once per translator with an object implementing
            :class:`~core.interfaces.translator.Translator`.
        settings: the deployment's effective settings.

    Returns:
        Nothing; translators are handed over through ``register``.
    """


@hookspec
def register_carriers(register: Callable[[CarrierAdapter], None], settings: Settings) -> None:
    """Register carrier adapters for online shipping (ePacket/EUB, 4PX, YunExpress, ...).

    Called once at start-up. Per-seller values (API tokens, customer codes) are not
    deployment settings: the adapter lists them in ``settings_fields`` and receives them with
    each call.

    Args:
        register: call it once per carrier with an object implementing
            :class:`~core.interfaces.carrier.CarrierAdapter`.
        settings: the deployment's effective settings.

    Returns:
        Nothing; carriers are handed over through ``register``.
    """


@hookspec
def register_storage_backends(
    register: Callable[[StorageBackend], None], settings: Settings
) -> None:
    """Register storage backends for the image space (an S3-compatible store, ...).

    Called once at start-up. Build the backend from your plugin's settings (bucket,
    endpoint, keys); raise ``ConfigError`` when they are incomplete.

    Args:
        register: call it once per backend with an object implementing
            :class:`~core.interfaces.storage.StorageBackend`.
        settings: the deployment's effective settings.

    Returns:
        Nothing; backends are handed over through ``register``.
    """


@hookspec
def register_jobs(
    register: Callable[[JobDefinition | CronDefinition], None], settings: Settings
) -> None:
    """Register background jobs and their schedules.

    Called once at start-up, by the web server (to enqueue by name) and by every worker (to
    run them). Name jobs ``"<plugin id>.<what>"``; a name registered twice stops start-up, as
    does a :class:`~core.interfaces.jobs.CronDefinition` whose ``job`` is not registered.

    Example::

        @hookimpl
        def register_jobs(register):
            register(JobDefinition("wish.sync_orders", sync_orders, title="Sync Wish orders"))
            register(CronDefinition("wish.sync_orders.hourly", "wish.sync_orders", minute=5))

    Args:
        register: call it with each :class:`~core.interfaces.jobs.JobDefinition` and each
            :class:`~core.interfaces.jobs.CronDefinition`.
        settings: the deployment's effective settings.

    Returns:
        Nothing; definitions are handed over through ``register``.
    """


@hookspec
def register_routes(register: Callable[[RouteHandler], None], settings: Settings) -> None:
    """Register web routes (pages and JSON API endpoints) of the plugin.

    Called once when the web app is created. Use paths under ``/<plugin id>/`` for pages and
    ``/api/v1/<plugin id>/`` for the API; the handlers are mounted as given, behind the same
    authentication as the core's.

    Args:
        register: call it with each Litestar route handler (a function decorated with
            ``@get``/``@post``/...), ``Controller`` subclass or ``Router``.
        settings: the deployment's effective settings.

    Returns:
        Nothing; handlers are handed over through ``register``.
    """


@hookspec
def register_menu_links(register: Callable[[MenuLink], None], settings: Settings) -> None:
    """Register links in the web UI's navigation menu.

    Called once when the web app is created. The menu shows a link to users who hold its
    ``permission``, in its ``area``, sorted by ``order``.

    Args:
        register: call it with each :class:`~core.interfaces.web.MenuLink`.
        settings: the deployment's effective settings.

    Returns:
        Nothing; links are handed over through ``register``.
    """


@hookspec
def register_template_dirs(register: Callable[[Path], None], settings: Settings) -> None:
    """Register folders of Jinja templates.

    Called once when the web app is created. Templates are looked up in deployment
    overrides first, then plugin folders, then the core's; keep yours under
    ``<folder>/<plugin id>/`` so names never collide. A folder that does not exist stops
    start-up.

    Args:
        register: call it with the path of each folder (a ``pathlib.Path``).
        settings: the deployment's effective settings.

    Returns:
        Nothing; folders are handed over through ``register``.
    """


@hookspec
def register_event_listeners(
    register: Callable[[str, EventListener], None], settings: Settings
) -> None:
    """Register listeners for domain events (``"listing.published"``, ``"order.shipped"``).

    Called once at start-up. A listener is ``async def listener(event: Event) -> None``; it
    runs after the event's transaction committed, in the emitter's task, so it must be quick
    (enqueue a job for slow work). Its exceptions are logged and never reach the emitter. See
    :mod:`core.interfaces.events` for the event names and their data.

    Args:
        register: call it as ``register(event_name, listener)``; the name ``"*"`` receives
            every event.
        settings: the deployment's effective settings.

    Returns:
        Nothing; listeners are handed over through ``register``.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add sub-commands to the ``tradewind`` command line.

    Called when the command line needs commands beyond its built-in ones (a plugin command
    is run, or ``tradewind --help`` lists them), after the configuration is loaded. A command
    that needs the settings takes the CLI state with ``@click.pass_obj`` (a
    :class:`core.cli.CliState`; ``state.settings()`` are the effective settings). A command
    name that is built-in or added by another plugin stops the command line, except for click
    groups: groups of the same name are merged, so several plugins can each add a
    sub-command such as ``tradewind sandbox <platform>`` (their sub-commands must differ).

    Example::

        @hookimpl
        def register_commands(cli):
            @cli.command("wish-check")
            @click.pass_obj
            def wish_check(state):
                "Check the Wish app settings."
                WishSettings.load(state.settings())

    Args:
        cli: a click group; add commands or groups to it with ``@cli.command()``,
            ``@cli.group()`` or ``cli.add_command(...)``. Prefix names with your plugin id.

    Returns:
        Nothing; the commands added to ``cli`` are picked up.
    """
