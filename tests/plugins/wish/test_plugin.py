"""The plugin as the core loads it: hooks, settings, jobs, and ``tradewind sandbox wish``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

import plugins.wish
from core.config import ConfigError, Settings, load_settings
from core.crypto import CredentialCipher
from core.interfaces.marketplace import AuthorizedStore
from core.models import Account, Order, Store, StoreStatus
from core.plugins import make_plugin_manager
from core.registry import Registry, build_registry, collect_commands
from plugins.wish.client import WishMarketplace
from plugins.wish.jobs import sync_all_job, sync_orders_job
from plugins.wish.ratelimit import InMemoryBudget, RedisBudget
from plugins.wish.settings import WishSettings
from plugins.wish.store_access import write_credentials
from tests.plugins.wish.sandbox_helpers import admin


def core_settings(tmp_path: Path, **values: Any) -> Settings:
    return load_settings(env={}, data_dir=tmp_path / "data", plugins=[], **values)


def registry_with_wish(settings: Settings) -> Registry:
    return build_registry(settings, make_plugin_manager(settings, plugins={"wish": plugins.wish}))


def test_hooks_register_the_adapter_jobs_and_schedule(tmp_path: Path) -> None:
    registry = registry_with_wish(core_settings(tmp_path))
    adapter = registry.marketplaces["wish"]
    assert isinstance(adapter, WishMarketplace)
    assert isinstance(adapter.transport.budget, InMemoryBudget)
    assert sorted(registry.jobs) == ["wish.sync_all", "wish.sync_orders", "wish.sync_products"]
    schedule = registry.crons["wish.sync_all.schedule"]
    assert (schedule.job, schedule.every_seconds) == ("wish.sync_all", 15 * 60)


def test_settings_come_from_the_plugin_table(tmp_path: Path) -> None:
    settings = core_settings(
        tmp_path,
        redis_url="redis://127.0.0.1:6379/0",
        plugin={
            "wish": {"sync_interval_minutes": "5", "client_id": "app", "base_url": "http://x/"}
        },
    )
    registry = registry_with_wish(settings)
    assert registry.crons["wish.sync_all.schedule"].every_seconds == 300
    adapter = registry.marketplaces["wish"]
    assert isinstance(adapter, WishMarketplace)
    assert adapter.settings.base_url == "http://x"
    assert isinstance(adapter.transport.budget, RedisBudget)


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"colour": "red"}, "plugin.wish.colour"),
        ({"base_url": "merchant.wish.com"}, "plugin.wish.base_url"),
        ({"order_page_size": 501}, "plugin.wish.order_page_size"),
    ],
)
def test_wrong_settings_stop_start_up(tmp_path: Path, table: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment.replace(".", r"\.")):
        registry_with_wish(core_settings(tmp_path, plugin={"wish": table}))


def test_the_secret_is_redacted() -> None:
    settings = WishSettings(client_id="app", client_secret="s3cret")  # type: ignore[arg-type]
    assert settings.redacted()["client_secret"] == "***"
    assert "s3cret" not in repr(settings)


def test_sandbox_command_is_listed(tmp_path: Path) -> None:
    settings = core_settings(tmp_path)
    commands = collect_commands(make_plugin_manager(settings, plugins={"wish": plugins.wish}))
    result = CliRunner().invoke(commands["sandbox"].command, ["wish", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "--db" in result.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_tradewind_sandbox_wish_serves_and_keeps_state(tmp_path: Path) -> None:
    port = free_port()
    database = tmp_path / "wish.db"
    env = {**os.environ, "TRADEWIND_PLUGINS": "wish", "TRADEWIND_DATA_DIR": str(tmp_path)}
    command = [
        sys.executable,
        "-c",
        "from core.cli import main; main()",
        "sandbox",
        "wish",
        "--port",
        str(port),
        "--db",
        str(database),
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        health = None
        for _ in range(100):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/sandbox/health", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None:
                    break
                time.sleep(0.1)
        assert health is not None and health.status_code == 200, process.stdout
        created = httpx.post(f"http://127.0.0.1:{port}/sandbox/merchants", json={"name": "A"})
        assert created.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert database.exists()


@dataclass
class RecordingContext:
    """A job context that records what the job reports (the queue is not under test here)."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    registry: Registry
    account_id: int | None = None
    job_id: int = 1
    attempt: int = 1
    failed: list[tuple[str, str]] = field(default_factory=list)
    done: list[tuple[str, str]] = field(default_factory=list)
    enqueued: list[tuple[str, dict[str, Any], int | None, str | None]] = field(default_factory=list)

    async def set_total(self, total: int) -> None:
        pass

    async def item_done(self, key: str, label: str = "", note: str = "") -> None:
        self.done.append((key, note))

    async def item_failed(self, key: str, error: str, label: str = "") -> None:
        self.failed.append((key, error))

    async def item_skipped(self, key: str, reason: str, label: str = "") -> None:
        pass

    async def finished_items(self) -> set[str]:
        return set()

    async def is_cancelled(self) -> bool:
        return False

    async def enqueue(
        self,
        name: str,
        payload: dict[str, Any] | None = None,
        *,
        account_id: int | None = None,
        dedup_key: str | None = None,
        title: str = "",
    ) -> int:
        self.enqueued.append((name, payload or {}, account_id, dedup_key))
        return len(self.enqueued)


