"""Fetch a URL that a seller (or a collected page) gave us, without letting it reach inside.

The defences, in order, for the first request and again for every redirect hop:

1. The URL must be ``http`` or ``https``, without credentials, with a plain host name or a
   canonical IP literal (unusual IPv4 forms such as ``2130706433`` are refused).
2. The host is resolved once; if *any* address it resolves to is not public (see
   :mod:`core.net.addresses`), the fetch is refused.
3. The connection goes to the vetted address itself: the request URL carries the IP, the
   ``Host`` header and the TLS SNI / certificate check carry the name. A resolver that answers
   differently the second time (DNS rebinding) is never asked a second time.
4. Redirects are followed by hand (at most ``max_redirects``), each hop checked from step 1.
5. The body is read as a stream and refused as soon as it passes ``max_bytes``; the whole fetch,
   redirects included, must finish within ``timeout`` seconds.

Connections are never reused between requests (one TLS session is only ever used for the name
it was verified for), and proxies from the environment are ignored (they would connect to
addresses we never vetted).

Tests and the local demo reach servers on 127.0.0.1 through ``allowed_networks``; production
leaves it empty.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import httpx

from core import __version__
from core.i18n import msg
from core.net.addresses import (
    IPAddress,
    IPNetwork,
    address_problem,
    parse_ip_literal,
    parse_networks,
)
from core.net.errors import FetchFailed, FetchRefused, FetchUnavailable

Resolver = Callable[[str], Awaitable[Sequence[str]] | Sequence[str]]
"""Turns a host name into IP address strings. An empty answer means "no such host"; an
``OSError`` means a temporary failure. Tests inject their own to simulate any DNS answer."""

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_USER_AGENT = f"Tradewind/{__version__} (+self-hosted ERP image fetcher)"
_HOST_NAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?")


async def system_resolver(host: str) -> list[str]:
    """Resolve ``host`` with the operating system's resolver (``getaddrinfo``).

    Returns:
        The distinct addresses in the resolver's order; empty when the name does not exist.

    Raises:
        OSError: a temporary failure (the resolver could not answer now).
    """
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
            return []
        raise
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class FetchResult:
    """A fetched response.

    Attributes:
        url: the URL asked for.
        final_url: the URL of the response, after redirects.
        status: its HTTP status.
        content_type: its media type, lowercase, without parameters (None when absent).
        body: its body (decoded from any Content-Encoding), at most ``max_bytes``.
        headers: its headers.
        redirects: every URL redirected to, in order.
    """

    url: str
    final_url: str
    status: int
    content_type: str | None
    body: bytes
    headers: httpx.Headers
    redirects: tuple[str, ...] = field(default=())

    def raise_for_status(self) -> None:
        """Raise the fetch error that matches a non-2xx status; do nothing on 2xx.

        Raises:
            FetchFailed: 408, 429 or 5xx (try again later).
            FetchUnavailable: any other status outside 2xx.
        """
        _check_status(self.status, self.final_url, self.headers)


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after", "")
    return float(value) if value.strip().isdigit() else None


def _check_status(status: int, url: str, headers: httpx.Headers) -> None:
    if 200 <= status < 300:
        return
    if status in (408, 429) or status >= 500:
        raise FetchFailed(
            msg("%(url)s answered HTTP %(status)s; try again later.", url=url, status=status),
            reason="rate_limited" if status == 429 else "server_error",
            url=url,
            retry_after=_retry_after(headers),
            status=status,
        )
    raise FetchUnavailable(
        msg("%(url)s answered HTTP %(status)s.", url=url, status=status),
        reason="http_status",
        url=url,
        status=status,
    )


def _media_type(headers: httpx.Headers) -> str | None:
    value = headers.get("content-type")
    if not value:
        return None
    return value.split(";", 1)[0].strip().lower() or None


def _content_type_allowed(media_type: str | None, allowed: Iterable[str]) -> bool:
    if media_type is None:
        return False
    for pattern in allowed:
        pattern = pattern.lower()
        if media_type == pattern or (
            pattern.endswith("/*") and media_type.startswith(pattern[:-1])
        ):
            return True
    return False


class SafeFetcher:
    """Fetches untrusted URLs safely; keep one per process (it holds the TLS settings).

    Args:
        resolver: host name → IP addresses; the system resolver by default.
        allowed_networks: networks allowed although not public, e.g. ``["127.0.0.1/32"]`` for
            tests and the local demo. Empty in production.
        verify: TLS verification: True (the default CA bundle), False (never in production) or
            an ``ssl.SSLContext`` (tests trust their own CA this way).
        user_agent: the User-Agent header sent.
    """

    def __init__(
        self,
        *,
        resolver: Resolver | None = None,
        allowed_networks: Iterable[str | IPNetwork] = (),
        verify: ssl.SSLContext | bool = True,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        self._resolver: Resolver = resolver or system_resolver
        self._allowed = parse_networks(allowed_networks)
        self._verify = verify
        self._ssl_context: ssl.SSLContext | None = (
            verify if isinstance(verify, ssl.SSLContext) else None
        )
        self._user_agent = user_agent

    async def fetch(
        self,
        url: str,
        *,
        max_bytes: int,
        timeout: float = 30.0,
        max_redirects: int = 5,
        allowed_content_types: Iterable[str] | None = None,
        headers: Mapping[str, str] | None = None,
        raise_for_status: bool = True,
    ) -> FetchResult:
        """GET ``url`` under the safety rules of this module.

        Args:
            url: the URL to fetch.
            max_bytes: the largest body accepted; a larger one is refused while streaming.
            timeout: seconds for the whole fetch, redirects included.
            max_redirects: redirects followed at most.
            allowed_content_types: media types accepted for a 2xx answer, e.g.
                ``["image/*"]``; None accepts any.
            headers: extra request headers (``Host`` cannot be set).
            raise_for_status: raise for a non-2xx final answer (the default); with False the
                result carries the status and the body.

        Returns:
            The response.

        Raises:
            FetchRefused: the policy refused the URL, an address, a redirect or the body.
            FetchUnavailable: unknown host, or HTTP 4xx (with ``raise_for_status``).
            FetchFailed: timeout, connection failure, temporary DNS failure, HTTP 5xx/429.
        """
        try:
            async with asyncio.timeout(timeout):
                return await self._fetch(
                    url,
                    max_bytes=max_bytes,
                    max_redirects=max_redirects,
                    allowed_content_types=(
                        None if allowed_content_types is None else tuple(allowed_content_types)
                    ),
                    headers=dict(headers or {}),
                    raise_for_status=raise_for_status,
                    timeout=timeout,
                )
        except TimeoutError:
            raise FetchFailed(
                msg(
                    "Fetching %(url)s took longer than %(seconds)s seconds.",
                    url=url,
                    seconds=f"{timeout:g}",
                ),
                reason="timeout",
                url=url,
            ) from None

    async def _fetch(
        self,
        url: str,
        *,
        max_bytes: int,
        max_redirects: int,
        allowed_content_types: tuple[str, ...] | None,
        headers: dict[str, str],
        raise_for_status: bool,
        timeout: float,
    ) -> FetchResult:
        current = self.check_url(url)
        redirects: list[str] = []
        async with httpx.AsyncClient(
            verify=self._tls(),
            trust_env=False,
            follow_redirects=False,
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_keepalive_connections=0),
        ) as client:
            while True:
                response = await self._send(client, current, headers)
                try:
                    location = response.headers.get("location")
                    if response.status_code in REDIRECT_STATUSES and location:
                        if len(redirects) >= max_redirects:
                            raise FetchRefused(
                                msg(
                                    "%(url)s redirects more than %(max)s times.",
                                    url=url,
                                    max=max_redirects,
                                ),
                                reason="too_many_redirects",
                                url=url,
                            )
                        current = self.check_url(self._join(current, location))
                        redirects.append(str(current))
                        continue
                    if raise_for_status:
                        _check_status(response.status_code, str(current), response.headers)
                    body = await self._read_body(
                        response, str(current), max_bytes, allowed_content_types
                    )
                finally:
                    await response.aclose()
                return FetchResult(
                    url=url,
                    final_url=str(current),
                    status=response.status_code,
                    content_type=_media_type(response.headers),
                    body=body,
                    headers=response.headers,
                    redirects=tuple(redirects),
                )

    def _tls(self) -> ssl.SSLContext | bool:
        if self._verify is False:
            return False
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()
        return self._ssl_context

    @staticmethod
    def _join(current: httpx.URL, location: str) -> str:
        try:
            return str(current.join(location))
        except (httpx.InvalidURL, ValueError, TypeError):
            raise FetchRefused(
                msg("%(url)s redirects to an invalid URL.", url=str(current)),
                reason="bad_url",
                url=str(current),
            ) from None

    def check_url(self, url: str) -> httpx.URL:
        """Parse ``url`` and refuse it when it breaks a rule that needs no DNS (step 1).

        Args:
            url: the URL.

        Returns:
            The parsed URL.

        Raises:
            FetchRefused: bad URL, scheme, credentials, unusual IP form or blocked IP literal.
        """
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise FetchRefused(
                msg("Not a valid URL: %(url)s (%(error)s).", url=url, error=str(exc)),
                reason="bad_url",
                url=url,
            ) from None
        if parsed.scheme not in ("http", "https"):
            shown = parsed.scheme or msg("no scheme")
            raise FetchRefused(
                msg(
                    "Only http and https URLs can be fetched, not %(scheme)s: %(url)s",
                    scheme=shown,
                    url=url,
                ),
                reason="scheme",
                url=url,
            )
        if parsed.userinfo:
            raise FetchRefused(
                msg("URLs with a user name or password are not fetched."),
                reason="credentials",
                url=url,
            )
        host = parsed.raw_host.decode("ascii", "replace").lower()
        try:
            literal = parse_ip_literal(host)
        except ValueError:
            raise FetchRefused(
                msg(
                    "The host %(host)s is an unusual way of writing an IP address; refused.",
                    host=host,
                ),
                reason="ip_form",
                url=url,
            ) from None
        if literal is not None:
            self._refuse_blocked(url, host, [literal])
        elif not host or _HOST_NAME.fullmatch(host) is None:
            raise FetchRefused(
                msg("Not a valid host name in %(url)s.", url=url), reason="bad_url", url=url
            )
        return parsed

    def _refuse_blocked(self, url: str, host: str, addresses: Sequence[IPAddress]) -> None:
        for address in addresses:
            problem = address_problem(address, self._allowed)
            if problem:
                shown = host if host == str(address) else f"{host} ({address})"
                raise FetchRefused(
                    msg(
                        "%(host)s is %(problem)s; only public internet addresses are fetched.",
                        host=shown,
                        problem=problem,
                    ),
                    reason="blocked_address",
                    url=url,
                )

    async def _addresses(self, url: httpx.URL) -> list[IPAddress]:
        """The vetted addresses to connect to for ``url`` (step 2)."""
        host = url.raw_host.decode("ascii").lower()
        literal = parse_ip_literal(host)
        if literal is not None:
            self._refuse_blocked(str(url), host, [literal])  # again: no path skips the check
            return [literal]
        name = host.rstrip(".")
        try:
            answer = self._resolver(name)
            raw = await answer if inspect.isawaitable(answer) else answer
        except OSError as exc:
            raise FetchFailed(
                msg(
                    "The name %(host)s could not be resolved now (%(error)s).",
                    host=name,
                    error=str(exc),
                ),
                reason="dns",
                url=str(url),
            ) from None
        addresses: list[IPAddress] = []
        for item in raw:
            parsed = parse_ip_literal(str(item).split("%", 1)[0])
            if parsed is None:
                raise FetchFailed(
                    msg("The resolver gave a non-address for %(host)s.", host=name),
                    reason="dns",
                    url=str(url),
                )
            addresses.append(parsed)
        if not addresses:
            raise FetchUnavailable(
                msg("The host %(host)s does not exist.", host=name),
                reason="unknown_host",
                url=str(url),
            )
        self._refuse_blocked(str(url), name, addresses)
        return addresses

    async def _send(
        self, client: httpx.AsyncClient, url: httpx.URL, headers: dict[str, str]
    ) -> httpx.Response:
        """Connect to a vetted address of ``url``'s host and send the GET (step 3)."""
        addresses = await self._addresses(url)
        host = url.raw_host.decode("ascii")
        request_headers = {k: v for k, v in headers.items() if k.lower() != "host"}
        request_headers.setdefault("User-Agent", self._user_agent)
        request_headers["Host"] = url.netloc.decode("ascii")
        extensions = {}
        if url.scheme == "https" and parse_ip_literal(host) is None:
            extensions["sni_hostname"] = host.rstrip(".")
        last_error: Exception | None = None
        for address in addresses:
            request = client.build_request(
                "GET",
                url.copy_with(host=str(address)),
                headers=request_headers,
                extensions=extensions,
            )
            try:
                return await client.send(request, stream=True)
            except httpx.ConnectError as exc:
                if "CERTIFICATE_VERIFY_FAILED" in str(exc) or "certificate" in str(exc).lower():
                    raise FetchRefused(
                        msg(
                            "The TLS certificate of %(host)s is not valid (%(error)s).",
                            host=host,
                            error=str(exc),
                        ),
                        reason="tls",
                        url=str(url),
                    ) from None
                last_error = exc
            except httpx.TimeoutException:
                raise FetchFailed(
                    msg("%(host)s did not answer in time.", host=host),
                    reason="timeout",
                    url=str(url),
                ) from None
            except httpx.HTTPError as exc:
                raise FetchFailed(
                    msg(
                        "The connection to %(host)s failed (%(error)s).", host=host, error=str(exc)
                    ),
                    reason="protocol",
                    url=str(url),
                ) from None
        raise FetchFailed(
            msg("Could not connect to %(host)s (%(error)s).", host=host, error=str(last_error)),
            reason="connect",
            url=str(url),
        )

    @staticmethod
    async def _read_body(
        response: httpx.Response,
        url: str,
        max_bytes: int,
        allowed_content_types: tuple[str, ...] | None,
    ) -> bytes:
        """Stream the body, refusing it past ``max_bytes`` or with an unwanted type (step 5)."""
        media_type = _media_type(response.headers)
        if (
            allowed_content_types is not None
            and response.is_success
            and not _content_type_allowed(media_type, allowed_content_types)
        ):
            raise FetchRefused(
                msg(
                    "%(url)s is %(type)s, not %(wanted)s.",
                    url=url,
                    type=media_type or msg("of no declared type"),
                    wanted=" or ".join(allowed_content_types),
                ),
                reason="content_type",
                url=url,
            )
        declared = response.headers.get("content-length", "")
        too_large = FetchRefused(
            msg("%(url)s is larger than the limit of %(max)s bytes.", url=url, max=max_bytes),
            reason="too_large",
            url=url,
        )
        if declared.isdigit() and int(declared) > max_bytes:
            raise too_large
        body = bytearray()
        try:
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise too_large
        except httpx.TimeoutException:
            raise FetchFailed(
                msg("%(url)s stopped sending.", url=url), reason="timeout", url=url
            ) from None
        except httpx.HTTPError as exc:
            raise FetchFailed(
                msg("Reading %(url)s failed (%(error)s).", url=url, error=str(exc)),
                reason="protocol",
                url=url,
            ) from None
        return bytes(body)


