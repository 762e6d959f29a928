"""The small interfaces that plugins register through the hooks (see :mod:`core.hookspecs`).

One module per capability: :mod:`~core.interfaces.marketplace` (with the records in
:mod:`~core.interfaces.listings` and :mod:`~core.interfaces.orders`),
:mod:`~core.interfaces.collector`, :mod:`~core.interfaces.translator`,
:mod:`~core.interfaces.carrier`, :mod:`~core.interfaces.storage`, :mod:`~core.interfaces.web`,
:mod:`~core.interfaces.events` and :mod:`~core.interfaces.jobs`. Shared records live in
:mod:`~core.interfaces.common`. The main names are re-exported here for plugin authors.
"""

from core.interfaces.carrier import CarrierAdapter
from core.interfaces.collector import CollectedProduct, Collector
from core.interfaces.common import Address, CallContext, Money, Page, Problem
from core.interfaces.events import Event, EventListener
from core.interfaces.jobs import CronDefinition, JobContext, JobDefinition
from core.interfaces.listings import ListingPayload, ListingRecord
from core.interfaces.marketplace import Credentials, MarketplaceAdapter
from core.interfaces.orders import OrderRecord
from core.interfaces.storage import StorageBackend
from core.interfaces.translator import Translator
from core.interfaces.web import MenuLink

__all__ = [
    "Address",
    "CallContext",
    "CarrierAdapter",
    "CollectedProduct",
    "Collector",
    "Credentials",
    "CronDefinition",
    "Event",
    "EventListener",
    "JobContext",
    "JobDefinition",
    "ListingPayload",
    "ListingRecord",
    "MarketplaceAdapter",
    "MenuLink",
    "Money",
    "OrderRecord",
    "Page",
    "Problem",
    "StorageBackend",
    "Translator",
]
