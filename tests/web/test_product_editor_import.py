# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
"""The product editor, the import page and the categories page."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from sqlmodel import col, select

from core.catalog.categories import category_tree
from core.catalog.jobs import CATALOG_JOBS
from core.catalog.products import get_product
from core.models import JobRecord, JobStatus
from core.models.catalog import CategoryKind, Product, ProductState
from core.registry import Registry
from tests.web.helpers import csrf_token, runtime_of
from tests.web.test_product_pages import actor_of, make_products, run_jobs, store_draft


@pytest.fixture
def registry(test_market) -> Registry:
    return Registry(
        marketplaces={"testmarket": test_market},
        jobs={definition.name: definition for definition in CATALOG_JOBS},
    )


def editor_form(page: str) -> dict[str, list[str] | str]:
    """The editor's fields as a browser would post them unchanged."""
    form: dict[str, list[str] | str] = {}
    for name, value in re.findall(r'<input[^>]*name="([a-z_]+)" value="([^"]*)"', page):
        if name.startswith("v_"):
            form.setdefault(name, [])
            form[name].append(value)  # type: ignore[union-attr]
        elif name != "_csrf_token":
            form[name] = value
    for name, value in re.findall(r'<textarea[^>]*name="([a-z_]+)"[^>]*>([^<]*)</textarea>', page):
        form[name] = value
    return form


async def test_editor_shows_store_read_only_private_source_and_side_by_side(
    app, owner, oauth_state
) -> None:
    draft = await store_draft(app, owner, oauth_state, "Desk")
    page = await owner.get(f"/products/{draft}")
    assert page.status_code == 200
    assert "Store Desk" in page.text and "商品所属店铺不能更改" in page.text
    assert "私密" in page.text and "不会发送到任何平台" in page.text
    assert "原文" in page.text and "译文" in page.text
    assert "可以发布" in page.text  # the test market has no extra rules
    assert 'name="store_id"' not in page.text


async def test_editor_saves_fields_and_variant_rows(app, owner) -> None:
    (product_id,) = await make_products(app, owner, 1)
    page = await owner.get(f"/products/{product_id}")
    form = editor_form(page.text)
    form["title"] = "Brass lamp"
    form["title_translated"] = "黄铜台灯"
    form["v_price"] = ["12.50", "8"]
    form["v_sku"] = [*form["v_sku"], "P-000-B"]  # type: ignore[misc]
    for name in ("v_id", "v_options", "v_currency", "v_shipping_price", "v_msrp", "v_cost"):
        form[name] = [*form[name], ""]  # type: ignore[misc]
    form["v_inventory"] = [*form["v_inventory"], "3"]  # type: ignore[misc]
    form["v_weight_grams"] = [*form["v_weight_grams"], ""]  # type: ignore[misc]
    form["v_options"] = ["Colour: Gold", "Colour: Silver"]
    saved = await owner.post(f"/products/{product_id}", form)
    assert saved.status_code == 303, saved.text
    async with runtime_of(app).sessions() as session:
        product = await get_product(session, actor_of(owner), product_id)
    assert product.title == "Brass lamp" and product.title_translated == "黄铜台灯"
    assert [(v.sku, v.price, v.options) for v in product.variants] == [
        ("P-000-A", Decimal("12.50"), {"Colour": "Gold"}),
        ("P-000-B", Decimal("8"), {"Colour": "Silver"}),
    ]
    row = await owner.get(f"/products/{product_id}/variant-row")
    assert row.status_code == 200 and 'name="v_sku" value=""' in row.text
    history = await owner.get(f"/products/{product_id}?tab=history")
    assert "Brass lamp" in history.text


