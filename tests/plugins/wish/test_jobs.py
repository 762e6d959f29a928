"""The sync jobs through the real job queue and worker, against a sandbox over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

import plugins.wish
from core.config import Settings
from core.crypto import CredentialCipher
from core.models import JobRecord, JobStatus, Order, Store
from core.plugins import make_plugin_manager
from core.registry import build_registry
from plugins.wish.client import WishMarketplace
from plugins.wish.sandbox import SandboxClock, create_sandbox_app, running_server
from plugins.wish.store_access import write_credentials
from tests.core.jobs_helpers import make_account, open_queue, run_until_idle
from tests.plugins.wish.plugin_helpers import authorize
from tests.plugins.wish.sandbox_helpers import REDIRECT_URI, admin


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A sandbox on the real clock (jobs run on it) over real HTTP."""
    app = create_sandbox_app(tmp_path / "wish.db", seed=2, clock=SandboxClock())
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url) as http:
        yield http
    app.close()


async def test_the_schedule_fans_out_and_the_worker_syncs_each_store(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    live: httpx.AsyncClient,
) -> None:
    oauth_app = await admin(live, "POST", "/sandbox/apps", json={"redirect_uri": REDIRECT_URI})
    table = {
        "client_id": oauth_app["client_id"],
        "client_secret": oauth_app["client_secret"],
        "base_url": str(live.base_url),
        "order_page_size": 10,
    }
    settings = settings.model_copy(update={"plugin": {"wish": table}})
    registry = build_registry(
        settings, make_plugin_manager(settings, plugins={"wish": plugins.wish})
    )
    adapter = registry.marketplaces["wish"]
    assert isinstance(adapter, WishMarketplace)
    cipher = CredentialCipher.from_settings(settings)
    account_id = await make_account(sessions)
    expected = 0
    async with sessions() as session, session.begin():
        for name in ("north", "south"):
            merchant = await admin(live, "POST", "/sandbox/merchants", json={"name": name})
            authorized = await authorize(live, adapter, merchant["id"])
            store = Store(
                account_id=account_id,
                platform="wish",
                platform_shop_id=merchant["id"],
                name=name,
            )
            write_credentials(store, cipher, authorized.credentials)
            session.add(store)
            path = f"/sandbox/merchants/{merchant['id']}/orders/generate"
            expected += len((await admin(live, "POST", path, json={"count": 25}))["order_ids"])

    async with open_queue(settings, registry, sessions) as queue:
        await queue.enqueue("wish.sync_all", {})
        await run_until_idle(settings, registry, sessions)

    async with sessions() as session:
        records = list(await session.exec(select(JobRecord).order_by(col(JobRecord.id))))
        orders = (await session.exec(select(func.count()).select_from(Order))).one()
    assert records[0].name == "wish.sync_all" and records[0].result == {"stores": 2, "jobs": 4}
    names = sorted(r.name for r in records[1:])
    assert names == ["wish.sync_orders"] * 2 + ["wish.sync_products"] * 2
    assert all(r.status is JobStatus.SUCCEEDED for r in records), [
        (r.name, r.status, r.error) for r in records
    ]
    assert orders == expected == 50
