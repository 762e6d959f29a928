"""Building the registry from the registration hooks (core.registry)."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

import click
import pytest
from litestar import Litestar, get
from litestar.testing import TestClient

from core import hookimpl
from core.config import ConfigError, Settings, load_settings
from core.interfaces.events import Event
from core.interfaces.jobs import CronDefinition, JobDefinition
from core.interfaces.web import MenuLink
from core.plugins import PluginError, make_plugin_manager
from core.registry import Registry, build_registry, collect_commands
from tests.core.plugin_kit import (
    FakeCarrier,
    FakeCollector,
    FakeMarketplace,
    MemoryStorage,
    UpperTranslator,
)


def make_settings(tmp_path: Path, **values: Any) -> Settings:
    return load_settings(env={}, data_dir=tmp_path / "data", plugins=[], **values)


def registry_of(tmp_path: Path, **plugins: object) -> Registry:
    settings = make_settings(tmp_path)
    return build_registry(settings, make_plugin_manager(settings, plugins=plugins))


async def sync_job(ctx: Any, payload: dict[str, Any]) -> None:
    return None


@get("/full/hello", sync_to_thread=False)
def hello_page() -> str:
    return "hello from a plugin"


class EverythingPlugin:
    """Implements every registration hook once."""

    def __init__(self, template_dir: Path) -> None:
        self.template_dir = template_dir
        self.shipped: list[Event] = []

    @hookimpl
    def register_marketplaces(self, register: Any, settings: Settings) -> None:
        name = settings.plugin_settings("full").get("market_name", "Full Market")
        register(FakeMarketplace("fullmarket", name))

    @hookimpl
    def register_collectors(self, register: Any) -> None:
        register(FakeCollector("taobao", "item.taobao.com"))
        register(FakeCollector("tmall", "detail.tmall.com"))

    @hookimpl
    def register_translators(self, register: Any) -> None:
        register(UpperTranslator())

    @hookimpl
    def register_carriers(self, register: Any) -> None:
        register(FakeCarrier())

    @hookimpl
    def register_storage_backends(self, register: Any) -> None:
        register(MemoryStorage())

    @hookimpl
    def register_jobs(self, register: Any) -> None:
        register(JobDefinition("full.sync", sync_job, title="Sync"))
        register(CronDefinition("full.sync.hourly", "full.sync", minute=0))

    @hookimpl
    def register_routes(self, register: Any) -> None:
        register(hello_page)

    @hookimpl
    def register_menu_links(self, register: Any) -> None:
        register(MenuLink("Full settings", "/full/settings", "settings", order=20))
        register(MenuLink("Full orders", "/full/orders", "orders", order=50))
        register(MenuLink("First orders", "/full/first", "orders", order=10))

    @hookimpl
    def register_template_dirs(self, register: Any) -> None:
        register(self.template_dir)

    @hookimpl
    def register_event_listeners(self, register: Any) -> None:
        register("order.shipped", self.on_shipped)

    async def on_shipped(self, event: Event) -> None:
        self.shipped.append(event)


@pytest.fixture
def everything(tmp_path: Path) -> EverythingPlugin:
    (tmp_path / "templates" / "full").mkdir(parents=True)
    return EverythingPlugin(tmp_path / "templates")


def test_the_registry_holds_what_every_hook_registered(
    tmp_path: Path, everything: EverythingPlugin
) -> None:
    settings = make_settings(tmp_path, plugin={"full": {"market_name": "Configured"}})
    registry = build_registry(settings, make_plugin_manager(settings, plugins={"full": everything}))
    assert registry.marketplaces["fullmarket"].display_name == "Configured"
    assert list(registry.collectors) == ["taobao", "tmall"]
    assert list(registry.translators) == ["upper"]
    assert list(registry.carriers) == ["fakepost"]
    assert list(registry.storage_backends) == ["memory"]
    assert registry.jobs["full.sync"].func is sync_job
    assert registry.crons["full.sync.hourly"].job == "full.sync"
    assert registry.routes == (hello_page,)
    assert [link.href for link in registry.menu_links] == [
        "/full/first",
        "/full/orders",
        "/full/settings",
    ]
    assert registry.template_dirs == ((tmp_path / "templates").resolve(),)
    assert [(entry.plugin_id, entry.event) for entry in registry.event_listeners] == [
        ("full", "order.shipped")
    ]
    assert (
        registry.collector_for("https://detail.tmall.com/item.htm?id=1")
        is (registry.collectors["tmall"])
    )
    assert registry.collector_for("https://example.com/") is None


def test_plugin_info_lists_hooks_and_what_was_registered(
    tmp_path: Path, everything: EverythingPlugin
) -> None:
    info = registry_of(tmp_path, full=everything).plugin("full")
    assert len(info.hooks) == 10
    assert dict(info.registers) == {
        "marketplaces": ("fullmarket",),
        "collectors": ("taobao", "tmall"),
        "translators": ("upper",),
        "carriers": ("fakepost",),
        "storage_backends": ("memory",),
        "jobs": ("full.sync",),
        "crons": ("full.sync.hourly",),
        "routes": ("/full/hello",),
        "menu_links": ("/full/settings", "/full/orders", "/full/first"),
        "template_dirs": (str(tmp_path / "templates"),),
        "event_listeners": ("order.shipped",),
    }


def test_registered_routes_are_mountable_by_litestar(
    tmp_path: Path, everything: EverythingPlugin
) -> None:
    registry = registry_of(tmp_path, full=everything)
    with TestClient(Litestar(route_handlers=list(registry.routes))) as client:
        response = client.get("/full/hello")
    assert response.status_code == 200
    assert response.text == "hello from a plugin"


def test_the_registry_cannot_be_changed(tmp_path: Path, everything: EverythingPlugin) -> None:
    registry = registry_of(tmp_path, full=everything)
    with pytest.raises(dataclasses.FrozenInstanceError):
        registry.marketplaces = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        registry.marketplaces["other"] = FakeMarketplace("other")  # type: ignore[index]
    with pytest.raises(TypeError):
        registry.jobs["x"] = registry.jobs["full.sync"]  # type: ignore[index]
    with pytest.raises(TypeError):
        registry.plugin("full").registers["jobs"] = ()  # type: ignore[index]
    assert isinstance(registry.routes, tuple)
    assert isinstance(registry.event_listeners, tuple)


def test_a_registry_made_from_plain_dicts_does_not_share_them() -> None:
    jobs = {"a.job": JobDefinition("a.job", sync_job)}
    registry = Registry(jobs=jobs, menu_links=[MenuLink("A", "/a", "tools")])  # type: ignore[arg-type]
    jobs["b.job"] = JobDefinition("b.job", sync_job)
    assert list(registry.jobs) == ["a.job"]
    assert isinstance(registry.menu_links, tuple)
    with pytest.raises(TypeError):
        registry.jobs["c.job"] = jobs["b.job"]  # type: ignore[index]


# -- loud errors ---------------------------------------------------------------------------


class MarketplacePlugin:
    def __init__(self, adapter: object) -> None:
        self.adapter = adapter

    @hookimpl
    def register_marketplaces(self, register: Any) -> None:
        register(self.adapter)


class JobsPlugin:
    def __init__(self, *definitions: object) -> None:
        self.definitions = definitions

    @hookimpl
    def register_jobs(self, register: Any) -> None:
        for definition in self.definitions:
            register(definition)


def test_a_marketplace_id_registered_twice_names_both_plugins(tmp_path: Path) -> None:
    with pytest.raises(PluginError) as caught:
        registry_of(
            tmp_path,
            first=MarketplacePlugin(FakeMarketplace("wish")),
            second=MarketplacePlugin(FakeMarketplace("wish")),
        )
    message = str(caught.value)
    assert message.startswith("marketplaces 'wish' is registered by both plugin '")
    assert "'first'" in message
    assert "'second'" in message


def test_a_job_name_registered_twice_names_both_plugins(tmp_path: Path) -> None:
    job = JobDefinition("shared.job", sync_job)
    with pytest.raises(PluginError, match=r"jobs 'shared\.job' is registered by both plugin"):
        registry_of(tmp_path, one=JobsPlugin(job), two=JobsPlugin(job))


def test_a_cron_of_an_unknown_job_is_refused(tmp_path: Path) -> None:
    cron = CronDefinition("x.nightly", "x.missing", hour=3)
    with pytest.raises(PluginError) as caught:
        registry_of(tmp_path, x=JobsPlugin(cron))
    assert str(caught.value) == "cron 'x.nightly' of plugin 'x' runs unknown job 'x.missing'"


def test_a_sync_job_function_is_refused(tmp_path: Path) -> None:
    job = JobDefinition("x.sync", lambda ctx, payload: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(PluginError, match=r"job 'x\.sync' of plugin 'x': not async"):
        registry_of(tmp_path, x=JobsPlugin(job))


def test_something_else_than_a_job_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PluginError, match="expected a JobDefinition or CronDefinition"):
        registry_of(tmp_path, x=JobsPlugin("x.job"))


class HalfMarketplace:
    id = "half"
    display_name = "Half"

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        return ""


def test_an_adapter_lacking_members_is_refused_naming_them(tmp_path: Path) -> None:
    with pytest.raises(PluginError) as caught:
        registry_of(tmp_path, half=MarketplacePlugin(HalfMarketplace()))
    message = str(caught.value)
    assert message.startswith("plugin 'half' registered a marketplace HalfMarketplace that lacks ")
    assert "capabilities" in message
    assert "publish_listing" in message
    assert "list_orders" in message
    assert "authorize_url" not in message


class SyncPublish(FakeMarketplace):
    def publish_listing(self, ctx: Any, credentials: Any, listing: Any) -> Any:  # type: ignore[override]
        return None


def test_a_blocking_method_where_an_async_one_belongs_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PluginError, match="whose publish_listing must be async"):
        registry_of(tmp_path, sync=MarketplacePlugin(SyncPublish("sync")))


def test_an_adapter_id_must_be_usable_in_urls(tmp_path: Path) -> None:
    with pytest.raises(PluginError, match="with invalid id 'Wish Market'"):
        registry_of(tmp_path, x=MarketplacePlugin(FakeMarketplace("Wish Market")))


class Exploding:
    @hookimpl
    def register_translators(self, register: Any, settings: Settings) -> None:
        raise KeyError("deepl_key")


class Misconfigured:
    @hookimpl
    def register_translators(self, register: Any) -> None:
        raise ConfigError("setting 'plugin.mt.api_key': required")


def test_a_hook_that_raises_stops_start_up_naming_the_plugin(tmp_path: Path) -> None:
    with pytest.raises(PluginError) as caught:
        registry_of(tmp_path, boom=Exploding())
    assert (
        str(caught.value) == "plugin 'boom' failed in register_translators: KeyError: 'deepl_key'"
    )
    with pytest.raises(PluginError) as caught:
        registry_of(tmp_path, mt=Misconfigured())
    assert str(caught.value) == "plugin 'mt': setting 'plugin.mt.api_key': required"


class AsyncHook:
    @hookimpl
    async def register_collectors(self, register: Any) -> None:
        register(FakeCollector())


def test_an_async_hook_implementation_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PluginError, match="register_collectors must be a plain function"):
        registry_of(tmp_path, x=AsyncHook())


class BadWeb:
    def __init__(self, route: object = None, folder: object = None, event: str = "") -> None:
        self.route, self.folder, self.event = route, folder, event

    @hookimpl
    def register_routes(self, register: Any) -> None:
        if self.route is not None:
            register(self.route)

    @hookimpl
    def register_template_dirs(self, register: Any) -> None:
        if self.folder is not None:
            register(self.folder)

    @hookimpl
    def register_event_listeners(self, register: Any) -> None:
        if self.event:
            register(self.event, sync_listener if self.event == "order.shipped" else async_noop)


def sync_listener(event: Event) -> None:
    return None


async def async_noop(event: Event) -> None:
    return None


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        (BadWeb(route=lambda: "hi"), "registered <function .* as a route; expected a Litestar"),
        (BadWeb(folder="/no/such/folder"), "template folder /no/such/folder does not exist"),
        (BadWeb(event="OrderShipped"), "listens to 'OrderShipped'; event names look like"),
        (BadWeb(event="order.shipped"), "listener <function sync_listener .* must be async"),
    ],
)
def test_web_and_event_registrations_are_checked(
    tmp_path: Path, plugin: BadWeb, message: str
) -> None:
    with pytest.raises(PluginError, match=message):
        registry_of(tmp_path, bad=plugin)


# -- events --------------------------------------------------------------------------------


class Listeners:
    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    @hookimpl
    def register_event_listeners(self, register: Any) -> None:
        register("order.shipped", self.failing)
        register("order.shipped", self.recording)
        register("*", self.everything)
        register("listing.published", self.recording)

    async def failing(self, event: Event) -> None:
        self.calls.append(f"failing {event.name}")
        raise RuntimeError("webhook down")

    async def recording(self, event: Event) -> None:
        self.calls.append(f"recording {event.name} {event.data['order_id']}")

    async def everything(self, event: Event) -> None:
        self.calls.append(f"everything {event.name}")


async def test_emit_runs_every_listener_and_isolates_failures(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []
    registry = registry_of(tmp_path, hooks=Listeners(calls))
    event = Event("order.shipped", account_id=7, data={"order_id": 42})
    with caplog.at_level(logging.ERROR, logger="core.registry"):
        failures = await registry.emit(event)
    assert calls == [
        "failing order.shipped",
        "recording order.shipped 42",
        "everything order.shipped",
    ]
    assert [(failure.plugin_id, str(failure.error)) for failure in failures] == [
        ("hooks", "webhook down")
    ]
    assert failures[0].event is event
    (record,) = caplog.records
    assert "listener of plugin 'hooks' failed on event order.shipped" in record.getMessage()
    assert record.exc_info is not None


async def test_emit_without_listeners_does_nothing(tmp_path: Path) -> None:
    registry = registry_of(tmp_path)
    assert await registry.emit(Event("store.authorized", account_id=1)) == ()


# -- commands ------------------------------------------------------------------------------


class Commands:
    def __init__(self, *names: str) -> None:
        self.names = names

    @hookimpl
    def register_commands(self, cli: click.Group) -> None:
        for name in self.names:
            cli.add_command(click.Command(name, callback=lambda: None))


def test_plugin_commands_are_collected_with_their_plugin(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    pm = make_plugin_manager(
        settings, plugins={"one": Commands("one-a", "one-b"), "two": Commands("two")}
    )
    commands = collect_commands(pm, reserved={"config"})
    assert {name: cmd.plugin_id for name, cmd in commands.items()} == {
        "one-a": "one",
        "one-b": "one",
        "two": "two",
    }
    assert commands["two"].command.name == "two"


def test_plugin_commands_may_not_take_built_in_or_each_others_names(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    pm = make_plugin_manager(settings, plugins={"one": Commands("config")})
    with pytest.raises(PluginError, match="plugin 'one' adds command 'config', a built-in one"):
        collect_commands(pm, reserved={"config"})
    pm = make_plugin_manager(settings, plugins={"one": Commands("x"), "two": Commands("x")})
    with pytest.raises(PluginError, match="command 'x' is added by both plugin"):
        collect_commands(pm)
