"""All table models. Importing this package registers every table on ``SQLModel.metadata``.

One module per area: accounts, stores, catalog, images, inventory, orders, purchasing, jobs.
"""

from core.models import (
    catalog_triggers,  # noqa: F401  (registers the tally triggers)
    search_index,  # noqa: F401  (registers SQLite's text index)
)
from core.models.accounts import (
    Account,
    ApiToken,
    PermissionArea,
    User,
    UserPermission,
    UserRole,
    UserStoreAccess,
)
from core.models.base import NAMING_CONVENTION, utcnow
from core.models.catalog import (
    Category,
    CategoryKind,
    Product,
    ProductCategory,
    ProductHistory,
    ProductState,
    ProductStateTally,
    Variant,
)
from core.models.images import SMALL_IMAGE_PIXELS, Image, ImageBlob, ImageRole, ProductImage
from core.models.inventory import (
    MovementKind,
    Pairing,
    StockAllocation,
    StockItem,
    StockLevel,
    StockMovement,
    Warehouse,
)
from core.models.jobs import FINISHED_JOB_STATUSES, ItemStatus, JobItem, JobRecord, JobStatus
from core.models.orders import (
    LogisticsMethod,
    Order,
    OrderLine,
    OrderState,
    Shipment,
    ShipmentStatus,
    ShippingType,
    StockStatus,
)
from core.models.purchasing import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderState,
    Supplier,
)
from core.models.stores import OAuthState, Store, StoreStatus, SyncState, SyncStream

__all__ = [
    "FINISHED_JOB_STATUSES",
    "NAMING_CONVENTION",
    "SMALL_IMAGE_PIXELS",
    "Account",
    "ApiToken",
    "Category",
    "CategoryKind",
    "Image",
    "ImageBlob",
    "ImageRole",
    "ItemStatus",
    "JobItem",
    "JobRecord",
    "JobStatus",
    "LogisticsMethod",
    "MovementKind",
    "OAuthState",
    "Order",
    "OrderLine",
    "OrderState",
    "Pairing",
    "PermissionArea",
    "Product",
    "ProductCategory",
    "ProductHistory",
    "ProductImage",
    "ProductState",
    "ProductStateTally",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderState",
    "Shipment",
    "ShipmentStatus",
    "ShippingType",
    "StockAllocation",
    "StockItem",
    "StockLevel",
    "StockMovement",
    "StockStatus",
    "Store",
    "StoreStatus",
    "Supplier",
    "SyncState",
    "SyncStream",
    "User",
    "UserPermission",
    "UserRole",
    "UserStoreAccess",
    "Variant",
    "Warehouse",
    "utcnow",
]
