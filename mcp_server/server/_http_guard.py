"""Limits that keep the network transports answering: time limits per connection, a connection cap, and a
cap on each client's requests in flight.

uvicorn closes a connection only when it has been idle after a response; a
client that connects and never finishes its request headers, or trickles its
body, holds the connection (and a file descriptor) for ever. `GuardedH11Protocol`
gives every connection a deadline for its current phase:

- waiting for a request's headers (a new connection, or one kept alive after a
  response): `HEADER_TIMEOUT_S`;
- receiving a request body: `BODY_TIMEOUT_S` plus one second per `BODY_MIN_RATE`
  bytes the request announced, so a slow trickle is cut while a large body on
  loopback has ample time;
- idle between requests: `KEEP_ALIVE_S` (uvicorn's own keep-alive timer).

Once a request is read, the response (an SSE stream may last the whole session)
has no deadline here: tool calls are bounded by their own time limit.

At most `MAX_CONNECTIONS` connections are held. A new connection past that
replaces the connection that has waited longest for its request headers (a
slow or idle client); only when every held connection is busy with a request
is the new one closed at once. Each client (its MCP session, else its address)
may have `PER_CLIENT_REQUESTS` requests in flight; more are answered 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = [
    "BODY_MIN_RATE",
    "BODY_TIMEOUT_S",
    "HEADER_TIMEOUT_S",
    "KEEP_ALIVE_S",
    "MAX_CONNECTIONS",
    "PER_CLIENT_REQUESTS",
    "ClientRequestLimit",
    "GuardedH11Protocol",
    "raise_open_file_limit",
]

_log = logging.getLogger("headroom.server")

HEADER_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 10.0
BODY_MIN_RATE = 1024 * 1024
KEEP_ALIVE_S = 30
MAX_CONNECTIONS = 256
PER_CLIENT_REQUESTS = 16
# File descriptors the server asks for (the soft limit is often 1,024): the cap plus the store, logs and runs.
_WANTED_FILES = 4096


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for each phase of a connection and a cap on connections."""

    _deadline: asyncio.TimerHandle | None = None
    _phase: object = None
    _waiting_since = 0.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= MAX_CONNECTIONS and not self._evict_a_waiting_connection():
            _log.warning("connection limit (%d) reached, every connection busy: closing a new one", MAX_CONNECTIONS)
            transport.close()
            return
        super().connection_made(transport)
        self._follow_phase()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow_phase()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow_phase()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self.transport is not None:
            super().connection_lost(exc)

    def _waiting(self) -> bool:
        """Waiting for a request's headers: nothing of a request received yet, or part of its headers."""
        return self.conn.their_state is h11.IDLE and (self.cycle is None or self.cycle.response_complete)

    def _follow_phase(self) -> None:
        """Arm the deadline of the phase the connection is in, when that phase just began."""
        if self.transport is None or self.transport.is_closing():
            return
        state = self.conn.their_state
        phase = "headers" if self._waiting() else ("body" if state is h11.SEND_BODY else "handled")
        if phase == self._phase:
            return
        self._phase = phase
        self._disarm()
        if phase == "headers":
            self._waiting_since = self.loop.time()
            self._deadline = self.loop.call_later(HEADER_TIMEOUT_S, self._expire, "request headers")
        elif phase == "body":
            self._deadline = self.loop.call_later(self._body_time(), self._expire, "request body")

    def _body_time(self) -> float:
        announced = 0
        for name, value in self.headers or ():
            if name == b"content-length":
                with contextlib.suppress(ValueError):
                    announced = int(value)
        return BODY_TIMEOUT_S + announced / BODY_MIN_RATE

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self, what: str) -> None:
        self._deadline = None
        if self.transport is not None and not self.transport.is_closing():
            _log.info("closing a connection from %s: %s not received in time", self.client, what)
            self.transport.close()

    def _evict_a_waiting_connection(self) -> bool:
        """Close the held connection that has waited longest for its request headers; False if none waits."""
        waiting = [c for c in self.connections if isinstance(c, GuardedH11Protocol) and c._phase == "headers"]
        if not waiting:
            return False
        oldest = min(waiting, key=lambda c: c._waiting_since)
        oldest._expire("request headers (connection limit reached)")
        self.connections.discard(oldest)
        return True


class ClientRequestLimit:
    """At most `limit` HTTP requests in flight per client: its MCP session, else its address."""

    def __init__(self, app: ASGIApp, limit: int = PER_CLIENT_REQUESTS) -> None:
        self.app = app
        self.limit = limit
        self._in_flight: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key = _client_key(scope)
        if self._in_flight[key] >= self.limit:
            await _too_many(send, self.limit)
            return
        self._in_flight[key] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self._in_flight[key] -= 1
            if not self._in_flight[key]:
                del self._in_flight[key]


def _client_key(scope: Scope) -> str:
    for name, value in scope.get("headers") or ():
        if name == b"mcp-session-id":
            return "session:" + bytes(value).decode("latin-1")
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    session = parse_qs(query).get("session_id")
    if session:
        return "session:" + session[0]
    client = scope.get("client")
    return f"address:{client[0] if client else '?'}"


async def _too_many(send: Send, limit: int) -> None:
    body = json.dumps({"error": f"too many requests in flight from this client (at most {limit}); retry later"})
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", b"application/json"),
        (b"retry-after", b"1"),
        (b"content-length", str(len(body)).encode()),
    ]
    message: dict[str, Any] = {"type": "http.response.start", "status": 429, "headers": headers}
    await send(message)
    await send({"type": "http.response.body", "body": body.encode()})


def raise_open_file_limit() -> int:
    """Raise this process's soft limit on open files towards what the connection cap needs; the new limit."""
    try:
        import resource
    except ImportError:  # Windows: no such limit
        return -1
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = _WANTED_FILES if hard == resource.RLIM_INFINITY else min(_WANTED_FILES, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            return wanted
    return soft
