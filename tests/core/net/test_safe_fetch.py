from __future__ import annotations

import ssl
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from core.errors import PermanentError, TransientError
from core.net.errors import FetchError, FetchFailed, FetchRefused, FetchUnavailable
from core.net.safe_fetch import SafeFetcher, fetch
from tests.core.net.servers import PNG, RunningServer, make_certificate, serve

LOOPBACK_ONLY = ["127.0.0.1/32"]  # what tests allow; 127.0.0.2 stays forbidden
MB = 1024 * 1024


class FakeDNS:
    """An injected resolver: answers from a table, or a sequence of answers per name."""

    def __init__(self, answers: dict[str, list[str] | list[list[str]]]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    async def __call__(self, host: str) -> Sequence[str]:
        self.calls.append(host)
        answer = self.answers.get(host, [])
        if answer and isinstance(answer[0], list):
            # successive answers: the first, then the next ... (a rebinding attacker's DNS)
            index = min(self.calls.count(host) - 1, len(answer) - 1)
            return list(answer[index])
        return list(answer)  # type: ignore[arg-type]


def no_dns(host: str) -> list[str]:
    raise AssertionError(f"the resolver must not be asked (asked for {host})")


@pytest.fixture
def public() -> Iterator[RunningServer]:
    """The server that plays "the internet" (allowed through LOOPBACK_ONLY)."""
    with serve("127.0.0.1", label="public") as server:
        yield server


@pytest.fixture
def secret(public: RunningServer) -> Iterator[RunningServer]:
    """An internal service on 127.0.0.2, same port as ``public``: what SSRF wants to reach."""
    with serve("127.0.0.2", public.port, label="secret") as server:
        yield server


async def test_fetches_a_public_image_with_the_allow_list(public: RunningServer) -> None:
    result = await fetch(public.url("/image.png"), max_bytes=MB, allowed_networks=LOOPBACK_ONLY)
    assert (result.status, result.content_type, result.body) == (200, "image/png", PNG)
    assert result.final_url == result.url == public.url("/image.png")
    assert result.redirects == ()


async def test_loopback_is_refused_without_the_allow_list(public: RunningServer) -> None:
    with pytest.raises(FetchRefused) as caught:
        await fetch(public.url("/image.png"), max_bytes=MB, resolver=no_dns)
    assert caught.value.reason == "blocked_address"
    assert "loopback" in str(caught.value)
    assert public.log.paths == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "blocked_address"),
        ("http://127.0.0.2:8080/admin", "blocked_address"),
        ("http://[::1]/", "blocked_address"),
        ("http://10.0.0.1/", "blocked_address"),
        ("http://172.16.0.1/", "blocked_address"),
        ("http://192.168.1.1/", "blocked_address"),
        ("http://169.254.169.254/latest/meta-data/", "blocked_address"),
        ("http://100.64.0.1/", "blocked_address"),
        ("http://0.0.0.0/", "blocked_address"),
        ("http://[::]/", "blocked_address"),
        ("http://255.255.255.255/", "blocked_address"),
        ("http://224.0.0.1/", "blocked_address"),
        ("http://[fe80::1]/", "blocked_address"),
        ("http://[fd00::1]/", "blocked_address"),
        ("http://[::ffff:127.0.0.1]/", "blocked_address"),
        ("http://[::ffff:169.254.169.254]/", "blocked_address"),
        ("http://2130706433/", "ip_form"),
        ("http://0x7f000001/", "ip_form"),
        ("http://0x7f.1/", "ip_form"),
        ("http://127.1/", "ip_form"),
        ("http://0177.0.0.1/", "bad_url"),
        ("file:///etc/passwd", "scheme"),
        ("gopher://127.0.0.1:6379/_INFO", "scheme"),
        ("ftp://example.com/x.png", "scheme"),
        ("data:image/png;base64,iVBORw0KGgo=", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("//example.com/x.png", "scheme"),
        ("http://user:secret@example.com/x.png", "credentials"),
        ("http://exa mple.com/", "bad_url"),
        ("http:///nohost", "bad_url"),
    ],
)
async def test_refused_before_any_connection(url: str, reason: str) -> None:
    with pytest.raises(FetchRefused) as caught:
        await fetch(url, max_bytes=MB, resolver=no_dns)
    error = caught.value
    assert error.reason == reason
    assert isinstance(error, PermanentError) and isinstance(error, FetchError)
    assert str(error)


