"""Every kind of error gets its status and a clear message, as a page or as JSON; never a 500
for something the user did. The failing routes come from a plugin, like any plugin route."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from core.actor import Access, Actor, Area
from core.errors import NotFound, PermanentError, RuleViolation, TransientError
from core.i18n import msg
from core.registry import Registry
from tests.web.helpers import send_json


@get("/api/v1/test-errors/{kind:str}", sync_to_thread=False)
def raise_error(kind: FromPath[str], actor: NamedDependency[Actor]) -> dict[str, str]:
    if kind == "not_found":
        raise NotFound("no such thing")
    if kind == "permission":
        actor.require(Area.PURCHASING, Access.WRITE)
    if kind == "rule":
        raise RuleViolation(msg("Published products cannot be deleted."))
    if kind == "input":
        raise PermanentError(msg("Enter a valid email address."), field="email")
    if kind == "transient":
        raise TransientError("platform busy", retry_after=7)
    if kind == "crash":
        raise ZeroDivisionError("boom")
    return {"ok": kind}


@get("/test-errors/{kind:str}", sync_to_thread=False)
def raise_error_page(kind: FromPath[str], actor: NamedDependency[Actor]) -> dict[str, str]:
    return raise_error.fn(kind, actor)


@dataclass
class Payload:
    name: str
    count: int


@post("/api/v1/test-errors/validate", sync_to_thread=False)
def validate(data: JSONBody[Payload]) -> dict[str, str]:
    return {"name": data.name}


@pytest.fixture
def registry() -> Registry:
    return Registry(routes=[raise_error, raise_error_page, validate])


@pytest.mark.parametrize(
    ("kind", "status", "detail"),
    [
        ("not_found", 404, "未找到"),
        ("rule", 409, "Published products cannot be deleted."),  # no translation: English
        ("input", 400, "请输入有效的邮箱地址。"),
        ("transient", 503, "请稍后再试"),
        ("crash", 500, "系统出错了"),
    ],
)
async def test_api_errors_are_json_with_a_message(owner, kind, status, detail) -> None:
    response = await owner.get(f"/api/v1/test-errors/{kind}")
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert detail in response.json()["detail"]
    assert "boom" not in response.text and "Traceback" not in response.text


async def test_permission_denied_is_403_for_staff_only(app, owner) -> None:
    assert (await owner.get("/api/v1/test-errors/permission")).status_code == 200  # owners may


async def test_input_errors_name_the_field_and_transient_ones_say_when(owner) -> None:
    bad = await owner.get("/api/v1/test-errors/input")
    assert bad.json()["field"] == "email"
    busy = await owner.get("/api/v1/test-errors/transient")
    assert busy.headers["retry-after"] == "7"


async def test_pages_render_errors_in_the_layout(owner) -> None:
    response = await owner.get("/test-errors/not_found")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert 'class="mainnav"' in response.text
    assert "未找到" in response.text


async def test_unknown_routes_are_404_pages_and_json(owner, new_client) -> None:
    page = await owner.get("/no/such/page")
    assert page.status_code == 404
    assert "text/html" in page.headers["content-type"]
    api = await new_client().get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.json()["status_code"] == 404


async def test_validation_errors_name_the_fields(owner) -> None:
    response = await send_json(owner.client, "POST", "/api/v1/test-errors/validate", {"name": 3})
    assert response.status_code == 400
    body = response.json()
    assert "count" in body["detail"] or "name" in body["detail"]
    assert body["field"] in ("name", "count")


async def test_english_users_get_english_errors(owner) -> None:
    await owner.post("/locale", {"locale": "en", "next": "/"})
    response = await owner.get("/api/v1/test-errors/input")
    assert response.json()["detail"] == "Enter a valid email address."
