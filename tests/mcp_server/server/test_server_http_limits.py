"""Slow, idle and too many clients on loopback: each connection has deadlines, the server a connection cap and
each client a cap on requests in flight; an authenticated client is still served."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from server_helpers import free_port

from mcp_server.server import _http_guard
from mcp_server.server._http_guard import ClientRequestLimit, GuardedH11Protocol
from mcp_server.server._options import ServerOptions
from mcp_server.server._transports import HttpSettings, build_http_app

TOKEN = "limits-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
App = Callable[..., Any]


@contextmanager
def serving(app: App) -> Iterator[int]:
    """`app` behind uvicorn with the guarded protocol, in a thread of this process, on a free loopback port."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, http=GuardedH11Protocol, log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def mcp_app(tmp_path: Path) -> App:
    return build_http_app(ServerOptions(cwd=tmp_path), HttpSettings(token=TOKEN), max_input_bytes=1 << 20)


@pytest.fixture
def quick_deadlines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_http_guard, "HEADER_TIMEOUT_S", 0.5)
    monkeypatch.setattr(_http_guard, "BODY_TIMEOUT_S", 0.5)


def closed_within(sock: socket.socket, seconds: float) -> float | None:
    """How long until the server closed `sock` (None if it was still open after `seconds`)."""
    started = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return time.monotonic() - started


def initialize(port: int, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
    }
    try:
        conn.request(
            "POST",
            "/mcp",
            body=json.dumps(body),
            headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream", **headers},
        )
        response = conn.getresponse()
        response.read()
        return int(response.status)
    finally:
        conn.close()


@pytest.mark.usefixtures("quick_deadlines")
def test_a_client_that_never_finishes_its_headers_is_disconnected(mcp_app: App) -> None:
    with serving(mcp_app) as port:
        silent = socket.create_connection(("127.0.0.1", port))
        partial = socket.create_connection(("127.0.0.1", port))
        partial.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        assert closed_within(silent, 10) is not None
        assert closed_within(partial, 10) is not None
        silent.close()
        partial.close()


@pytest.mark.usefixtures("quick_deadlines")
def test_a_trickled_body_is_cut_off_but_a_whole_one_is_served(mcp_app: App) -> None:
    with serving(mcp_app) as port:
        slow = socket.create_connection(("127.0.0.1", port))
        head = f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {TOKEN}\r\n"
        slow.sendall((head + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{").encode())
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < 10 and not closed:
            try:
                slow.sendall(b" ")
            except OSError:
                closed = True
                break
            slow.settimeout(0.2)
            try:
                closed = slow.recv(4096) == b""
            except TimeoutError:
                pass
            except ConnectionResetError:
                closed = True
        assert closed, "a body trickled for 10 s was still being read"
        slow.close()
        assert initialize(port, AUTH) == 200


def test_past_the_connection_cap_waiting_clients_make_room_and_requests_are_served(
    mcp_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_http_guard, "MAX_CONNECTIONS", 8)
    with serving(mcp_app) as port:
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(30)]
        for sock in idle:
            sock.sendall(b"POST /mcp HTTP/1.1\r\n")
        assert initialize(port, AUTH) == 200
        still_open = sum(closed_within(sock, 0.2) is None for sock in idle)
        assert still_open <= 8
        for sock in idle:
            sock.close()


def test_unauthenticated_requests_are_refused_before_any_work(mcp_app: App) -> None:
    with serving(mcp_app) as port:
        assert initialize(port, {}) == 401
        assert initialize(port, {"Authorization": "Bearer not-the-token-not-the-token"}) == 401
        assert initialize(port, AUTH) == 200


async def test_one_client_gets_429_past_its_requests_in_flight_others_are_served() -> None:
    release = asyncio.Event()
    entered = 0

    async def slow_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal entered
        entered += 1
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    limited = ClientRequestLimit(slow_app, limit=2)
    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    def scope(session: str) -> dict[str, Any]:
        return {"type": "http", "headers": [(b"mcp-session-id", session.encode())], "client": ("127.0.0.1", 1)}

    waiting = [asyncio.create_task(limited(scope("a"), receive, send)) for _ in range(2)]
    while entered < 2:
        await asyncio.sleep(0)
    await limited(scope("a"), receive, send)
    assert statuses == [429]
    other = asyncio.create_task(limited(scope("b"), receive, send))
    while entered < 3:
        await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*waiting, other)
    assert statuses == [429, 200, 200, 200]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


pytestmark = pytest.mark.anyio
