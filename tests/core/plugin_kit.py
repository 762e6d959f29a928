"""Small but complete adapters and plugin sources for the plugin-system tests.

The adapters implement their whole interface with in-memory behaviour, so the registry's
interface checks see real objects; the ``*_SOURCE`` strings are plugin files the tests write
into a plugins_dir or a fake distribution.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from core import hookimpl
from core.errors import NotFound
from core.interfaces.carrier import (
    CarrierAccount,
    CarrierService,
    Label,
    ServiceQuery,
    ShipmentRequest,
    ShipmentResult,
    ShipmentStatus,
    TrackingEvent,
)
from core.interfaces.collector import CollectedProduct, FetchRequest
from core.interfaces.common import CallContext, Page, Problem, ProblemCode
from core.interfaces.listings import ListingPayload, ListingRecord, ListingStatus
from core.interfaces.marketplace import (
    AuthorizedStore,
    Credentials,
    MarketplaceCapability,
    StoreIdentity,
)
from core.interfaces.orders import (
    ActionResult,
    ActionStatus,
    FulfilmentRequest,
    MarketplaceCarrier,
    OrderAction,
    OrderRecord,
    RefundReason,
)
from core.interfaces.settings_schema import SettingField, SettingKind, check_settings


class FakeMarketplace:
    """A marketplace that keeps listings in a dict."""

    capabilities = frozenset({MarketplaceCapability.RELIST})
    order_sync_overlap = timedelta(minutes=10)

    def __init__(self, adapter_id: str = "fakemarket", display_name: str = "Fake Market") -> None:
        self.id = adapter_id
        self.display_name = display_name
        self.listings: dict[str, ListingRecord] = {}

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        return f"https://fake.example/authorize?state={state}&redirect_uri={redirect_uri}"

    async def exchange_code(
        self, ctx: CallContext, *, code: str, redirect_uri: str, params: Mapping[str, str]
    ) -> AuthorizedStore:
        return AuthorizedStore(StoreIdentity("shop-1", "Shop"), Credentials({"token": code}))

    async def refresh_credentials(self, ctx: CallContext, credentials: Credentials) -> Credentials:
        return Credentials({"token": "refreshed"})

    async def test_credentials(self, ctx: CallContext, credentials: Credentials) -> StoreIdentity:
        return StoreIdentity("shop-1", "Shop")

    def validate_listing(self, listing: ListingPayload) -> list[Problem]:
        if len(listing.title) > 10:
            return [Problem("title", ProblemCode.TOO_LONG, "too long", {"max": 10})]
        return []

    async def find_listing_by_sku(
        self, ctx: CallContext, credentials: Credentials, parent_sku: str
    ) -> ListingRecord | None:
        return next((r for r in self.listings.values() if r.parent_sku == parent_sku), None)

    async def publish_listing(
        self, ctx: CallContext, credentials: Credentials, listing: ListingPayload
    ) -> ListingRecord:
        record = ListingRecord(
            str(len(self.listings) + 1),
            listing.parent_sku,
            listing.title,
            ListingStatus.UNDER_REVIEW,
            "PENDING",
        )
        self.listings[record.listing_id] = record
        return record

    async def update_listing(
        self, ctx: CallContext, credentials: Credentials, listing_id: str, listing: ListingPayload
    ) -> ListingRecord:
        return await self.get_listing(ctx, credentials, listing_id)

    async def delist_listing(
        self, ctx: CallContext, credentials: Credentials, listing_id: str
    ) -> None:
        return None

    async def relist_listing(
        self, ctx: CallContext, credentials: Credentials, listing_id: str
    ) -> None:
        return None

    async def get_listing(
        self, ctx: CallContext, credentials: Credentials, listing_id: str
    ) -> ListingRecord:
        if listing_id not in self.listings:
            raise NotFound(listing_id)
        return self.listings[listing_id]

    async def list_listings(
        self, ctx: CallContext, credentials: Credentials, *, cursor: str | None, updated_since=None
    ) -> Page[ListingRecord]:
        return Page(tuple(self.listings.values()))

    async def list_orders(
        self, ctx: CallContext, credentials: Credentials, *, since, cursor: str | None
    ) -> Page[OrderRecord]:
        return Page(())

    async def get_order(
        self, ctx: CallContext, credentials: Credentials, order_id: str
    ) -> OrderRecord:
        raise NotFound(order_id)

    async def fulfil_order(
        self,
        ctx: CallContext,
        credentials: Credentials,
        order_id: str,
        fulfilment: FulfilmentRequest,
    ) -> ActionResult:
        return ActionResult(ActionStatus.PENDING)

    async def cancel_order(
        self, ctx: CallContext, credentials: Credentials, order_id: str, *, reason: str, note=""
    ) -> ActionResult:
        return ActionResult(ActionStatus.DONE)

    async def check_order_action(
        self, ctx: CallContext, credentials: Credentials, order_id: str, action: OrderAction
    ) -> ActionResult:
        return ActionResult(ActionStatus.DONE)

    async def list_carriers(
        self, ctx: CallContext, credentials: Credentials, *, destination_country=None
    ) -> list[MarketplaceCarrier]:
        return [MarketplaceCarrier("ChinaPost", "China Post")]

    async def list_refund_reasons(
        self, ctx: CallContext, credentials: Credentials, order_id: str
    ) -> list[RefundReason]:
        return [RefundReason("UNABLE_TO_SHIP", "Unable to ship")]


class FakeCollector:
    def __init__(self, adapter_id: str = "fakesource", host: str = "item.fake.example") -> None:
        self.id = adapter_id
        self.display_name = adapter_id.title()
        self.host = host

    def matches(self, url: str) -> bool:
        return url.startswith(f"https://{self.host}/")

    def fetch_request(self, url: str) -> FetchRequest:
        return FetchRequest(url, {"Accept-Language": "zh-CN"})

    def parse(self, url: str, html: str) -> CollectedProduct:
        return CollectedProduct(url, html.strip(), None, ())


class UpperTranslator:
    """Translates by upper-casing; remembers every batch it was sent."""

    id = "upper"
    display_name = "Upper"

    def __init__(self, max_texts: int = 3, max_chars: int = 100, drop_one: bool = False) -> None:
        self.max_texts_per_call = max_texts
        self.max_chars_per_call = max_chars
        self.drop_one = drop_one
        self.batches: list[list[str]] = []

    async def translate(
        self,
        ctx: CallContext,
        texts: Sequence[str],
        *,
        source: str,
        target: str,
        glossary: Mapping[str, str],
    ) -> list[str]:
        self.batches.append(list(texts))
        out = [glossary.get(text, text.upper()) for text in texts]
        return out[:-1] if self.drop_one else out


class FakeCarrier:
    id = "fakepost"
    display_name = "Fake Post"
    bound_marketplace = None
    settings_fields = (
        SettingField("api_token", "API token", SettingKind.SECRET),
        SettingField("customer_code", "Customer code"),
        SettingField("print_format", "Label format", SettingKind.CHOICE, choices=("A4", "4x6")),
    )

    def validate_settings(self, values: Mapping[str, Any]) -> list[Problem]:
        return check_settings(self.settings_fields, values)

    async def list_services(
        self, ctx: CallContext, account: CarrierAccount, query: ServiceQuery
    ) -> list[CarrierService]:
        return [CarrierService("EPACKET", "ePacket")]

    async def find_shipment(
        self, ctx: CallContext, account: CarrierAccount, reference: str
    ) -> ShipmentResult | None:
        return None

    async def create_shipment(
        self, ctx: CallContext, account: CarrierAccount, request: ShipmentRequest
    ) -> ShipmentResult:
        return ShipmentResult("S1", ShipmentStatus.PENDING)

    async def get_shipment(
        self, ctx: CallContext, account: CarrierAccount, shipment_id: str
    ) -> ShipmentResult:
        return ShipmentResult(shipment_id, ShipmentStatus.READY, "LK434266003CN")

    async def get_label(self, ctx: CallContext, account: CarrierAccount, shipment_id: str) -> Label:
        return Label(pdf=b"%PDF-1.4 label")

    async def cancel_shipment(
        self, ctx: CallContext, account: CarrierAccount, shipment_id: str
    ) -> None:
        return None

    async def track(
        self, ctx: CallContext, account: CarrierAccount, tracking_number: str
    ) -> list[TrackingEvent]:
        return []


class MemoryStorage:
    id = "memory"
    display_name = "Memory"

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        self.blobs[key] = data

    async def get(self, key: str) -> bytes:
        if key not in self.blobs:
            raise NotFound(key)
        return self.blobs[key]

    async def exists(self, key: str) -> bool:
        return key in self.blobs

    async def delete(self, key: str) -> None:
        self.blobs.pop(key, None)

    def url(self, key: str) -> str | None:
        return None


MARKETPLACE_PLUGIN_SOURCE = """
from core import hookimpl
from tests.core.plugin_kit import FakeMarketplace