@pytest.mark.parametrize(
    "answer",
    [["10.1.2.3"], ["169.254.169.254"], ["::1"], ["93.184.216.34", "192.168.0.10"], ["fd00::5"]],
)
async def test_a_name_resolving_to_any_private_address_is_refused(answer: list[str]) -> None:
    dns = FakeDNS({"images.example": answer})
    with pytest.raises(FetchRefused) as caught:
        await fetch("http://images.example/a.png", max_bytes=MB, resolver=dns)
    assert caught.value.reason == "blocked_address"
    assert "images.example" in str(caught.value)
    assert dns.calls == ["images.example"]


async def test_localhost_by_name_is_refused_by_the_system_resolver() -> None:
    with pytest.raises(FetchRefused) as caught:
        await fetch("http://localhost/", max_bytes=MB)
    assert caught.value.reason == "blocked_address"


async def test_connects_to_the_vetted_address_and_keeps_the_host_name(
    public: RunningServer,
) -> None:
    dns = FakeDNS({"shop.test": ["127.0.0.1"]})
    fetcher = SafeFetcher(resolver=dns, allowed_networks=LOOPBACK_ONLY)
    result = await fetcher.fetch(public.url("/whoami", host="shop.test"), max_bytes=MB)
    assert result.body == f"public shop.test:{public.port}".encode()
    assert result.final_url == f"http://shop.test:{public.port}/whoami"


async def test_dns_rebinding_is_defeated_by_pinning(
    public: RunningServer, secret: RunningServer
) -> None:
    # First answer passes the check; a second lookup would point at the internal service.
    dns = FakeDNS({"rebind.test": [["127.0.0.1"], ["127.0.0.2"]]})
    fetcher = SafeFetcher(resolver=dns, allowed_networks=LOOPBACK_ONLY)
    result = await fetcher.fetch(public.url("/whoami", host="rebind.test"), max_bytes=MB)
    assert result.body.startswith(b"public ")
    assert dns.calls == ["rebind.test"]
    assert secret.log.paths == []
    # The answer an attacker switches to is refused when it is the one given.
    with pytest.raises(FetchRefused):
        await fetcher.fetch(public.url("/whoami", host="rebind.test"), max_bytes=MB)
    assert secret.log.paths == []


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.2:{port}/whoami",  # the internal service, by address
        "http://internal.test:{port}/whoami",  # the internal service, by a name resolving to it
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://[::1]:{port}/",
        "http://2130706433:{port}/",
        "file:///etc/passwd",
        "gopher://127.0.0.2:{port}/x",
    ],
)
async def test_every_redirect_hop_is_checked(
    public: RunningServer, secret: RunningServer, target: str
) -> None:
    dns = FakeDNS({"cdn.test": ["127.0.0.1"], "internal.test": ["127.0.0.2"]})
    fetcher = SafeFetcher(resolver=dns, allowed_networks=LOOPBACK_ONLY)
    start = public.url(f"/redirect?to={target.format(port=public.port)}", host="cdn.test")
    with pytest.raises(FetchRefused) as caught:
        await fetcher.fetch(start, max_bytes=MB)
    assert caught.value.reason in ("blocked_address", "ip_form", "scheme")
    assert public.log.paths == ["/redirect"]
    assert secret.log.paths == []


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_redirects_to_allowed_places_are_followed(public: RunningServer, status: int) -> None:
    dns = FakeDNS({"cdn.test": ["127.0.0.1"], "img.test": ["127.0.0.1"]})
    fetcher = SafeFetcher(resolver=dns, allowed_networks=LOOPBACK_ONLY)
    target = public.url("/image.png", host="img.test")
    result = await fetcher.fetch(
        public.url(f"/redirect?status={status}&to={target}", host="cdn.test"), max_bytes=MB
    )
    assert result.body == PNG
    assert result.final_url == target
    assert result.redirects == (target,)
    assert public.log.hosts == [f"cdn.test:{public.port}", f"img.test:{public.port}"]
    assert dns.calls == ["cdn.test", "img.test"]


async def test_relative_redirect_and_redirect_limit(public: RunningServer) -> None:
    fetcher = SafeFetcher(allowed_networks=LOOPBACK_ONLY)
    result = await fetcher.fetch(public.url("/redirect?to=/image.png"), max_bytes=MB)
    assert result.body == PNG
    with pytest.raises(FetchRefused) as caught:
        await fetcher.fetch(public.url("/loop"), max_bytes=MB, max_redirects=3)
    assert caught.value.reason == "too_many_redirects"
    assert public.log.paths.count("/loop") == 4  # the first request and three redirects


