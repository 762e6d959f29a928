"""The image space's quota arithmetic (DESIGN.md §2 rules 16 and 19), free of any storage.

The image-space service sums what an account already stores and asks :func:`check_quota`
before storing more. An image the account already holds (same SHA-256) costs nothing again, so
the service passes only the bytes of new images.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.i18n import Message, msg
from core.images.errors import ImageRejected
from core.images.inspect import human_size


class QuotaExceeded(ImageRejected):
    """The image space is full; the message says how to free it (rule 19)."""

    default_reason = "quota_exceeded"


@dataclass(frozen=True)
class QuotaUsage:
    """How full an account's image space is.

    Attributes:
        used_bytes: bytes stored now.
        quota_bytes: the account's quota in bytes.
    """

    used_bytes: int
    quota_bytes: int

    @property
    def free_bytes(self) -> int:
        """Bytes still free (never negative)."""
        return max(self.quota_bytes - self.used_bytes, 0)

    @property
    def percent_used(self) -> float:
        """Share of the quota in use, 0-100 (100 when the quota is zero)."""
        if self.quota_bytes <= 0:
            return 100.0
        return min(100.0 * self.used_bytes / self.quota_bytes, 100.0)

    def describe(self) -> Message:
        """``"1.2 GB of 2 GB used (60%)"``, for the usage bar."""
        return msg(
            "%(used)s of %(quota)s used (%(percent)s%%)",
            used=human_size(self.used_bytes),
            quota=human_size(self.quota_bytes),
            percent=f"{self.percent_used:.0f}",
        )


def check_quota(usage: QuotaUsage, incoming_bytes: int) -> None:
    """Refuse storing ``incoming_bytes`` more when they do not fit in the quota.

    Args:
        usage: the account's current usage.
        incoming_bytes: bytes of the new (not yet stored) images.

    Raises:
        QuotaExceeded: they do not fit; the message names the sizes and the clean-up.
    """
    if incoming_bytes <= usage.free_bytes:
        return
    raise QuotaExceeded(
        msg(
            "The image space is full: %(usage)s, and these images need %(needed)s more. Free "
            "space by deleting images of published products (the marketplace keeps its own "
            "copy) or images no product uses.",
            usage=usage.describe(),
            needed=human_size(incoming_bytes),
        )
    )
