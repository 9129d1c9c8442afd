"""Running the proxy: in the foreground (`headroom proxy`) or on a thread for the length of a wrapped agent run."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from mcp_server.proxy._app import ANTHROPIC_UPSTREAM, OPENAI_UPSTREAM, ProxyApp, ProxyConfig

if TYPE_CHECKING:
    import uvicorn
    from starlette.types import ASGIApp

__all__ = ["ProxyOptions", "build_app", "is_loopback", "running", "serve"]

_log = logging.getLogger("headroom.proxy")


@dataclass(frozen=True, slots=True)
class ProxyOptions:
    """What `headroom proxy` was asked for (``min_tokens`` None: the library's default)."""

    host: str = "127.0.0.1"
    port: int = 8787
    anthropic_upstream: str | None = None
    openai_upstream: str | None = None
    token: str | None = None
    min_tokens: int | None = None
    compress: bool = True
    session: str | None = None

    @classmethod
    def from_env(cls, **given: object) -> ProxyOptions:
        """Options given, then ``HEADROOM_ANTHROPIC_UPSTREAM``, ``HEADROOM_OPENAI_UPSTREAM``,
        ``HEADROOM_PROXY_MIN_TOKENS`` and ``HEADROOM_SESSION``, then the defaults."""
        env = os.environ
        options = cls(**{k: v for k, v in given.items() if v is not None})  # type: ignore[arg-type]
        raw_min = env.get("HEADROOM_PROXY_MIN_TOKENS", "").strip()
        return replace(
            options,
            anthropic_upstream=options.anthropic_upstream
            or env.get("HEADROOM_ANTHROPIC_UPSTREAM", "").strip()
            or ANTHROPIC_UPSTREAM,
            openai_upstream=options.openai_upstream
            or env.get("HEADROOM_OPENAI_UPSTREAM", "").strip()
            or OPENAI_UPSTREAM,
            min_tokens=options.min_tokens if options.min_tokens is not None else (int(raw_min) if raw_min else None),
            session=options.session or env.get("HEADROOM_SESSION", "").strip() or None,
        )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_upstream(url: str, what: str) -> str:
    from ccr import InputError

    if not url.startswith(("http://", "https://")):
        raise InputError(f"the {what} upstream must be an http:// or https:// URL, not {url!r}")
    return url.rstrip("/")


def build_app(options: ProxyOptions) -> tuple[ProxyApp, contextlib.ExitStack]:
    """The app and what must be closed after it (the store and the memory of what was forwarded).

    Raises:
        InputError: an upstream URL or the threshold is not usable.
        AccessError: bound beyond loopback with no usable token.
    """
    from ccr import AccessError, InputError, Settings, Store, access_token
    from ccr._access import MIN_TOKEN_CHARS
    from compressors import TOOL_RESULT_MIN_TOKENS
    from mcp_server.proxy._memory import ForwardMemory
    from mcp_server.proxy._rewrite import Rewriter

    settings = Settings.from_env()
    token = options.token
    if token is None and not is_loopback(options.host):
        token = os.environ.get("HEADROOM_TOKEN", "").strip() or access_token(settings.home)
    if token is not None and len(token.strip()) < MIN_TOKEN_CHARS:
        raise AccessError(f"the proxy token must be at least {MIN_TOKEN_CHARS} characters long")
    min_tokens = TOOL_RESULT_MIN_TOKENS if options.min_tokens is None else options.min_tokens
    if min_tokens < 100:
        raise InputError(f"--min-tokens {min_tokens} is too small: use at least 100")
    config = ProxyConfig(
        anthropic_upstream=_check_upstream(options.anthropic_upstream or ANTHROPIC_UPSTREAM, "Anthropic"),
        openai_upstream=_check_upstream(options.openai_upstream or OPENAI_UPSTREAM, "OpenAI"),
        token=token,
        max_body=settings.max_input_bytes,
    )
    stack = contextlib.ExitStack()
    rewriter = None
    if options.compress:
        store = stack.enter_context(Store(settings))
        memory = ForwardMemory(settings.home / "proxy.sqlite3")
        stack.callback(memory.close)
        rewriter = Rewriter(store, memory, min_tokens=min_tokens, session=options.session)
        threading.Thread(target=_warm_up, name="headroom-proxy-warm-up", daemon=True).start()
    return ProxyApp(config, rewriter), stack


def _warm_up() -> None:
    from compressors import warm_up

    with contextlib.suppress(Exception):
        warm_up()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    # IPPROTO_TCP said outright: asyncio turns Nagle's algorithm off only on sockets whose protocol says TCP, and
    # with it on, a response's body waits for the client's delayed ACK of its headers (40 ms on Linux).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host.strip("[]"), port))
    sock.listen(512)
    sock.setblocking(False)
    return sock


def _server(app: ASGIApp) -> uvicorn.Server:
    import uvicorn

    from mcp_server.server._http_guard import KEEP_ALIVE_S, GuardedH11Protocol, raise_open_file_limit

    raise_open_file_limit()
    config = uvicorn.Config(
        app,
        http=GuardedH11Protocol,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_keep_alive=KEEP_ALIVE_S,
        timeout_graceful_shutdown=5,
        server_header=False,
        date_header=False,
    )
    return uvicorn.Server(config)


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def serve(options: ProxyOptions) -> int:
    """Serve until interrupted; returns the exit status."""
    import anyio

    app, stack = build_app(options)
    with stack:
        sock = _bind(options.host, options.port)
        url = url_of(sock)
        token = (
            "; every request must carry x-headroom-token: <token> (`headroom mcp status` shows it)"
            if app.config.token is not None and options.token is None
            else "; every request must carry the x-headroom-token given"
            if app.config.token is not None
            else ""
        )
        print(
            f"headroom proxy on {url}: Anthropic clients ANTHROPIC_BASE_URL={url} -> {app.config.anthropic_upstream}, "
            f"OpenAI clients OPENAI_BASE_URL={url}/v1 -> {app.config.openai_upstream}"
            f"{'' if app.rewriter is not None else ' (compression off)'}{token}",
            file=sys.stderr,
            flush=True,
        )
        server = _server(app)
        anyio.run(lambda: server.serve(sockets=[sock]))
    return 0


@dataclass
class Running:
    """A proxy serving on a thread: its ``url``; `running` stops it."""

    url: str
    app: ProxyApp


@contextlib.contextmanager
def running(options: ProxyOptions, *, middleware: Callable[[ASGIApp], ASGIApp] | None = None) -> Iterator[Running]:
    """Serve on a thread (``options.port`` 0 picks a free port) until the block ends; ``middleware`` wraps the
    app (a test's recorder)."""
    import asyncio

    app, stack = build_app(options)
    with stack:
        sock = _bind(options.host, options.port)
        server = _server(app if middleware is None else middleware(app))
        failed: list[BaseException] = []

        def run() -> None:
            try:  # not the main thread: uvicorn leaves the signal handlers alone
                asyncio.run(server.serve(sockets=[sock]))
            except BaseException as exc:
                failed.append(exc)

        thread = threading.Thread(target=run, name="headroom-proxy", daemon=True)
        thread.start()
        try:
            yield Running(url_of(sock), app)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()
        if failed:
            _log.warning("the proxy stopped with %s", failed[0])
