"""In a real browser: sign up, authorize stores through the platform's OAuth page, invite a
staff member limited to one store, and check what the owner and the staff member each see.

Tradewind runs under uvicorn on a free port with the test database and Redis; the test
marketplace's OAuth server runs on another port; Debian's Chromium (headless) drives both over
real HTTP. Screenshots of the store list in zh_CN and en are written to ``docs/screenshots/``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect
from sqlmodel import select

from core.config import Settings
from core.models import Store, SyncState, SyncStream, utcnow
from core.registry import Registry
from core.runtime import open_runtime
from tests.support.oauth_marketplace import OAuthMarketplace, OAuthServerState
from tests.support.servers import free_socket, serve, url_of
from web.app import create_app

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
OWNER_EMAIL = "li.wei@example.com"
STAFF_EMAIL = "wang.fang@example.com"
PASSWORD = "correct horse battery"


@pytest.fixture
async def tradewind(settings: Settings, engine, oauth_server: str) -> AsyncIterator[str]:
    """Tradewind under uvicorn, knowing its own URL, with the test marketplace installed."""
    sock = free_socket()
    served = settings.model_copy(update={"public_base_url": url_of(sock)})
    market = OAuthMarketplace(oauth_server)
    registry = Registry(marketplaces={"testmarket": market})
    with serve(create_app(served, registry=registry), sock=sock) as url:
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


async def new_page(browser: Browser, base_url: str) -> Page:
    context = await browser.new_context(
        base_url=base_url, viewport={"width": 1440, "height": 860}, locale="zh-CN"
    )
    return await context.new_page()


async def authorize(page: Page, shop_name: str) -> None:
    """Authorize the Test Market shop ``shop_name`` through the platform's own page."""
    await page.goto("/stores/authorize")
    await page.get_by_role("button", name="授权 Test Market 店铺").click()
    await expect(page.get_by_role("heading", name=re.compile("Test Market"))).to_be_visible()
    await page.get_by_role("button", name=shop_name).click()
    await expect(page.locator(".flash-success")).to_contain_text(shop_name)


async def seed_sync_health(settings: Settings, registry: Registry) -> None:
    """Sync is not built yet: record one store's last pull and another's error, as a sync would."""
    async with open_runtime(settings, registry) as runtime, runtime.sessions() as session:
        stores = {s.name: s for s in (await session.exec(select(Store))).all()}
        now = utcnow()
        sunny, ocean = stores["阳光玩具旗舰店"], stores["Blue Ocean Gadgets"]
        session.add(
            SyncState(
                account_id=sunny.account_id,
                store_id=sunny.id,
                stream=SyncStream.ORDERS,
                last_good_pull_at=now - timedelta(minutes=4),
            )
        )
        session.add(
            SyncState(
                account_id=ocean.account_id,
                store_id=ocean.id,
                stream=SyncStream.PRODUCTS,
                last_good_pull_at=now - timedelta(hours=2),
                last_error="HTTP 429: rate limit reached, retrying at 14:05",
            )
        )
        await session.commit()


async def test_owner_and_staff_see_what_they_should(
    tradewind: str, browser: Browser, oauth_state: OAuthServerState, settings: Settings
) -> None:
    oauth_state.add_shop("sunny-1", "阳光玩具旗舰店")
    oauth_state.add_shop("ocean-2", "Blue Ocean Gadgets")
    oauth_state.add_shop("home-3", "Cozy Home Store")

    # -- the owner signs up -------------------------------------------------------------
    owner = await new_page(browser, tradewind)
    await owner.goto("/")
    await expect(owner).to_have_url(re.compile(r"/signin\?next="))
    await owner.get_by_role("link", name="免费注册").click()
    await owner.get_by_label("公司或店铺名称").fill("李伟跨境贸易")
    await owner.get_by_label("您的姓名").fill("李伟")
    await owner.get_by_label("邮箱").fill(OWNER_EMAIL)
    await owner.get_by_label("密码").fill(PASSWORD)
    await owner.get_by_role("button", name="注册").click()
    await expect(owner.locator(".flash-success")).to_contain_text("欢迎使用 Tradewind")
    await expect(owner.get_by_role("navigation", name="主导航")).to_contain_text("店铺")

    # -- three stores, through the platform's OAuth page --------------------------------
    await authorize(owner, "阳光玩具旗舰店")
    oauth_state.refresh_lifetime = timedelta(days=5)  # this one must be re-authorized soon
    await authorize(owner, "Blue Ocean Gadgets")
    oauth_state.refresh_lifetime = timedelta(days=365)
    await authorize(owner, "Cozy Home Store")
    cozy = owner.locator("tr", has_text="Cozy Home Store")
    owner.once("dialog", lambda dialog: dialog.accept())
    await cozy.get_by_role("button", name="取消授权").click()
    await expect(owner.locator(".flash-success")).to_contain_text("已取消授权")
    await seed_sync_health(settings, Registry())

    # -- a staff member limited to one store ---------------------------------------------
    await owner.goto("/settings/people")
    await owner.get_by_label("邮箱").fill(STAFF_EMAIL)
    await owner.get_by_label("名称").fill("王芳")
    await owner.check('input[name="access_orders"][value="write"]')
    await owner.check('input[name="access_products"][value="read"]')
    await owner.locator("label", has_text="阳光玩具旗舰店").locator("input").check()
    await owner.get_by_role("button", name="添加子账号").click()
    link = await owner.locator("#set-password-link").input_value()
    assert link.startswith(f"{tradewind}/set-password/")

    staff = await new_page(browser, tradewind)
    await staff.goto(link)
    await expect(staff.get_by_text(STAFF_EMAIL)).to_be_visible()
    await staff.get_by_label("新密码").fill("wang fang password")
    await staff.get_by_label("新密码").press("Enter")  # keyboard only
    await expect(staff.locator(".flash-success")).to_contain_text("密码已设置")

    # -- what the staff member sees -------------------------------------------------------
    menu = staff.get_by_role("navigation", name="主导航")
    await expect(menu).to_contain_text("订单")
    await expect(menu).not_to_contain_text("采购")
    await expect(menu).not_to_contain_text("图片空间")
    await staff.goto("/stores")
    rows = staff.locator("table.data tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("阳光玩具旗舰店")
    await expect(staff.locator("main")).not_to_contain_text("Blue Ocean Gadgets")
    await expect(staff.get_by_role("link", name="+ 授权店铺")).to_have_count(0)
    response = await staff.goto("/settings/people")
    assert response is not None and response.status == 403

    # -- what the owner sees --------------------------------------------------------------
    await owner.goto("/stores")
    rows = owner.locator("table.data tbody tr")
    await expect(rows).to_have_count(3)
    await expect(owner.locator("tr", has_text="阳光玩具旗舰店")).to_contain_text("正常")
    await expect(owner.locator("tr", has_text="Blue Ocean Gadgets")).to_contain_text("即将过期")
    await expect(owner.locator("tr", has_text="Cozy Home Store")).to_contain_text("已取消授权")
    await owner.goto("/settings/people")
    await expect(owner.locator("tr", has_text=STAFF_EMAIL)).to_contain_text("正常")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await owner.goto("/stores")
    await owner.screenshot(path=str(SCREENSHOTS / "stores-zh_CN.png"), full_page=False)

    await owner.get_by_role("button", name="English").click()
    await expect(owner.locator("h1")).to_have_text("Stores")
    await expect(owner.locator("tr", has_text="Blue Ocean Gadgets")).to_contain_text("Expiring")
    await owner.screenshot(path=str(SCREENSHOTS / "stores-en.png"), full_page=False)