async def test_editor_refusal_changes_nothing(app, owner) -> None:
    (product_id,) = await make_products(app, owner, 1)
    form = editor_form((await owner.get(f"/products/{product_id}")).text)
    form["title"] = "Should not stick"
    for name in ("v_id", "v_options", "v_currency", "v_shipping_price", "v_msrp", "v_cost"):
        form[name] = [*form[name], ""]  # type: ignore[misc]
    form["v_sku"] = [*form["v_sku"], "P-000-A"]  # type: ignore[misc]  (a duplicate SKU)
    form["v_price"] = [*form["v_price"], "1"]  # type: ignore[misc]
    form["v_inventory"] = [*form["v_inventory"], "0"]  # type: ignore[misc]
    form["v_weight_grams"] = [*form["v_weight_grams"], ""]  # type: ignore[misc]
    refused = await owner.post(f"/products/{product_id}", form)
    assert refused.status_code == 400
    assert "flash-error" in refused.text
    async with runtime_of(app).sessions() as session:
        product = await get_product(session, actor_of(owner), product_id)
    assert product.title == "Lamp 000" and len(product.variants) == 1


async def test_editor_sets_platform_category_and_origin_country(app, owner) -> None:
    (product_id,) = await make_products(app, owner, 1)
    page = await owner.get(f"/products/{product_id}")
    assert "平台类目 ID" in page.text and "发货国家" in page.text
    form = editor_form(page.text)
    form["platform_category_id"] = " 1234 "
    form["origin_country"] = "cn"
    saved = await owner.post(f"/products/{product_id}", form)
    assert saved.status_code == 303, saved.text
    async with runtime_of(app).sessions() as session:
        product = await get_product(session, actor_of(owner), product_id)
    assert (product.platform_category_id, product.platform_data) == (
        "1234",
        {"origin_country": "CN"},
    )
    page = await owner.get(f"/products/{product_id}")
    assert 'name="origin_country" value="CN"' in page.text

    form = editor_form(page.text)
    form["origin_country"] = "China"
    refused = await owner.post(f"/products/{product_id}", form)
    assert refused.status_code == 400
    assert "发货国家须为两位字母代码" in refused.text

    form["origin_country"] = ""
    form["platform_category_id"] = ""
    assert (await owner.post(f"/products/{product_id}", form)).status_code == 303
    async with runtime_of(app).sessions() as session:
        product = await get_product(session, actor_of(owner), product_id)
    assert (product.platform_category_id, product.platform_data) == (None, {})


CSV_OK = (
    "parent_sku,sku,title,color,price,currency,inventory,main_image\n"
    "LAMP-1,LAMP-1-R,Red lamp,Red,9.99,USD,5,https://img.example/1.jpg\n"
    "LAMP-1,LAMP-1-B,Red lamp,Blue,9.99,USD,5,https://img.example/1.jpg\n"
    "LAMP-2,LAMP-2-A,Desk lamp,,not-a-price,USD,5,https://img.example/2.jpg\n"
)


