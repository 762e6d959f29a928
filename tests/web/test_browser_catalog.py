"""In a real browser, on the Wish sandbox: import a spreadsheet, claim to a Wish store, batch
edit prices (preview then apply), publish, fix a product the publish refused, see it all
published, try to delete (refused: delist instead), delist.

Everything talks over real HTTP: the Wish sandbox, Tradewind (with its in-process job worker
on the test database and Redis, and the real plugins wish, catalog and stores) and a small
server of the spreadsheet's product pictures each run under uvicorn, and Debian's Chromium
(headless) drives the pages. The Wish store is authorized through the sandbox's own consent
page, as a seller would. The spreadsheet carries what Wish needs (description, weight, variant
pictures, the Wish category id and the origin country), except for one product whose origin
country is missing: the publish refuses it field by field, it stays a draft, and the seller
adds the origin country in the product editor and publishes again. Every batch runs as a real
job and the page shows its live progress. The sandbox is asked through its Wish API (with a
token of a second OAuth app, so Tradewind's tokens are not touched) what it holds: the products
with the edited prices and the origin country, then the delisted one disabled by the merchant.
Screenshots of the product list in zh_CN and en go to ``docs/screenshots/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from playwright.async_api import Page, expect

from core.config import Settings
from core.registry import build_registry
from plugins.wish.sandbox import create_sandbox_app
from tests.core.images.factories import make_image
from tests.support.servers import free_socket, serve, url_of
from tests.web.test_browser_accounts import (
    OWNER_EMAIL,
    PASSWORD,
    SCREENSHOTS,
    browser,  # noqa: F401  (fixture)
    new_page,
)
from web.app import create_app

pytestmark = pytest.mark.browser

PLUGINS = ["wish", "catalog", "stores"]
MERCHANT = "李伟的 Wish 店"

# The Wish columns a seller fills: description, weight, a picture per variant when there are
# several, the Wish category id and the origin country. BAG-03 has no origin country: the
# publish refuses it, and the seller adds it in the product editor. {p} is the picture server.
SPREADSHEET = (
    "父SKU,SKU,标题,描述,标签,颜色,价格,币种,运费,库存,重量(g),主图,SKU图片,平台类目ID,发货国家\n"
    "LAMP-01,LAMP-01-R,黄铜台灯 Brass desk lamp,Brass desk lamp with a linen shade.,lamp,Red,"
    "10.00,USD,2.00,20,900,{p}/lamp.jpg,{p}/lamp-red.jpg,1234,CN\n"
    "LAMP-01,LAMP-01-B,黄铜台灯 Brass desk lamp,Brass desk lamp with a linen shade.,lamp,Blue,"
    "10.00,USD,2.00,15,900,{p}/lamp.jpg,{p}/lamp-blue.jpg,1234,CN\n"
    "MUG-02,MUG-02-W,Ceramic mug 陶瓷杯,A sturdy ceramic mug.,mug,White,"
    "6.50,USD,1.50,40,350,{p}/mug.jpg,,2345,CN\n"
    "BAG-03,BAG-03-K,Canvas tote bag 帆布包,A canvas tote bag.,bag,Khaki,"
    "8.00,USD,1.80,25,200,{p}/bag.jpg,,3456,\n"
)
PICTURE_COLOURS = {
    "lamp": (196, 154, 72),
    "lamp-red": (200, 60, 50),
    "lamp-blue": (60, 90, 180),
    "mug": (225, 225, 215),
    "bag": (195, 176, 140),
}
EDITED_PRICES = {  # price * 2.5, rounded up to .99
    "LAMP-01-R": Decimal("25.99"),
    "LAMP-01-B": Decimal("25.99"),
    "MUG-02-W": Decimal("16.99"),
    "BAG-03-K": Decimal("20.99"),
}


@dataclass
class WishSandbox:
    """The sandbox's address and its merchant (the seller's Wish store)."""

    url: str
    merchant_id: str

    def inspector_token(self) -> str:
        """A token of a second OAuth app on the merchant, to read what the sandbox holds."""
        with httpx.Client(base_url=self.url, timeout=10) as http:
            app = data(http.post("/sandbox/apps", json={"redirect_uri": "http://127.0.0.1/x"}))
            code = data(
                http.post(
                    f"/sandbox/merchants/{self.merchant_id}/authorize",
                    json={"client_id": app["client_id"]},
                )
            )["code"]
            token = data(
                http.post(
                    "/api/v3/oauth/access_token",
                    json={
                        "client_id": app["client_id"],
                        "client_secret": app["client_secret"],
                        "code": code,
                        "grant_type": "authorization_code",
                        "redirect_uri": app["redirect_uri"],
                    },
                )
            )
        access: str = token["access_token"]
        return access

    def products(self) -> dict[str, dict[str, Any]]:
        """The merchant's products on the sandbox (full ``Product`` objects) by parent SKU."""
        headers = {"Authorization": f"Bearer {self.inspector_token()}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=10) as http:
            listed = data(http.get("/api/v3/products", params={"limit": 100}))
            return {
                item["parent_sku"]: data(http.get(f"/api/v3/products/{item['id']}"))
                for item in listed
            }


def data(response: httpx.Response) -> Any:
    assert response.status_code < 300, response.text
    return response.json()["data"]


@pytest.fixture
def wish_sandbox(tmp_path: Path) -> Iterator[WishSandbox]:
    """The Wish sandbox under uvicorn (no review delay), with one merchant."""
    app = create_sandbox_app(
        tmp_path / "wish-sandbox.db",
        seed=11,
        faults={"rate_limit": 1000},
        review_delay_s=0,
        async_delay_s=0,
    )
    try:
        with serve(app, lifespan="off") as url:
            merchant = data(httpx.post(f"{url}/sandbox/merchants", json={"name": MERCHANT}))
            yield WishSandbox(url, merchant["id"])
    finally:
        app.close()


@get("/{file_name:str}", media_type="image/jpeg")
async def picture(file_name: FromPath[str]) -> bytes:
    """An 800x800 product picture in the product's colour (``lamp.jpg``)."""
    colour = PICTURE_COLOURS.get(file_name.removesuffix(".jpg"))
    if colour is None:
        raise NotFoundException()
    return make_image(800, 800, "JPEG", color=colour)


@pytest.fixture
def pictures() -> Iterator[str]:
    """Where the spreadsheet's pictures are (the supplier's site, here on this machine)."""
    with serve(Litestar([picture]), lifespan="off") as url:
        yield url


@pytest.fixture
def tradewind(settings: Settings, engine, wish_sandbox: WishSandbox) -> Iterator[str]:
    """Tradewind under uvicorn with its in-process worker, its Wish app on the sandbox."""
    from core.cli.serve_cmd import in_process_worker

    sock = free_socket()
    base_url = url_of(sock)
    oauth_app = data(
        httpx.post(
            f"{wish_sandbox.url}/sandbox/apps",
            json={"redirect_uri": f"{base_url}/stores/callback/wish", "name": "Tradewind"},
        )
    )
    wish = {
        "client_id": oauth_app["client_id"],
        "client_secret": oauth_app["client_secret"],
        "base_url": wish_sandbox.url,
        "rate_limit_per_second": 1000,
        "request_timeout_seconds": 5,
    }
    served = settings.model_copy(
        update={
            "public_base_url": base_url,
            "in_process_worker": True,
            "plugins": PLUGINS,
            "plugin": {**settings.plugin, "wish": wish},
        }
    )
    app = create_app(served, registry=build_registry(served), worker_starter=in_process_worker)
    with serve(app, sock=sock) as url:
        yield url


PICTURES_SHOWN = "[...document.images].every(image => image.complete && image.naturalWidth > 0)"


async def finished(page: Page, status: str = "成功") -> None:
    """Wait until the job progress on the page settles with ``status``."""
    progress = page.locator(".job-progress")
    await expect(progress).to_be_visible()
    await expect(progress.locator("h2 .badge")).to_have_text(status, timeout=30_000)


async def select_all_and(page: Page, button: str) -> None:
    await page.locator("#all-matching").check()
    await page.get_by_role("button", name=button, exact=True).click()


async def authorize_wish(page: Page, sandbox: WishSandbox) -> None:
    """Authorize the Wish store through the sandbox's consent page."""
    await page.goto("/stores/authorize")
    await page.get_by_role("button", name="授权 Wish 店铺").click()
    await expect(page.get_by_role("heading", name="Authorize Tradewind")).to_be_visible()
    await page.get_by_label("Merchant").select_option(label=f"{MERCHANT} ({sandbox.merchant_id})")
    await page.get_by_role("button", name="Approve").click()
    # Wish's API tells no shop name: the store is named by its merchant id.
    await expect(page.locator(".flash-success")).to_contain_text(sandbox.merchant_id)


async def test_from_spreadsheet_to_delisted_on_wish(
    browser,  # noqa: F811
    tradewind: str,
    wish_sandbox: WishSandbox,
    pictures: str,
    tmp_path: Path,
) -> None:
    page = await new_page(browser, tradewind)
    await page.goto("/signup")
    await page.get_by_label("公司或店铺名称").fill("李伟跨境贸易")
    await page.get_by_label("您的姓名").fill("李伟")
    await page.get_by_label("邮箱").fill(OWNER_EMAIL)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="注册").click()
    await authorize_wish(page, wish_sandbox)

    # import: dry run first, then the job
    sheet = tmp_path / "products.csv"
    sheet.write_text(SPREADSHEET.format(p=pictures), encoding="utf-8")
    await page.goto("/products/import")
    await page.get_by_label(re.compile("表格文件")).set_input_files(str(sheet))
    await page.get_by_role("button", name="检查文件").click()
    await expect(page.get_by_text("未发现问题")).to_be_visible()
    await page.get_by_role("button", name="导入 3 个有效商品").click()
    await finished(page)

    # collection box -> claim to the Wish store
    await page.goto("/products?state=collection_box")
    await expect(page.locator("input[name=ids]")).to_have_count(3)
    await page.locator("#all-matching").check()
    await page.get_by_text("认领到店铺", exact=True).click()
    await page.get_by_role("checkbox", name=f"Wish · {wish_sandbox.merchant_id}").check()
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

    # publish: Wish's rules are checked first; the bag has no origin country and stays a draft
    await select_all_and(page, "发布")
    await finished(page, "部分失败")
    await expect(page.locator(".item-errors")).to_contain_text("origin_country")
    await page.goto("/products?state=draft")
    bag = page.locator("tr", has_text="BAG-03")
    await expect(page.locator("input[name=ids]")).to_have_count(1)
    await expect(bag).to_contain_text("有问题")

    # the editor shows Wish's problem next to the field, in Chinese; the seller fills it in
    # and publishes
    await bag.get_by_role("link", name=re.compile("Canvas tote bag")).click()
    await expect(page.locator(".rules")).to_contain_text("origin_country")
    await expect(page.locator(".rules")).to_contain_text("此项为必填项")
    origin = page.locator(".field", has=page.locator("#f-origin_country"))
    await expect(origin.locator(".error")).to_contain_text("此项为必填项")
    await page.get_by_label("发货国家").fill("cn")
    await page.get_by_role("button", name="保存").click()
    await expect(page.locator(".flash-success")).to_contain_text("已保存")
    await expect(page.locator(".rules")).to_contain_text("可以发布")
    await page.goto("/products?state=draft")
    await select_all_and(page, "发布")
    await finished(page)
    await page.goto("/products?state=published")
    await expect(page.locator("input[name=ids]")).to_have_count(3)
    await expect(page.locator(".state-tabs a.active")).to_contain_text("3")

    # Wish has the three products, with the edited prices and the origin country
    on_wish = wish_sandbox.products()
    assert sorted(on_wish) == ["BAG-03", "LAMP-01", "MUG-02"]
    variations = [v for product in on_wish.values() for v in product["variations"]]
    assert {v["sku"]: Decimal(str(v["price"]["amount"])) for v in variations} == EDITED_PRICES
    assert {v["logistics_details"]["origin_country"] for v in variations} == {"CN"}
    assert on_wish["LAMP-01"]["category_id"] == 1234
    assert all(p["state"] != "MERCHANT_INACTIVE" for p in on_wish.values())

    # delete is refused: delist instead
    await page.locator("tr", has_text="LAMP-01").locator("input[name=ids]").check()
    await page.get_by_role("button", name="删除", exact=True).click()
    await expect(page.get_by_text("选中的商品都不能删除")).to_be_visible()
    await expect(page.locator("table.refused")).to_contain_text("请改为下架")  # delist instead
    await page.get_by_role("link", name="取消").click()

    # delist the lamp: Wish shows it disabled by the merchant
    await page.locator("tr", has_text="LAMP-01").locator("input[name=ids]").check()
    await page.get_by_role("button", name="下架", exact=True).click()
    await finished(page)
    await page.goto("/products?state=delisted")
    await expect(page.locator("input[name=ids]")).to_have_count(1)
    await expect(page.locator("table.products")).to_contain_text("LAMP-01")
    states = {sku: product["state"] for sku, product in wish_sandbox.products().items()}
    assert states["LAMP-01"] == "MERCHANT_INACTIVE"
    assert states["MUG-02"] != "MERCHANT_INACTIVE" and states["BAG-03"] != "MERCHANT_INACTIVE"

    await page.goto("/products?state=published")
    await page.wait_for_function(PICTURES_SHOWN)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "products-zh_CN.png"), full_page=False)
    await page.get_by_role("button", name="English").click()
    await expect(page.locator(".state-tabs")).to_contain_text("Published")
    await page.wait_for_function(PICTURES_SHOWN)
    await page.screenshot(path=str(SCREENSHOTS / "products-en.png"), full_page=False)
    assert Path(SCREENSHOTS / "products-en.png").stat().st_size > 10_000
