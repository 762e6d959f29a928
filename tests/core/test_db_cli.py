import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import core.cli.commands  # noqa: F401  (attaches the sub-commands)
from core import migrate
from core.cli import cli


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment whose only Tradewind setting is a fresh data folder."""
    monkeypatch.chdir(tmp_path)  # no stray ./tradewind.toml
    for name in list(os.environ):
        if name.startswith("TRADEWIND_"):
            monkeypatch.delenv(name)
    return {"TRADEWIND_DATA_DIR": str(tmp_path / "data")}


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_upgrade_current_downgrade(clean_env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    database = tmp_path / "data" / "tradewind.db"

    result = runner.invoke(cli, ["db", "current"], env=clean_env)
    assert result.exit_code == 1
    assert "tradewind db upgrade" in result.output

    result = runner.invoke(cli, ["db", "upgrade"], env=clean_env)
    assert result.exit_code == 0, result.output
    assert f"is at revision {migrate.head()}" in result.output
    assert {"store", "sales_order", "alembic_version"} <= tables(database)

    result = runner.invoke(cli, ["db", "current"], env=clean_env)
    assert result.exit_code == 0
    assert f"current: {migrate.head()}" in result.output

    result = runner.invoke(cli, ["db", "downgrade", "base"], env=clean_env, input="n\n")
    assert result.exit_code != 0
    assert "store" in tables(database)  # refused at the prompt

    result = runner.invoke(cli, ["db", "downgrade", "base", "--yes"], env=clean_env)
    assert result.exit_code == 0, result.output
    assert tables(database) == {"alembic_version"}


def test_the_installed_command_creates_the_database(clean_env: dict[str, str], tmp_path: Path):
    env = {**os.environ, **clean_env}
    command = [sys.executable, "-c", "from core.cli import main; main()", "db", "upgrade"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "store" in tables(tmp_path / "data" / "tradewind.db")

    done = subprocess.run(
        [*command[:3], "db", "downgrade", "nonsense", "--yes"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "nonsense" in done.stderr
    assert done.stderr.startswith("tradewind: ")
    assert "Traceback" not in done.stderr
