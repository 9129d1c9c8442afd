"""The loopback HTTP server: records every request, answers generation requests from the script."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from ._script import Answer, Recorded, Reply, Step, ToolCall, Turn
from ._wire import classify, count_tokens_body, is_generation, render, side_text

__all__ = ["FakeProvider"]


class FakeProvider:
    """A scripted model provider on ``127.0.0.1`` (a free port), speaking the Anthropic, OpenAI and Gemini APIs.

    Generation requests that declare tools take the next step of ``script``; once it is spent they get
    ``Answer(final)``. Requests without tools (titles, summaries, classifiers the CLIs ask on the side) get
    ``Answer(side)`` (or the smallest JSON their schema accepts, when they ask for JSON) and leave the script where
    it is. Every request is kept in ``requests`` with its exact bytes, and the answer's bytes with it.
    A tool call naming a tool the request does not declare is answered with a text saying so, and listed in
    ``errors`` (so a test fails on it rather than hanging on a client that waits for a tool it has not got).
    ``pace`` seconds pass between the events of a streamed answer; a request whose answer could not be written
    to the end (the client went away) is listed in ``aborted``.
    """

    def __init__(
        self, script: Iterable[Step] = (), *, final: str = "done", side: str = "ok", pace: float = 0.0
    ) -> None:
        self._steps = list(script)
        self.final = final
        self.side = side
        self.pace = pace
        self.requests: list[Recorded] = []
        self.errors: list[str] = []
        self.aborted: list[Recorded] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL without a version path: ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeProvider:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-provider", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def push(self, *steps: Step) -> None:
        """Append steps to the script (for a test that drives several sessions through one fake)."""
        with self._lock:
            self._steps.extend(steps)

    @property
    def remaining(self) -> int:
        with self._lock:
            return len(self._steps)

    def turns(self) -> list[Recorded]:
        """The generation requests the script answered, in order."""
        with self._lock:
            return [r for r in self.requests if r.turn is not None and r.tool_names]

    def _answer(self, req: Recorded) -> Turn:
        with self._lock:
            if not req.tool_names:
                return Answer(side_text(req, self.side))
            step: Step = self._steps.pop(0) if self._steps else Answer(self.final)
        turn = step(req) if callable(step) else step
        if isinstance(turn, ToolCall) and turn.name not in req.tool_names:
            message = f"fake provider: tool {turn.name!r} is not declared; declared: {sorted(req.tool_names)}"
            with self._lock:
                self.errors.append(message)
            return Answer(message)
        return turn


def _handler_for(fake: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes: with Nagle's algorithm on, the body would wait for the
        # client's delayed ACK (40 ms on Linux), a stall no real provider has and timings must not include.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            del format, args

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                body = _read_chunked(self.rfile)
            parts = urlsplit(self.path)
            headers = dict(self.headers.items())
            req = Recorded(self.command, parts.path, parts.query, headers, body, classify(parts.path))
            with fake._lock:
                fake.requests.append(req)
            try:
                self._respond(req)
            except Exception as exc:  # a malformed body: answered as an API error, recorded for the test
                with fake._lock:
                    fake.errors.append(f"{req.method} {req.path}: {exc!r}")
                self._send(req, 400, "application/json", [json.dumps({"error": {"message": repr(exc)}}).encode()])

        def _respond(self, req: Recorded) -> None:
            if req.method == "POST" and req.api != "other" and not is_generation(req):
                self._send(req, 200, "application/json", [json.dumps(count_tokens_body(req)).encode()])
            elif is_generation(req):
                turn = fake._answer(req)
                req.turn = turn
                if isinstance(turn, Reply):
                    self._send(req, turn.status, turn.content_type, [turn.body])
                    return
                kind, chunks = render(req, turn)
                self._send(req, 200, kind, chunks)
            elif req.method in ("GET", "HEAD") and req.path.rstrip("/").endswith("models"):
                self._send(req, 200, "application/json", [b'{"data": [], "models": [], "object": "list"}'])
            else:
                body = b'{"error": {"type": "not_found", "message": "not faked"}}'
                self._send(req, 404, "application/json", [body])

        def _send(self, req: Recorded, status: int, kind: str, chunks: Iterable[bytes]) -> None:
            req.status = status
            self.send_response(status)
            self.send_header("Content-Type", kind)
            try:
                if kind == "text/event-stream":
                    self.send_header("Cache-Control", "no-cache")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for n, chunk in enumerate(chunks):
                        if n and fake.pace:
                            time.sleep(fake.pace)
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.flush()
                        req.response += chunk
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    data = b"".join(chunks)
                    req.response = data
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                with fake._lock:
                    fake.aborted.append(req)
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

    return Handler


def _read_chunked(stream: Any) -> bytes:
    out = bytearray()
    for size in _chunk_sizes(stream):
        out += stream.read(size)
        stream.readline()
    return bytes(out)


def _chunk_sizes(stream: Any) -> Iterator[int]:
    while True:
        line = stream.readline().split(b";", 1)[0].strip()
        size = int(line or b"0", 16)
        if size == 0:
            stream.readline()
            return
        yield size
