"""Helpers shared by the Wish sandbox tests."""

from __future__ import annotations

from typing import Any

import httpx

REDIRECT_URI = "https://erp.example/wish/callback"


async def admin(client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> Any:
    """Call the admin API and return ``data`` (the call must succeed)."""
    response = await client.request(method, path, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def obtain_tokens(
    client: httpx.AsyncClient, merchant_id: str, oauth_app: dict[str, Any]
) -> dict[str, Any]:
    """Authorize ``oauth_app`` for the merchant and exchange the code; return the AccessToken."""
    grant = await admin(
        client,
        "POST",
        f"/sandbox/merchants/{merchant_id}/authorize",
        json={"client_id": oauth_app["client_id"]},
    )
    response = await client.post(
        "/api/v3/oauth/access_token",
        json={
            "client_id": oauth_app["client_id"],
            "client_secret": oauth_app["client_secret"],
            "code": grant["code"],
            "grant_type": "authorization_code",
            "redirect_uri": oauth_app["redirect_uri"],
        },
    )
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()["data"]
    return tokens


def usd(amount: float) -> dict[str, Any]:
    return {"amount": amount, "currency_code": "USD"}


def error_of(response: httpx.Response) -> tuple[int, int, str]:
    """Return (HTTP status, envelope code, message) of an error response."""
    body = response.json()
    assert body["data"] == {}, body
    return response.status_code, body["code"], body["message"]


class PagingStuck(Exception):
    """A full page brought nothing new: the bounds cannot move past a tie group."""


async def page_all(
    client: httpx.AsyncClient,
    path: str,
    headers: dict[str, str],
    *,
    attribute: str = "updated_at",
    descending: bool = True,
    limit: int = 50,
    params: dict[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Page through a Wish v3 list with the reference's keyset rule; return (items, calls).

    The next call sets ``{attribute}_max`` (desc) or ``_min`` (asc) to the last item's value;
    items seen before are skipped by id; a short page ends the walk.
    """
    seen: dict[str, dict[str, Any]] = {}
    bound: str | None = None
    calls = 0
    while True:
        query: dict[str, Any] = {
            **(params or {}),
            "limit": limit,
            "sort_by": f"{attribute}.{'desc' if descending else 'asc'}",
        }
        if bound is not None:
            query[f"{attribute}_{'max' if descending else 'min'}"] = bound
        response = await client.get(path, headers=headers, params=query)
        assert response.status_code == 200, response.text
        calls += 1
        page = response.json()["data"]
        fresh = [item for item in page if item["id"] not in seen]
        seen.update((item["id"], item) for item in fresh)
        if len(page) < limit:
            return list(seen.values()), calls
        if not fresh:
            raise PagingStuck(bound)
        bound = page[-1][attribute]
