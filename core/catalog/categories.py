"""Local categories (rule 8): one tree per account and kind (products, orders, images).

They classify things inside Tradewind only and are never sent to a platform (the listing
payload has no place for them). A node's ``path`` lists its ancestors' ids (``"/3/17/"``), so a
subtree is one ``LIKE`` and moving a node rewrites its subtree's paths in one ``UPDATE``.

Deleting a category deletes its whole subtree; what happens to the things filed under it is
the caller's choice (:class:`DeleteRule`): move them to the deleted category's parent (at the
root, that means unassigning them), or unassign them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import delete, func, insert, literal, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Access, Actor, Area
from core.catalog import history
from core.catalog.access import load_products
from core.catalog.history import author_of
from core.errors import NotFound, RuleViolation
from core.i18n import msg
from core.models.catalog import Category, CategoryKind, ProductCategory
from core.models.images import Image
from core.models.orders import Order

PATH_SEPARATOR = ">"
"""Separates names in a category path in spreadsheets (``服装 > 女装``)."""
LIST_SEPARATOR = ";"
"""Separates several categories in one spreadsheet cell."""
MAX_PATH_LENGTH = 255

_AREAS = {CategoryKind.PRODUCT: Area.PRODUCTS, CategoryKind.ORDER: Area.ORDERS}


class DeleteRule(StrEnum):
    """What happens to the products (orders, images) of a deleted category."""

    MOVE_TO_PARENT = "move_to_parent"
    """File them under the deleted category's parent (unassigned when it was a root)."""
    UNASSIGN = "unassign"
    """Take the category away; they keep their other categories."""


class CategoryOut(BaseModel):
    """A node of the tree, with its children and how many things are filed directly in it."""

    id: int
    kind: CategoryKind
    parent_id: int | None
    name: str
    position: int
    item_count: int = 0
    children: list[CategoryOut] = Field(default_factory=list)


class CategoryDeleteResult(BaseModel):
    """What a delete removed and where the filed things went."""

    deleted_ids: list[int]
    moved: int
    unassigned: int


async def _record(
    session: AsyncSession,
    actor: Actor,
    product_ids: Sequence[int],
    action: str,
    changes: dict[str, list[Any]],
    message: str | None = None,
) -> None:
    author = author_of(actor)
    await history.record_many(
        session,
        (
            history.history_row(actor.account_id, pid, action, author, changes, message)
            for pid in product_ids
        ),
    )


def _area(kind: CategoryKind) -> Area:
    return _AREAS.get(kind, Area.IMAGES)


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise RuleViolation(msg("a category needs a name"))
    if len(cleaned) > 100:
        raise RuleViolation(msg("a category name has at most %(max)s characters", max=100))
    if PATH_SEPARATOR in cleaned or LIST_SEPARATOR in cleaned:
        raise RuleViolation(
            msg(
                "a category name cannot contain %(path)s or %(list)s "
                "(they separate categories in spreadsheets)",
                path=repr(PATH_SEPARATOR),
                list=repr(LIST_SEPARATOR),
            )
        )
    return cleaned


def _subtree_prefix(category: Category) -> str:
    return f"{category.path}{category.id}/"


async def _load(
    session: AsyncSession, actor: Actor, category_id: int, kind: CategoryKind | None = None
) -> Category:
    statement = select(Category).where(
        col(Category.id) == category_id, col(Category.account_id) == actor.account_id
    )
    if kind is not None:
        statement = statement.where(col(Category.kind) == kind)
    category = (await session.exec(statement)).one_or_none()
    if category is None:
        raise NotFound(msg("category %(id)s not found", id=category_id))
    return category


async def _require_free_name(
    session: AsyncSession, category: Category, path: str, name: str
) -> None:
    clash = (
        await session.exec(
            select(Category.id).where(
                col(Category.account_id) == category.account_id,
                col(Category.kind) == category.kind,
                col(Category.path) == path,
                col(Category.name) == name,
                col(Category.id) != category.id,
            )
        )
    ).first()
    if clash is not None:
        raise RuleViolation(
            msg("there is already a category %(name)s at that place", name=repr(name))
        )


def _out(category: Category) -> CategoryOut:
    assert category.id is not None
    return CategoryOut(
        id=category.id,
        kind=category.kind,
        parent_id=category.parent_id,
        name=category.name,
        position=category.position,
    )


async def create_category(
    session: AsyncSession,
    actor: Actor,
    kind: CategoryKind,
    name: str,
    parent_id: int | None = None,
) -> CategoryOut:
    """Create a category under ``parent_id`` (a root when ``None``).

    Raises:
        NotFound: the parent is not the account's category of that kind.
        RuleViolation: an empty or too long name, a sibling of that name, a tree too deep.
    """
    actor.require(_area(kind), Access.WRITE)
    path = "/"
    if parent_id is not None:
        parent = await _load(session, actor, parent_id, kind)
        path = _subtree_prefix(parent)
    if len(path) > MAX_PATH_LENGTH:
        raise RuleViolation(msg("the category tree is too deep there"))
    category = Category(
        account_id=actor.account_id, kind=kind, parent_id=parent_id, path=path, name=""
    )
    category.name = _clean_name(name)
    await _require_free_name(session, category, path, category.name)
    session.add(category)
    await session.flush()
    return _out(category)


