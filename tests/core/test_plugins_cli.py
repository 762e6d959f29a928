"""``tradewind plugins`` and plugin commands, run as the real installed command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.plugin_kit import COMMAND_PLUGIN_SOURCE, jobs_plugin_source, write_distribution

TRADEWIND = str(Path(sys.executable).parent / "tradewind")


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("TRADEWIND_")}
    return subprocess.run(
        [TRADEWIND, *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def plugins_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "tidyup.py").write_text(jobs_plugin_source("tidyup"))
    (folder / "greeter.py").write_text(COMMAND_PLUGIN_SOURCE)
    return folder


def test_plugins_json_lists_versions_hooks_and_registrations(
    tmp_path: Path, plugins_dir: Path
) -> None:
    result = run(
        ["plugins", "--json"],
        tmp_path,
        TRADEWIND_PLUGINS_DIR=str(plugins_dir),
        TRADEWIND_PLUGINS="tidyup,greeter",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {
            "id": "tidyup",
            "version": "file",
            "kind": "file",
            "source": str(plugins_dir / "tidyup.py"),
            "hooks": ["register_jobs"],
            "registers": {"jobs": ["tidyup.tidy"], "crons": ["tidyup.tidy.nightly"]},
        },
        {
            "id": "greeter",
            "version": "file",
            "kind": "file",
            "source": str(plugins_dir / "greeter.py"),
            "hooks": ["register_commands"],
            "registers": {"commands": ["hello"]},
        },
    ]


def test_plugins_prints_a_table(tmp_path: Path, plugins_dir: Path) -> None:
    result = run(
        ["plugins"], tmp_path, TRADEWIND_PLUGINS_DIR=str(plugins_dir), TRADEWIND_PLUGINS="tidyup"
    )
    assert result.returncode == 0, result.stderr
    header, row = result.stdout.splitlines()
    assert header.split() == ["ID", "VERSION", "HOOKS", "REGISTERS", "SOURCE"]
    assert row.startswith("tidyup  file     jobs   jobs: tidyup.tidy; crons: tidyup.tidy.nightly")
    assert row.endswith(str(plugins_dir / "tidyup.py"))
    empty = run(["plugins"], tmp_path, TRADEWIND_PLUGINS="")
    assert empty.stdout == "No plugins loaded.\n"


def test_an_unknown_plugin_exits_2_with_one_line_naming_the_installed(
    tmp_path: Path, plugins_dir: Path
) -> None:
    result = run(
        ["plugins"], tmp_path, TRADEWIND_PLUGINS_DIR=str(plugins_dir), TRADEWIND_PLUGINS="nope"
    )
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("tradewind: setting 'plugins': unknown plugin 'nope' (installed: ")
    installed = line.split("(installed: ")[1].rstrip(")").split(", ")
    assert {"greeter", "tidyup"} <= set(installed)
    assert installed == sorted(installed)


def test_a_third_party_distribution_shows_its_version(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_distribution(site, "acme-jobs", "4.5.6", {"acmejobs": jobs_plugin_source("acmejobs")})
    result = run(
        ["plugins", "--json"], tmp_path, PYTHONPATH=str(site), TRADEWIND_PLUGINS="acmejobs"
    )
    assert result.returncode == 0, result.stderr
    (plugin,) = json.loads(result.stdout)
    assert (plugin["id"], plugin["version"], plugin["kind"]) == ("acmejobs", "4.5.6", "entry_point")
    assert plugin["source"].endswith(" in acme-jobs 4.5.6")


def test_plugin_commands_run_with_the_config_given_by_option(
    tmp_path: Path, plugins_dir: Path
) -> None:
    config = tmp_path / "elsewhere.toml"
    data_dir = tmp_path / "seller-data"
    config.write_text(
        f'plugins_dir = "{plugins_dir}"\nplugins = ["greeter"]\ndata_dir = "{data_dir}"\n'
    )
    result = run(["--config", str(config), "hello", "Ann"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"hello Ann from {data_dir}\n"
    listed = run(["--config", str(config), "--help"], tmp_path)
    assert "  hello " in listed.stdout
    # Without the config no plugin is selected, so the command does not exist.
    missing = run(["hello", "Ann"], tmp_path, TRADEWIND_PLUGINS="")
    assert missing.returncode == 2
    assert "No such command 'hello'" in missing.stderr


def test_help_works_with_a_broken_config_and_says_why_plugins_are_missing(
    tmp_path: Path,
) -> None:
    (tmp_path / "tradewind.toml").write_text("plugins = [unclosed\n")
    result = run(["--help"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "  config " in result.stdout
    assert "  plugins " in result.stdout
    assert "Plugin commands are not listed: config file tradewind.toml: not valid TOML" in " ".join(
        result.stdout.split()
    )
    broken = run(["plugins"], tmp_path)
    assert broken.returncode == 2
    assert broken.stderr.startswith("tradewind: config file tradewind.toml: not valid TOML")
