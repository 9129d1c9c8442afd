"""The proxy as an ASGI application: route, compress the conversation's tool results, forward, relay the answer.

- Routes: a path ending in ``/messages`` or ``/messages/count_tokens`` goes to the Anthropic upstream, one ending in
  ``/chat/completions`` or ``/responses`` to the OpenAI-compatible one; any other path to the Anthropic upstream when
  the request carries ``x-api-key`` or ``anthropic-version``, else to the OpenAI one. The path and query go on as
  the client wrote them (one ``/v1`` is dropped when the upstream URL ends with it too).
- Only a POST to one of those four endpoints is rewritten (`_rewrite`), and only when its whole body arrived within
  `max_body` bytes; ``x-headroom: off`` turns that off for the request. Anything that goes wrong while rewriting is
  logged and the client's body is forwarded as it was (fail open).
- Headers go both ways as they are but for the hop-by-hop ones (``Connection`` and those it names, ``Keep-Alive``,
  ``TE``, ``Trailer``, ``Transfer-Encoding``, ``Upgrade``, ``Proxy-*``), ``Host`` and ``Content-Length`` (set for
  the body actually sent) and our own ``x-headroom*``. API keys and OAuth tokens pass untouched; nothing logs them.
- The answer is relayed as the upstream's raw bytes (still gzip-encoded if it was), each chunk sent on as it
  arrives, so an event stream reaches the client byte for byte and as soon as it leaves the upstream. If the client
  goes away, the upstream request is cancelled. An upstream that cannot be reached gets a 502 in the provider's
  error shape; one that breaks off mid-answer breaks the client's connection the same way.
- With a token (always, when bound beyond loopback) every request must carry ``x-headroom-token: <token>``; the
  client's own ``Authorization`` is the provider's.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import anyio
import httpx2

if TYPE_CHECKING:
    from starlette.types import Message, Receive, Scope, Send

    from mcp_server.proxy._rewrite import Rewriter

__all__ = [
    "ANTHROPIC_UPSTREAM",
    "OFF_HEADER",
    "OPENAI_UPSTREAM",
    "TOKEN_HEADER",
    "ProxyApp",
    "ProxyConfig",
    "Route",
    "route",
]

_log = logging.getLogger("headroom.proxy")

ANTHROPIC_UPSTREAM = "https://api.anthropic.com"
OPENAI_UPSTREAM = "https://api.openai.com"
TOKEN_HEADER = b"x-headroom-token"
OFF_HEADER = b"x-headroom"
_HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
    }
)
_NOT_FORWARDED = _HOP_BY_HOP | {b"host", b"content-length", TOKEN_HEADER, OFF_HEADER}
# Conversation member of each rewritten endpoint, by the end of its path.
_ENDPOINTS = (
    ("/messages", "anthropic", "messages"),
    ("/messages/count_tokens", "anthropic", "messages"),
    ("/chat/completions", "openai", "messages"),
    ("/responses", "openai", "input"),
)


@dataclass(frozen=True, slots=True)
class ProxyConfig:
    """Where the proxy forwards to, and how it treats requests."""

    anthropic_upstream: str = ANTHROPIC_UPSTREAM
    openai_upstream: str = OPENAI_UPSTREAM
    token: str | None = None
    max_body: int = 64 * 1024 * 1024
    connect_timeout_s: float = 30.0
    rewrite_threads: int = 4


@dataclass(frozen=True, slots=True)
class Route:
    """Which upstream a request goes to (``api``: "anthropic" or "openai") and, for an endpoint whose tool results
    are compressed, the member holding the conversation."""

    api: str
    upstream: str
    conversation: str | None


def route(config: ProxyConfig, method: str, path: str, headers: dict[bytes, bytes]) -> Route:
    trimmed = path.rstrip("/")
    for suffix, api, member in _ENDPOINTS:
        if trimmed.endswith(suffix):
            base = config.anthropic_upstream if api == "anthropic" else config.openai_upstream
            return Route(api, base, member if method == "POST" else None)
    if b"x-api-key" in headers or b"anthropic-version" in headers:
        return Route("anthropic", config.anthropic_upstream, None)
    return Route("openai", config.openai_upstream, None)


def upstream_url(base: str, raw_path: bytes, query: bytes) -> str:
    path = raw_path.decode("latin-1")
    base = base.rstrip("/")
    if base.endswith("/v1") and (path == "/v1" or path.startswith("/v1/")):
        path = path[3:]
    return base + path + (f"?{query.decode('latin-1')}" if query else "")


def error_body(api: str, kind: str, message: str) -> bytes:
    """An error in the shape the provider's SDKs read."""
    if api == "anthropic":
        return json.dumps({"type": "error", "error": {"type": kind, "message": message}}).encode()
    return json.dumps({"error": {"message": message, "type": kind, "param": None, "code": None}}).encode()


class _ClientGone(Exception):
    """The client disconnected before its request was read."""


