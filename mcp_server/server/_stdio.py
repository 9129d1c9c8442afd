"""Serving over stdio: the SDK's session on a wire of our own that answers every line, readable or not.

The SDK's stdio transport turns a line it cannot read into an exception on the
session's read stream, and the session only logs it: a request whose JSON is
malformed, or whose text holds a lone surrogate escape (``"\\ud800"`` is valid
JSON grammar but not Unicode, and the SDK's parser refuses it), never gets an
answer and its client waits for ever; bytes that are not UTF-8 it reads as
U+FFFD. Here every such request gets the JSON-RPC error the specification asks
for, with the request's id whenever the line shows one (else ``null``):
-32700 (parse error) for bytes that are not UTF-8, text that is not JSON, or a
lone surrogate; -32600 (invalid request) for JSON that is not a JSON-RPC
message. A notification (no id) is not answered. The streamable HTTP
transport answers these itself.

The wire: as the SDK's transport does, fds 0 and 1 are moved off the protocol
before the session starts (the wire is served from private duplicates, fd 0
reads the null device and fd 1 writes to stderr), so a stray print or a child
process cannot corrupt it; both are restored on the way out. Lines are read by
a daemon thread, which, unlike the SDK's worker threads, cannot keep the
process alive after a signal. EOF on stdin ends the session; SIGTERM ends it
with status 143 and SIGINT with 130, both after the lifespan closed the store.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO, Self, cast

if sys.platform != "win32":
    import fcntl

if TYPE_CHECKING:
    from anyio.lowlevel import EventLoopToken
    from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
    from mcp.server import MCPServer
    from mcp.shared.message import SessionMessage

    from mcp_server.server._options import ServerOptions
    from mcp_server.server._state import AppState

__all__ = ["EXIT_TERMINATED", "AnswerUnreadable", "serve_stdio", "unreadable_reply"]

EXIT_TERMINATED = 128 + signal.SIGTERM
_log = logging.getLogger("headroom.server")
_NO_MESSAGE = object()

Reply = tuple[str | int | None, int, str]
_SessionStreams = tuple[
    "MemoryObjectReceiveStream[SessionMessage | Exception]", "MemoryObjectSendStream[SessionMessage]"
]


def serve_stdio(options: ServerOptions) -> int:
    """Serve one client on stdin/stdout until EOF or a signal; the exit status."""
    import anyio

    from mcp_server.server._app import build_server

    server = build_server(options)
    wire = _Wire.claim()
    try:
        return EXIT_TERMINATED if anyio.run(_serve_session, server, wire) else 0
    finally:
        if wire is not None:
            wire.release()


async def _serve_session(server: MCPServer[AppState], wire: _Wire | None) -> bool:
    """The SDK's session over `wire` (the SDK's own transport where fds 0 and 1 could not be claimed); True when
    SIGTERM ended it."""
    import anyio
    from mcp.server.stdio import stdio_server

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
            streams = stdio_server() if wire is None else _wire_streams(wire)
            async with streams as (read, write):
                await lowlevel.run(AnswerUnreadable(read, write), write, lowlevel.create_initialization_options())
            tg.cancel_scope.cancel()
    return terminated


class _Wire:
    """The protocol's private duplicates of fds 0 and 1, with fd 0 on the null device and fd 1 on stderr."""

    def __init__(self, in_fd: int, out_fd: int) -> None:
        self.reader: BinaryIO = os.fdopen(in_fd, "rb", closefd=False)
        self._in_fd = in_fd
        self._out_fd = out_fd
        self._writing = threading.Lock()

    @classmethod
    def claim(cls) -> _Wire | None:
        """Divert fds 0 and 1 and keep the wire; None where that cannot be done (the SDK then claims them)."""
        if sys.platform == "win32" or not (_backed_by(sys.stdin, 0) and _backed_by(sys.stdout, 1)):
            return None
        sys.stdout.flush()
        kept: list[int] = []
        try:
            # Never closed: the reader thread may still be blocked on the wire when the process ends.
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
        """One whole message onto the wire (whole even when two threads write)."""
        data = memoryview(text.encode("utf-8"))
        with self._writing:
            while data:
                data = data[os.write(self._out_fd, data) :]

    def release(self) -> None:
        """Point fds 0 and 1 back at the wire."""
        for fd, private in ((0, self._in_fd), (1, self._out_fd)):
            with suppress(OSError):
                os.dup2(private, fd)


