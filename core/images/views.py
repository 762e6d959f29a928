"""What the image-space service answers: plain frozen dataclasses, ready for templates and JSON.

Controllers render these or return them as they are (Litestar serialises dataclasses); none of
them holds a database row or a session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from core.i18n import msg
from core.images.inspect import ACCEPTED_FORMATS, SMALL_IMAGE_SIDE, human_size
from core.images.quota import QuotaUsage
from core.models import Image

SMALL_IMAGE_WARNING = msg(
    "Smaller than %(side)sx%(side)s pixels: marketplaces show it poorly. "
    "'Pad to square' makes an %(side)sx%(side)s copy.",
    side=SMALL_IMAGE_SIDE,
)
"""The warning (never a refusal) shown for images under 800x800 (rule 16)."""

EXTENSIONS: dict[str, str] = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
"""File extension of each accepted format, used in public URLs."""


def public_path(token: str, image_format: str) -> str:
    """The path of an image's public URL: ``/i/<token>.<ext>``."""
    return f"/i/{token}.{EXTENSIONS.get(image_format, 'img')}"


def thumbnail_path(token: str) -> str:
    """The path of an image's public thumbnail: ``/i/<token>/thumb``."""
    return f"/i/{token}/thumb"


@dataclass(frozen=True)
class ImageView:
    """One image of the image space.

    Attributes:
        id: the image's id.
        name: its name (the file name it was uploaded with, or the URL's last segment).
        folder_id: its folder (a local category of kind ``image``), or None.
        width: width in pixels (as displayed).
        height: height in pixels.
        format: ``JPEG``, ``PNG``, ``GIF`` or ``WEBP``.
        mime: its MIME type.
        byte_size: size of the file; what it costs in the quota.
        size_text: the size for people (``"1.2 MB"``).
        is_small: a side is under 800 px.
        warning: the small-image warning, or None.
        source_url: where it was fetched from, when it was.
        url: its public URL (what marketplaces download).
        thumb_url: its public thumbnail URL.
        created_at: when it entered the image space.
    """

    id: int
    name: str
    folder_id: int | None
    width: int
    height: int
    format: str
    mime: str
    byte_size: int
    size_text: str
    is_small: bool
    warning: str | None
    source_url: str | None
    url: str
    thumb_url: str
    created_at: datetime


def image_view(image: Image, base_url: str) -> ImageView:
    """Describe an :class:`~core.models.Image` row.

    Args:
        image: the row (with its id).
        base_url: the deployment's public base URL, without a trailing slash.
    """
    assert image.id is not None
    return ImageView(
        id=image.id,
        name=image.name,
        folder_id=image.category_id,
        width=image.width,
        height=image.height,
        format=image.format,
        mime=ACCEPTED_FORMATS.get(image.format, "application/octet-stream"),
        byte_size=image.byte_size,
        size_text=human_size(image.byte_size),
        is_small=image.is_small,
        warning=SMALL_IMAGE_WARNING if image.is_small else None,
        source_url=image.source_url,
        url=base_url + public_path(image.public_token, image.format),
        thumb_url=base_url + thumbnail_path(image.public_token),
        created_at=image.created_at,
    )


ItemStatus = Literal["stored", "duplicate", "refused"]


@dataclass(frozen=True)
class ItemOutcome:
    """What became of one file, archive member or URL of a batch.

    Attributes:
        name: the file name, the member's name in the archive, or the URL.
        status: ``stored`` (new in the image space), ``duplicate`` (the account already had
            the same picture: nothing stored or counted again) or ``refused``.
        image: the image, unless refused.
        reason: machine code of the refusal (``not_image``, ``truncated``, ``bomb``, ``svg``,
            ``too_large``, ``unsafe_path``, ``quota_exceeded``, ``blocked_address``, ...).
        message: the refusal in words for people.
        products_updated: product images that now use this image (capture only).
    """

    name: str
    status: ItemStatus
    image: ImageView | None = None
    reason: str | None = None
    message: str | None = None
    products_updated: int = 0

    @property
    def ok(self) -> bool:
        """True unless refused."""
        return self.status != "refused"


@dataclass(frozen=True)
class UsageView:
    """How full an account's image space is, for the usage bar.

    Attributes:
        used_bytes: bytes the account's images take.
        quota_bytes: the account's quota.
        free_bytes: what is left (never negative).
        percent_used: 0-100, for the bar's width.
        image_count: number of images.
        text: ``"1.2 GB of 2 GB used (60%)"``.
        is_full: nothing is left.
    """

    used_bytes: int
    quota_bytes: int
    free_bytes: int
    percent_used: float
    image_count: int
    text: str
    is_full: bool

    @classmethod
    def of(cls, usage: QuotaUsage, image_count: int) -> UsageView:
        """Build from a :class:`~core.images.quota.QuotaUsage`."""
        return cls(
            used_bytes=usage.used_bytes,
            quota_bytes=usage.quota_bytes,
            free_bytes=usage.free_bytes,
            percent_used=round(usage.percent_used, 1),
            image_count=image_count,
            text=usage.describe(),
            is_full=usage.free_bytes == 0,
        )


