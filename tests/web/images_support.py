"""Shared pieces of the image-space web tests: the registry with the image plugins, uploads."""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Litestar
from sqlmodel import select

from core.config import Settings
from core.models import Account
from core.plugins import make_plugin_manager
from core.registry import Registry, build_registry
from plugins import images as images_plugin
from plugins import storage_local as storage_plugin
from tests.core.images.factories import make_image
from tests.web.helpers import csrf_token, runtime_of

PHOTO = make_image(1000, 900, "JPEG")
SMALL = make_image(300, 200, "PNG")


def image_registry(settings: Settings) -> Registry:
    """A registry with the local storage backend and the image jobs."""
    pm = make_plugin_manager(
        settings,
        plugins={"images": images_plugin, "storage_local": storage_plugin},
        discover=False,
    )
    return build_registry(settings, pm)


async def upload_form(
    client: httpx.AsyncClient, url: str, files: list[tuple[str, bytes]], field: str = "files"
) -> httpx.Response:
    """POST files as a multipart form with the CSRF token (like the page's form)."""
    data: dict[str, Any] = {"_csrf_token": await csrf_token(client)}
    return await client.post(url, data=data, files=[(field, (name, body)) for name, body in files])


async def set_quota(app: Litestar, account_id: int, quota_bytes: int) -> None:
    """Give an account a (small) image quota."""
    async with runtime_of(app).sessions() as session:
        account = (await session.exec(select(Account).where(Account.id == account_id))).one()
        account.image_quota_bytes = quota_bytes
        session.add(account)
        await session.commit()