async def rename_category(
    session: AsyncSession, actor: Actor, category_id: int, name: str
) -> CategoryOut:
    """Give a category a new name (unique among its siblings)."""
    category = await _load(session, actor, category_id)
    actor.require(_area(category.kind), Access.WRITE)
    cleaned = _clean_name(name)
    await _require_free_name(session, category, category.path, cleaned)
    category.name = cleaned
    session.add(category)
    await session.flush()
    return _out(category)


async def move_category(
    session: AsyncSession, actor: Actor, category_id: int, new_parent_id: int | None
) -> CategoryOut:
    """Move a category (with its subtree) under ``new_parent_id`` (to the root when ``None``).

    Raises:
        NotFound: either category is not the account's (or of another kind).
        RuleViolation: a move under itself or one of its descendants; a sibling of the same
            name at the new place; a tree too deep.
    """
    category = await _load(session, actor, category_id)
    actor.require(_area(category.kind), Access.WRITE)
    old_prefix = _subtree_prefix(category)
    new_path = "/"
    if new_parent_id is not None:
        parent = await _load(session, actor, new_parent_id, category.kind)
        if parent.id == category.id or parent.path.startswith(old_prefix):
            raise RuleViolation(msg("a category cannot be moved under itself or its descendants"))
        new_path = _subtree_prefix(parent)
    if new_path == category.path:
        return _out(category)
    await _require_free_name(session, category, new_path, category.name)
    new_prefix = f"{new_path}{category.id}/"
    deepest = (
        await session.exec(
            select(func.max(func.length(Category.path))).where(
                col(Category.account_id) == actor.account_id,
                col(Category.path).startswith(old_prefix),
            )
        )
    ).one()
    if len(new_prefix) + max(int(deepest or 0) - len(old_prefix), 0) > MAX_PATH_LENGTH:
        raise RuleViolation(msg("the category tree would be too deep there"))
    await session.exec(
        update(Category)
        .where(
            col(Category.account_id) == actor.account_id,
            col(Category.kind) == category.kind,
            col(Category.path).startswith(old_prefix),
        )
        .values(path=literal(new_prefix) + func.substr(Category.path, len(old_prefix) + 1))
    )
    category.parent_id = new_parent_id
    category.path = new_path
    session.add(category)
    await session.flush()
    return _out(category)


async def delete_category(
    session: AsyncSession, actor: Actor, category_id: int, rule: DeleteRule
) -> CategoryDeleteResult:
    """Delete a category and its subtree; file its things as ``rule`` says."""
    category = await _load(session, actor, category_id)
    actor.require(_area(category.kind), Access.WRITE)
    prefix = _subtree_prefix(category)
    doomed = list(
        (
            await session.exec(
                select(Category.id).where(
                    col(Category.account_id) == actor.account_id,
                    col(Category.kind) == category.kind,
                    col(Category.path).startswith(prefix),
                )
            )
        ).all()
    )
    doomed_ids = [category_id, *(i for i in doomed if i is not None)]
    target = category.parent_id if rule is DeleteRule.MOVE_TO_PARENT else None
    if category.kind is CategoryKind.PRODUCT:
        moved, unassigned = await _refile_products(session, actor, doomed_ids, target)
    else:
        moved, unassigned = await _refile_column(session, actor, category.kind, doomed_ids, target)
    await session.exec(
        delete(Category).where(
            col(Category.account_id) == actor.account_id,
            col(Category.id).in_(doomed_ids),
        )
    )
    return CategoryDeleteResult(deleted_ids=doomed_ids, moved=moved, unassigned=unassigned)


async def _refile_products(
    session: AsyncSession, actor: Actor, doomed_ids: Sequence[int], target: int | None
) -> tuple[int, int]:
    product_ids = set(
        (
            await session.exec(
                select(ProductCategory.product_id).where(
                    col(ProductCategory.account_id) == actor.account_id,
                    col(ProductCategory.category_id).in_(doomed_ids),
                )
            )
        ).all()
    )
    message = "its category was deleted"
    if target is None:
        await _record(session, actor, sorted(product_ids), "category_removed", {}, message)
        return 0, len(product_ids)
    await _record(
        session,
        actor,
        sorted(product_ids),
        "category_moved",
        {"category_ids": [list(doomed_ids), [target]]},
        message,
    )
    already = set(
        (
            await session.exec(
                select(ProductCategory.product_id).where(col(ProductCategory.category_id) == target)
            )
        ).all()
    )
    new_links = sorted(product_ids - already)
    if new_links:
        await session.exec(
            insert(ProductCategory),
            params=[
                {"account_id": actor.account_id, "product_id": pid, "category_id": target}
                for pid in new_links
            ],
        )
    return len(product_ids), 0