class ProxyApp:
    """The ASGI app. ``rewriter`` is None for a proxy that only forwards (``x-headroom: off`` for everything)."""

    def __init__(self, config: ProxyConfig, rewriter: Rewriter | None, *, client: httpx2.AsyncClient | None = None):
        self.config = config
        self.rewriter = rewriter
        self._client = client
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def client(self) -> httpx2.AsyncClient:
        if self._client is None:
            self._client = httpx2.AsyncClient(
                trust_env=True,
                timeout=httpx2.Timeout(connect=self.config.connect_timeout_s, read=None, write=60.0, pool=60.0),
                limits=httpx2.Limits(max_connections=512, max_keepalive_connections=64),
                follow_redirects=False,
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            try:
                await self._http(scope, receive, send)
            except _ClientGone:
                return

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        raw_headers: list[tuple[bytes, bytes]] = list(scope.get("headers") or ())
        headers = {name.lower(): value for name, value in raw_headers}
        method = str(scope["method"])
        where = route(self.config, method, str(scope["path"]), headers)
        if self.config.token is not None and not hmac.compare_digest(
            headers.get(TOKEN_HEADER, b""), self.config.token.encode()
        ):
            message = f"headroom proxy: send the proxy's token in the {TOKEN_HEADER.decode()} header"
            await _respond(send, 401, error_body(where.api, "authentication_error", message))
            return
        body, complete = await _read_body(receive, self.config.max_body)
        forward = body
        note = ""
        if where.conversation and complete and self.rewriter is not None and _wanted(headers):
            forward, note = await self._rewritten(body, where, headers)
            if note:  # logged before forwarding: an answer can take minutes
                elapsed = (time.perf_counter() - started) * 1000
                _log.info("%s %s: %s (%.0f ms)", method, scope["path"], note, elapsed)
        read = anyio.Event()
        content: bytes | AsyncIterator[bytes] = forward if complete else _rest(body, receive, read)
        if complete:
            read.set()
        out_headers = [(n, v) for n, v in raw_headers if _forwarded(n, headers)]
        if not complete and b"content-length" in headers:
            out_headers.append((b"content-length", headers[b"content-length"]))
        url = upstream_url(where.upstream, scope.get("raw_path") or str(scope["path"]).encode(), scope["query_string"])
        request = httpx2.Request(method, url, headers=out_headers, content=content)
        await self._relay(request, where, receive, send, read)

    async def _rewritten(self, body: bytes, where: Route, headers: dict[bytes, bytes]) -> tuple[bytes, str]:
        assert self.rewriter is not None and where.conversation is not None
        from mcp_server.proxy._rewrite import RESULT_SIGNS

        if not any(sign in body for sign in RESULT_SIGNS):
            return body, ""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.config.rewrite_threads)
        try:
            done = await anyio.to_thread.run_sync(
                lambda: self.rewriter.rewrite(body, where.conversation, client=_client_name(where, headers)),  # type: ignore[union-attr,arg-type]
                limiter=self._limiter,
            )
        except Exception as exc:  # fail open: the client's request goes as it was
            _log.warning("tool results left as they were (%s: %s)", type(exc).__name__, exc)
            return body, ""
        if not done.changed:
            return body, ""
        note = f"{done.compressed} tool results compressed ({done.tokens_before:,} -> {done.tokens_after:,} tokens)"
        if done.resent:
            note += f", {done.resent} sent compressed again"
        return done.body, note

    async def _relay(
        self, request: httpx2.Request, where: Route, receive: Receive, send: Send, read: anyio.Event
    ) -> None:
        """Send ``request`` upstream and its answer to the client; cancel the upstream when the client leaves
        (watched for once the request body is read: until then the body's reader sees it)."""
        async with anyio.create_task_group() as group:

            async def watch() -> None:
                await read.wait()
                while True:
                    message: Message = await receive()
                    if message["type"] == "http.disconnect":
                        group.cancel_scope.cancel()
                        return

            group.start_soon(watch)
            try:
                await self._exchange(request, where, send)
            except _ClientGone:
                pass
            finally:
                group.cancel_scope.cancel()

    async def _exchange(self, request: httpx2.Request, where: Route, send: Send) -> None:
        try:
            response = await self.client.send(request, stream=True)
        except httpx2.HTTPError as exc:
            message = f"headroom proxy: the upstream {request.url.scheme}://{request.url.netloc.decode()} " + (
                f"did not answer: {type(exc).__name__}: {exc}" if str(exc) else f"did not answer: {type(exc).__name__}"
            )
            _log.warning("%s", message)
            await _respond(send, 502, error_body(where.api, "api_error", message))
            return
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status_code,
                    "headers": [(n.lower(), v) for n, v in response.headers.raw if n.lower() not in _HOP_BY_HOP],
                }
            )
            async for chunk in response.aiter_raw():
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()


def _wanted(headers: dict[bytes, bytes]) -> bool:
    return headers.get(OFF_HEADER, b"").strip().lower() not in (b"off", b"0", b"false", b"no")


def _forwarded(name: bytes, headers: dict[bytes, bytes]) -> bool:
    lower = name.lower()
    if lower in _NOT_FORWARDED:
        return False
    named = headers.get(b"connection", b"")
    return not named or lower not in {part.strip().lower() for part in named.split(b",")}


def _client_name(where: Route, headers: dict[bytes, bytes]) -> str:
    agent = headers.get(b"user-agent", b"").decode("latin-1").split("/", 1)[0].split(" ", 1)[0][:40]
    return f"proxy/{agent or where.api}"


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The request body, and whether it is complete (False: it passed ``limit``; the rest is still to read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > limit:
            return b"".join(chunks), False


async def _rest(head: bytes, receive: Receive, read: anyio.Event) -> AsyncIterator[bytes]:
    """A body too large to rewrite, streamed on as it arrives; ``read`` is set once it is all read."""
    yield head
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        yield message.get("body", b"")
        if not message.get("more_body", False):
            read.set()
            return


async def _respond(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
