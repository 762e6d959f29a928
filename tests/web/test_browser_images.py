"""In a real browser: upload pictures to the image space through its page, then look at one.

Tradewind runs under uvicorn with the image plugins; Debian's Chromium (headless) uploads a
batch (one file is not a picture) with the page's file input, checks the refusal message and
the grid, and writes ``docs/screenshots/images-zh_CN.png``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright, expect

from core.config import Settings
from tests.core.images.factories import make_image
from tests.support.servers import free_socket, serve, url_of
from tests.web.images_support import image_registry
from tests.web.test_browser_accounts import CHROMIUM, CHROMIUM_ARGS, PASSWORD, SCREENSHOTS
from web.app import create_app

pytestmark = pytest.mark.browser

PICTURES = [
    ("蓝色水杯.jpg", make_image(1200, 1200, "JPEG", color=(40, 110, 200))),
    ("红色背包.png", make_image(900, 1000, "PNG", color=(200, 50, 60))),
    ("绿色台灯.jpg", make_image(1000, 800, "JPEG", color=(40, 160, 90))),
    ("黄色雨伞-小图.png", make_image(500, 400, "PNG", color=(230, 190, 40))),
    ("灰色耳机.webp", make_image(1600, 1600, "WEBP", color=(120, 120, 130))),
    ("橙色抱枕.jpg", make_image(800, 800, "JPEG", color=(240, 130, 40))),
    ("说明.txt", b"not a picture"),
]


@pytest.fixture
async def tradewind(settings: Settings, engine) -> AsyncIterator[str]:
    """Tradewind under uvicorn, knowing its own URL, with the image space installed."""
    sock = free_socket()
    served = settings.model_copy(update={"public_base_url": url_of(sock)})
    with serve(create_app(served, registry=image_registry(served)), sock=sock) as url:
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


async def test_upload_through_the_page_and_screenshot(
    tradewind: str, browser: Browser, tmp_path: Path
) -> None:
    context = await browser.new_context(
        base_url=tradewind, viewport={"width": 1440, "height": 900}, locale="zh-CN"
    )
    page = await context.new_page()
    await page.goto("/signup")
    await page.get_by_label("公司或店铺名称").fill("李伟跨境贸易")
    await page.get_by_label("您的姓名").fill("李伟")
    await page.get_by_label("邮箱").fill("li.wei.images@example.com")
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="注册").click()
    await expect(page.locator(".flash-success")).to_contain_text("欢迎使用 Tradewind")

    await page.get_by_role("link", name="图片空间").first.click()
    await expect(page).to_have_url(re.compile(r"/images"))
    paths = []
    for name, data in PICTURES:
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    await page.locator("#f-files").set_input_files(paths)
    await page.locator("#dropzone").get_by_role("button", name="上传").click()
    await expect(page.locator(".flash-warning")).to_contain_text("已保存 6 张")
    await expect(page.locator(".flash-error")).to_contain_text("说明.txt 被拒绝")
    await expect(page.locator(".image-tile")).to_have_count(6)
    await expect(page.locator(".image-tile .badge-warn")).to_have_count(1)
    thumbs = page.locator(".image-tile img")
    for index in range(6):
        await expect(thumbs.nth(index)).to_have_js_property("complete", True)
        assert await thumbs.nth(index).evaluate("img => img.naturalWidth") > 0
    await page.screenshot(path=str(SCREENSHOTS / "images-zh_CN.png"), full_page=False)
