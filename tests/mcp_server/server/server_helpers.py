"""Helpers shared by the server tests (imported by name: the test folders are not packages)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from subprocess import DEVNULL, Popen, TimeoutExpired
from typing import Any

from mcp_types import CallToolResult


def noisy_log(lines: int = 3000, *, needle: str = "ERROR payment declined for order 4711") -> str:
    """A log a compressor can shrink: repetitive INFO lines with one distinctive error in the middle."""
    rows = [f"2025-01-01T00:00:{i % 60:02d}Z INFO worker-{i % 4} heartbeat ok seq={i}" for i in range(lines)]
    rows[lines // 2] = f"2025-01-01T00:30:00Z {needle}"
    return "\n".join(rows) + "\n"


def text_of(result: CallToolResult) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    return dict(result.structured_content)


_HEADER = re.compile(r"\[headroom(?: hash=(?P<hash>[0-9a-f]{16}))?(?P<extra>[^:\]\n]*): (?P<what>[^\n]*)\]\n")


def tool_text(result: CallToolResult) -> dict[str, Any]:
    """A text tool's answer as the model reads it: plain text, one header line, then the body.

    Keys: hash, extra (e.g. ' path=...'), what (the header's words), header, body, and what the header
    counts where it says it: tokens_before, tokens_after, markers, tokens.
    """
    assert not result.is_error, text_of(result)
    assert result.structured_content is None, "a text tool must not answer with structured content"
    text = text_of(result)
    m = _HEADER.match(text)
    assert m is not None, text[:300]
    what = m["what"]
    out: dict[str, Any] = {
        "hash": m["hash"],
        "extra": m["extra"],
        "what": what,
        "header": m.group(0),
        "body": text[m.end() :],
    }
    counts = re.search(r"([\d,]+) -> ([\d,]+) tokens", what)
    if counts:
        out["tokens_before"], out["tokens_after"] = (int(c.replace(",", "")) for c in counts.groups())
    markers = re.search(r"(\d+) markers?\b", what)
    out["markers"] = int(markers.group(1)) if markers else 0
    tokens = re.search(r", ([\d,]+) tokens", what)
    if tokens:
        out["tokens"] = int(tokens.group(1).replace(",", ""))
    return out


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_command(*args: str) -> list[str]:
    import sys

    return [sys.executable, "-P", "-m", "mcp_server", "mcp", "serve", *args]


@contextmanager
def running_server(
    transport: str, port: int, *args: str, env: dict[str, str] | None = None, log: Path
) -> Iterator[Popen[bytes]]:
    """`headroom mcp serve` on `transport` and `port` as a subprocess, once it accepts connections (60 s deadline)."""
    import os
    import socket
    import time

    with log.open("wb") as err:
        command = serve_command("--transport", transport, "--port", str(port), *args)
        proc = Popen(command, stdin=DEVNULL, stdout=DEVNULL, stderr=err, env=env or dict(os.environ))
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"server exited with {proc.returncode}: {log.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"server not listening on {port} after 60 s: {log.read_text()}") from None
                time.sleep(0.05)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except TimeoutExpired:
            proc.kill()
            proc.wait()


def http_status(port: int, path: str, *, method: str = "POST", headers: dict[str, str] | None = None) -> int:
    """The status of one raw HTTP request (Host and Origin exactly as given)."""
    import http.client
    import json

    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}).encode() if method == "POST" else None
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        base = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        conn.request(method, path, body=body, headers={**base, **(headers or {})})
        response = conn.getresponse()
        return int(response.status)
    finally:
        conn.close()
