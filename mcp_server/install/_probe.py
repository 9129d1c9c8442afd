"""Does an installed entry actually run? Launch it and ask for an MCP ``initialize``.

The probe speaks raw JSON-RPC (`mcp_server._rpc`) rather than going through the SDK client: it
must report *why* a server fails (not found, crashed with this stderr, silent
past the deadline, answered garbage), which is what a user fixing a config
needs to read.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mcp_server._errors import ServerRunError
from mcp_server._rpc import PROTOCOL_VERSIONS, Initialized, StdioClient, initialize_params, refusal

__all__ = ["ProbeResult", "probe_http", "probe_stdio"]

_CLIENT_NAME = "headroom-mcp-status"


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """The outcome of one handshake: ``ok`` with the server's name and version, or why not."""

    ok: bool
    detail: str
    server_name: str | None = None
    server_version: str | None = None
    elapsed_s: float = 0.0
    protocol_version: str | None = None


def _answered(done: Initialized, started: float) -> ProbeResult:
    return ProbeResult(
        True,
        f"answered initialize as {done.server_name} {done.server_version} (protocol {done.protocol_version})",
        done.server_name,
        done.server_version,
        time.monotonic() - started,
        done.protocol_version,
    )


def probe_stdio(
    command: str, args: Sequence[str], env: Mapping[str, str] | None = None, *, timeout: float = 20.0
) -> ProbeResult:
    """Start ``command args`` with `env` added to this environment and ask it to initialize over stdio.

    Never raises for a failing server: every failure is a result with ``ok`` False.
    """
    started = time.monotonic()
    try:
        with StdioClient([command, *args], env={**os.environ, **(env or {})}) as client:
            return _answered(client.initialize(_CLIENT_NAME, timeout=timeout), started)
    except ServerRunError as exc:
        return ProbeResult(False, str(exc), elapsed_s=time.monotonic() - started)


def probe_http(url: str, *, headers: dict[str, str] | None = None, timeout: float = 10.0) -> ProbeResult:
    """POST an ``initialize`` to a streamable-HTTP endpoint and read the answer (JSON or SSE).

    Never raises for a failing server: every failure is a result with ``ok`` False.
    """
    started = time.monotonic()
    request_body = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize_params(_CLIENT_NAME)}
    body = json.dumps(request_body).encode()
    sent = {
        **(headers or {}),
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": PROTOCOL_VERSIONS[0],
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
        version = result.protocol_version or PROTOCOL_VERSIONS[0]
        _end_session(opener, url, session, {**(headers or {}), "MCP-Protocol-Version": version}, timeout)
    return result


def _opener(url: str) -> urllib.request.OpenerDirector:
    # A proxy from the environment must not intercept a server on this machine.
    host = urllib.parse.urlsplit(url).hostname or ""
    if host in ("127.0.0.1", "localhost", "::1"):
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener()


def _answer(message: Any, started: float) -> ProbeResult | None:
    """A result for a JSON-RPC answer to our request id, or None for anything else."""
    if not isinstance(message, dict) or message.get("id") != 1:
        return None
    if "error" in message:
        text = f"initialize was refused: {refusal(message['error'])}"
        return ProbeResult(False, text, elapsed_s=time.monotonic() - started)
    try:
        return _answered(Initialized.negotiate(message.get("result") or {}), started)
    except ServerRunError as exc:
        return ProbeResult(False, str(exc), elapsed_s=time.monotonic() - started)


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
