"""Builds one seller's rows in every table, for cascade and isolation tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import (
    Account,
    ApiToken,
    Category,
    CategoryKind,
    Image,
    ImageRole,
    JobItem,
    JobRecord,
    LogisticsMethod,
    OAuthState,
    Order,
    OrderLine,
    Pairing,
    PermissionArea,
    Product,
    ProductCategory,
    ProductHistory,
    ProductImage,
    ProductState,
    PurchaseOrder,
    PurchaseOrderLine,
    Shipment,
    StockAllocation,
    StockItem,
    StockLevel,
    StockMovement,
    Store,
    Supplier,
    SyncState,
    User,
    UserPermission,
    UserStoreAccess,
    Variant,
    Warehouse,
    utcnow,
)


async def build_account_graph(session: AsyncSession, tag: str) -> int:
    """Create an account with one row in every table that belongs to a seller; return its id."""
    account = Account(name=f"seller {tag}")
    session.add(account)
    await session.flush()
    aid = account.id
    assert aid is not None

    async def add(*rows: object) -> None:
        session.add_all(rows)
        await session.flush()

    user = User(account_id=aid, email=f"{tag}@example.com")
    store = Store(account_id=aid, platform="wish", platform_shop_id=f"shop-{tag}", name=tag)
    warehouse = Warehouse(account_id=aid, name="main")
    supplier = Supplier(account_id=aid, name="1688 shop")
    category = Category(account_id=aid, kind=CategoryKind.PRODUCT, name="toys")
    await add(user, store, warehouse, supplier, category)
    job = JobRecord(account_id=aid, user_id=user.id, name="publish")
    product = Product(
        account_id=aid, store_id=store.id, state=ProductState.PUBLISHED, parent_sku=f"P-{tag}"
    )
    image = Image(
        account_id=aid,
        content_hash=tag.encode().hex().ljust(64, "0")[:64],
        storage_key=f"ab/{tag}",
        public_token=f"tok-{tag}",
        width=1000,
        height=1000,
        format="jpeg",
        byte_size=1234,
    )
    stock_item = StockItem(account_id=aid, sku=f"S-{tag}", supplier_id=supplier.id)
    method = LogisticsMethod(account_id=aid, name="ePacket", carrier="eub")
    await add(job, product, image, stock_item, method)
    variant = Variant(
        account_id=aid, product_id=product.id, store_id=store.id, sku=f"V-{tag}", price=Decimal(1)
    )
    order = Order(
        account_id=aid,
        store_id=store.id,
        platform_order_id=f"O-{tag}",
        logistics_method_id=method.id,
    )
    level = StockLevel(
        account_id=aid, stock_item_id=stock_item.id, warehouse_id=warehouse.id, on_hand=5
    )
    purchase = PurchaseOrder(
        account_id=aid, number="PO-1", supplier_id=supplier.id, warehouse_id=warehouse.id
    )
    await add(variant, order, level, purchase)
    line = OrderLine(account_id=aid, order_id=order.id, platform_line_id="1", variant_id=variant.id)
    await add(line)
    level.allocated = 1
    await add(
        UserPermission(account_id=aid, user_id=user.id, area=PermissionArea.ORDERS),
        UserStoreAccess(account_id=aid, user_id=user.id, store_id=store.id),
        ApiToken(account_id=aid, user_id=user.id, name="t", prefix="tw_x", token_hash=tag * 8),
        SyncState(account_id=aid, store_id=store.id),
        OAuthState(
            account_id=aid,
            platform="wish",
            state=f"state-{tag}",
            expires_at=utcnow() + timedelta(minutes=10),
        ),
        JobItem(job_id=job.id, key="1"),
        ProductCategory(account_id=aid, product_id=product.id, category_id=category.id),
        ProductHistory(account_id=aid, product_id=product.id, job_id=job.id, action="published"),
        ProductImage(account_id=aid, product_id=product.id, image_id=image.id, role=ImageRole.MAIN),
        Pairing(account_id=aid, variant_id=variant.id, stock_item_id=stock_item.id),
        StockAllocation(
            account_id=aid,
            order_line_id=line.id,
            stock_item_id=stock_item.id,
            warehouse_id=warehouse.id,
            quantity=1,
        ),
        StockMovement(
            account_id=aid,
            stock_item_id=stock_item.id,
            warehouse_id=warehouse.id,
            order_id=order.id,
            purchase_order_id=purchase.id,
            job_id=job.id,
            on_hand_delta=5,
        ),
        Shipment(
            account_id=aid,
            order_id=order.id,
            logistics_method_id=method.id,
            carrier="eub",
            idempotency_key=f"ship-{tag}",
        ),
        PurchaseOrderLine(
            account_id=aid, purchase_order_id=purchase.id, stock_item_id=stock_item.id, quantity=3
        ),
    )
    return aid
