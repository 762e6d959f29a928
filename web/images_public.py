"""Public image URLs: ``/i/<token>[.<ext>]`` and ``/i/<token>/thumb``, for marketplaces.

No sign-in: marketplaces download these. The token is unguessable and the bytes behind a URL
never change, so answers carry a strong ETag (the SHA-256), ``Cache-Control: public,
max-age=31536000, immutable``, and a matching ``If-None-Match`` gets 304 Not Modified. The
rules live in :mod:`core.images.public`; this controller only turns them into HTTP.
"""

from __future__ import annotations

from typing import Any, cast

from litestar import Controller, Request, get, head
from litestar.datastructures import ETag
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File, Redirect, Response
from litestar.status_codes import HTTP_302_FOUND, HTTP_304_NOT_MODIFIED

from core.errors import NotFound
from core.images.backends import storage_for
from core.images.public import CACHE_CONTROL, PublicFile, open_public
from core.interfaces.storage import StorageBackend
from core.runtime import Runtime
from web.security import PUBLIC

AnyRequest = Request[Any, Any, Any]

REDIRECT_CACHE_CONTROL = "public, max-age=86400"
"""Cache-Control of a redirect to a storage backend that serves the file itself."""


async def _find(request: AnyRequest, name: str, *, thumbnail: bool) -> PublicFile:
    runtime: Runtime = request.app.state.runtime

    def storage() -> StorageBackend:
        return storage_for(runtime.settings, runtime.registry)

    try:
        return await open_public(runtime.sessions, storage, name, thumbnail=thumbnail)
    except NotFound:
        raise NotFoundException() from None


def _headers(found: PublicFile) -> dict[str, str]:
    return {
        "Cache-Control": CACHE_CONTROL,
        "ETag": f'"{found.etag}"',
        "X-Content-Type-Options": "nosniff",
    }


def _answer(request: AnyRequest, found: PublicFile, name: str) -> Response[Any]:
    headers = _headers(found)
    if found.matches(request.headers.get("if-none-match")):
        return Response(content=b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
    if found.redirect_url is not None:
        # The bytes never change, but where a backend serves them might: cache for a day.
        headers["Cache-Control"] = REDIRECT_CACHE_CONTROL
        return Redirect(found.redirect_url, status_code=HTTP_302_FOUND, headers=headers)
    if found.path is not None:
        return File(
            found.path,
            filename=name,
            media_type=found.media_type,
            content_disposition_type="inline",
            headers=headers,
            etag=ETag(value=found.etag, weak=False),
        )
    return Response(content=found.data or b"", media_type=found.media_type, headers=headers)


class PublicImagesController(Controller):
    """Serves the image space's files at their public URLs (no authentication)."""

    path = "/i"
    tags = ["images"]
    opt = PUBLIC

    @get("/{name:str}", summary="An image at its public URL")
    async def image(self, request: AnyRequest, name: FromPath[str]) -> Response[Any]:
        """Answer the image (``/i/<token>`` or ``/i/<token>.jpg``), or 304 / 404."""
        return _answer(request, await _find(request, name, thumbnail=False), name)

    @get("/{name:str}/thumb", summary="An image's thumbnail at its public URL")
    async def thumbnail(self, request: AnyRequest, name: FromPath[str]) -> Response[Any]:
        """Answer the image's thumbnail (a WEBP of at most 240 px), or 304 / 404."""
        return _answer(request, await _find(request, name, thumbnail=True), f"{name}-thumb.webp")

    @head("/{name:str}", summary="Headers of an image at its public URL")
    async def image_head(self, request: AnyRequest, name: FromPath[str]) -> Response[None]:
        """Answer the image's headers without its bytes."""
        return _head(request, await _find(request, name, thumbnail=False))

    @head("/{name:str}/thumb", summary="Headers of an image's thumbnail")
    async def thumbnail_head(self, request: AnyRequest, name: FromPath[str]) -> Response[None]:
        """Answer the thumbnail's headers without its bytes."""
        return _head(request, await _find(request, name, thumbnail=True))


def _head(request: AnyRequest, found: PublicFile) -> Response[None]:
    headers = _headers(found)
    status = HTTP_304_NOT_MODIFIED if found.matches(request.headers.get("if-none-match")) else 200
    if status == 200 and found.byte_size is not None:
        headers["Content-Length"] = str(found.byte_size)
    # No body; Litestar keeps the Content-Length given here.
    answer = Response(content=b"", status_code=status, media_type=found.media_type, headers=headers)
    return cast("Response[None]", answer)
