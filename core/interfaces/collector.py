"""The collector: turns a product page of a source site (Taobao, 1688, Amazon, ...) into a record.

The core fetches the page (through its own HTTP client, rate limits and retries, or from HTML a
seller's browser uploaded) and hands the HTML to the collector whose :meth:`Collector.matches`
accepts the URL. Parsing is pure: no I/O, so collectors are tested against saved pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from core.interfaces.common import Money, frozen_mapping


@dataclass(frozen=True)
class FetchRequest:
    """How the core should fetch a page for a collector.

    Attributes:
        url: the URL to fetch (e.g. a canonical desktop URL built from a mobile link).
        headers: extra request headers (``Accept-Language``, a referer, ...).
    """

    url: str
    headers: Mapping[str, str] = field(default_factory=frozen_mapping)

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", frozen_mapping(self.headers))


@dataclass(frozen=True)
class CollectedVariant:
    """One SKU found on a source page.

    Attributes:
        options: option name to value (``{"颜色": "红色", "尺码": "M"}``), as on the page.
        price: the variant's price, when the page shows one.
        sku: the source's SKU id, when the page has one.
        stock: stock shown by the source, when known.
        image_url: the variant's picture.
    """

    options: Mapping[str, str]
    price: Money | None = None
    sku: str | None = None
    stock: int | None = None
    image_url: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", frozen_mapping(self.options))


@dataclass(frozen=True)
class CollectedProduct:
    """What a collector found on a product page; it goes into the collection box.

    Attributes:
        source_url: the page's URL (kept privately for purchasing, never sent to a platform).
        title: product title as on the page.
        price: the lowest price shown.
        images: picture URLs, main picture first.
        description_html: the product description, as HTML.
        variants: the SKUs; empty for a product without options.
        source_item_id: the source site's item id (Taobao ``id``, Amazon ASIN, ...).
        language: language of title and description (``"zh"``, ``"en"``).
        attributes: attribute name to value, as on the page.
    """

    source_url: str
    title: str
    price: Money | None
    images: tuple[str, ...]
    description_html: str = ""
    variants: tuple[CollectedVariant, ...] = ()
    source_item_id: str | None = None
    language: str = "zh"
    attributes: Mapping[str, str] = field(default_factory=frozen_mapping)

    def __post_init__(self) -> None:
        object.__setattr__(self, "attributes", frozen_mapping(self.attributes))


@runtime_checkable
class Collector(Protocol):
    """A product source site (one per site: ``taobao``, ``1688``, ``amazon_us``, ...)."""

    @property
    def id(self) -> str:
        """Unique id (lower-case, digits, ``_``): ``"taobao"``."""
        ...

    @property
    def display_name(self) -> str:
        """Name shown to sellers: ``"淘宝 Taobao"``."""
        ...

    def matches(self, url: str) -> bool:
        """Whether this collector handles ``url`` (cheap: look at the host and path only).

        Args:
            url: an absolute http(s) URL the seller entered.
        """
        ...

    def fetch_request(self, url: str) -> FetchRequest:
        """How to fetch ``url``: the URL to request and extra headers (no I/O).

        Args:
            url: a URL this collector :meth:`matches`.
        """
        ...

    def parse(self, url: str, html: str) -> CollectedProduct:
        """Extract the product from the page (no I/O).

        Raise :class:`~core.errors.PermanentError` when the page has no product (login wall,
        captcha, removed item), with a message the seller understands.

        Args:
            url: the URL the HTML was fetched from.
            html: the page's HTML, decoded.
        """
        ...
