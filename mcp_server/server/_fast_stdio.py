"""The stdio front: answer ``initialize`` while the MCP SDK is still importing, then hand the session to it.

Importing the SDK costs most of a second (its pydantic models are built at
import), so a server that imports it before reading stdin keeps every client
waiting that long for the handshake. The front starts the import, and the
building of the server, on a background thread at once, reads the first
message itself with the standard library only, and when it is an
``initialize`` the SDK would accept (`_fast_initialize`) answers it from the
values the server is built from (`_identity`).

Then the SDK serves the session exactly as it would have from the start: its
own stdio transport reads and writes through in-memory streams, the first
message (whatever it was) is replayed to it so its session records the
client's capabilities and protocol version, its own answer to a replayed
``initialize`` is compared with the one already sent and dropped (a
difference is logged), and everything else passes both ways unchanged. What
the client sends meanwhile waits in the pipe, in order; nothing is read ahead
and nothing is dropped. The first tool listing still waits for the SDK.

As the SDK's stdio transport does, the front moves the protocol off fds 0 and 1
before anything else runs: the wire is served from private duplicates, fd 0
reads the null device and fd 1 writes to stderr, so a stray print or a child
process cannot corrupt the protocol; both are restored on the way out. EOF on
stdin ends the session; SIGTERM and SIGINT end it too, with the store closed.
"""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, TextIO, cast

from mcp_server.server._fast_initialize import initialize_reply, recognise_initialize
from mcp_server.server._identity import VERIFIED_SDK_VERSIONS, icon_data_uri, installed_version, server_version
from mcp_server.server._options import parse_flag

if sys.platform != "win32":
    import fcntl

if TYPE_CHECKING:
    from anyio.lowlevel import EventLoopToken
    from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
    from mcp.server import MCPServer

    from mcp_server.server._options import ServerOptions
    from mcp_server.server._state import AppState

__all__ = ["EXIT_TERMINATED", "fast_start_enabled", "serve_stdio"]

EXIT_TERMINATED = 128 + signal.SIGTERM
_log = logging.getLogger("headroom.server")


def fast_start_enabled(env: Mapping[str, str] | None = None) -> bool:
    """Whether `serve_stdio` answers ``initialize`` itself: on unless ``HEADROOM_FAST_START`` is 0/false/no/off.

    Raises:
        ValueError: the variable holds something that is not a switch.
    """
    raw = (os.environ if env is None else env).get("HEADROOM_FAST_START")
    return True if raw is None or not raw.strip() else parse_flag("HEADROOM_FAST_START", raw)


def serve_stdio(options: ServerOptions, *, fast_start: bool = True) -> int:
    """Serve one client on stdin/stdout until EOF or a signal; the exit status.

    With `fast_start` off, or where stdin/stdout are not the process's fds 0 and
    1, the SDK's own stdio transport serves from the start.
    """
    wire = _Wire.claim() if fast_start else None
    if wire is None:
        from mcp_server.server._app import build_server

        build_server(options).run("stdio")
        return 0
    try:
        with _sigterm_exits():
            # The SDK imports importlib.metadata too; reading the versions first costs it nothing.
            verified = installed_version("mcp") in VERIFIED_SDK_VERSIONS
            if verified:
                icon_data_uri()
                server_version()
            else:
                _log.info(
                    "fast start off: mcp %s is not a release the initialize answer was verified against",
                    installed_version("mcp"),
                )
            loader = _Loader(options)
            first = wire.reader.readline()
            call = recognise_initialize(first) if first and verified else None
            sent = None if call is None else initialize_reply(call, allow_run=options.allow_run)
            if sent is not None:
                wire.write(sent)
                _log.debug("initialize answered at start-up; the SDK takes the session over when it has loaded")
            else:
                _log.debug("the first message is left to the SDK")
            server = loader.result()

            import anyio

            terminated = anyio.run(_serve_session, server, wire, first, sent)
        return EXIT_TERMINATED if terminated else 0
    finally:
        wire.release()


class _Wire:
    """The protocol's private duplicates of fds 0 and 1, with fd 0 on the null device and fd 1 on stderr."""

    def __init__(self, in_fd: int, out_fd: int) -> None:
        self.reader: TextIO = io.TextIOWrapper(
            os.fdopen(in_fd, "rb", closefd=False), encoding="utf-8", errors="replace"
        )
        self._in_fd = in_fd
        self._out_fd = out_fd

    @classmethod
    def claim(cls) -> _Wire | None:
        """Divert fds 0 and 1 and keep the wire; None where that cannot be done (the SDK then claims them)."""
        if sys.platform == "win32" or not (_backed_by(sys.stdin, 0) and _backed_by(sys.stdout, 1)):
            return None
        sys.stdout.flush()
        kept: list[int] = []
        try:
            # Never closed: the pump thread may still be blocked reading the wire when the process ends.
            kept = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3) for fd in (0, 1)]
            null = os.open(os.devnull, os.O_RDONLY)
            try:
                os.dup2(null, 0)
            finally:
                os.close(null)
            os.dup2(2, 1)
        except OSError as exc:
            _log.debug("cannot divert stdio (%s); the SDK's transport claims it", exc)
            for fd, private in zip((0, 1), kept, strict=False):
                with suppress(OSError):
                    os.dup2(private, fd)
            for private in kept:
                with suppress(OSError):
                    os.close(private)
            return None
        return cls(kept[0], kept[1])

    def write(self, text: str) -> None:
        """One whole message onto the wire."""
        data = memoryview(text.encode("utf-8"))
        while data:
            data = data[os.write(self._out_fd, data) :]

    def release(self) -> None:
        """Point fds 0 and 1 back at the wire."""
        for fd, private in ((0, self._in_fd), (1, self._out_fd)):
            with suppress(OSError):
                os.dup2(private, fd)


