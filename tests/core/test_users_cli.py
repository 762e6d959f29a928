"""``tradewind users reset-password`` against a migrated database, as an operator runs it."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import core.cli.commands  # noqa: F401
from core import migrate
from core.accounts.links import SET_PASSWORD_PATH, set_password_with_token
from core.accounts.signin import authenticate, sign_up
from core.cli import cli
from core.config import load_settings
from core.db import create_engine, session_factory
from tests.core.databases import BACKENDS, fresh_database


@pytest.fixture(params=BACKENDS)
async def deployment(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("TRADEWIND_"):
            monkeypatch.delenv(name)
    async with fresh_database(request.param, tmp_path) as url:
        await migrate.upgrade(url)
        env = {
            "TRADEWIND_DATA_DIR": str(tmp_path / "data"),
            "TRADEWIND_DATABASE_URL": url,
            "TRADEWIND_PUBLIC_BASE_URL": "https://erp.example.com",
        }
        settings = load_settings(env=env)
        engine = create_engine(url)
        sessions = session_factory(engine)
        await sign_up(
            sessions, email="li@example.com", password="old password 1", account_name="Li"
        )
        yield env, settings, sessions
        await engine.dispose()


async def test_reset_password_prints_a_one_time_link_that_works(deployment) -> None:
    env, settings, sessions = deployment
    result = await asyncio.to_thread(
        CliRunner().invoke, cli, ["users", "reset-password", "LI@example.com"], env=env
    )
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    prefix = "https://erp.example.com" + SET_PASSWORD_PATH
    assert link.startswith(prefix)
    secret = settings.secret("secret_key")
    await set_password_with_token(sessions, secret, link[len(prefix) :], "brand new password")
    await authenticate(sessions, email="li@example.com", password="brand new password")


async def test_reset_password_can_set_the_password_from_a_prompt(deployment) -> None:
    env, _settings, sessions = deployment
    result = await asyncio.to_thread(
        CliRunner().invoke,
        cli,
        ["users", "reset-password", "li@example.com", "--set"],
        env=env,
        input="typed password 9\ntyped password 9\n",
    )
    assert result.exit_code == 0, result.output
    assert "typed password" not in result.output
    await authenticate(sessions, email="li@example.com", password="typed password 9")


def test_unknown_email_is_one_line_and_exit_2(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    asyncio.run(migrate.upgrade(url))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRADEWIND_")},
        "TRADEWIND_DATA_DIR": str(tmp_path / "data"),
        "TRADEWIND_DATABASE_URL": url,
    }
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from core.cli import main; main()",
            "users",
            "reset-password",
            "ghost@example.com",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == "tradewind: no user with email ghost@example.com\n"
    assert done.stdout == ""
