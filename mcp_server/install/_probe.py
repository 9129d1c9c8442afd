"""Does an installed entry actually run? Launch it and ask for an MCP ``initialize``.

The probe speaks raw JSON-RPC rather than going through the SDK client: it
must report *why* a server fails (not found, crashed with this stderr, silent
past the deadline, answered garbage), which is what a user fixing a config
needs to read.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, Literal

__all__ = ["PROTOCOL_VERSION", "ProbeResult", "probe_http", "probe_stdio"]

PROTOCOL_VERSION = "2025-06-18"
_STDERR_TAIL = 400


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """The outcome of one handshake: ``ok`` with the server's name and version, or why not."""

    ok: bool
    detail: str
    server_name: str | None = None
    server_version: str | None = None
    elapsed_s: float = 0.0


def _initialize_request() -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "headroom-mcp-status", "version": "1"},
        },
    }


def _answer(message: Any, started: float) -> ProbeResult | None:
    """A result for a JSON-RPC answer to our request id, or None for anything else."""
    if not isinstance(message, dict) or message.get("id") != 1:
        return None
    elapsed = time.monotonic() - started
    if "error" in message:
        error = message["error"]
        text = error.get("message", error) if isinstance(error, dict) else error
        return ProbeResult(False, f"initialize was refused: {text}", elapsed_s=elapsed)
    info = (message.get("result") or {}).get("serverInfo") or {}
    name, version = info.get("name"), info.get("version")
    return ProbeResult(True, f"answered initialize as {name} {version}", name, version, elapsed)


def _pump(stream: IO[bytes], out: queue.Queue[bytes | None]) -> None:
    for line in stream:
        out.put(line)
    out.put(None)


def _tail(stderr: IO[bytes]) -> str:
    """The last line the process wrote to stderr: for a crash, the exception and its message."""
    stderr.seek(0)
    lines = [ln.strip(" \t|") for ln in stderr.read().decode("utf-8", "replace").splitlines()]
    lines = [ln for ln in lines if ln and not set(ln) <= set("+-^~")]
    return lines[-1][-_STDERR_TAIL:] if lines else ""


def probe_stdio(
    command: str, args: Sequence[str], env: Mapping[str, str] | None = None, *, timeout: float = 20.0
) -> ProbeResult:
    """Start ``command args`` with `env` added to this environment and ask it to initialize over stdio.

    Never raises for a failing server: every failure is a result with ``ok`` False.
    """
    started = time.monotonic()
    full_env = {**os.environ, **(env or {})}
    with tempfile.TemporaryFile() as stderr:
        try:
            proc = subprocess.Popen(
                [command, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=full_env
            )
        except OSError as exc:
            return ProbeResult(False, f"cannot start {command}: {exc.strerror or exc}")
        assert proc.stdin is not None and proc.stdout is not None
        lines: queue.Queue[bytes | None] = queue.Queue()
        threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
        try:
            proc.stdin.write(json.dumps(_initialize_request()).encode() + b"\n")
            proc.stdin.flush()
            result = _await_answer(lines, started, timeout)
            if result == "eof":
                result = ProbeResult(False, _closed(proc) + _said(_tail(stderr)))
            elif result == "timeout":
                result = ProbeResult(False, f"no answer to initialize within {timeout:g}s" + _said(_tail(stderr)))
            elif result.ok:
                note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
                with contextlib.suppress(OSError):
                    proc.stdin.write(json.dumps(note).encode() + b"\n")
                    proc.stdin.flush()
        except OSError:
            result = ProbeResult(False, _closed(proc) + _said(_tail(stderr)))
        finally:
            _stop(proc)
    return result


def _closed(proc: subprocess.Popen[bytes]) -> str:
    try:
        code = proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        return "closed its output without answering"
    return f"exited with status {code} before answering"


def _said(tail: str) -> str:
    return f"; it said: {tail}" if tail else ""


def _await_answer(
    lines: queue.Queue[bytes | None], started: float, timeout: float
) -> ProbeResult | Literal["eof", "timeout"]:
    deadline = started + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return "timeout"
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            return "timeout"
        if line is None:
            return "eof"
        try:
            message = json.loads(line)
        except ValueError:
            continue  # a stray line (a banner, a print) before the answer
        result = _answer(message, started)
        if result is not None:
            return result


def _stop(proc: subprocess.Popen[bytes]) -> None:
    # Closing stdin is how MCP asks a stdio server to exit; escalate only if it does not.
    with contextlib.suppress(OSError):
        if proc.stdin is not None:
            proc.stdin.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


def probe_http(url: str, *, headers: dict[str, str] | None = None, timeout: float = 10.0) -> ProbeResult:
    """POST an ``initialize`` to a streamable-HTTP endpoint and read the answer (JSON or SSE).

    Never raises for a failing server: every failure is a result with ``ok`` False.
    """
    started = time.monotonic()
    body = json.dumps(_initialize_request()).encode()
    sent = {
        **(headers or {}),
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": PROTOCOL_VERSION,
    }
    request = urllib.request.Request(url, data=body, headers=sent, method="POST")
    opener = _opener(url)
    try:
        with opener.open(request, timeout=timeout) as response:
            session = response.headers.get("mcp-session-id")
            kind = response.headers.get_content_type()
            result = _read_http_answer(response, kind, started)
    except urllib.error.HTTPError as exc:
        return ProbeResult(False, f"{url} answered HTTP {exc.code} {exc.reason}")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return ProbeResult(False, f"cannot reach {url}: {reason}")
    if session:
        _end_session(opener, url, session, headers or {}, timeout)
    return result


def _opener(url: str) -> urllib.request.OpenerDirector:
    # A proxy from the environment must not intercept a server on this machine.
    host = urllib.parse.urlsplit(url).hostname or ""
    if host in ("127.0.0.1", "localhost", "::1"):
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener()


def _read_http_answer(response: Any, kind: str, started: float) -> ProbeResult:
    if kind == "application/json":
        try:
            message = json.loads(response.read())
        except ValueError:
            return ProbeResult(False, "answered with invalid JSON")
        return _answer(message, started) or ProbeResult(False, "answered, but not to initialize")
    if kind == "text/event-stream":
        for raw in response:
            line = raw.decode("utf-8", "replace").strip()
            if not line.startswith("data:"):
                continue
            try:
                message = json.loads(line[5:])
            except ValueError:
                continue
            result = _answer(message, started)
            if result is not None:
                return result
        return ProbeResult(False, "the event stream ended without an answer to initialize")
    return ProbeResult(False, f"answered with content type {kind!r}, not an MCP endpoint")


def _end_session(
    opener: urllib.request.OpenerDirector, url: str, session: str, headers: dict[str, str], timeout: float
) -> None:
    request = urllib.request.Request(url, headers={**headers, "mcp-session-id": session}, method="DELETE")
    with contextlib.suppress(urllib.error.URLError, OSError), opener.open(request, timeout=timeout):
        pass