@dataclass(frozen=True)
class BatchResult:
    """Outcome of a batch (files, a ZIP, URLs, or the external images of products).

    Attributes:
        items: one outcome per item handled by this call, in input order (items a resumed
            job had already finished are not repeated).
        usage: the image space's usage afterwards.
        error: a problem with the batch as a whole (a ZIP that cannot be read, or that
            unpacks past its limit); the items before it are kept.
        skipped_published: product images left alone because their product is published
            (capture only; the platform has its own copy).
    """

    items: list[ItemOutcome]
    usage: UsageView
    error: ItemOutcome | None = None
    skipped_published: int = 0

    @property
    def stored(self) -> int:
        """Items newly stored."""
        return sum(1 for item in self.items if item.status == "stored")

    @property
    def duplicates(self) -> int:
        """Items the account already had."""
        return sum(1 for item in self.items if item.status == "duplicate")

    @property
    def refused(self) -> int:
        """Items refused."""
        return sum(1 for item in self.items if item.status == "refused")


@dataclass(frozen=True)
class ImagePage:
    """One page of a search of the image space.

    Attributes:
        items: the images of this page.
        total: images matching the search.
        page: this page's number (from 1).
        per_page: page size.
    """

    items: list[ImageView]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class FolderView:
    """A folder of the image space (a local category of kind ``image``).

    Attributes:
        id: the category's id.
        name: its name.
        parent_id: the parent folder, or None at the top.
        path: ancestor ids, ``"/"`` at the top, ``"/3/17/"`` under 17 under 3.
        image_count: images directly in it.
    """

    id: int
    name: str
    parent_id: int | None
    path: str
    image_count: int


@dataclass(frozen=True)
class ProductUse:
    """A product that uses some of the images concerned.

    Attributes:
        product_id: the product.
        title: its title.
        state: its state (``draft``, ``published``, ...).
        store_id: its store (None in the collection box).
        image_ids: which of the images it uses.
        main_image: one of them is its main image.
        reason: why it blocks a delete (blocked products only).
    """

    product_id: int
    title: str
    state: str
    store_id: int | None
    image_ids: list[int]
    main_image: bool
    reason: str | None = None


@dataclass(frozen=True)
class DeletePreview:
    """What deleting some images would do (rule 17), shown before the seller confirms.

    Attributes:
        images: the images to delete.
        freed_bytes: quota space that comes back.
        unpublished_products: products not published yet that use them: they lose these
            images.
        published_products: published products that use them: untouched, the platform keeps
            its own copy.
        blocked_products: products that stop the delete: being published or updated right
            now, or published without a recorded platform copy of the image (sync them first).
        hidden_products: products using them in stores the acting user may not see (they
            are treated like the others: unpublished ones lose the images).
        hidden_blocked: how many of those block the delete.
    """

    images: list[ImageView]
    freed_bytes: int
    unpublished_products: list[ProductUse] = field(default_factory=list)
    published_products: list[ProductUse] = field(default_factory=list)
    blocked_products: list[ProductUse] = field(default_factory=list)
    hidden_products: int = 0
    hidden_blocked: int = 0

    @property
    def can_delete(self) -> bool:
        """True when nothing blocks the delete."""
        return not self.blocked_products and not self.hidden_blocked

    @property
    def unpublished_product_ids(self) -> list[int]:
        """Ids of the products that lose images (hand them back to confirm the delete)."""
        return [use.product_id for use in self.unpublished_products]


@dataclass(frozen=True)
class DeleteResult:
    """What a delete did.

    Attributes:
        deleted_image_ids: the images deleted.
        freed_bytes: quota space that came back.
        products_changed: unpublished products that lost images.
        usage: the usage afterwards.
    """

    deleted_image_ids: list[int]
    freed_bytes: int
    products_changed: list[int]
    usage: UsageView


@dataclass(frozen=True)
class FreeSpaceEntry:
    """An image offered for deletion in the "free space" view.

    Attributes:
        image: the image.
        published_products: published products that use it (they keep the platform's copy).
    """

    image: ImageView
    published_products: int


@dataclass(frozen=True)
class FreeSpaceGroup:
    """One group of the "free space" view, largest images first.

    Attributes:
        items: the images of this group (at most the requested limit).
        total_count: images in the group.
        total_bytes: what deleting all of them frees.
    """

    items: list[FreeSpaceEntry]
    total_count: int
    total_bytes: int


@dataclass(frozen=True)
class FreeSpaceView:
    """The clean-up view of a full image space (rule 19).

    Attributes:
        usage: current usage.
        published_only: images used only by published products: safe to delete, the
            marketplaces keep their copies. Shown first.
        unused: images no product uses.
    """

    usage: UsageView
    published_only: FreeSpaceGroup
    unused: FreeSpaceGroup
