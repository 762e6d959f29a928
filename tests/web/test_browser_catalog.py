"""In a real browser: import a spreadsheet, claim to a store, batch edit prices (preview then
apply), publish, see it published, try to delete it (refused), delist it.

Tradewind runs under uvicorn with its in-process job worker, so every batch runs as a real
job on the test Redis and the page shows its live progress. The store is authorized through
the test marketplace's OAuth page. That marketplace gets a small listing API here (accept,
delist, relist): the Wish adapter cannot take a catalog product yet, because the core listing
payload carries no origin country (Wish requires one per variant). Screenshots of the product
list in zh_CN and en go to ``docs/screenshots/``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from core.catalog.jobs import CATALOG_JOBS
from core.config import Settings
from core.interfaces.common import CallContext, Problem
from core.interfaces.listings import ListingPayload, ListingRecord, ListingStatus, VariantRecord
from core.interfaces.marketplace import Credentials
from core.registry import Registry
from tests.support.oauth_marketplace import OAuthMarketplace
from tests.support.servers import free_socket, serve, url_of
from tests.web.test_browser_accounts import (
    OWNER_EMAIL,
    PASSWORD,
    SCREENSHOTS,
    authorize,
    browser,  # noqa: F401  (fixture)
    new_page,
)
from web.app import create_app

pytestmark = pytest.mark.browser

SPREADSHEET = (
    "父SKU,SKU,标题,颜色,价格,币种,运费,库存,主图\n"
    "LAMP-01,LAMP-01-R,黄铜台灯 Brass desk lamp,Red,10.00,USD,2.00,20,https://img.example/l1.jpg\n"
    "LAMP-01,LAMP-01-B,黄铜台灯 Brass desk lamp,Blue,10.00,USD,2.00,15,https://img.example/l1.jpg\n"
    "MUG-02,MUG-02-W,Ceramic mug 陶瓷杯,White,6.50,USD,1.50,40,https://img.example/m2.jpg\n"
    "BAG-03,BAG-03-K,Canvas tote bag 帆布包,Khaki,8.00,USD,1.80,25,https://img.example/b3.jpg\n"
)


class ListingMarket(OAuthMarketplace):
    """The test marketplace with an in-memory listing API (it accepts every listing)."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        self.listings: dict[str, ListingStatus] = {}

    def validate_listing(self, listing: ListingPayload) -> list[Problem]:
        return []

    async def publish_listing(
        self, ctx: CallContext, credentials: Credentials, listing: ListingPayload
    ) -> ListingRecord:
        listing_id = f"TM-{len(self.listings) + 1}"
        self.listings[listing_id] = ListingStatus.ACTIVE
        variants = tuple(
            VariantRecord(variant_id=f"{listing_id}-{i}", sku=v.sku, price=v.price)
            for i, v in enumerate(listing.variants)
        )
        return ListingRecord(
            listing_id=listing_id,
            parent_sku=listing.parent_sku,
            title=listing.title,
            status=ListingStatus.ACTIVE,
            platform_status="active",
            variants=variants,
        )

    async def delist_listing(
        self, ctx: CallContext, credentials: Credentials, listing_id: str
    ) -> None:
        self.listings[listing_id] = ListingStatus.DELISTED

    async def relist_listing(
        self, ctx: CallContext, credentials: Credentials, listing_id: str
    ) -> None:
        self.listings[listing_id] = ListingStatus.ACTIVE


@pytest.fixture
async def tradewind(settings: Settings, engine, oauth_server: str) -> AsyncIterator[str]:
    """Tradewind under uvicorn with its in-process worker and the catalog jobs."""
    from core.cli.serve_cmd import in_process_worker

    sock = free_socket()
    served = settings.model_copy(
        update={"public_base_url": url_of(sock), "in_process_worker": True}
    )
    registry = Registry(
        marketplaces={"testmarket": ListingMarket(oauth_server)},
        jobs={definition.name: definition for definition in CATALOG_JOBS},
    )
    app = create_app(served, registry=registry, worker_starter=in_process_worker)
    with serve(app, sock=sock) as url:
        yield url


