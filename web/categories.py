"""Local product categories: the tree, create, rename, move, delete (with a rule).

``/categories`` shows the account's product category tree with the number of products in
each. Categories are the seller's own grouping and are never sent to any platform (rule 8).
Deleting a category deletes its subcategories too; its products are moved to the parent or
just lose the category, as the seller chooses.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.actor import Access, Actor, Area
from core.catalog.categories import (
    CategoryOut,
    DeleteRule,
    category_paths,
    category_tree,
    create_category,
    delete_category,
    move_category,
    rename_category,
)
from core.errors import NotFound, TradewindError
from core.models.catalog import CategoryKind
from core.runtime import Runtime
from web.i18n import gettext, translate_message
from web.layout import flash, redirect, render


def flatten(nodes: list[CategoryOut], depth: int = 0) -> list[tuple[int, CategoryOut]]:
    """The tree as ``(depth, category)`` rows in display order."""
    rows: list[tuple[int, CategoryOut]] = []
    for node in nodes:
        rows.append((depth, node))
        rows.extend(flatten(node.children, depth + 1))
    return rows


def _id(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() else None


class CategoryPagesController(Controller):
    """``/categories``: the product category tree and its changes."""

    path = "/categories"
    include_in_schema = False

    @get("/")
    async def categories_page(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> Template:
        """The tree with product counts and the forms to change it."""
        async with runtime.sessions() as session:
            tree = await category_tree(session, actor, CategoryKind.PRODUCT)
            paths = await category_paths(session, actor.account_id)
        context = {
            "rows": flatten(tree),
            "paths": paths,
            "can_write": actor.level(Area.PRODUCTS) >= Access.WRITE,
        }
        return render(request, "categories/tree.html", context, title=gettext("Categories"))

    async def _change(self, request: Request[Any, Any, Any], work: Any, done: str) -> Redirect:
        try:
            await work()
        except NotFound:
            raise  # another account's category: 404, like any unknown id
        except TradewindError as exc:
            flash(request, translate_message(exc), "error")
        else:
            flash(request, done)
        return redirect("/categories")

    @post("/")
    async def create(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
    ) -> Redirect:
        """Create a category (under ``parent_id`` when given)."""
        form = await request.form()
        name = str(form.get("name") or "")

        async def work() -> None:
            async with runtime.sessions() as session, session.begin():
                await create_category(
                    session, actor, CategoryKind.PRODUCT, name, _id(form.get("parent_id"))
                )

        return await self._change(
            request, work, gettext("Category %(name)s is created.") % {"name": name.strip()}
        )

    @post("/{category_id:int}/rename")
    async def rename(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        category_id: FromPath[int],
    ) -> Redirect:
        """Rename a category."""
        form = await request.form()

        async def work() -> None:
            async with runtime.sessions() as session, session.begin():
                await rename_category(session, actor, category_id, str(form.get("name") or ""))

        return await self._change(request, work, gettext("The category is renamed."))

    @post("/{category_id:int}/move")
    async def move(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        category_id: FromPath[int],
    ) -> Redirect:
        """Move a category under another one (or to the top)."""
        form = await request.form()

        async def work() -> None:
            async with runtime.sessions() as session, session.begin():
                await move_category(session, actor, category_id, _id(form.get("parent_id")))

        return await self._change(request, work, gettext("The category is moved."))

    @post("/{category_id:int}/delete")
    async def delete(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        category_id: FromPath[int],
    ) -> Redirect:
        """Delete a category and its subtree; its products follow the chosen rule."""
        form = await request.form()
        rule = (
            DeleteRule.UNASSIGN
            if form.get("rule") == DeleteRule.UNASSIGN.value
            else DeleteRule.MOVE_TO_PARENT
        )

        async def work() -> None:
            async with runtime.sessions() as session, session.begin():
                await delete_category(session, actor, category_id, rule)

        return await self._change(request, work, gettext("The category is deleted."))