__version__ = "9.9"


@hookimpl
def register_marketplaces(register, settings):
    options = settings.plugin_settings("{plugin_id}")
    register(FakeMarketplace("{adapter_id}", options.get("name", "From a file")))
"""


def marketplace_plugin_source(plugin_id: str, adapter_id: str) -> str:
    """Source of a single-file plugin that registers one :class:`FakeMarketplace`."""
    return MARKETPLACE_PLUGIN_SOURCE.format(plugin_id=plugin_id, adapter_id=adapter_id)


COMMAND_PLUGIN_SOURCE = '''
import click

from core import hookimpl


@hookimpl
def register_commands(cli):
    @cli.command("hello")
    @click.argument("name")
    @click.pass_obj
    def hello(state, name):
        """Say hello."""
        click.echo(f"hello {name} from {state.settings().data_dir}")
'''


JOBS_PLUGIN_SOURCE = """
from core import hookimpl
from core.interfaces.jobs import CronDefinition, JobDefinition


async def tidy(ctx, payload):
    return None


@hookimpl
def register_jobs(register):
    register(JobDefinition("{plugin_id}.tidy", tidy, title="Tidy up"))
    register(CronDefinition("{plugin_id}.tidy.nightly", "{plugin_id}.tidy", hour=3, minute=0))
