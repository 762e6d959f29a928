"""The local category tree: create, rename, move, delete with a rule, assign."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.catalog import categories, products
from core.catalog.categories import DeleteRule
from core.db import transaction
from core.errors import NotFound, RuleViolation
from core.models import Category, CategoryKind, Image
from tests.core.catalog.conftest import create, sample_product

K = CategoryKind.PRODUCT


async def make_tree(sessions, actor):
    """clothes > women > dresses ; clothes > men ; toys"""
    async with transaction(sessions) as session:
        clothes = await categories.create_category(session, actor, K, "clothes")
        women = await categories.create_category(session, actor, K, "women", clothes.id)
        dresses = await categories.create_category(session, actor, K, "dresses", women.id)
        men = await categories.create_category(session, actor, K, "men", clothes.id)
        toys = await categories.create_category(session, actor, K, " toys ")
    return clothes, women, dresses, men, toys


def names(tree):
    return [(node.name, names(node.children)) for node in tree]


async def test_build_and_read_the_tree(sessions, seller) -> None:
    clothes, women, dresses, _men, toys = await make_tree(sessions, seller.actor)
    async with sessions() as session:
        tree = await categories.category_tree(session, seller.actor, K)
        paths = await categories.category_paths(session, seller.account_id)
        stored = await session.get(Category, dresses.id)
    assert names(tree) == [
        ("clothes", [("men", []), ("women", [("dresses", [])])]),
        ("toys", []),
    ]
    assert stored.path == f"/{clothes.id}/{women.id}/"
    assert paths[dresses.id] == "clothes>women>dresses"
    assert toys.name == "toys"


async def test_names_are_unique_among_siblings_only(sessions, seller) -> None:
    clothes, women, *_ = await make_tree(sessions, seller.actor)
    async with transaction(sessions) as session:
        with pytest.raises(RuleViolation, match="already a category 'women'"):
            await categories.create_category(session, seller.actor, K, "women", clothes.id)
        with pytest.raises(RuleViolation, match="cannot contain"):
            await categories.create_category(session, seller.actor, K, "a>b")
        with pytest.raises(RuleViolation, match="needs a name"):
            await categories.rename_category(session, seller.actor, women.id, "   ")
        # The same name elsewhere, or in another kind's tree, is fine.
        await categories.create_category(session, seller.actor, K, "women")
        await categories.create_category(session, seller.actor, CategoryKind.ORDER, "clothes")
        renamed = await categories.rename_category(session, seller.actor, women.id, "ladies")
    assert renamed.name == "ladies"


async def test_move_rewrites_the_subtree_and_refuses_cycles(sessions, seller) -> None:
    clothes, women, dresses, _men, toys = await make_tree(sessions, seller.actor)
    async with transaction(sessions) as session:
        with pytest.raises(RuleViolation, match="under itself or its descendants"):
            await categories.move_category(session, seller.actor, clothes.id, dresses.id)
        with pytest.raises(RuleViolation, match="under itself"):
            await categories.move_category(session, seller.actor, women.id, women.id)
        await categories.move_category(session, seller.actor, women.id, toys.id)
    async with sessions() as session:
        tree = await categories.category_tree(session, seller.actor, K)
        moved = await session.get(Category, dresses.id)
        paths = await categories.category_paths(session, seller.account_id)
    assert names(tree) == [
        ("clothes", [("men", [])]),
        ("toys", [("women", [("dresses", [])])]),
    ]
    assert moved.path == f"/{toys.id}/{women.id}/"
    assert paths[dresses.id] == "toys>women>dresses"
    async with transaction(sessions) as session:
        await categories.move_category(session, seller.actor, women.id, None)
        root = await session.get(Category, women.id)
        child = await session.get(Category, dresses.id)
    assert (root.path, root.parent_id, child.path) == ("/", None, f"/{women.id}/")


@pytest.mark.parametrize("rule", list(DeleteRule))
async def test_delete_files_products_as_the_caller_chose(sessions, seller, rule) -> None:
    clothes, women, dresses, men, toys = await make_tree(sessions, seller.actor)
    in_dresses = await create(
        sessions, seller.actor, sample_product("D", category_ids=[dresses.id])
    )
    in_women = await create(
        sessions, seller.actor, sample_product("W", category_ids=[women.id, toys.id])
    )
    in_clothes = await create(
        sessions, seller.actor, sample_product("C", category_ids=[clothes.id, women.id])
    )
    async with transaction(sessions) as session:
        result = await categories.delete_category(session, seller.actor, women.id, rule)
    assert sorted(result.deleted_ids) == sorted([women.id, dresses.id])
    async with sessions() as session:
        filed = {
            p.id: sorted((await products.get_product(session, seller.actor, p.id)).category_ids)
            for p in (in_dresses, in_women, in_clothes)
        }
        left = {c.id for c in (await session.exec(select(Category))).all()}
    assert left == {clothes.id, men.id, toys.id}
    async with sessions() as session:
        entries = await products.product_history(session, seller.actor, in_dresses.id)
    assert entries[0].action == (
        "category_moved" if rule is DeleteRule.MOVE_TO_PARENT else "category_removed"
    )
    if rule is DeleteRule.MOVE_TO_PARENT:
        assert (result.moved, result.unassigned) == (3, 0)
        assert filed == {
            in_dresses.id: [clothes.id],
            in_women.id: sorted([clothes.id, toys.id]),
            in_clothes.id: [clothes.id],
        }
    else:
        assert (result.moved, result.unassigned) == (0, 3)
        assert filed == {in_dresses.id: [], in_women.id: [toys.id], in_clothes.id: [clothes.id]}


async def test_deleting_a_root_with_move_to_parent_unassigns(sessions, seller) -> None:
    clothes, *_ = await make_tree(sessions, seller.actor)
    product = await create(sessions, seller.actor, sample_product(category_ids=[clothes.id]))
    async with transaction(sessions) as session:
        result = await categories.delete_category(
            session, seller.actor, clothes.id, DeleteRule.MOVE_TO_PARENT
        )
        assert (await products.get_product(session, seller.actor, product.id)).category_ids == []
    assert len(result.deleted_ids) == 4
    assert (result.moved, result.unassigned) == (0, 1)


async def test_image_folders_move_their_images(sessions, seller) -> None:
    async with transaction(sessions) as session:
        kind = CategoryKind.IMAGE
        parent = await categories.create_category(session, seller.actor, kind, "shoes")
        child = await categories.create_category(session, seller.actor, kind, "red", parent.id)
        image = Image(
            account_id=seller.account_id,
            content_hash="a" * 64,
            storage_key="aa/a",
            public_token="tok",
            width=900,
            height=900,
            format="jpeg",
            byte_size=1,
            category_id=child.id,
        )
        session.add(image)
        await session.flush()
        result = await categories.delete_category(
            session, seller.actor, child.id, DeleteRule.MOVE_TO_PARENT
        )
        await session.refresh(image)
    assert result.moved == 1
    assert image.category_id == parent.id


async def test_assign_and_unassign(sessions, seller, other) -> None:
    clothes, *_ = await make_tree(sessions, seller.actor)
    mine = await create(sessions, seller.actor, sample_product("M"))
    theirs = await create(sessions, other.actor, sample_product("T"))
    async with transaction(sessions) as session:
        assert (
            await categories.assign_products(
                session, seller.actor, [mine.id, theirs.id], clothes.id
            )
            == 1
        )
        assert await categories.assign_products(session, seller.actor, [mine.id], clothes.id) == 0
        tree = await categories.category_tree(session, seller.actor, K)
        assert tree[0].item_count == 1
        assert await categories.unassign_products(session, seller.actor, [mine.id], clothes.id) == 1
        entries = await products.product_history(session, seller.actor, mine.id)
        assert [e.action for e in entries[:2]] == ["category_removed", "category_added"]
        assert entries[1].changes == {"category_ids": [None, clothes.id]}
        assert entries[1].user_id == seller.user_id
        with pytest.raises(NotFound):
            await categories.assign_products(session, other.actor, [theirs.id], clothes.id)
        with pytest.raises(NotFound):
            await categories.rename_category(session, other.actor, clothes.id, "stolen")
