"""The carrier adapter: online shipping through a carrier's API.

Fits the carriers sellers use: ePacket/EUB (XML, header token), forwarders with signed JSON
(4PX, Yanwen) or Basic auth (YunExpress), and a marketplace's own logistics bound to a store
(AliExpress online logistics). The carrier assigns the tracking number and the label; both may
come later than the shipment itself, so the core polls :meth:`CarrierAdapter.get_shipment`.

A seller's carrier account is a mapping of settings (see :attr:`CarrierAdapter.settings_fields`)
that the core stores encrypted; carriers bound to a marketplace also get that store's
credentials. Errors follow :mod:`core.interfaces.marketplace`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from core.errors import PermanentError, TransientError
from core.interfaces.common import (
    Address,
    CallContext,
    Money,
    Problem,
    frozen_mapping,
    require_country,
    require_utc,
)
from core.interfaces.marketplace import Credentials
from core.interfaces.settings_schema import SettingField

if TYPE_CHECKING:
    import httpx

PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class StoreBinding:
    """The marketplace store a store-bound carrier (AliExpress online logistics) ships for.

    Attributes:
        marketplace: the marketplace adapter id (``"aliexpress"``).
        shop_id: the platform's store id.
        credentials: that store's current credentials.
    """

    marketplace: str
    shop_id: str
    credentials: Credentials


@dataclass(frozen=True, repr=False)
class CarrierAccount:
    """A seller's account with a carrier: their settings and, if bound, their store.

    Attributes:
        settings: the values of the carrier's setting fields, secrets decrypted.
        store: the bound store, for carriers with a ``bound_marketplace``; else ``None``.
    """

    settings: Mapping[str, Any]
    store: StoreBinding | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "settings", frozen_mapping(self.settings))

    def __repr__(self) -> str:
        return f"CarrierAccount(settings=[{', '.join(sorted(self.settings))}], store=...)"


@dataclass(frozen=True)
class ServiceQuery:
    """What the seller wants to ship, to find services that can carry it.

    Attributes:
        destination_country: ISO country of the receiver.
        weight_grams: parcel weight.
        length_cm: parcel length.
        width_cm: parcel width.
        height_cm: parcel height.
        marketplace_order_id: the platform order (store-bound carriers list services by order).
    """

    destination_country: str | None = None
    weight_grams: Decimal | None = None
    length_cm: Decimal | None = None
    width_cm: Decimal | None = None
    height_cm: Decimal | None = None
    marketplace_order_id: str | None = None


@dataclass(frozen=True)
class CarrierService:
    """A shipping service (channel, product) of a carrier.

    Attributes:
        code: the carrier's code, used in :attr:`ShipmentRequest.service_code`.
        name: name shown to the seller.
        marketplace_carrier_code: what to declare to the marketplace as carrier when the
            order is marked shipped (a ``MarketplaceCarrier.code``), when known.
        estimated_fee: the quoted fee, when the carrier quotes.
        delivery_days: typical delivery time as text (``"7-15"``).
    """

    code: str
    name: str
    marketplace_carrier_code: str | None = None
    estimated_fee: Money | None = None
    delivery_days: str = ""


@dataclass(frozen=True)
class CustomsItem:
    """One declared item in a parcel.

    Attributes:
        name_en: declared name in English.
        name_local: declared name in the origin's language (Chinese for CN).
        quantity: units.
        unit_value: declared value per unit.
        unit_weight_grams: weight per unit.
        sku: the seller's SKU.
        hs_code: customs tariff code.
        origin_country: ISO country of origin.
        contains_battery: whether the item contains a battery.
    """

    name_en: str
    name_local: str
    quantity: int
    unit_value: Money
    unit_weight_grams: Decimal
    sku: str = ""
    hs_code: str = ""
    origin_country: str = "CN"
    contains_battery: bool = False

    def __post_init__(self) -> None:
        require_country(self.origin_country, "CustomsItem.origin_country")


@dataclass(frozen=True)
class Parcel:
    """One physical parcel.

    Attributes:
        weight_grams: gross weight.
        items: what is inside, as declared to customs.
        length_cm: length.
        width_cm: width.
        height_cm: height.
    """

    weight_grams: Decimal
    items: tuple[CustomsItem, ...]
    length_cm: Decimal | None = None
    width_cm: Decimal | None = None
    height_cm: Decimal | None = None


@dataclass(frozen=True)
class ShipmentRequest:
    """Ask a carrier for a tracking number and a label.

    Attributes:
        reference: Tradewind's unique reference of this shipment; carriers keep it (4PX
            ``ref_no``, YunExpress ``CustomerOrderNumber``, EUB ``orderid``) so a retried
            create can be found with ``find_shipment`` instead of creating a second one.
        service_code: a :attr:`CarrierService.code`.
        receiver: the buyer's address.
        parcels: at least one parcel.
        sender: the sender address; ``None`` uses the account's default (settings or the
            platform's address book).
        pickup: pickup address for door pickup; ``None`` for self drop-off.
        return_address: where undeliverable parcels go; ``None`` uses the default.
        marketplace: marketplace adapter id of the order, if it came from one.
        marketplace_order_id: the platform's order id, if any.
        options: carrier-specific choices under names the plugin documents.
    """

    reference: str
    service_code: str
    receiver: Address
    parcels: tuple[Parcel, ...]
    sender: Address | None = None
    pickup: Address | None = None
    return_address: Address | None = None
    marketplace: str | None = None
    marketplace_order_id: str | None = None
    options: Mapping[str, Any] = field(default_factory=frozen_mapping)

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", frozen_mapping(self.options))


class ShipmentStatus(StrEnum):
    """Where a shipment request stands at the carrier."""

    PENDING = "pending"
    """Accepted; tracking number not assigned yet: poll ``get_shipment``."""
    READY = "ready"
    """Tracking number assigned; the label can be fetched."""
    FAILED = "failed"
    """The carrier refused it after accepting (``message`` says why)."""
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class ShipmentResult:
    """The carrier's answer about a shipment.

    Attributes:
        shipment_id: the carrier's id of the shipment (4PX consignment no., AliExpress
            warehouse order id, YunExpress waybill, EUB mail number).
        status: pending until the tracking number is known.
        tracking_number: the tracking number, once assigned.
        message: the carrier's words, when failed or pending for a reason.
    """

    shipment_id: str
    status: ShipmentStatus
    tracking_number: str | None = None
    message: str = ""


@dataclass(frozen=True)
class Label:
    """A shipping label in whichever form the carrier gives it; exactly one field is set.

    Use :func:`label_pdf_bytes` to get the PDF.

    Attributes:
        pdf: the PDF itself.
        url: a URL where the PDF can be downloaded.
        base64_pdf: the PDF, base64-encoded.
    """

    pdf: bytes | None = None
    url: str | None = None
    base64_pdf: str | None = None

    def __post_init__(self) -> None:
        given = [value for value in (self.pdf, self.url, self.base64_pdf) if value is not None]
        if len(given) != 1:
            raise ValueError("Label needs exactly one of pdf, url, base64_pdf")


@dataclass(frozen=True)
class TrackingEvent:
    """One scan or status change of a parcel.

    Attributes:
        time: when it happened (UTC).
        description: the carrier's text.
        location: where, as the carrier says it.
        code: the carrier's event code.
    """

    time: datetime
    description: str
    location: str = ""
    code: str = ""

    def __post_init__(self) -> None:
        require_utc(self.time, "TrackingEvent.time")


async def label_pdf_bytes(label: Label, http: httpx.AsyncClient) -> bytes:
    """Return the label's PDF, downloading or decoding it as needed.

    Args:
        label: the label as the carrier gave it.
        http: client used when the label is a URL.

    Raises:
        PermanentError: the content is not a PDF (carriers answer error pages or tiny files).
        TransientError: the download failed with a network error or a 5xx.
    """
    if label.pdf is not None:
        content = label.pdf
    elif label.base64_pdf is not None:
        try:
            content = base64.b64decode(label.base64_pdf, validate=True)
        except (binascii.Error, ValueError):
            raise PermanentError("label is not valid base64") from None
    else:
        import httpx  # only URL labels need it at run time

        assert label.url is not None
        try:
            response = await http.get(label.url)
        except httpx.TransportError as exc:
            raise TransientError(f"label download failed: {exc}") from exc
        if response.status_code >= 500:
            raise TransientError(f"label download failed: HTTP {response.status_code}")
        if response.status_code != 200:
            raise PermanentError(f"label download failed: HTTP {response.status_code}")
        content = response.content
    if not content.startswith(PDF_MAGIC):
        raise PermanentError(f"label is not a PDF ({len(content)} bytes)")
    return content


@runtime_checkable
class CarrierAdapter(Protocol):
    """A carrier with an API for online shipping."""

    @property
    def id(self) -> str:
        """Unique id (lower-case, digits, ``_``): ``"eub"``, ``"yunexpress"``."""
        ...

    @property
    def display_name(self) -> str:
        """Name shown to sellers: ``"E邮宝 ePacket"``."""
        ...

    @property
    def bound_marketplace(self) -> str | None:
        """Marketplace id whose store this carrier ships for (``"aliexpress"``), else None."""
        ...

    @property
    def settings_fields(self) -> tuple[SettingField, ...]:
        """The settings a seller fills in to use this carrier (token, customer code, ...)."""
        ...

    def validate_settings(self, values: Mapping[str, Any]) -> list[Problem]:
        """Name every missing or invalid setting (no I/O); empty when complete.

        Args:
            values: the settings as the seller saved them.
        """
        ...

    async def list_services(
        self, ctx: CallContext, account: CarrierAccount, query: ServiceQuery
    ) -> list[CarrierService]:
        """Services that can carry the parcel described by ``query``.

        Args:
            ctx: call context.
            account: the seller's carrier account.
            query: destination, weight, size and (store-bound carriers) the order.
        """
        ...

    async def find_shipment(
        self, ctx: CallContext, account: CarrierAccount, reference: str
    ) -> ShipmentResult | None:
        """Look up a shipment by Tradewind's reference; ``None`` if the carrier has none.

        The core calls this before retrying a create whose outcome is unknown.

        Args:
            ctx: call context.
            account: the seller's carrier account.
            reference: the :attr:`ShipmentRequest.reference` of the earlier attempt.
        """
        ...

    async def create_shipment(
        self, ctx: CallContext, account: CarrierAccount, request: ShipmentRequest
    ) -> ShipmentResult:
        """Create the shipment; the tracking number may come now or later (``PENDING``).

        Args:
            ctx: call context.
            account: the seller's carrier account.
            request: parcel, addresses, service and reference.
        """
        ...

    async def get_shipment(
        self, ctx: CallContext, account: CarrierAccount, shipment_id: str
    ) -> ShipmentResult:
        """Read a shipment's state (poll here for a pending tracking number).

        Args:
            ctx: call context.
            account: the seller's carrier account.
            shipment_id: :attr:`ShipmentResult.shipment_id`.
        """
        ...

    async def get_label(self, ctx: CallContext, account: CarrierAccount, shipment_id: str) -> Label:
        """The shipment's label (PDF bytes, URL or base64).

        Args:
            ctx: call context.
            account: the seller's carrier account.
            shipment_id: :attr:`ShipmentResult.shipment_id`.
        """
        ...

    async def cancel_shipment(
        self, ctx: CallContext, account: CarrierAccount, shipment_id: str
    ) -> None:
        """Cancel a shipment that has not been handed over yet.

        Args:
            ctx: call context.
            account: the seller's carrier account.
            shipment_id: :attr:`ShipmentResult.shipment_id`.
        """
        ...

    async def track(
        self, ctx: CallContext, account: CarrierAccount, tracking_number: str
    ) -> list[TrackingEvent]:
        """Tracking events of a parcel, oldest first.

        Args:
            ctx: call context.
            account: the seller's carrier account.
            tracking_number: the tracking number.
        """
        ...
