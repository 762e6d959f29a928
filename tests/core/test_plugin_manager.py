"""Finding, selecting and loading plugins (core.plugins)."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from core import hookimpl
from core.config import ConfigError, Settings, load_settings
from core.plugins import PluginError, PluginSourceKind, make_plugin_manager
from core.registry import build_registry
from tests.core.plugin_kit import FakeMarketplace, marketplace_plugin_source, write_distribution


def make_settings(tmp_path: Path, **values: Any) -> Settings:
    return load_settings(env={}, data_dir=tmp_path / "data", **values)


def entry_points(*names: str) -> list[EntryPoint]:
    """Entry points of the plugin objects ``tests.core.plugin_kit.<name>``."""
    return [EntryPoint(name, f"tests.core.plugin_kit:{name}", "tradewind") for name in names]


# -- selection -----------------------------------------------------------------------------


def test_unset_selection_loads_every_installed_plugin(tmp_path: Path) -> None:
    pm = make_plugin_manager(make_settings(tmp_path), entry_points=entry_points("beta", "alpha"))
    assert [info.id for info in pm.infos] == ["alpha", "beta"]
    registry = build_registry(make_settings(tmp_path), pm)
    assert sorted(registry.marketplaces) == ["alpha", "beta"]


@pytest.mark.parametrize(
    ("selection", "expected"),
    [(["beta"], ["beta"]), (["beta", "alpha"], ["beta", "alpha"]), ([], [])],
)
def test_a_list_selects_exactly_those_plugins(
    tmp_path: Path, selection: list[str], expected: list[str]
) -> None:
    settings = make_settings(tmp_path, plugins=selection)
    pm = make_plugin_manager(settings, entry_points=entry_points("alpha", "beta"))
    assert [info.id for info in pm.infos] == expected
    assert sorted(build_registry(settings, pm).marketplaces) == sorted(expected)


def test_an_unknown_plugin_is_one_line_listing_the_installed_ones(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, plugins=["alpha", "nope"])
    with pytest.raises(ConfigError) as caught:
        make_plugin_manager(settings, entry_points=entry_points("alpha", "beta"))
    message = str(caught.value)
    assert message == "setting 'plugins': unknown plugin 'nope' (installed: alpha, beta)"


def test_plugins_that_are_not_selected_are_never_imported(tmp_path: Path) -> None:
    broken = EntryPoint("broken", "tests.core.no_such_module_here", "tradewind")
    installed = [*entry_points("alpha"), broken]
    pm = make_plugin_manager(make_settings(tmp_path, plugins=["alpha"]), entry_points=installed)
    assert [info.id for info in pm.infos] == ["alpha"]
    with pytest.raises(PluginError) as caught:
        make_plugin_manager(make_settings(tmp_path), entry_points=installed)
    assert str(caught.value).startswith("plugin 'broken' (entry point tests.core.no_such_module")
    assert "failed to load: ModuleNotFoundError" in str(caught.value)


def test_explicit_plugins_always_load_and_discovery_can_be_off(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, plugins=None)
    pm = make_plugin_manager(
        settings,
        plugins={"gamma": FakeMarketplacePlugin("gamma")},
        entry_points=entry_points("alpha"),
        discover=False,
    )
    assert [(info.id, info.kind) for info in pm.infos] == [("gamma", PluginSourceKind.EXPLICIT)]
    empty = make_settings(tmp_path, plugins=[])
    pm = make_plugin_manager(empty, plugins={"gamma": FakeMarketplacePlugin("gamma")})
    assert list(build_registry(empty, pm).marketplaces) == ["gamma"]


class FakeMarketplacePlugin:
    def __init__(self, adapter_id: str) -> None:
        self.adapter_id = adapter_id

    @hookimpl
    def register_marketplaces(self, register: Any) -> None:
        register(FakeMarketplace(self.adapter_id))


# -- plugins_dir ---------------------------------------------------------------------------


def test_a_plugins_dir_file_is_a_plugin_named_by_its_stem(tmp_path: Path) -> None:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "filemarket.py").write_text(marketplace_plugin_source("filemarket", "filemarket"))
    (folder / "_helper.py").write_text("raise RuntimeError('helpers are not plugins')\n")
    (folder / "notes.txt").write_text("not python")
    settings = make_settings(
        tmp_path,
        plugins_dir=folder,
        plugin={"filemarket": {"name": "Configured name"}},
    )
    pm = make_plugin_manager(settings, entry_points=[])
    (info,) = pm.infos
    assert (info.id, info.version, info.kind) == ("filemarket", "file", PluginSourceKind.FILE)
    assert info.source == str(folder / "filemarket.py")
    assert info.hooks == ("register_marketplaces",)
    registry = build_registry(settings, pm)
    assert registry.marketplaces["filemarket"].display_name == "Configured name"
    assert registry.plugin("filemarket").registers == {"marketplaces": ("filemarket",)}


def test_plugins_dir_files_obey_the_selection(tmp_path: Path) -> None:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "one.py").write_text(marketplace_plugin_source("one", "one"))
    (folder / "two.py").write_text(marketplace_plugin_source("two", "two"))
    settings = make_settings(tmp_path, plugins_dir=folder, plugins=["two"])
    assert [info.id for info in make_plugin_manager(settings, entry_points=[]).infos] == ["two"]


def test_a_missing_plugins_dir_is_a_config_error(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, plugins_dir=tmp_path / "nowhere")
    with pytest.raises(ConfigError, match=r"setting 'plugins_dir': folder .*nowhere does not"):
        make_plugin_manager(settings, entry_points=[])


def test_a_plugin_id_must_be_usable_in_urls_and_names(tmp_path: Path) -> None:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "Bad-Name.py").write_text("")
    with pytest.raises(PluginError, match=r"plugin id 'Bad-Name' .* is not valid"):
        make_plugin_manager(make_settings(tmp_path, plugins_dir=folder), entry_points=[])


# -- real entry points -----------------------------------------------------------------------


def test_a_third_party_distribution_is_found_through_its_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    write_distribution(
        site, "acme-tradewind", "1.2.3", {"acme": marketplace_plugin_source("acme", "acme")}
    )
    monkeypatch.syspath_prepend(str(site))
    # No entry_points argument: the installed distributions are searched, as in production.
    settings = make_settings(tmp_path, plugins=["acme"])
    pm = make_plugin_manager(settings)
    (info,) = pm.infos
    assert (info.id, info.version, info.kind) == ("acme", "1.2.3", PluginSourceKind.ENTRY_POINT)
    assert info.source.startswith("entry point acme_plugin_")
    assert info.source.endswith(" in acme-tradewind 1.2.3")
    assert list(build_registry(settings, pm).marketplaces) == ["acme"]


# -- duplicates and validation ---------------------------------------------------------------


def test_the_same_id_from_a_file_and_an_entry_point_names_both_sources(tmp_path: Path) -> None:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "alpha.py").write_text(marketplace_plugin_source("alpha", "alpha2"))
    settings = make_settings(tmp_path, plugins_dir=folder)
    with pytest.raises(PluginError) as caught:
        make_plugin_manager(settings, entry_points=entry_points("alpha"))
    assert str(caught.value) == (
        "plugin id 'alpha' is provided twice: entry point tests.core.plugin_kit:alpha and "
        f"{folder / 'alpha.py'}"
    )


def test_the_same_id_from_two_distributions_names_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = marketplace_plugin_source("acme", "acme")
    write_distribution(tmp_path / "one", "acme-one", "1.0", {"acme": source})
    write_distribution(tmp_path / "two", "acme-two", "2.0", {"acme": source})
    monkeypatch.syspath_prepend(str(tmp_path / "one"))
    monkeypatch.syspath_prepend(str(tmp_path / "two"))
    with pytest.raises(PluginError) as caught:
        make_plugin_manager(make_settings(tmp_path, plugins=["acme"]))
    message = str(caught.value)
    assert message.startswith("plugin id 'acme' is provided twice: ")
    assert "acme-one 1.0" in message
    assert "acme-two 2.0" in message


def test_an_explicit_plugin_cannot_shadow_an_installed_one(tmp_path: Path) -> None:
    with pytest.raises(PluginError, match="plugin id 'alpha' is provided twice"):
        make_plugin_manager(
            make_settings(tmp_path),
            plugins={"alpha": FakeMarketplacePlugin("other")},
            entry_points=entry_points("alpha"),
        )


class Misspelled:
    @hookimpl
    def register_marketplace(self, register: Any) -> None:
        register(FakeMarketplace("never"))


def test_check_pending_catches_a_misspelled_hook(tmp_path: Path) -> None:
    with pytest.raises(PluginError) as caught:
        make_plugin_manager(make_settings(tmp_path, plugins=[]), plugins={"typo": Misspelled()})
    message = str(caught.value)
    assert message.startswith(
        "plugin 'typo' implements unknown hook 'register_marketplace' "
        "(did you mean 'register_marketplaces'?); known hooks: "
    )
    assert "\n" not in message


class WrongArgument:
    @hookimpl
    def register_collectors(self, reg: Any) -> None:
        raise AssertionError("never called")


def test_a_hook_with_an_argument_the_spec_lacks_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PluginError) as caught:
        make_plugin_manager(make_settings(tmp_path, plugins=[]), plugins={"bad": WrongArgument()})
    message = str(caught.value)
    assert message.startswith("plugin 'bad' (explicit object WrongArgument): ")
    assert "'reg'" in message
    assert "\n" not in message
