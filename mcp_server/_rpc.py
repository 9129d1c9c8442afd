"""A bare MCP client over stdio: JSON-RPC lines on a child process's pipes, with no SDK in the way.

Two callers need one. The installer's probe must say *why* a server fails (it cannot start, it exited
with this on stderr, it was silent past the deadline, it refused), which a user fixing a config needs to
read; the benchmarks time a server's start to its first answers, with no client library in between.

The protocol version is negotiated as the MCP lifecycle says: the client offers the newest revision it
speaks, the server answers with that one or another it supports, and the client goes on only when it
speaks the answer too.
"""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from mcp_server._errors import ServerRunError

__all__ = ["PROTOCOL_VERSIONS", "Initialized", "StdioClient", "initialize_params", "refusal"]

# The handshake revisions this client speaks, newest first: it only initializes, lists and calls tools.
PROTOCOL_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")
_STDERR_TAIL = 400


def initialize_params(client_name: str, version: str = PROTOCOL_VERSIONS[0]) -> dict[str, Any]:
    """The ``initialize`` request's params, offering `version`."""
    return {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": client_name, "version": "1"}}


@dataclass(frozen=True, slots=True)
class Initialized:
    """A server's answer to ``initialize``: the revision both sides now speak, and who answered."""

    protocol_version: str
    server_name: str | None
    server_version: str | None
    result: Mapping[str, Any]

    @classmethod
    def negotiate(cls, result: Mapping[str, Any]) -> Initialized:
        """Read an ``initialize`` result.

        Raises:
            ServerRunError: the server chose a revision this client does not speak.
        """
        version = result.get("protocolVersion")
        if version not in PROTOCOL_VERSIONS:
            raise ServerRunError(
                f"the server speaks MCP protocol version {version!r}, which this client does not"
                f" (it speaks {', '.join(PROTOCOL_VERSIONS)})"
            )
        info = result.get("serverInfo") or {}
        return cls(str(version), info.get("name"), info.get("version"), result)


def refusal(error: Any) -> str:
    """The message of a JSON-RPC error object (or the object itself when it has none)."""
    return str(error.get("message", error) if isinstance(error, dict) else error)


class StdioClient:
    """A server started as ``argv``, spoken to with one JSON-RPC message a line.

    Its stderr goes to a temporary file, whose last line every failure quotes (for a crash, the exception).
    Use it as a context manager, or call `close`: closing stdin is how MCP asks a stdio server to exit, and
    a server that does not is terminated, then killed.

    Raises:
        ServerRunError: from the constructor, when the command cannot be started.
    """

    def __init__(
        self, argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: str | Path | None = None
    ) -> None:
        self.argv = list(argv)
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by `close`)
        try:
            self.proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                env=dict(env) if env is not None else None,
                cwd=cwd,
            )
        except OSError as exc:
            self._stderr.close()
            raise ServerRunError(f"cannot start {self.argv[0]}: {exc.strerror or exc}") from exc
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self._ids = 0
        assert self.proc.stdout is not None
        threading.Thread(target=_pump, args=(self.proc.stdout, self._lines), daemon=True).start()

    def __enter__(self) -> StdioClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def notify(self, method: str, params: Mapping[str, Any] | None = None) -> None:
        """Send a notification (no answer comes).

        Raises:
            ServerRunError: the server's input is closed.
        """
        self._send({"jsonrpc": "2.0", "method": method, **({"params": dict(params)} if params else {})})

    def request(self, method: str, params: Mapping[str, Any] | None = None, *, timeout: float = 60.0) -> dict[str, Any]:
        """Send a request and wait for its answer's ``result``; lines that are not its answer are skipped.

        Raises:
            ServerRunError: the server refused, exited, or gave no answer within `timeout` seconds.
        """
        self._ids += 1
        ident = self._ids
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": ident, "method": method}
        if params is not None:
            message["params"] = dict(params)
        self._send(message)
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                raise ServerRunError(f"no answer to {method} within {timeout:g}s" + self._said()) from None
            if line is None:
                self._lines.put(None)  # the end stays seen by any later request
                raise ServerRunError(self._closed(method) + self._said())
            try:
                answer = json.loads(line)
            except ValueError:
                continue  # a stray line (a banner, a print) before the answer
            if not isinstance(answer, dict) or answer.get("id") != ident:
                continue
            if "error" in answer:
                raise ServerRunError(f"{method} was refused: {refusal(answer['error'])}")
            result = answer.get("result")
            return result if isinstance(result, dict) else {}

    def initialize(self, client_name: str, *, timeout: float = 60.0) -> Initialized:
        """The MCP handshake: ``initialize``, the version check, then ``notifications/initialized``.

        Raises:
            ServerRunError: as `request`, or the server chose a protocol version this client does not speak.
        """
        done = Initialized.negotiate(self.request("initialize", initialize_params(client_name), timeout=timeout))
        self.notify("notifications/initialized")
        return done

    def close(self) -> None:
        """Ask the server to exit by closing its input; terminate it after 5 s, kill it after 5 more."""
        with contextlib.suppress(OSError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._stderr.close()

    def _send(self, message: Mapping[str, Any]) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(message).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError as exc:
            raise ServerRunError(self._closed(str(message.get("method"))) + self._said()) from exc

    def _closed(self, method: str) -> str:
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return f"closed its output without answering {method}"
        return f"exited with status {code} before answering {method}"

    def _said(self) -> str:
        """The last line the process wrote to stderr (for a crash, the exception and its message)."""
        self._stderr.seek(0)
        lines = [ln.strip(" \t|") for ln in self._stderr.read().decode("utf-8", "replace").splitlines()]
        lines = [ln for ln in lines if ln and not set(ln) <= set("+-^~")]
        return f"; it said: {lines[-1][-_STDERR_TAIL:]}" if lines else ""


def _pump(stream: IO[bytes], out: queue.Queue[bytes | None]) -> None:
    with contextlib.suppress(ValueError, OSError):  # the stream closed under us by `close`
        for line in stream:
            out.put(line)
    out.put(None)
