# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
"""Refusals from core reach people in their language: pages, flashes, job results, JSON.

Core raises English messages that keep their template (``core.i18n.msg``); job results keep
it in the database. Each test looks at the same refusal as a Chinese user (the default) and
as an English one; a stored job result switches language with the reader.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re

import pytest
from litestar import Litestar

from core.catalog.jobs import CATALOG_JOBS
from core.config import Settings
from core.models import JobStatus, Product, ProductState
from core.registry import Registry
from tests.web.helpers import SignedIn, csrf_token, runtime_of, send_json
from tests.web.images_support import image_registry, upload_form
from tests.web.test_product_pages import job_id_of, run_jobs, store_draft

DELIST_ZH = "已发布的商品不能删除，只能下架：请改为下架"
DELIST_EN = "a published product cannot be deleted, only delisted: delist instead"


@pytest.fixture
def registry(settings: Settings, test_market) -> Registry:
    images = image_registry(settings)
    catalog = {definition.name: definition for definition in CATALOG_JOBS}
    return dataclasses.replace(
        images, jobs={**images.jobs, **catalog}, marketplaces={"testmarket": test_market}
    )


def text_of(page) -> str:
    return html.unescape(page.text)


async def english(owner: SignedIn) -> None:
    await owner.post("/locale", {"locale": "en", "next": "/"})


async def published_product(app: Litestar, owner: SignedIn, oauth_state) -> int:
    product_id = await store_draft(app, owner, oauth_state, "Lamp")
    async with runtime_of(app).sessions() as session, session.begin():
        row = await session.get(Product, product_id)
        assert row is not None
        row.state = ProductState.PUBLISHED
        session.add(row)
    return product_id


async def test_deleting_a_published_product_says_delist_in_the_readers_language(
    app, owner, registry, oauth_state
) -> None:
    product_id = await published_product(app, owner, oauth_state)
    confirm = await owner.post(
        "/products/batch", {"action": "delete", "ids": [str(product_id)], "back": "/products"}
    )
    assert confirm.status_code == 200
    assert DELIST_ZH in text_of(confirm) and DELIST_EN not in text_of(confirm)

    assert 'action="/products/batch/delete"' not in confirm.text  # nothing can be deleted
    # A delete started anyway (an older page, the API) refuses it per product in the job.
    selection = json.dumps({"product_ids": [product_id]})
    started = await owner.post(
        "/products/batch/delete", {"selection": selection, "back": "/products"}
    )
    job_id = job_id_of(started.headers["location"])
    await run_jobs(app, registry)

    job_page = text_of(await owner.get(f"/jobs/{job_id}"))
    assert DELIST_ZH in job_page and "全部 1 项都失败了" in job_page
    api = (await owner.get(f"/api/v1/jobs/{job_id}/items")).json()
    assert api[0]["error"] == DELIST_ZH

    await english(owner)  # the stored result is translated when it is shown
    job_page = text_of(await owner.get(f"/jobs/{job_id}"))
    assert DELIST_EN in job_page and "all 1 items failed" in job_page
    assert DELIST_ZH not in job_page
    confirm = await owner.post("/products/batch", {"action": "delete", "ids": [str(product_id)]})
    assert DELIST_EN in text_of(confirm)
    api = (await owner.get(f"/api/v1/jobs/{job_id}/items")).json()
    assert api[0]["error"] == DELIST_EN


BAD_PRICE = (
    "parent_sku,sku,title,price,currency\n"
    "LAMP-1,LAMP-1-R,Red lamp,9.99,USD\n"
    "LAMP-2,LAMP-2-A,Desk lamp,free,USD\n"
)


async def dry_run(owner: SignedIn, body: str) -> str:
    checked = await owner.client.post(
        "/products/import",
        data={"_csrf_token": await csrf_token(owner.client), "on_existing": "update"},
        files={"file": ("lamps.csv", body.encode(), "text/csv")},
    )
    assert checked.status_code == 200, checked.text
    return text_of(checked)


def problem_row(page: str) -> str:
    """The problems table row of the bad price: row 3, column price, cell D3."""
    found = re.search(
        r'<td class="num">3</td><td>price <span[^>]*>\(D3\)</span></td>.*?</tr>', page, re.S
    )
    assert found, page
    return found.group(0)


async def test_an_import_problem_names_row_and_column_in_the_readers_language(owner) -> None:
    row = problem_row(await dry_run(owner, BAD_PRICE))
    assert "price：'free' 不是 9.99 这样的金额" in row

    await english(owner)
    row = problem_row(await dry_run(owner, BAD_PRICE))
    assert "price: 'free' is not an amount like 9.99" in row


async def test_image_space_refusals_in_the_readers_language(app, owner, registry) -> None:
    await upload_form(owner.client, "/images/upload", [("notes.jpg", b"just some text")])
    page = text_of(await owner.get("/images"))
    assert "notes.jpg 被拒绝：文件不是图片（支持的格式：JPEG、PNG、GIF、WEBP）。" in page

    sent = await owner.post("/images/fetch", {"urls": "http://127.0.0.1/photo.jpg"})
    job_id = int(sent.headers["location"].split("job=")[1])
    await run_jobs(app, registry)
    page = text_of(await owner.get(f"/images?job={job_id}"))
    assert "127.0.0.1 是回环地址；只抓取公网地址。" in page

    await english(owner)
    page = text_of(await owner.get(f"/images?job={job_id}"))
    assert "127.0.0.1 is a loopback address; only public internet addresses are fetched." in page
    await upload_form(owner.client, "/images/upload", [("notes.jpg", b"just some text")])
    page = text_of(await owner.get("/images"))
    assert "notes.jpg was refused: The file is not an image" in page


async def test_the_json_api_answers_in_the_users_language(app, owner, oauth_state) -> None:
    product_id = await published_product(app, owner, oauth_state)
    body = {"product_ids": [product_id]}
    refused = (await send_json(owner.client, "POST", "/api/v1/products/delete", body)).json()
    assert refused["refused"][0]["reason"] == DELIST_ZH
    await english(owner)
    refused = (await send_json(owner.client, "POST", "/api/v1/products/delete", body)).json()
    assert refused["refused"][0]["reason"] == DELIST_EN


async def test_a_job_error_in_the_api_is_in_the_users_language(app, owner, registry) -> None:
    sent = await owner.post("/images/fetch", {"urls": "http://127.0.0.1/photo.jpg"})
    job_id = int(sent.headers["location"].split("job=")[1])
    await run_jobs(app, registry)
    job = (await owner.get(f"/api/v1/jobs/{job_id}")).json()
    assert job["status"] == JobStatus.FAILED.value and job["error"] == "全部 1 项都失败了"
    await english(owner)
    job = (await owner.get(f"/api/v1/jobs/{job_id}")).json()
    assert job["error"] == "all 1 items failed"