async def fetch(
    url: str,
    *,
    max_bytes: int,
    timeout: float = 30.0,
    max_redirects: int = 5,
    allowed_content_types: Iterable[str] | None = None,
    resolver: Resolver | None = None,
    allowed_networks: Iterable[str | IPNetwork] = (),
    headers: Mapping[str, str] | None = None,
    raise_for_status: bool = True,
) -> FetchResult:
    """One safe GET with a throw-away :class:`SafeFetcher`; see :meth:`SafeFetcher.fetch`.

    Args:
        url: the URL to fetch.
        max_bytes: the largest body accepted.
        timeout: seconds for the whole fetch, redirects included.
        max_redirects: redirects followed at most.
        allowed_content_types: media types accepted (``"image/*"`` style wildcards allowed).
        resolver: host name → addresses; the system resolver by default.
        allowed_networks: non-public networks allowed anyway (tests, local demo only).
        headers: extra request headers.
        raise_for_status: raise for a non-2xx final answer.

    Returns:
        The response.
    """
    fetcher = SafeFetcher(resolver=resolver, allowed_networks=allowed_networks)
    return await fetcher.fetch(
        url,
        max_bytes=max_bytes,
        timeout=timeout,
        max_redirects=max_redirects,
        allowed_content_types=allowed_content_types,
        headers=headers,
        raise_for_status=raise_for_status,
    )
