"""Real HTTP(S) servers on loopback addresses for the safe-fetch tests.

Every route is bounded: the endless ones stop after a fixed amount of data or time, or as soon
as the client goes away.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
CHUNK = 64 * 1024
ENDLESS_LIMIT = 300 * 1024 * 1024  # "endless" bodies stop here
SLOW_LIMIT_SECONDS = 20.0


@dataclass
class ServerLog:
    """What a test server saw."""

    paths: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    bytes_sent: int = 0


class _Handler(BaseHTTPRequestHandler):
    log: ServerLog
    label: str
    files: dict[str, tuple[bytes, str]]

    def log_message(self, format: str, *args: object) -> None:  # the tests stay quiet
        pass

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "text/plain",
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.log.bytes_sent += len(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.log.paths.append(parts.path)
        self.log.hosts.append(self.headers.get("Host", ""))
        route = parts.path
        if route in self.files:
            body, content_type = self.files[route]
            self._send(200, body, content_type)
        elif route == "/image.png":
            self._send(200, PNG, "image/png")
        elif route == "/whoami":
            self._send(200, f"{self.label} {self.headers.get('Host')}".encode())
        elif route == "/text":
            self._send(200, b"just text", "text/plain; charset=utf-8")
        elif route == "/redirect":
            self._send(int(query.get("status", "302")), b"", extra={"Location": query["to"]})
        elif route == "/loop":
            self._send(302, b"", extra={"Location": "/loop"})
        elif route.startswith("/status/"):
            self._send(int(route.rsplit("/", 1)[1]), b"status page", extra={"Retry-After": "7"})
        elif route == "/declared-huge":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(10**10))
            self.end_headers()
            self.wfile.write(PNG)
        elif route == "/endless":
            self._endless()
        elif route == "/slow":
            self._slow()
        else:
            self._send(404, b"no such page")

    def _endless(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        chunk = b"\x00" * CHUNK
        try:
            while self.log.bytes_sent < ENDLESS_LIMIT:
                self.wfile.write(chunk)
                self.log.bytes_sent += CHUNK
        except OSError:
            pass  # the client hung up, as it should

    def _slow(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        started = time.monotonic()
        try:
            while time.monotonic() - started < SLOW_LIMIT_SECONDS:
                self.wfile.write(b"\x00")
                self.wfile.flush()
                self.log.bytes_sent += 1
                time.sleep(0.1)
        except OSError:
            pass


@dataclass
class RunningServer:
    """A server listening on ``host``:``port``."""

    host: str
    port: int
    log: ServerLog
    scheme: str = "http"
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    """Extra routes: path -> (body, content type); tests fill it."""

    def url(self, path: str, host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"


@contextmanager
def serve(
    host: str, port: int = 0, *, label: str = "public", tls: ssl.SSLContext | None = None
) -> Iterator[RunningServer]:
    """Run a test server in a thread for the duration of the block."""
    log = ServerLog()
    files: dict[str, tuple[bytes, str]] = {}
    handler = type("Handler", (_Handler,), {"log": log, "label": label, "files": files})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield RunningServer(
            host, server.server_address[1], log, "https" if tls is not None else "http", files
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def make_certificate(directory: Path, hostname: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``hostname`` (and 127.0.0.1); returns (cert, key) paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(hostname), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / f"{hostname}.crt"
    key_path = directory / f"{hostname}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
