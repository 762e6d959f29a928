"""Rate budgets: pacing, 429 blocks, learning from headers; in memory, in Redis, end to end."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from core.config import load_settings
from core.interfaces.common import CallContext
from plugins.wish.client import WishMarketplace
from plugins.wish.ratelimit import (
    BudgetPolicy,
    Feedback,
    InMemoryBudget,
    RedisBudget,
    budget_for,
    parse_rate_headers,
)
from plugins.wish.sandbox import SandboxClock, create_sandbox_app, running_server
from plugins.wish.settings import WishSettings
from tests.plugins.wish.plugin_helpers import authorize, settings_for
from tests.plugins.wish.sandbox_helpers import REDIRECT_URI, admin


class FakeTime:
    """A monotonic and a wall clock that only move when something sleeps."""

    def __init__(self) -> None:
        self.mono = 100.0
        self.wall = 1_700_000_000.25
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.mono += seconds
        self.wall += seconds


def budget(fake: FakeTime, **policy: Any) -> InMemoryBudget:
    values: dict[str, Any] = {"limit": 10, "window_s": 1.0, "share": 1.0, "max_concurrency": 4}
    values.update(policy)
    return InMemoryBudget(
        BudgetPolicy(**values),
        monotonic=lambda: fake.mono,
        wall=lambda: fake.wall,
        sleep=fake.sleep,
    )


async def grant_times(limiter: InMemoryBudget, fake: FakeTime, count: int) -> list[float]:
    times = []
    for _ in range(count):
        async with limiter.slot("k"):
            times.append(round(fake.mono - 100.0, 6))
    return times


def test_parse_rate_headers() -> None:
    headers = {"Wish-Rate-Limit-Remaining": "7", "Wish-Rate-Limit-Reset": "1700000005"}
    assert parse_rate_headers(headers) == (7, 1_700_000_005.0)
    assert parse_rate_headers({"wish-rate-limit-reset": "3"}, now=100.0) == (None, 103.0)
    assert parse_rate_headers({"wish-rate-limit-remaining": "soon"}) == (None, None)


async def test_grants_are_spaced_by_limit_and_share() -> None:
    fake = FakeTime()
    limiter = budget(fake, limit=10, share=0.9)
    times = await grant_times(limiter, fake, 5)
    assert times == pytest.approx([0.0, 1 / 9, 2 / 9, 3 / 9, 4 / 9])


async def test_the_headroom_catches_up_after_a_stall() -> None:
    fake = FakeTime()
    limiter = budget(fake, limit=50, share=0.95)  # 2.5 requests of headroom per window
    first = await grant_times(limiter, fake, 3)
    interval = 1 / 47.5
    assert first == pytest.approx([0.0, 0.0, interval], abs=1e-5)
    fake.mono += 1.0  # a long stall: the same headroom again, no more
    again = await grant_times(limiter, fake, 3)
    assert [t - 1.0 - interval for t in again] == pytest.approx([0.0, 0.0, interval], abs=1e-5)


async def test_a_429_holds_the_key_until_the_reset() -> None:
    fake = FakeTime()
    limiter = budget(fake)
    async with limiter.slot("k") as feedback:
        feedback.report(429, {"Wish-Rate-Limit-Reset": str(int(fake.wall) + 3)})
    before = fake.mono
    async with limiter.slot("k"):
        pass
    assert fake.mono - before == pytest.approx(2.75)  # reset at the next whole second + 2
    async with limiter.slot("other"):
        pass
    assert fake.mono - before == pytest.approx(2.75)  # other keys are not held


async def test_remaining_zero_waits_for_the_next_window() -> None:
    fake = FakeTime()
    limiter = budget(fake)
    async with limiter.slot("k") as feedback:
        feedback.report(200, {"Wish-Rate-Limit-Remaining": "0"})
    before = fake.mono
    async with limiter.slot("k"):
        pass
    assert fake.mono - before == pytest.approx(0.75)  # windows start on whole seconds


async def test_the_learned_limit_lowers_the_pace() -> None:
    fake = FakeTime()
    limiter = budget(fake, limit=10)
    async with limiter.slot("k") as feedback:
        feedback.report(200, {"Wish-Rate-Limit-Remaining": "4"})
    assert limiter.learned_limit("k") == 5
    async with limiter.slot("k") as feedback:
        feedback.report(200, {"Wish-Rate-Limit-Remaining": "3"})
    times = await grant_times(limiter, fake, 3)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps == [pytest.approx(0.2), pytest.approx(0.2)]
    higher = budget(fake, limit=2)
    async with higher.slot("k") as feedback:
        feedback.report(200, {"Wish-Rate-Limit-Remaining": "99"})
    assert higher.policy.interval(higher.learned_limit("k")) == 0.5  # never above the setting


async def test_concurrency_is_capped_per_key() -> None:
    limiter = InMemoryBudget(BudgetPolicy(limit=1000, max_concurrency=2))
    inside = 0
    most = 0
    release = asyncio.Event()

    async def call() -> None:
        nonlocal inside, most
        async with limiter.slot("k"):
            inside += 1
            most = max(most, inside)
            await release.wait()
            inside -= 1

    tasks = [asyncio.create_task(call()) for _ in range(5)]
    await asyncio.sleep(0.05)
    assert inside == 2
    release.set()
    await asyncio.gather(*tasks)
    assert most == 2


@pytest.fixture
async def redis(redis_server_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server_url)
    yield client
    await client.aclose()


async def test_redis_budget_is_shared_by_workers(redis: Redis) -> None:
    prefix = f"tw-test:{uuid.uuid4().hex}:"
    policy = BudgetPolicy(limit=2, window_s=1.0, share=1.0)
    first, second = RedisBudget(redis, policy, prefix), RedisBudget(redis, policy, prefix)
    waits = []
    for worker in (first, second, first, second):
        wait, _ = await worker.reserve("k")
        waits.append(wait)
    # One grant every 0.5 s, whichever worker asks (the calls take far less than 0.5 s).
    for index, wait in enumerate(waits):
        assert index * 0.5 - 0.2 <= wait <= index * 0.5 + 0.01
    other, _ = await first.reserve("other-key")
    assert other <= 0.01


async def test_redis_budget_shares_429_blocks_and_learned_limits(redis: Redis) -> None:
    prefix = f"tw-test:{uuid.uuid4().hex}:"
    policy = BudgetPolicy(limit=100, window_s=1.0, share=1.0)
    first, second = RedisBudget(redis, policy, prefix), RedisBudget(redis, policy, prefix)
    await first.learn("k", Feedback(remaining=3))
    assert await second.learned_limit("k") == 4
    reset = (await redis.time())[0] + 5
    await first.learn("k", Feedback(limited=True, reset_at=float(reset)))
    wait, blocked = await second.reserve("k")
    assert 3.5 <= wait <= 5.01 and blocked == pytest.approx(wait, abs=0.01)


async def test_redis_budget_slot_reports_feedback(redis: Redis) -> None:
    prefix = f"tw-test:{uuid.uuid4().hex}:"
    limiter = RedisBudget(lambda: redis, BudgetPolicy(limit=1000), prefix)
    async with limiter.slot("k") as feedback:
        feedback.report(200, {"Wish-Rate-Limit-Remaining": "41"})
    assert await limiter.learned_limit("k") == 42


def test_budget_backend_follows_the_settings(tmp_path: Path) -> None:
    plain = WishSettings()
    assert isinstance(budget_for(plain, None), InMemoryBudget)
    assert isinstance(budget_for(plain, "redis://127.0.0.1:6379/0"), RedisBudget)
    memory = WishSettings(rate_budget_backend="memory")
    assert isinstance(budget_for(memory, "redis://127.0.0.1:6379/0"), InMemoryBudget)
    core = load_settings(env={}, data_dir=tmp_path, redis_url="redis://127.0.0.1:6379/0")
    assert plain.uses_redis_budget(core) and not memory.uses_redis_budget(core)


@pytest.fixture
async def live_limited(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A sandbox on the real clock allowing 5 requests per second."""
    app = create_sandbox_app(
        tmp_path / "limited.db", seed=3, faults={"rate_limit": 5}, clock=SandboxClock()
    )
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url) as http:
        yield http
    app.close()


