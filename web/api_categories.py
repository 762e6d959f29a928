"""The categories JSON API under ``/api/v1/categories``.

Tree, create, rename, move, delete and filing products: the twin of the category side bar.
"""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, ConfigDict, Field

from core.actor import Actor
from core.catalog import categories
from core.catalog.categories import CategoryDeleteResult, CategoryOut, DeleteRule
from core.models import CategoryKind
from core.runtime import Runtime


class CategoryIn(BaseModel):
    """A new category (a root when ``parent_id`` is null)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    parent_id: int | None = None
    kind: CategoryKind = CategoryKind.PRODUCT


class CategoryRename(BaseModel):
    """A category's new name."""

    model_config = ConfigDict(extra="forbid")

    name: str


class CategoryMove(BaseModel):
    """Where to move a category (the root when ``parent_id`` is null)."""

    model_config = ConfigDict(extra="forbid")

    parent_id: int | None = None


class AssignIn(BaseModel):
    """Products to file under (or take out of) a category."""

    model_config = ConfigDict(extra="forbid")

    product_ids: list[int] = Field(min_length=1)


class AssignOut(BaseModel):
    """How many products changed."""

    changed: int


class CategoryApiController(Controller):
    """``/api/v1/categories``: the tree, create, rename, move, delete, assign products."""

    path = "/api/v1/categories"
    tags = ["categories"]

    @get("/", summary="The category tree")
    async def tree_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        kind: FromQuery[CategoryKind] = CategoryKind.PRODUCT,
    ) -> list[CategoryOut]:
        """Roots in order, each with its children and item counts."""
        async with runtime.sessions() as session:
            return await categories.category_tree(session, actor, kind)

    @post("/", summary="Create a category")
    async def create_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        data: JSONBody[CategoryIn],
    ) -> CategoryOut:
        """A new category under ``parent_id``."""
        async with runtime.sessions() as session, session.begin():
            return await categories.create_category(
                session, actor, data.kind, data.name, data.parent_id
            )

    @patch("/{category_id:int}", summary="Rename a category")
    async def rename_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        category_id: FromPath[int],
        data: JSONBody[CategoryRename],
    ) -> CategoryOut:
        """A new name, unique among its siblings."""
        async with runtime.sessions() as session, session.begin():
            return await categories.rename_category(session, actor, category_id, data.name)

    @post("/{category_id:int}/move", summary="Move a category", status_code=200)
    async def move_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        category_id: FromPath[int],
        data: JSONBody[CategoryMove],
    ) -> CategoryOut:
        """Move it (with its subtree) under ``parent_id``."""
        async with runtime.sessions() as session, session.begin():
            return await categories.move_category(session, actor, category_id, data.parent_id)

    @delete("/{category_id:int}", summary="Delete a category", status_code=200)
    async def delete_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        category_id: FromPath[int],
        rule: FromQuery[DeleteRule] = DeleteRule.MOVE_TO_PARENT,
    ) -> CategoryDeleteResult:
        """Delete it and its subtree; its products move to the parent (or are unassigned)."""
        async with runtime.sessions() as session, session.begin():
            return await categories.delete_category(session, actor, category_id, rule)

    @post("/{category_id:int}/assign", summary="File products under a category", status_code=200)
    async def assign_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        category_id: FromPath[int],
        data: JSONBody[AssignIn],
    ) -> AssignOut:
        """How many were newly filed."""
        async with runtime.sessions() as session, session.begin():
            changed = await categories.assign_products(
                session, actor, data.product_ids, category_id
            )
        return AssignOut(changed=changed)

    @post("/{category_id:int}/unassign", summary="Take products out of a category", status_code=200)
    async def unassign_api(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        category_id: FromPath[int],
        data: JSONBody[AssignIn],
    ) -> AssignOut:
        """How many were filed there."""
        async with runtime.sessions() as session, session.begin():
            changed = await categories.unassign_products(
                session, actor, data.product_ids, category_id
            )
        return AssignOut(changed=changed)
