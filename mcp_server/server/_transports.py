"""Serving: stdio, or SSE / streamable HTTP on a socket guarded against DNS rebinding and, off loopback, by a token.

Network transports bind 127.0.0.1 unless told otherwise. Every request's Host
header must name this server (and a browser's Origin, when sent, too), so a web
page cannot reach it through a rebound DNS name. Bound to anything but a
loopback address the server refuses to start without a bearer token, and with a
token every HTTP request must carry ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import socket
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ccr import AccessError

if TYPE_CHECKING:
    from mcp.server.transport_security import TransportSecuritySettings
    from starlette.types import ASGIApp, Receive, Scope, Send

    from mcp_server.server._options import ServerOptions

__all__ = [
    "MIN_TOKEN_CHARS",
    "BearerTokenMiddleware",
    "HttpSettings",
    "build_http_app",
    "is_loopback",
    "security_settings",
    "serve",
]

Transport = Literal["stdio", "sse", "http"]
MIN_TOKEN_CHARS = 16
_WILDCARDS = frozenset({"0.0.0.0", "::", ""})


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses; a wildcard or any other name is not."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_names(host: str) -> set[str]:
    names = {"127.0.0.1", "localhost", "[::1]"}
    if host in _WILDCARDS:
        hostname = socket.gethostname()
        names |= {hostname, socket.getfqdn()}
        try:
            infos = socket.getaddrinfo(hostname, None)
        except OSError:
            infos = []
        names |= {str(info[4][0]) for info in infos}
    else:
        names.add(host)
    return {f"[{n}]" if ":" in n and not n.startswith("[") else n for n in names if n}


def security_settings(host: str, extra_hosts: Iterable[str] = ()) -> TransportSecuritySettings:
    """Host/Origin checks for a server bound to `host`: the names it can be reached by, with any port."""
    from mcp.server.transport_security import TransportSecuritySettings

    names = sorted(_host_names(host) | set(extra_hosts))
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[*names, *(f"{n}:*" for n in names)],
        allowed_origins=[f"{scheme}://{n}{port}" for scheme in ("http", "https") for n in names for port in ("", ":*")],
    )


class BearerTokenMiddleware:
    """Rejects HTTP requests that do not carry ``Authorization: Bearer <token>`` (constant-time compare)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers") or ()).get(b"authorization", b"")
            if not hmac.compare_digest(given, self._expected):
                body = json.dumps({"error": "unauthorized: send Authorization: Bearer <token>"}).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"www-authenticate", b'Bearer realm="headroom"'),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


@dataclass(frozen=True, slots=True)
class HttpSettings:
    transport: Literal["sse", "http"] = "http"
    host: str = "127.0.0.1"
    port: int = 8765
    token: str | None = None
    allowed_hosts: tuple[str, ...] = field(default_factory=tuple)

    def check(self) -> None:
        """Refuse what would expose the server.

        Raises:
            AccessError: a non-loopback bind without a token, or a token too short to be secret.
        """
        if self.token is not None and len(self.token) < MIN_TOKEN_CHARS:
            raise AccessError(f"the bearer token must be at least {MIN_TOKEN_CHARS} characters long")
        if self.token is None and not is_loopback(self.host):
            raise AccessError(
                f"refusing to listen on {self.host or '*'} without a bearer token: anyone on the network could use "
                "this server; pass --token TOKEN or set HEADROOM_TOKEN, or bind 127.0.0.1"
            )

    @property
    def url(self) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{shown}:{self.port}" + ("/mcp" if self.transport == "http" else "/sse")


def build_http_app(options: ServerOptions, http: HttpSettings, *, max_input_bytes: int) -> ASGIApp:
    """The ASGI app for SSE or streamable HTTP, with the Host/Origin checks and, given a token, the token check."""
    from mcp_server.server._app import build_server

    http.check()
    server = build_server(options)
    security = security_settings(http.host, http.allowed_hosts)
    # A compress call carries its input JSON-escaped; leave room for that.
    body_limit = 2 * max_input_bytes + 1024 * 1024
    app: ASGIApp
    if http.transport == "http":
        app = server.streamable_http_app(
            streamable_http_path="/mcp",
            transport_security=security,
            max_request_body_size=body_limit,
            host=http.host,
        )
    else:
        app = server.sse_app(
            sse_path="/sse",
            message_path="/messages/",
            transport_security=security,
            max_request_body_size=body_limit,
            host=http.host,
        )
    return BearerTokenMiddleware(app, http.token) if http.token else app


def serve(
    options: ServerOptions, transport: Transport, http: HttpSettings | None = None, *, fast_start: bool = True
) -> int:
    """Serve until the client disconnects (stdio) or the process is interrupted (network transports); the exit status.

    On stdio, `fast_start` lets the front answer ``initialize`` while the SDK imports (see `_fast_stdio`).
    """
    if transport == "stdio":
        from mcp_server.server._fast_stdio import serve_stdio

        return serve_stdio(options, fast_start=fast_start)
    import anyio
    import uvicorn

    from ccr import Settings

    http = http if http is not None else HttpSettings(transport=transport)
    app = build_http_app(options, http, max_input_bytes=Settings.from_env().max_input_bytes)
    config = uvicorn.Config(
        app,
        host=http.host,
        port=http.port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    auth = "bearer token required" if http.token else "no token (loopback only)"
    print(f"headroom MCP server: {http.transport} on {http.url} ({auth})", file=sys.stderr, flush=True)
    anyio.run(uvicorn.Server(config).serve)
    return 0