async def finished(page: Page, status: str = "成功") -> None:
    """Wait until the job progress on the page settles with ``status``."""
    progress = page.locator(".job-progress")
    await expect(progress).to_be_visible()
    await expect(progress.locator("h2 .badge")).to_have_text(status, timeout=30_000)


async def select_all_and(page: Page, button: str) -> None:
    await page.locator("#all-matching").check()
    await page.get_by_role("button", name=button, exact=True).click()


async def test_from_spreadsheet_to_delisted(browser, tradewind, oauth_state, tmp_path) -> None:  # noqa: F811
    oauth_state.add_shop("shop-lw", "李伟的店")
    page = await new_page(browser, tradewind)
    await page.goto("/signup")
    await page.get_by_label("公司或店铺名称").fill("李伟跨境贸易")
    await page.get_by_label("您的姓名").fill("李伟")
    await page.get_by_label("邮箱").fill(OWNER_EMAIL)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="注册").click()
    await authorize(page, "李伟的店")

    # import: dry run first, then the job
    sheet = tmp_path / "products.csv"
    sheet.write_text(SPREADSHEET, encoding="utf-8")
    await page.goto("/products/import")
    await page.get_by_label(re.compile("表格文件")).set_input_files(str(sheet))
    await page.get_by_role("button", name="检查文件").click()
    await expect(page.get_by_text("未发现问题")).to_be_visible()
    await page.get_by_role("button", name="导入 3 个有效商品").click()
    await finished(page)

    # collection box -> claim to the store
    await page.goto("/products?state=collection_box")
    await expect(page.locator("input[name=ids]")).to_have_count(3)
    await page.locator("#all-matching").check()
    await page.get_by_text("认领到店铺", exact=True).click()
    await page.get_by_role("checkbox", name="Test Market · 李伟的店").check()
    await page.get_by_role("button", name="认领", exact=True).click()
    await finished(page)
    await page.goto("/products?state=draft")
    await expect(page.locator("input[name=ids]")).to_have_count(3)

    # batch edit prices: preview, then apply
    await select_all_and(page, "批量编辑")
    await page.get_by_label("公式").fill("price * 2.5")
    await page.get_by_label("取整方式").select_option("end_99")
    await page.get_by_role("button", name="预览").click()
    preview = page.locator("#batch-preview")
    await expect(preview).to_contain_text("25.99")  # 10.00 * 2.5 = 25.00, up to .99
    await page.get_by_role("button", name="应用到 3 个商品").click()
    await finished(page)
    await page.goto("/products?state=draft")
    await expect(page.locator("table.products")).to_contain_text("25.99")

    # publish
    await select_all_and(page, "发布")
    await finished(page)
    await page.goto("/products?state=published")
    await expect(page.locator("input[name=ids]")).to_have_count(3)
    await expect(page.locator(".state-tabs a.active")).to_contain_text("3")

    # delete is refused: delist instead
    await page.locator("input[name=ids]").first.check()
    await page.get_by_role("button", name="删除", exact=True).click()
    await expect(page.get_by_text("选中的商品都不能删除")).to_be_visible()
    await expect(page.locator("table.refused")).to_contain_text("请改为下架")  # delist instead
    await page.get_by_role("link", name="取消").click()

    # delist one
    await page.locator("input[name=ids]").first.check()
    await page.get_by_role("button", name="下架", exact=True).click()
    await finished(page)
    await page.goto("/products?state=delisted")
    await expect(page.locator("input[name=ids]")).to_have_count(1)

    await page.goto("/products?state=published")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "products-zh_CN.png"), full_page=False)
    await page.get_by_role("button", name="English").click()
    await expect(page.locator(".state-tabs")).to_contain_text("Published")
    await page.screenshot(path=str(SCREENSHOTS / "products-en.png"), full_page=False)
    assert Path(SCREENSHOTS / "products-en.png").stat().st_size > 10_000