async def run_burst(
    http: httpx.AsyncClient, workers: int, shared: Callable[[], RedisBudget] | None
) -> int:
    """``workers`` adapters (as if in separate processes) call one store; return the 429s."""
    oauth_app = await admin(http, "POST", "/sandbox/apps", json={"redirect_uri": REDIRECT_URI})
    merchant = await admin(http, "POST", "/sandbox/merchants", json={})
    settings = settings_for(
        oauth_app, str(http.base_url), rate_limit_per_second=5, rate_budget_share=0.9
    )
    adapters = [
        WishMarketplace(settings, budget=shared() if shared else None) for _ in range(workers)
    ]
    store = await authorize(http, adapters[0], merchant["id"])
    ctx = CallContext(http=http)
    results = await asyncio.gather(
        *(
            adapter.test_credentials(ctx, store.credentials)
            for adapter in adapters
            for _ in range(6)
        )
    )
    assert {identity.shop_id for identity in results} == {merchant["id"]}
    return sum(adapter.transport.stats.rate_limited for adapter in adapters)


async def test_one_process_stays_under_the_limit(live_limited: httpx.AsyncClient) -> None:
    assert await run_burst(live_limited, workers=1, shared=None) == 0


async def test_a_429_is_waited_out_and_the_call_succeeds(tmp_path: Path) -> None:
    # Another client of the same app and merchant (which this budget knows nothing of) has
    # spent the window; the adapter's call meets a 429, waits for the reset and succeeds.
    app = create_sandbox_app(
        tmp_path / "window.db",
        seed=4,
        faults={"rate_limit": 3, "rate_window_s": 3},
        clock=SandboxClock(),
    )
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url) as http:
        oauth_app = await admin(http, "POST", "/sandbox/apps", json={"redirect_uri": REDIRECT_URI})
        merchant = await admin(http, "POST", "/sandbox/merchants", json={})
        settings = settings_for(oauth_app, str(http.base_url), rate_limit_per_second=100)
        setup = WishMarketplace(settings)
        store = await authorize(http, setup, merchant["id"])
        headers = {"Authorization": f"Bearer {store.credentials.data['access_token']}"}
        while True:  # exhaust a window with at least a second left in it
            answer = await http.get("/api/v3/oauth/test", headers=headers)
            if answer.status_code == 429:
                if float(answer.headers["wish-rate-limit-reset"]) - time.time() > 1:
                    break
                await asyncio.sleep(1.5)
        adapter = WishMarketplace(settings)
        identity = await adapter.test_credentials(CallContext(http=http), store.credentials)
    app.close()
    assert identity.shop_id == merchant["id"]
    assert adapter.transport.stats.rate_limited == 1
    assert adapter.transport.stats.requests == 2


async def test_processes_sharing_a_redis_budget_stay_under_the_limit(
    live_limited: httpx.AsyncClient, redis: Redis
) -> None:
    policy = BudgetPolicy(limit=5, share=0.9)
    prefix = f"tw-test:{uuid.uuid4().hex}:"

    def shared() -> RedisBudget:  # one budget object per process, one state in Redis
        return RedisBudget(redis, policy, prefix=prefix)

    assert await run_burst(live_limited, workers=2, shared=shared) == 0