async def _refile_column(
    session: AsyncSession,
    actor: Actor,
    kind: CategoryKind,
    doomed_ids: Sequence[int],
    target: int | None,
) -> tuple[int, int]:
    model: type[Order] | type[Image] = Order if kind is CategoryKind.ORDER else Image
    result = await session.exec(
        update(model)
        .where(
            col(model.account_id) == actor.account_id,
            col(model.category_id).in_(doomed_ids),
        )
        .values(category_id=target)
    )
    count = max(int(result.rowcount or 0), 0)
    return (count, 0) if target is not None else (0, count)


async def category_tree(
    session: AsyncSession, actor: Actor, kind: CategoryKind = CategoryKind.PRODUCT
) -> list[CategoryOut]:
    """The account's tree of ``kind``: roots in order, each with its children."""
    actor.require(_area(kind), Access.READ)
    rows = (
        await session.exec(
            select(Category)
            .where(col(Category.account_id) == actor.account_id, col(Category.kind) == kind)
            .order_by(col(Category.position), col(Category.name), col(Category.id))
        )
    ).all()
    counts: dict[int, int] = {}
    if kind is CategoryKind.PRODUCT:
        for category_id, count in (
            await session.exec(
                select(ProductCategory.category_id, func.count())
                .where(col(ProductCategory.account_id) == actor.account_id)
                .group_by(col(ProductCategory.category_id))
            )
        ).all():
            counts[category_id] = int(count)
    nodes = {row.id: _out(row) for row in rows}
    children: dict[int | None, list[CategoryOut]] = defaultdict(list)
    for row in rows:
        node = nodes[row.id]
        node.item_count = counts.get(node.id, 0)
        children[row.parent_id].append(node)
    for node in nodes.values():
        node.children = children.get(node.id, [])
    return children.get(None, [])


async def subtree_ids(session: AsyncSession, account_id: int, category_id: int) -> list[int]:
    """The category and all its descendants (for "products in this category" filters)."""
    category = (
        await session.exec(
            select(Category).where(
                col(Category.id) == category_id, col(Category.account_id) == account_id
            )
        )
    ).one_or_none()
    if category is None:
        return []
    below = (
        await session.exec(
            select(Category.id).where(
                col(Category.account_id) == account_id,
                col(Category.kind) == category.kind,
                col(Category.path).startswith(_subtree_prefix(category)),
            )
        )
    ).all()
    return [category_id, *(i for i in below if i is not None)]


async def assign_products(
    session: AsyncSession, actor: Actor, product_ids: Sequence[int], category_id: int
) -> int:
    """File products under a product category; returns how many were newly filed."""
    actor.require(Area.PRODUCTS, Access.WRITE)
    await _load(session, actor, category_id, CategoryKind.PRODUCT)
    visible = await load_products(session, actor, product_ids)
    already = set(
        (
            await session.exec(
                select(ProductCategory.product_id).where(
                    col(ProductCategory.category_id) == category_id,
                    col(ProductCategory.product_id).in_(list(visible)),
                )
            )
        ).all()
    )
    new = sorted(set(visible) - already)
    if new:
        await session.exec(
            insert(ProductCategory),
            params=[
                {"account_id": actor.account_id, "product_id": pid, "category_id": category_id}
                for pid in new
            ],
        )
        await _record(session, actor, new, "category_added", {"category_ids": [None, category_id]})
    return len(new)


async def unassign_products(
    session: AsyncSession, actor: Actor, product_ids: Sequence[int], category_id: int
) -> int:
    """Take products out of a category; returns how many were filed there."""
    actor.require(Area.PRODUCTS, Access.WRITE)
    await _load(session, actor, category_id, CategoryKind.PRODUCT)
    visible = await load_products(session, actor, product_ids)
    filed = sorted(
        (
            await session.exec(
                select(ProductCategory.product_id).where(
                    col(ProductCategory.category_id) == category_id,
                    col(ProductCategory.product_id).in_(list(visible)),
                )
            )
        ).all()
    )
    if filed:
        await session.exec(
            delete(ProductCategory).where(
                col(ProductCategory.account_id) == actor.account_id,
                col(ProductCategory.category_id) == category_id,
                col(ProductCategory.product_id).in_(filed),
            )
        )
        await _record(
            session, actor, filed, "category_removed", {"category_ids": [category_id, None]}
        )
    return len(filed)


async def category_paths(
    session: AsyncSession, account_id: int, kind: CategoryKind = CategoryKind.PRODUCT
) -> dict[int, str]:
    """Every category id of the tree with its full name path (``服装>女装``), for spreadsheets."""
    rows = (
        await session.exec(
            select(Category).where(
                col(Category.account_id) == account_id, col(Category.kind) == kind
            )
        )
    ).all()
    names = {row.id: row.name for row in rows}
    paths: dict[int, str] = {}
    for row in rows:
        assert row.id is not None
        ancestors = [int(part) for part in row.path.strip("/").split("/") if part]
        chain = [names.get(ancestor, "?") for ancestor in ancestors] + [row.name]
        paths[row.id] = PATH_SEPARATOR.join(chain)
    return paths