async def test_body_over_the_limit_is_refused_while_streaming(public: RunningServer) -> None:
    with pytest.raises(FetchRefused) as caught:
        await fetch(public.url("/endless"), max_bytes=2 * MB, allowed_networks=LOOPBACK_ONLY)
    assert caught.value.reason == "too_large"
    # The server could send 300 MB; the client hung up after ~2 MB (plus socket buffers).
    assert public.log.bytes_sent < 64 * MB


async def test_declared_length_over_the_limit_is_refused_at_once(public: RunningServer) -> None:
    with pytest.raises(FetchRefused) as caught:
        await fetch(public.url("/declared-huge"), max_bytes=MB, allowed_networks=LOOPBACK_ONLY)
    assert caught.value.reason == "too_large"


async def test_total_time_is_limited(public: RunningServer) -> None:
    # The server trickles one byte every 0.1 s: no single read times out, the whole fetch does.
    with pytest.raises(FetchFailed) as caught:
        await fetch(public.url("/slow"), max_bytes=MB, timeout=1.0, allowed_networks=LOOPBACK_ONLY)
    assert caught.value.reason == "timeout"
    assert isinstance(caught.value, TransientError)


async def test_content_type_filter(public: RunningServer) -> None:
    fetcher = SafeFetcher(allowed_networks=LOOPBACK_ONLY)
    with pytest.raises(FetchRefused) as caught:
        await fetcher.fetch(public.url("/text"), max_bytes=MB, allowed_content_types=["image/*"])
    assert caught.value.reason == "content_type"
    assert "text/plain" in str(caught.value)
    result = await fetcher.fetch(
        public.url("/image.png"), max_bytes=MB, allowed_content_types=["image/jpeg", "image/png"]
    )
    assert result.body == PNG


async def test_http_errors(public: RunningServer) -> None:
    fetcher = SafeFetcher(allowed_networks=LOOPBACK_ONLY)
    with pytest.raises(FetchUnavailable) as missing:
        await fetcher.fetch(public.url("/status/404"), max_bytes=MB)
    assert (missing.value.reason, missing.value.status) == ("http_status", 404)
    with pytest.raises(FetchFailed) as busy:
        await fetcher.fetch(public.url("/status/503"), max_bytes=MB)
    assert (busy.value.reason, busy.value.retry_after) == ("server_error", 7.0)
    with pytest.raises(FetchFailed) as limited:
        await fetcher.fetch(public.url("/status/429"), max_bytes=MB)
    assert limited.value.reason == "rate_limited"
    result = await fetcher.fetch(public.url("/status/404"), max_bytes=MB, raise_for_status=False)
    assert (result.status, result.body) == (404, b"status page")
    with pytest.raises(FetchUnavailable):
        result.raise_for_status()


async def test_unknown_host_and_dns_trouble() -> None:
    with pytest.raises(FetchUnavailable) as unknown:
        await fetch("http://nowhere.test/", max_bytes=MB, resolver=FakeDNS({}))
    assert unknown.value.reason == "unknown_host"

    def broken(host: str) -> list[str]:
        raise OSError("resolver timed out")

    with pytest.raises(FetchFailed) as trouble:
        await fetch("http://images.test/", max_bytes=MB, resolver=broken)
    assert trouble.value.reason == "dns"


async def test_connection_refused_is_transient() -> None:
    with serve("127.0.0.1") as gone:
        port = gone.port
    with pytest.raises(FetchFailed) as caught:
        await fetch(f"http://127.0.0.1:{port}/", max_bytes=MB, allowed_networks=LOOPBACK_ONLY)
    assert caught.value.reason == "connect"


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


async def test_https_uses_the_host_name_for_sni_and_certificate(tmp_path: Path) -> None:
    cert, key = make_certificate(tmp_path, "images.test")
    client_trust = ssl.create_default_context(cafile=str(cert))
    with serve("127.0.0.1", tls=tls_context(cert, key)) as server:
        dns = FakeDNS({"images.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
        fetcher = SafeFetcher(resolver=dns, allowed_networks=LOOPBACK_ONLY, verify=client_trust)
        result = await fetcher.fetch(server.url("/whoami", host="images.test"), max_bytes=MB)
        assert result.body == f"public images.test:{server.port}".encode()
        # Same address, a name the certificate does not cover: the check uses the name.
        with pytest.raises(FetchRefused) as caught:
            await fetcher.fetch(server.url("/whoami", host="other.test"), max_bytes=MB)
        assert caught.value.reason == "tls"
