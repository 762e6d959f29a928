"""The sandbox's front door: request ids, language, latency, faults and rate limits.

An ASGI wrapper around the Litestar app rather than Litestar middleware, because it must see
every request (unknown paths included) and must be able to answer nothing at all.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, NoReturn

from plugins.wish.sandbox.context import Sandbox
from plugins.wish.sandbox.errors import RATE_LIMITED, error_body
from plugins.wish.sandbox.messages import pick_language, render

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


class SimulatedConnectionDrop(Exception):
    """Raised after a response was started, so the server closes the connection mid-response."""


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            decoded: str = value.decode("latin-1")
            return decoded
    return None


async def _send_simple(
    send: Send, status: int, body: bytes, content_type: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    all_headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        *headers,
    ]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": body})


async def _wait_for_disconnect(receive: Receive, seconds: float) -> bool:
    """Wait until the client disconnects (True) or ``seconds`` pass (False)."""

    async def watch() -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return

    try:
        await asyncio.wait_for(watch(), timeout=seconds)
    except TimeoutError:
        return False
    return True


async def _drop(send: Send, headers: list[tuple[bytes, bytes]]) -> NoReturn:
    start_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", b"4096"),
        *headers,
    ]
    await send({"type": "http.response.start", "status": 200, "headers": start_headers})
    raise SimulatedConnectionDrop()


class SandboxGateway:
    """Wraps the sandbox's Litestar app.

    Args:
        app: the Litestar app.
        sandbox: the sandbox instance (faults, limiter, clock, store).
    """

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        language = pick_language(_header(scope, b"accept-language"))
        headers = [
            (b"wish-request-id", uuid.uuid4().hex.encode()),
            (b"content-language", language.encode()),
        ]
        injector = self.sandbox.injector
        if not injector.applies_to(scope["path"]):
            await self.app(scope, receive, _adding(send, headers))
            return
        faults = injector.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        kind = injector.decide(is_write=scope["method"] in WRITE_METHODS)
        if kind == "error":
            await self._answer_error(send, headers, language)
            return
        if kind == "timeout":
            if not await _wait_for_disconnect(receive, faults.hang_s):
                await _send_simple(send, 504, b"Gateway Timeout", b"text/plain", headers)
            return
        if kind == "drop":
            await _drop(send, headers)
        if not await self._within_rate_limit(scope, send, headers, language):
            return
        if kind == "lost":
            await self._lose_response(scope, receive, send, headers)
            return
        await self.app(scope, receive, _adding(send, headers))

    async def _answer_error(
        self, send: Send, headers: list[tuple[bytes, bytes]], language: str
    ) -> None:
        status = self.sandbox.injector.error_status()
        if status == 500:
            body = json.dumps(error_body(500, render("internal", language, {}))).encode()
            await _send_simple(send, status, body, b"application/json", headers)
            return
        reason = _REASONS.get(status, "Server Error")
        html = f"<html><body><h1>{status} {reason}</h1></body></html>".encode()
        await _send_simple(send, status, html, b"text/html", headers)

    async def _within_rate_limit(
        self, scope: Scope, send: Send, headers: list[tuple[bytes, bytes]], language: str
    ) -> bool:
        faults = self.sandbox.faults
        peer = scope.get("client") or ("unknown", 0)
        key = self.sandbox.rate_key(_header(scope, b"authorization"), str(peer[0]))
        decision = self.sandbox.limiter.hit(
            key, self.sandbox.now_ms(), faults.rate_limit, faults.rate_window_s
        )
        headers.append((b"wish-rate-limit-remaining", str(decision.remaining).encode()))
        if decision.allowed:
            return True
        headers.append((b"wish-rate-limit-reset", str(decision.reset_epoch_s).encode()))
        body = json.dumps(error_body(RATE_LIMITED, render("rate_limited", language, {})))
        await _send_simple(send, 429, body.encode(), b"application/json", headers)
        return False

    async def _lose_response(
        self, scope: Scope, receive: Receive, send: Send, headers: list[tuple[bytes, bytes]]
    ) -> None:
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, _adding(hold, headers))
        if self.sandbox.faults.lost_response_mode == "drop":
            await _drop(send, headers)
        if await _wait_for_disconnect(receive, self.sandbox.faults.hang_s):
            return
        for message in held:
            await send(message)


def _adding(send: Send, headers: list[tuple[bytes, bytes]]) -> Send:
    """Wrap ``send`` so the response carries ``headers`` too."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = dict(message)
            message["headers"] = [*message.get("headers", []), *headers]
        await send(message)

    return wrapped
