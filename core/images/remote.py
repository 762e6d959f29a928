"""Fetch an image by URL so the image space keeps its own copy (DESIGN.md §2 rule 18).

The content type a server declares is not trusted (CDNs label images ``application/octet-stream``
or ``binary/octet-stream`` all the time); the bytes are inspected instead. A URL that answers a
web page gets a message that says so, since sellers often paste the product page instead of
the picture's address.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from core.i18n import msg
from core.images.errors import NotAnImage
from core.images.inspect import DEFAULT_LIMITS, ImageInfo, ImageLimits, inspect_image
from core.images.thumbs import RenderedImage, inspect_and_thumbnail
from core.net.safe_fetch import SafeFetcher

_PAGE_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class FetchedImage:
    """An image fetched from a URL and accepted.

    Attributes:
        url: the URL asked for.
        final_url: where the image was found, after redirects.
        data: the image's bytes.
        info: what inspection found.
        thumbnail: its thumbnail, when asked for (made from the same decode).
    """

    url: str
    final_url: str
    data: bytes
    info: ImageInfo
    thumbnail: RenderedImage | None = None


async def fetch_image(
    fetcher: SafeFetcher,
    url: str,
    *,
    limits: ImageLimits = DEFAULT_LIMITS,
    timeout: float = 60.0,
    thumbnail: bool = False,
) -> FetchedImage:
    """Download an image through ``fetcher`` and inspect it (in a worker thread).

    Args:
        fetcher: the safe fetcher (its resolver and allow-list apply).
        url: the image's URL.
        limits: the image limits; ``limits.max_bytes`` also bounds the download.
        timeout: seconds for the whole download, redirects included.
        thumbnail: also make the thumbnail, from the same decode (the image-space path).

    Returns:
        The accepted image.

    Raises:
        FetchRefused: the URL or its redirects are not allowed, or the body is too large.
        FetchUnavailable: unknown host or HTTP 4xx.
        FetchFailed: timeouts, connection trouble, HTTP 5xx/429 (try again later).
        ImageRejected: the bytes are not an acceptable image.
    """
    result = await fetcher.fetch(
        url,
        max_bytes=limits.max_bytes,
        timeout=timeout,
        headers={"Accept": "image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8"},
    )
    rendered: RenderedImage | None = None
    try:
        if thumbnail:
            info, rendered = await asyncio.to_thread(
                inspect_and_thumbnail, result.body, limits=limits
            )
        else:
            info = await asyncio.to_thread(inspect_image, result.body, limits)
    except NotAnImage:
        if result.content_type in _PAGE_TYPES:
            raise NotAnImage(
                msg(
                    "The URL leads to a web page, not to an image; open the page, right-click "
                    "the picture and copy the image address instead."
                )
            ) from None
        raise
    return FetchedImage(
        url=url, final_url=result.final_url, data=result.body, info=info, thumbnail=rendered
    )