"""


def jobs_plugin_source(plugin_id: str) -> str:
    """Source of a self-contained single-file plugin that registers a job and its cron."""
    return JOBS_PLUGIN_SOURCE.format(plugin_id=plugin_id)


class NamedMarketplacePlugin:
    """A plugin object registering one :class:`FakeMarketplace` with the given id."""

    def __init__(self, adapter_id: str) -> None:
        self.adapter_id = adapter_id

    @hookimpl
    def register_marketplaces(self, register: Any) -> None:
        register(FakeMarketplace(self.adapter_id))


alpha = NamedMarketplacePlugin("alpha")
beta = NamedMarketplacePlugin("beta")


def write_distribution(root: Path, dist_name: str, version: str, plugins: dict[str, str]) -> None:
    """A real installed distribution: a module per plugin plus a dist-info with entry points.

    ``plugins`` maps plugin id to module source; module names are unique per call so that
    sys.modules never serves a module of an earlier test.
    """
    root.mkdir(parents=True, exist_ok=True)
    lines = ["[tradewind]"]
    for plugin_id, source in plugins.items():
        module = f"{plugin_id}_plugin_{uuid.uuid4().hex[:8]}"
        (root / f"{module}.py").write_text(source)
        lines.append(f"{plugin_id} = {module}")
    info = root / f"{dist_name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist_name}\nVersion: {version}\n"
    )
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