def _backed_by(stream: TextIO, fd: int) -> bool:
    try:
        return stream.buffer.fileno() == fd
    except (AttributeError, OSError, ValueError):
        return False


@contextmanager
def _sigterm_exits() -> Iterator[None]:
    """Until the SDK's event loop installs its own handler, SIGTERM exits (143) through the `finally` blocks."""

    def exit_now(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, exit_now)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Loader:
    """Imports the SDK and builds the server on a background thread, from the moment it is created."""

    def __init__(self, options: ServerOptions) -> None:
        self._options = options
        self._server: MCPServer[AppState] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, name="headroom-sdk-import", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        try:
            from mcp_server.server._app import build_server

            self._server = build_server(self._options)
        except BaseException as exc:  # re-raised on the main thread by result()
            self._error = exc

    def result(self) -> MCPServer[AppState]:
        """The built server, once it is; whatever building it raised, raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._server is not None
        return self._server


async def _serve_session(server: MCPServer[AppState], wire: _Wire, first: str, sent: str | None) -> bool:
    """The SDK's stdio transport and server over `wire`, `first` replayed; True when SIGTERM ended it."""
    import anyio
    from anyio import AsyncFile
    from mcp.server.stdio import stdio_server

    source = _LineSource([first] if first else [], wire.reader)
    sink = _LineSink(wire, sent)
    # The SDK reaches its low-level server the same way for in-memory clients (it plans to make it public).
    lowlevel = server._lowlevel_server
    terminated = False
    with anyio.open_signal_receiver(signal.SIGTERM) as signals:
        async with anyio.create_task_group() as tg:

            async def on_sigterm() -> None:
                nonlocal terminated
                async for _ in signals:
                    terminated = True
                    tg.cancel_scope.cancel()
                    return

            tg.start_soon(on_sigterm)
            source.start()
            # Duck-typed stand-ins for the files the SDK would wrap: it iterates one, awaits write/flush on the other.
            async with stdio_server(cast("AsyncFile[str]", source), cast("AsyncFile[str]", sink)) as (read, write):
                await lowlevel.run(read, write, lowlevel.create_initialization_options())
            tg.cancel_scope.cancel()
    return terminated


class _LineSource:
    """The lines the SDK reads: the ones the front already read, then the wire's, read by a daemon thread."""

    def __init__(self, replay: list[str], reader: TextIO) -> None:
        self._replay = deque(replay)
        self._reader = reader
        self._receive: MemoryObjectReceiveStream[str] | None = None

    def start(self) -> None:
        """Start reading the wire (call inside the event loop)."""
        import anyio
        from anyio.lowlevel import current_token

        send, self._receive = anyio.create_memory_object_stream[str](0)
        # A daemon thread, unlike the SDK's worker threads, cannot keep the process alive after a signal.
        pump = threading.Thread(target=_pump, args=(self._reader, send, current_token()), daemon=True)
        pump.name = "headroom-stdin"
        pump.start()

    def __aiter__(self) -> _LineSource:
        return self

    async def __anext__(self) -> str:
        import anyio

        if self._replay:
            return self._replay.popleft()
        assert self._receive is not None, "start() first"
        try:
            return await self._receive.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            raise StopAsyncIteration from None


def _pump(reader: TextIO, send: MemoryObjectSendStream[str], token: EventLoopToken) -> None:
    import anyio.from_thread

    try:
        while line := reader.readline():
            anyio.from_thread.run(send.send, line, token=token)
    # The session ended (the SDK closed its end, the loop stopped) or the wire failed: either way, stop reading.
    except Exception as exc:
        _log.debug("stdin reader stopped: %s", exc)
    finally:
        with suppress(Exception):
            anyio.from_thread.run_sync(send.close, token=token)


class _LineSink:
    """The SDK's stdout: its answer to a replayed ``initialize`` is checked and dropped, the rest goes on the wire."""

    def __init__(self, wire: _Wire, sent: str | None) -> None:
        self._wire = wire
        self._sent: dict[str, Any] | None = None if sent is None else json.loads(sent)

    async def write(self, text: str) -> None:
        import anyio.to_thread

        if self._sent is not None and self._answers_initialize(text):
            return
        # On a worker thread as the SDK does: a client slow to read must not stall the other requests.
        await anyio.to_thread.run_sync(self._wire.write, text)

    async def flush(self) -> None:
        """Every write is already on the wire."""

    def _answers_initialize(self, text: str) -> bool:
        assert self._sent is not None
        try:
            message = json.loads(text)
        except ValueError:
            return False
        if not isinstance(message, dict) or "method" in message or not ("result" in message or "error" in message):
            return False
        if message.get("id") != self._sent["id"]:
            return False
        if message != self._sent:
            _log.warning(
                "the SDK's answer to initialize differs from the one sent at start-up (%s); "
                "the session goes on as the SDK set it up: set HEADROOM_FAST_START=0 if the client misbehaves",
                _difference(self._sent, message),
            )
        self._sent = None
        return True


def _difference(sent: dict[str, Any], sdk: dict[str, Any]) -> str:
    if "result" not in sdk:
        return f"the SDK answered with an error: {sdk.get('error')}"
    ours, theirs = sent.get("result", {}), sdk["result"]
    keys = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
    return "fields " + ", ".join(keys)