def _backed_by(stream: Any, fd: int) -> bool:
    try:
        return bool(stream.buffer.fileno() == fd)
    except (AttributeError, OSError, ValueError):
        return False


@asynccontextmanager
async def _wire_streams(wire: _Wire) -> AsyncIterator[_SessionStreams]:
    """The session's two streams over `wire`, as the SDK's stdio transport makes them, except that each line is
    parsed from its bytes and let go of before the request runs: the SDK's transport decodes a line to a string
    and keeps both until the next line arrives, which for a 64 MB input held two copies of its JSON through the
    whole call."""
    import anyio
    import anyio.to_thread
    from anyio.lowlevel import current_token
    from mcp.shared.message import SessionMessage
    from mcp_types import jsonrpc_message_adapter

    def parse(raw: bytes) -> SessionMessage | Exception:
        try:
            return SessionMessage(jsonrpc_message_adapter.validate_json(raw, by_name=False))
        except Exception as exc:  # the session answers it (AnswerUnreadable), as it does the SDK's
            return exc

    read_send, read = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write, write_receive = anyio.create_memory_object_stream[SessionMessage](0)

    async def writer() -> None:
        async with write_receive:
            async for outgoing in write_receive:
                text = outgoing.message.model_dump_json(by_alias=True, exclude_unset=True) + "\n"
                # On a worker thread: a client slow to read must not stall the other requests.
                await anyio.to_thread.run_sync(wire.write, text)

    pump = threading.Thread(target=_pump, args=(wire, parse, read_send, current_token()), daemon=True)
    pump.name = "headroom-stdin"
    pump.start()
    async with anyio.create_task_group() as tg:
        tg.start_soon(writer)
        try:
            yield read, write
        finally:
            tg.cancel_scope.cancel()


def _pump(
    wire: _Wire,
    parse: Callable[[bytes], SessionMessage | Exception],
    send: MemoryObjectSendStream[SessionMessage | Exception],
    token: EventLoopToken,
) -> None:
    import anyio.from_thread

    try:
        while raw := wire.reader.readline():
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as bad:
                reply = not_utf8_reply(raw, bad)
                if reply is not None:
                    wire.write(_error_line(reply))
                continue
            item = parse(raw)
            # Let go of the line before the call runs (and while the next line is awaited).
            del raw
            anyio.from_thread.run(send.send, item, token=token)
            del item
    # The session ended (the loop stopped, the session closed its end) or the wire failed: either way, stop reading.
    except Exception as exc:
        _log.debug("stdin reader stopped: %s", exc)
    finally:
        with suppress(Exception):
            anyio.from_thread.run_sync(send.close, token=token)


class AnswerUnreadable:
    """A session's read stream that answers, instead of passing on, each line the transport could not read."""

    def __init__(self, read: Any, write: Any) -> None:
        self._read = read
        self._write = write

    def __getattr__(self, name: str) -> Any:
        # What else the session asks of the stream (the sender's context) comes from the stream itself.
        return getattr(self._read, name)

    async def receive(self) -> SessionMessage:
        while True:
            item = await self._read.receive()
            if not isinstance(item, Exception):
                return cast("SessionMessage", item)
            await self._answer(item)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> SessionMessage:
        while True:
            item = await self._read.__anext__()
            if not isinstance(item, Exception):
                return cast("SessionMessage", item)
            await self._answer(item)

    async def aclose(self) -> None:
        await self._read.aclose()

    async def __aenter__(self) -> Self:
        await self._read.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        return cast("bool | None", await self._read.__aexit__(exc_type, exc, tb))

    async def _answer(self, exc: Exception) -> None:
        from mcp.shared.message import SessionMessage
        from mcp_types import ErrorData, JSONRPCError

        reply = unreadable_reply(exc)
        if reply is None:
            _log.warning("dropped an unreadable notification: %s", _summary(exc))
            return
        request_id, code, message = reply
        _log.warning("answered an unreadable request (id %r) with error %d: %s", request_id, code, message)
        error = JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=code, message=message))
        await self._write.send(SessionMessage(error))