async def test_import_template_dry_run_then_job(app, owner, registry) -> None:
    for lang in ("zh", "en"):
        template = await owner.get(f"/products/import/template?lang={lang}&fmt=xlsx")
        assert template.status_code == 200 and template.content[:2] == b"PK"
    csv_template = await owner.get("/products/import/template?lang=zh&fmt=csv")
    assert "父SKU" in csv_template.content.decode("utf-8-sig")
    token = await csrf_token(owner.client)
    checked = await owner.client.post(
        "/products/import",
        data={"_csrf_token": token, "on_existing": "update"},
        files={"file": ("lamps.csv", CSV_OK.encode(), "text/csv")},
    )
    assert checked.status_code == 200, checked.text
    assert "检查报告" in checked.text
    assert re.search(r'<td class="num">4</td><td>price', checked.text), "row 4, column Price"
    async with runtime_of(app).sessions() as session:
        assert (await session.exec(select(Product))).all() == []  # the dry run wrote nothing
    upload = re.search(r'name="token" value="([^"]+)"', checked.text)
    assert upload
    started = await owner.post(
        "/products/import/run",
        {"token": upload.group(1), "file_name": "lamps.csv", "on_existing": "update"},
    )
    assert started.status_code == 303
    job_id = int(started.headers["location"].split("job=")[1])
    await run_jobs(app, registry)
    async with runtime_of(app).sessions() as session:
        products = (await session.exec(select(Product))).all()
        job = await session.get(JobRecord, job_id)
    assert [(p.parent_sku, p.state) for p in products] == [("LAMP-1", ProductState.COLLECTION_BOX)]
    assert job is not None and job.status == JobStatus.PARTIAL  # finished, with problems
    assert (job.total, job.done, job.failed) == (2, 1, 1)  # LAMP-2, with its row and column
    assert job.result is not None and job.result["created"] == 1
    progress = html.unescape((await owner.get(started.headers["location"])).text)
    assert f'id="job-{job_id}-progress"' in progress
    assert "部分失败" in progress  # the status badge: finished with errors
    assert re.search(r"新建商品 <strong>1</strong>", progress)
    assert re.search(r"有错误的商品 <strong>1</strong>", progress)
    problem = re.search(
        r'<td class="num">4</td><td>price <span[^>]*>\(E4\)</span>.*?</tr>', progress, re.S
    )
    assert problem and "'not-a-price' 不是 9.99 这样的金额" in problem.group(0)

    page = html.unescape((await owner.get(f"/jobs/{job_id}")).text)
    assert "已创建到采集箱" in page  # LAMP-1's note
    assert "第 4 行：price：'not-a-price' 不是 9.99 这样的金额" in page  # LAMP-2's problem
    api = (await owner.get(f"/api/v1/jobs/{job_id}")).json()
    assert api["status"] == "partial" and api["result"]["created"] == 1
    assert api["result"]["problems"][0]["message"] == "price：'not-a-price' 不是 9.99 这样的金额"
    items = {i["key"]: i for i in (await owner.get(f"/api/v1/jobs/{job_id}/items")).json()}
    assert items["LAMP-1"]["status"] == "done" and items["LAMP-2"]["status"] == "failed"

    await owner.post("/locale", {"locale": "en", "next": "/"})
    page = html.unescape((await owner.get(f"/jobs/{job_id}")).text)
    assert "Finished with errors" in page and "Products created <strong>1</strong>" in page
    assert "row 4: price: 'not-a-price' is not an amount like 9.99" in page


async def test_import_of_another_accounts_upload_is_refused(app, owner, signed_in_client) -> None:
    other = await signed_in_client(account_name="Other")
    token = f"{owner.account_id}-{'0' * 32}.csv"
    answer = await other.post("/products/import/run", {"token": token})
    assert answer.status_code == 303 and "job=" not in answer.headers["location"]


async def test_categories_create_rename_move_delete(app, owner) -> None:
    assert (await owner.post("/categories", {"name": "Lighting"})).status_code == 303
    await owner.post("/categories", {"name": "Desk"})
    async with runtime_of(app).sessions() as session:
        tree = await category_tree(session, actor_of(owner), CategoryKind.PRODUCT)
    ids = {node.name: node.id for node in tree}
    await owner.post(f"/categories/{ids['Desk']}/move", {"parent_id": str(ids["Lighting"])})
    await owner.post(f"/categories/{ids['Desk']}/rename", {"name": "Desk lamps"})
    page = await owner.get("/categories")
    assert "Desk lamps" in page.text and "Lighting" in page.text
    async with runtime_of(app).sessions() as session:
        tree = await category_tree(session, actor_of(owner), CategoryKind.PRODUCT)
    assert [(n.name, [c.name for c in n.children]) for n in tree] == [("Lighting", ["Desk lamps"])]
    clash = await owner.post("/categories", {"name": "Lighting"})
    assert clash.status_code == 303  # refused with a message, nothing created
    await owner.post(f"/categories/{ids['Lighting']}/delete", {"rule": "unassign"})
    async with runtime_of(app).sessions() as session:
        assert await category_tree(session, actor_of(owner), CategoryKind.PRODUCT) == []
        left = (await session.exec(select(Product).where(col(Product.id) > 0))).all()
    assert left == []
