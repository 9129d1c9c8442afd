"""Serving: stdio, or SSE / streamable HTTP on a socket that only holders of the access token may use.

Network transports bind 127.0.0.1 unless told otherwise, and every HTTP request
must carry ``Authorization: Bearer <token>``, loopback included: loopback is no
boundary between the users of one machine. The token is the one given
(``--token`` / ``HEADROOM_TOKEN``), else the one generated into the store
directory (`ccr.access_token`), compared in constant time. Every request's
Host header must name this server (and a browser's Origin, when sent, too), so
a web page cannot reach it through a rebound DNS name. Connections are held
under the time and count limits of `_http_guard`.
"""

from __future__ import annotations

import hmac
import json
import socket
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ccr import AccessError
from ccr._access import MIN_TOKEN_CHARS

if TYPE_CHECKING:
    from mcp.server.transport_security import TransportSecuritySettings
    from starlette.types import ASGIApp, Receive, Scope, Send

    from mcp_server.server._options import ServerOptions

__all__ = [
    "MIN_TOKEN_CHARS",
    "BearerTokenMiddleware",
    "HttpSettings",
    "build_http_app",
    "security_settings",
    "serve",
]

Transport = Literal["stdio", "sse", "http"]
_WILDCARDS = frozenset({"0.0.0.0", "::", ""})


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
    """Where a network transport listens and the token its clients must send (see `ccr.access_token`)."""

    token: str
    transport: Literal["sse", "http"] = "http"
    host: str = "127.0.0.1"
    port: int = 8765
    allowed_hosts: tuple[str, ...] = field(default_factory=tuple)
    token_source: Literal["given", "file"] = "given"

    def check(self) -> None:
        """Refuse what would expose the server.

        Raises:
            AccessError: no token, or one too short to be secret.
        """
        if len(self.token.strip()) < MIN_TOKEN_CHARS:
            raise AccessError(f"the bearer token must be at least {MIN_TOKEN_CHARS} characters long")

    @property
    def url(self) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{shown}:{self.port}" + ("/mcp" if self.transport == "http" else "/sse")


def build_http_app(options: ServerOptions, http: HttpSettings, *, max_input_bytes: int) -> ASGIApp:
    """The ASGI app for SSE or streamable HTTP: the token check, then each client's request limit, then the
    SDK's app with its Host/Origin checks."""
    from mcp_server.server._app import build_server
    from mcp_server.server._http_guard import ClientRequestLimit

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
        _answer_unreadable_on_the_stream(server)
    return BearerTokenMiddleware(ClientRequestLimit(app), http.token)


def _answer_unreadable_on_the_stream(server: Any) -> None:
    """SSE: a POSTed message the SDK cannot read (a lone surrogate, bytes that are not UTF-8, not JSON-RPC) gets
    a bare `400 Could not parse message`, and the SDK passes the error into the session, which only logs it; the
    client, which reads its answers from the stream, waits for one that never comes. Each SSE session's read
    stream is wrapped as stdio's is (`AnswerUnreadable`), so such a request is answered on the stream with a
    JSON-RPC error carrying its id."""
    from mcp_server.server._stdio import AnswerUnreadable

    lowlevel = server._lowlevel_server
    run = lowlevel.run

    async def run_answering(read: Any, write: Any, *args: Any, **kwargs: Any) -> Any:
        return await run(AnswerUnreadable(read, write), write, *args, **kwargs)

    lowlevel.run = run_answering


def serve(options: ServerOptions, transport: Transport, http: HttpSettings | None = None) -> int:
    """Serve until the client disconnects (stdio) or the process is interrupted (network transports).

    Returns the exit status.
    """
    if transport == "stdio":
        from mcp_server.server._stdio import serve_stdio

        return serve_stdio(options)
    import anyio
    import uvicorn

    from ccr import Settings, access_token, token_path
    from mcp_server.server._http_guard import (
        KEEP_ALIVE_S,
        MAX_CONNECTIONS,
        GuardedH11Protocol,
        raise_open_file_limit,
    )

    settings = Settings.from_env()
    if http is None:
        http = HttpSettings(token=access_token(settings.home), transport=transport, token_source="file")
    app = build_http_app(options, http, max_input_bytes=settings.max_input_bytes)
    raise_open_file_limit()
    config = uvicorn.Config(
        app,
        host=http.host,
        port=http.port,
        http=GuardedH11Protocol,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_keep_alive=KEEP_ALIVE_S,
        timeout_graceful_shutdown=5,
        # The listen queue, and how many connections the loop accepts at once before any is looked at (uvicorn's
        # 2,048 let a burst of 1,000 slow clients hold ~900 sockets before the cap could close the excess).
        backlog=MAX_CONNECTIONS,
    )
    where = f"the one in {token_path(settings.home)}" if http.token_source == "file" else "the one given"
    print(
        f"headroom MCP server: {http.transport} on {http.url}; clients must send Authorization: Bearer <token> "
        f"({where}; `headroom mcp status` shows it)",
        file=sys.stderr,
        flush=True,
    )
    anyio.run(uvicorn.Server(config).serve)
    return 0
