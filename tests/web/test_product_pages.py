"""The product pages: list, batch actions as jobs, delete confirmation, batch edit, editor."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from litestar import Litestar
from sqlmodel import col, select

from core.actor import Actor
from core.catalog import lifecycle
from core.catalog.jobs import CATALOG_JOBS
from core.catalog.products import create_product, get_product
from core.catalog.schemas import ProductCreate, VariantIn
from core.models import JobRecord, JobStatus, Store
from core.models.catalog import Product, ProductState
from core.registry import Registry
from tests.core.jobs_helpers import run_until_idle
from tests.web.helpers import SignedIn, authorize_store, runtime_of


@pytest.fixture
def registry(test_market) -> Registry:
    return Registry(
        marketplaces={"testmarket": test_market},
        jobs={definition.name: definition for definition in CATALOG_JOBS},
    )


def actor_of(owner: SignedIn) -> Actor:
    return Actor(account_id=owner.account_id, user_id=owner.user_id)


async def make_products(app: Litestar, owner: SignedIn, count: int, **fields) -> list[int]:
    ids = []
    async with runtime_of(app).sessions() as session, session.begin():
        for n in range(count):
            made = await create_product(
                session,
                actor_of(owner),
                ProductCreate(
                    title=fields.get("title", f"Lamp {n:03d}"),
                    parent_sku=f"P-{n:03d}",
                    source_url=f"https://supplier.example/item/{n}",
                    variants=[
                        VariantIn(sku=f"P-{n:03d}-A", price=Decimal("10.00"), cost=Decimal("4"))
                    ],
                ),
            )
            ids.append(made.id)
    return ids


async def states_of(app: Litestar, ids: list[int]) -> dict[int, ProductState]:
    async with runtime_of(app).sessions() as session:
        rows = await session.exec(select(Product.id, Product.state).where(col(Product.id).in_(ids)))
        return {product_id: ProductState(state) for product_id, state in rows.all()}


async def run_jobs(app: Litestar, registry: Registry) -> None:
    runtime = runtime_of(app)
    await run_until_idle(runtime.settings, registry, runtime.sessions, redis_url=runtime.redis_url)


def job_id_of(location: str) -> int:
    match = re.search(r"job=(\d+)", location)
    assert match, location
    return int(match.group(1))


async def test_list_shows_state_tabs_with_counts_in_chinese(app, owner) -> None:
    await make_products(app, owner, 3)
    page = await owner.get("/products?state=collection_box")
    assert page.status_code == 200
    assert "采集箱" in page.text and "待发布" in page.text and "已下架" in page.text
    assert page.text.count('name="ids"') == 3
    assert "Lamp 000" in page.text


async def test_search_filters_and_keyset_pages(app, owner) -> None:
    await make_products(app, owner, 25)
    first = await owner.get("/products?limit=20&sort=title&dir=asc")
    assert first.text.count('name="ids"') == 20
    assert "Lamp 000" in first.text and "Lamp 020" not in first.text
    cursor = re.search(r'href="(/products\?[^"]*cursor=[^"]+)"', first.text)
    assert cursor
    second = await owner.get(cursor.group(1).replace("&amp;", "&"))
    assert second.text.count('name="ids"') == 5
    assert "Lamp 020" in second.text and "Lamp 000" not in second.text
    found = await owner.get("/products?q=P-007-A&search_in=sku")
    assert found.text.count('name="ids"') == 1 and "Lamp 007" in found.text
    by_source = await owner.get("/products?q=item/13&search_in=source_url")
    assert by_source.text.count('name="ids"') == 1 and "Lamp 013" in by_source.text
    none = await owner.get("/products?price_min=50")
    assert 'name="ids"' not in none.text


async def test_claim_selected_to_a_store_runs_a_job(app, owner, registry, oauth_state) -> None:
    ids = await make_products(app, owner, 2)
    oauth_state.add_shop("shop-1", "Main Store")
    await authorize_store(owner, "shop-1")
    async with runtime_of(app).sessions() as session:
        store_id = (await session.exec(select(Store.id))).one()
    answer = await owner.post(
        "/products/batch",
        {
            "action": "claim",
            "ids": [str(ids[0])],
            "store_ids": [str(store_id)],
            "back": "/products",
        },
    )
    assert answer.status_code == 303
    job_id = job_id_of(answer.headers["location"])
    await run_jobs(app, registry)
    async with runtime_of(app).sessions() as session:
        job = await session.get(JobRecord, job_id)
        drafts = (
            await session.exec(select(Product).where(col(Product.state) == ProductState.DRAFT))
        ).all()
    assert job is not None and job.status == JobStatus.SUCCEEDED
    assert [draft.copied_from_id for draft in drafts] == [ids[0]]
    assert drafts[0].store_id == store_id
    listed = await owner.get(answer.headers["location"])
    assert f'id="job-{job_id}-progress"' in listed.text


async def test_claim_without_a_store_is_refused(app, owner) -> None:
    ids = await make_products(app, owner, 1)
    answer = await owner.post("/products/batch", {"action": "claim", "ids": [str(ids[0])]})
    assert answer.status_code == 303 and "job=" not in answer.headers["location"]
    page = await owner.get(answer.headers["location"])
    assert "请选择要认领到的店铺" in page.text


async def store_draft(app: Litestar, owner: SignedIn, oauth_state, title: str) -> int:
    """A draft of a freshly authorized store."""
    oauth_state.add_shop(f"shop-{title}", f"Store {title}")
    await authorize_store(owner, f"shop-{title}")
    async with runtime_of(app).sessions() as session:
        store_id = (await session.exec(select(Store.id).order_by(col(Store.id).desc()))).first()
    async with runtime_of(app).sessions() as session, session.begin():
        draft = await create_product(
            session,
            actor_of(owner),
            ProductCreate(
                title=title, store_id=store_id, variants=[VariantIn(sku=f"{title}-1", price=5)]
            ),
        )
    return draft.id


async def test_delete_confirmation_counts_and_lists_refusals(
    app, owner, registry, oauth_state
) -> None:
    ids = await make_products(app, owner, 2)
    busy = await store_draft(app, owner, oauth_state, "Busy")
    async with runtime_of(app).sessions() as session, session.begin():
        await lifecycle.begin_publish(session, actor_of(owner), busy)
    ids.append(busy)
    form = {"action": "delete", "ids": [str(i) for i in ids], "back": "/products"}
    confirm = await owner.post("/products/batch", form)
    assert confirm.status_code == 200
    assert "确定永久删除 2 个商品" in confirm.text
    assert "1 个商品不能删除" in confirm.text and "Busy" in confirm.text
    selection = re.search(r'name="selection" value="([^"]+)"', confirm.text)
    assert selection
    before = await states_of(app, ids)
    assert before[busy] == ProductState.PUBLISHING and len(before) == 3  # nothing deleted yet
    raw = selection.group(1).replace("&#34;", '"').replace("&quot;", '"')
    done = await owner.post("/products/batch/delete", {"selection": raw, "back": "/products"})
    job_id = job_id_of(done.headers["location"])
    await run_jobs(app, registry)
    assert await states_of(app, ids) == {busy: ProductState.PUBLISHING}
    async with runtime_of(app).sessions() as session:
        job = await session.get(JobRecord, job_id)
    assert job is not None and job.failed == 1 and job.done == 2


async def test_select_all_matching_sends_the_filter(app, owner, registry) -> None:
    await make_products(app, owner, 4)
    keep = await make_products(app, owner, 1, title="Keep me")
    wanted = {"search": "Lamp", "search_in": "title"}
    answer = await owner.post(
        "/products/batch",
        {"action": "delete", "all_matching": "1", "filter": json.dumps(wanted)},
    )
    assert "确定永久删除 4 个商品" in answer.text
    selection = re.search(r'name="selection" value="([^"]+)"', answer.text)
    assert selection
    raw = selection.group(1).replace("&#34;", '"').replace("&quot;", '"')
    await owner.post("/products/batch/delete", {"selection": raw})
    await run_jobs(app, registry)
    async with runtime_of(app).sessions() as session:
        left = (await session.exec(select(Product.id))).all()
    assert left == keep


async def test_batch_edit_preview_equals_result(app, owner, registry) -> None:
    ids = await make_products(app, owner, 2)
    selection = json.dumps({"product_ids": ids})
    form_page = await owner.get(
        "/products/batch-edit", params={"selection": selection, "back": "/products"}
    )
    assert form_page.status_code == 200 and "2 个商品" in form_page.text
    operations = {
        "selection": selection,
        "back": "/products",
        "price_formula": "cost * 2.5 + 1.99",
        "rounding": "end_99",
        "title_prefix": "New ",
    }
    preview = await owner.post("/products/batch-edit", {**operations, "step": "preview"})
    assert preview.status_code == 200
    assert "11.99" in preview.text and "New Lamp 000" in preview.text
    assert await states_of(app, ids) == dict.fromkeys(ids, ProductState.COLLECTION_BOX)
    async with runtime_of(app).sessions() as session:
        untouched = await get_product(session, actor_of(owner), ids[0])
    assert untouched.variants[0].price == Decimal("10.00")  # preview writes nothing
    applied = await owner.post("/products/batch-edit", {**operations, "step": "apply"})
    assert applied.status_code == 303
    await run_jobs(app, registry)
    async with runtime_of(app).sessions() as session:
        after = await get_product(session, actor_of(owner), ids[0])
    assert after.variants[0].price == Decimal("11.99")
    assert after.title == "New Lamp 000"


async def test_batch_edit_sets_the_origin_country_and_platform_category(
    app, owner, registry
) -> None:
    ids = await make_products(app, owner, 2)
    selection = json.dumps({"product_ids": ids})
    form_page = await owner.get(
        "/products/batch-edit", params={"selection": selection, "back": "/products"}
    )
    assert "发货国家" in form_page.text and "平台类目 ID" in form_page.text
    operations = {
        "selection": selection,
        "back": "/products",
        "origin_country": "cn",
        "platform_category_id": "1234",
    }
    preview = await owner.post("/products/batch-edit", {**operations, "step": "preview"})
    assert "origin_country" in preview.text and ">CN<" in preview.text
    bad = await owner.post(
        "/products/batch-edit", {**operations, "origin_country": "China", "step": "apply"}
    )
    assert bad.status_code == 200 and "flash-error" in bad.text
    applied = await owner.post("/products/batch-edit", {**operations, "step": "apply"})
    assert applied.status_code == 303
    await run_jobs(app, registry)
    async with runtime_of(app).sessions() as session:
        for product_id in ids:
            after = await get_product(session, actor_of(owner), product_id)
            assert after.platform_data["origin_country"] == "CN"
            assert after.platform_category_id == "1234"


async def test_batch_edit_with_a_bad_formula_says_so(app, owner) -> None:
    ids = await make_products(app, owner, 1)
    answer = await owner.post(
        "/products/batch-edit",
        {
            "selection": json.dumps({"product_ids": ids}),
            "price_formula": "cost **",
            "step": "apply",
        },
    )
    assert answer.status_code == 200
    assert "flash-error" in answer.text
    async with runtime_of(app).sessions() as session:
        jobs = (await session.exec(select(JobRecord))).all()
    assert jobs == []


async def test_publishing_products_cannot_be_batch_edited(app, owner, oauth_state) -> None:
    busy = await store_draft(app, owner, oauth_state, "Busy")
    async with runtime_of(app).sessions() as session, session.begin():
        await lifecycle.begin_publish(session, actor_of(owner), busy)
    preview = await owner.post(
        "/products/batch-edit",
        {
            "selection": json.dumps({"product_ids": [busy]}),
            "title_suffix": " X",
            "step": "preview",
        },
    )
    assert "未修改" in preview.text
    assert "Busy X" not in preview.text
