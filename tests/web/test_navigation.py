"""The main navigation: sections by permission, plugin links, dimmed areas not mounted yet,
breadcrumbs, flash messages and empty states."""

from __future__ import annotations

import pytest
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from core.actor import Access, Actor, Area
from core.interfaces.web import MenuLink
from core.registry import Registry
from web import i18n
from web.layout import Crumb, flash, render
from web.navigation import build_menu

ALL_MOUNTED = frozenset(
    {
        "/",
        "/products",
        "/categories",
        "/orders",
        "/shipping",
        "/images",
        "/stock",
        "/purchasing",
        "/statistics",
        "/stores",
        "/stores/authorize",
        "/settings/profile",
        "/settings/people",
        "/settings/tokens",
        "/jobs",
    }
)


def labels(menu) -> list[str]:
    return [link.label for link in menu]


def test_owners_see_every_section() -> None:
    i18n.use_locale("en")
    menu = build_menu(Actor(account_id=1, user_id=1), path="/", query="", mounted=ALL_MOUNTED)
    assert labels(menu) == [
        "Dashboard",
        "Products",
        "Orders",
        "Image space",
        "Stock",
        "Purchasing",
        "Statistics",
        "Stores",
        "Settings",
        "Jobs",
    ]
    products = menu[1]
    assert [c.label for c in products.children][:3] == ["Collection box", "Drafts", "Publishing"]


def test_staff_see_only_their_areas() -> None:
    i18n.use_locale("en")
    staff = Actor(
        account_id=1,
        user_id=2,
        is_owner=False,
        access={Area.ORDERS: Access.READ},
        store_ids=frozenset({5}),
    )
    menu = build_menu(staff, path="/orders", query="state=pending", mounted=ALL_MOUNTED)
    assert labels(menu) == ["Dashboard", "Orders", "Stores", "Settings", "Jobs"]
    orders = menu[1]
    assert orders.active
    assert [c.label for c in orders.children if c.active] == ["Pending"]
    assert "Logistics settings" not in [c.label for c in orders.children]  # needs shipping
    settings = next(link for link in menu if link.label == "Settings")
    assert "People" not in [c.label for c in settings.children]  # managers only
    stores = next(link for link in menu if link.label == "Stores")
    assert "Authorize a store" not in [c.label for c in stores.children]


def test_areas_without_pages_are_dimmed_not_broken() -> None:
    i18n.use_locale("en")
    menu = build_menu(Actor(account_id=1), path="/", query="", mounted={"/", "/stores"})
    available = {link.label: link.available for link in menu}
    assert available["Stores"] is True
    assert available["Products"] is False


def test_plugin_links_join_their_section_with_their_own_label() -> None:
    link = MenuLink("Wish settings", "/wish/settings", "settings", labels={"zh_CN": "Wish 设置"})
    tool = MenuLink("Profit calculator", "/calc", "tools")
    secret = MenuLink("Purchasing export", "/px", "inventory", permission="purchasing")
    staff = Actor(account_id=1, user_id=2, is_owner=False, access={Area.STOCK: Access.READ})
    i18n.use_locale("zh_CN")
    menu = build_menu(
        staff,
        path="/wish/settings",
        query="",
        mounted=ALL_MOUNTED,
        plugin_links=[link, tool, secret],
    )
    settings = next(m for m in menu if m.label == "设置")
    assert settings.active
    assert [c.label for c in settings.children if c.active] == ["Wish 设置"]
    assert "工具" in labels(menu)
    stock = next(m for m in menu if m.label == "库存")
    assert "Purchasing export" not in [c.label for c in stock.children]


@get("/purchasing/orders", sync_to_thread=False)
def purchase_orders_page(request: Request, actor: NamedDependency[Actor]) -> Template:
    if request.query_params.get("saved") == "1":
        flash(request, "saved!")
    return render(
        request, "dashboard_probe.html", {}, title="Purchase orders", crumbs=[Crumb("Orders")]
    )


@pytest.fixture
def registry(tmp_path) -> Registry:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "dashboard_probe.html").write_text(
        '{% extends "layout.html" %}{% block content %}'
        '{{ ui.empty_state("Nothing here", "Collect a product first.", "/collect", "Collect") }}'
        "{% endblock %}"
    )
    return Registry(
        routes=[purchase_orders_page],
        menu_links=[MenuLink("Wish", "/wish", "stores", labels={"zh_CN": "Wish 店铺"})],
        template_dirs=[folder],
    )


async def test_a_plugin_page_renders_in_the_layout(owner) -> None:
    # (a plugin page on a path no built-in page uses)
    page = await owner.get("/purchasing/orders?saved=1")
    assert page.status_code == 200
    html = page.text
    assert '<a href="/purchasing" class="active" aria-current="page">采购</a>' in html
    assert 'class="sidenav"' in html and "采购建议" in html  # the section's side bar
    assert '<a href="/purchasing/orders" class="active" aria-current="page">采购单</a>' in html
    assert 'aria-current="page">Orders</span>' in html  # breadcrumb
    assert "Collect a product first." in html  # empty state
    assert html.count("saved!") == 1
    assert "saved!" not in (await owner.get("/purchasing/orders")).text  # a flash shows once
    stores = await owner.get("/")
    assert "Wish 店铺" not in stores.text  # plugin link lives in the stores section's side bar