def unreadable_reply(exc: Exception) -> Reply | None:
    """``(id, code, message)`` of the error answering the line `exc` was raised for; None for a notification."""
    line, parsed = _what_was_read(exc)
    if line is not None:
        try:
            parsed = json.loads(line)
        except json.JSONDecodeError as bad:
            return None, _PARSE_ERROR, f"Parse error: the message is not JSON ({bad.msg} at position {bad.pos})"
    if parsed is _NO_MESSAGE:
        return None, _PARSE_ERROR, f"Parse error: {_summary(exc)}"
    if not isinstance(parsed, dict):
        return None, _INVALID_REQUEST, "Invalid request: a message must be one JSON object (batches are not supported)"
    request_id = _request_id(parsed)
    if request_id is _NO_MESSAGE:
        return None
    surrogate = _lone_surrogate(parsed)
    if surrogate is not None:
        return (
            cast("str | int | None", request_id),
            _PARSE_ERROR,
            f"Parse error: the message holds a lone surrogate escape (\\u{ord(surrogate):04x}), which is not "
            "Unicode text; send the text as UTF-8 (replace or drop the unpaired surrogate)",
        )
    return cast("str | int | None", request_id), _INVALID_REQUEST, f"Invalid request: {_summary(exc)}"


def not_utf8_reply(raw: bytes, bad: UnicodeDecodeError) -> Reply | None:
    """The error answering a line whose bytes are not UTF-8; None for a notification."""
    message = (
        f"Parse error: the message is not UTF-8 (byte 0x{raw[bad.start]:02x} at position {bad.start}); "
        "JSON-RPC over stdio carries UTF-8 text"
    )
    try:
        parsed = json.loads(raw.decode("utf-8", errors="replace"))
    except ValueError:
        return None, _PARSE_ERROR, message
    request_id = _request_id(parsed) if isinstance(parsed, dict) else None
    if request_id is _NO_MESSAGE:
        return None
    return cast("str | int | None", request_id), _PARSE_ERROR, message


# JSON-RPC's codes, as `mcp_types` names them (not imported here: the reader thread must not import the SDK).
_PARSE_ERROR = -32700
_INVALID_REQUEST = -32600


def _request_id(message: dict[str, Any]) -> object:
    """The id to answer with (None when unusable), or `_NO_MESSAGE` for a notification, which gets no answer."""
    request_id = message.get("id")
    if isinstance(request_id, str | int) and not isinstance(request_id, bool):
        return request_id
    return _NO_MESSAGE if "id" not in message and "method" in message else None


def _error_line(reply: Reply) -> str:
    request_id, code, message = reply
    return json.dumps({"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}) + "\n"


def _what_was_read(exc: Exception) -> tuple[str | None, Any]:
    """From the validation error the transport raised: the raw line when it was not JSON, else the parsed message
    (`_NO_MESSAGE` when the error carries neither)."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return None, _NO_MESSAGE
    try:
        found = list(errors(include_url=False))
    except Exception:  # an error object of another shape: answer without the message
        return None, _NO_MESSAGE
    for error in found:
        raw = error.get("input")
        if error.get("type") == "json_invalid" and isinstance(raw, str | bytes):
            return (raw if isinstance(raw, str) else raw.decode("utf-8", errors="replace")), _NO_MESSAGE
    for error in found:
        # A whole-message error (one level deep) or a missing field (two) carries the message itself.
        loc = error.get("loc", ())
        if len(loc) == 1 or (len(loc) == 2 and error.get("type") == "missing"):
            return None, error.get("input")
    return None, _NO_MESSAGE


def _lone_surrogate(value: Any) -> str | None:
    """The first lone surrogate in any string of a parsed message (Python's JSON reader keeps them)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        return str(exc.object[exc.start])
    return None


def _summary(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return " ".join(line.strip() for line in lines[:3])[:300] or type(exc).__name__