async def test_sync_jobs_fan_out_and_pull(
    tmp_path: Path,
    sessions: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    adapter: WishMarketplace,
    authorized: AuthorizedStore,
    merchant: dict[str, Any],
    clock: Any,
) -> None:
    key = Fernet.generate_key().decode()
    settings = core_settings(tmp_path, encryption_key=key)
    cipher = CredentialCipher.from_settings(settings)
    async with sessions() as session, session.begin():
        account = Account(name="seller")
        session.add(account)
        await session.flush()
        assert account.id is not None
        stores = [
            Store(
                account_id=account.id, platform="wish", platform_shop_id=merchant["id"], name="a"
            ),
            Store(account_id=account.id, platform="wish", platform_shop_id="x", name="b"),
            Store(account_id=account.id, platform="other", platform_shop_id="y", name="c"),
        ]
        stores[1].status = StoreStatus.NEEDS_REAUTH
        write_credentials(stores[0], cipher, authorized.credentials)
        stores[0].credentials_expires_at = None
        session.add_all(stores)
        await session.flush()
        store_id, account_id = stores[0].id, account.id
    ctx = RecordingContext(settings, sessions, client, Registry(marketplaces={"wish": adapter}))
    fanned = await sync_all_job(ctx, {})  # type: ignore[arg-type]
    assert fanned == {"stores": 1, "jobs": 2}
    assert [(n, p, a, d) for n, p, a, d in ctx.enqueued] == [
        ("wish.sync_orders", {"store_id": store_id}, account_id, f"wish.sync_orders:{store_id}"),
        (
            "wish.sync_products",
            {"store_id": store_id},
            account_id,
            f"wish.sync_products:{store_id}",
        ),
    ]
    # The job runs on the real clock: bring the sandbox to today (the token, issued "in
    # 2024", has expired meanwhile: the sync refreshes it and carries on).
    clock.freeze(int(time.time() * 1000))
    await admin(
        client, "POST", f"/sandbox/merchants/{merchant['id']}/orders/generate", json={"count": 4}
    )
    ctx.account_id = account_id
    result = await sync_orders_job(ctx, {"store_id": store_id, "full": True})  # type: ignore[arg-type]
    assert (result["created"], result["pulled"]) == (4, 4)
    async with sessions() as session:
        assert len(list(await session.exec(Order.__table__.select()))) == 4  # type: ignore[attr-defined, call-overload]
    # What was written is one done item, so a run with a few failures ends partial.
    assert ctx.done == [("orders:written", "4 new, 0 updated, 0 unchanged")]
    assert ctx.failed == []
