"""Sellers with stores for the catalog tests, on the real test database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.actor import Access, Actor, Area
from core.catalog import products
from core.catalog.schemas import ImageRef, ProductCreate, VariantIn
from core.db import transaction
from core.models import Account, Store, User


@dataclass
class Seller:
    account_id: int
    user_id: int
    store_ids: list[int]

    @property
    def actor(self) -> Actor:
        return Actor(account_id=self.account_id, user_id=self.user_id)

    def staff(self, access: Access, store_ids: list[int] | None = None) -> Actor:
        return Actor(
            account_id=self.account_id,
            user_id=self.user_id,
            is_owner=False,
            access={Area.PRODUCTS: access},
            store_ids=frozenset(store_ids) if store_ids is not None else None,
        )


async def make_seller(sessions: async_sessionmaker[AsyncSession], tag: str) -> Seller:
    unique = uuid.uuid4().hex[:8]
    async with transaction(sessions) as session:
        account = Account(name=f"seller {tag}")
        session.add(account)
        await session.flush()
        assert account.id is not None
        user = User(account_id=account.id, email=f"{tag}-{unique}@example.com")
        stores = [
            Store(
                account_id=account.id,
                platform="testmarket",
                platform_shop_id=f"{tag}-{unique}-{n}",
                name=f"{tag} shop {n}",
            )
            for n in (1, 2)
        ]
        session.add_all([user, *stores])
        await session.flush()
        assert user.id is not None
        return Seller(account.id, user.id, [s.id for s in stores if s.id is not None])


@pytest.fixture
async def seller(sessions) -> Seller:
    return await make_seller(sessions, "a")


@pytest.fixture
async def other(sessions) -> Seller:
    return await make_seller(sessions, "b")


def sample_product(parent_sku: str = "P-1", *, store_id: int | None = None, **fields):
    data = {
        "parent_sku": parent_sku,
        "title": f"Cotton T-shirt {parent_sku}",
        "description": "Soft cotton.",
        "tags": ["shirt", "cotton"],
        "source_url": "https://item.taobao.com/item.htm?id=123",
        "main_image": ImageRef(url="https://img.example.com/main.jpg"),
        "extra_images": [ImageRef(url="https://img.example.com/extra1.jpg")],
        "variants": [
            VariantIn(
                sku=f"{parent_sku}-R-M",
                options={"color": "Red", "size": "M"},
                price=Decimal("9.99"),
                currency="USD",
                shipping_price=Decimal("2.00"),
                cost=Decimal("12.50"),
                cost_currency="CNY",
                inventory=10,
            ),
            VariantIn(
                sku=f"{parent_sku}-B-L",
                options={"color": "Blue", "size": "L"},
                price=Decimal("10.99"),
                currency="USD",
                shipping_price=Decimal("2.00"),
                cost=Decimal("13"),
                cost_currency="CNY",
                inventory=5,
            ),
        ],
        "store_id": store_id,
    }
    data.update(fields)
    return ProductCreate(**data)


async def create(sessions, actor, data: ProductCreate):
    async with transaction(sessions) as session:
        return await products.create_product(session, actor, data)
