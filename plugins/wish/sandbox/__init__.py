"""A local twin of the Wish Merchant API v3, for tests, demos and benchmarks.

The Wish plugin talks to it exactly as to ``https://merchant.wish.com`` (only the base URL
differs). It implements, after Wish's OpenAPI document 3.0.65:

- OAuth: ``GET /v3/oauth/authorize`` (HTML consent page), ``POST|GET
  /api/v3/oauth/access_token``, ``GET /api/v3/oauth/refresh_token``, ``GET /api/v3/oauth/test``;
- products: ``GET|POST /api/v3/products``, ``GET|PUT|DELETE /api/v3/products/{id}``,
  ``GET /api/v3/products/requests[/{id}]``, ``GET /api/v3/merchant/warehouses``,
  ``GET /api/v3/merchant/currency_settings``;
- orders: ``GET /api/v3/orders``, ``GET /api/v3/orders/{id}``, ``PUT
  /api/v3/orders/{id}/tracking``, ``GET /api/v3/orders/{id}/refund_reasons``, ``PUT
  /api/v3/orders/{id}/refund``, ``GET /api/v3/orders/shipping_carriers``.

Conventions as Wish's: every body is ``{"code", "message", "data"}`` (code 0 = success);
errors answer HTTP 400 with Wish's codes (1001, 1002, 1006, 1007, 1008, 10001, 10002, 10004,
10008, 90001); ``Accept-Language: zh`` localises messages (``Content-Language`` says which);
every response carries ``Wish-Request-Id``; every ``/api/v3`` response carries
``Wish-Rate-Limit-Remaining`` (per merchant per app), and a 429 adds ``Wish-Rate-Limit-Reset``
(epoch seconds at which the window resets). Dates read and written as
``2022-10-19T04:16:35.661+00:00``. Not implemented: the ``fields=`` partial-response
parameter (accepted, ignored: whole objects come back) and endpoints not listed above.
Module docstrings say how each area behaves (lifecycle in
:mod:`.catalog` and :mod:`.fulfillment`, paging in :mod:`.paging`, faults in :mod:`.faults`).

Admin API (the sandbox's own, under ``/sandbox``, no auth; JSON in, envelope out):

- ``POST /sandbox/merchants`` ``{name?, country_code="CN", currency="USD", id?,
  extra_warehouses?: [name, ...]}`` -> the merchant with its STANDARD warehouse (and
  WISH_EXPRESS ones named in ``extra_warehouses``). ``country_code`` "CN" makes a mainland-China
  merchant (variation ``logistics_details.weight`` required). ``GET /sandbox/merchants``
  lists them; ``PUT /sandbox/merchants/{id}`` ``{disabled?, name?, country_code?,
  currency?}`` changes one (a disabled merchant's calls answer 1002).
- ``POST /sandbox/apps`` ``{redirect_uri, client_id?, client_secret?, name?, scopes?}`` ->
  the app with its secret (default scopes: merchant:read, orders:read/write,
  products:read/write). ``GET /sandbox/apps`` lists them.
- ``POST /sandbox/merchants/{id}/authorize`` ``{client_id, state?}`` -> ``{code,
  redirect_url}``: what approving on the consent page does, without a browser.
- ``POST /sandbox/merchants/{id}/orders/generate`` ``{count (1..500), released_within_s?}``
  -> ``{order_ids}``: APPROVED orders from the merchant's ACTIVE products (or synthetic).
- ``GET|PUT /sandbox/faults``: fault and load knobs (``latency_ms``, ``rate_limit``,
  ``rate_window_s``, ``error_share``, ``timeout_share``, ``drop_share``,
  ``lost_response_share``, ``lost_response_mode``, ``hang_s``, ``error_statuses``,
  ``path_prefix``, ``script``); PUT changes only the keys given, ``{"reset": true}`` first
  restores the defaults.
- ``GET|PUT /sandbox/settings``: lifecycle knobs (``review_delay_s``, ``reject_share``,
  ``reject_marker``, ``async_delay_s``, ``async_fail_share``, ``token_ttl_s``,
  ``code_ttl_s``, ``ship_within_s``, ``auto_refund``).
- ``GET|PUT /sandbox/clock`` (``{"frozen": true, "now"?: date-time}`` or ``{"frozen":
  false}``) and ``POST /sandbox/clock/advance`` ``{seconds}``: time as the sandbox sees it
  (token and code expiry, review and processing delays, rate windows, ``updated_at``).
- ``GET /sandbox/health``.

Python entry points: :func:`create_sandbox_app` (ASGI app; its ``.sandbox`` exposes the same
knobs), :func:`serve` (uvicorn), :func:`running_server` (uvicorn inside a test's event loop),
and ``python -m plugins.wish.sandbox --port N --db PATH``.
"""

from plugins.wish.sandbox.app import SandboxApp, create_sandbox_app
from plugins.wish.sandbox.clock import SandboxClock
from plugins.wish.sandbox.context import SandboxSettings
from plugins.wish.sandbox.faults import Faults
from plugins.wish.sandbox.server import running_server, serve

__all__ = [
    "Faults",
    "SandboxApp",
    "SandboxClock",
    "SandboxSettings",
    "create_sandbox_app",
    "running_server",
    "serve",
]
