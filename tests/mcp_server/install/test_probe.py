"""The initialize probe against real processes: an SDK server over stdio and HTTP, and ones that fail."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mcp_server._rpc import PROTOCOL_VERSIONS
from mcp_server.install import probe_http, probe_stdio

SDK_SERVER = """
import os, sys
from mcp.server import MCPServer
server = MCPServer("probe-target", version="4.5.6")
@server.tool()
def client_name() -> str:
    return os.environ.get("HEADROOM_CLIENT", "")
if len(sys.argv) > 1:
    server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[1]))
else:
    server.run()
"""


@pytest.fixture
def sdk_server(tmp_path: Path) -> Path:
    script = tmp_path / "sdk_server.py"
    script.write_text(SDK_SERVER, encoding="utf-8")
    return script


def test_a_real_stdio_server_answers_with_its_name_and_version(sdk_server: Path) -> None:
    result = probe_stdio(sys.executable, [str(sdk_server)], {"HEADROOM_CLIENT": "cursor"}, timeout=60)
    assert result.ok, result.detail
    assert (result.server_name, result.server_version) == ("probe-target", "4.5.6")
    assert result.protocol_version == PROTOCOL_VERSIONS[0]


def test_a_missing_command_is_reported_not_raised(tmp_path: Path) -> None:
    result = probe_stdio(str(tmp_path / "no-such-headroom"), ["mcp", "serve"])
    assert not result.ok
    assert "cannot start" in result.detail and "no-such-headroom" in result.detail


def test_a_crashing_server_is_reported_with_the_last_line_it_wrote() -> None:
    code = "import sys; sys.stdin.readline(); sys.exit('ImportError: cannot import name Store')"
    result = probe_stdio(sys.executable, ["-c", code])
    assert not result.ok
    assert "exited with status 1" in result.detail
    assert "ImportError: cannot import name Store" in result.detail


def test_a_silent_server_fails_at_the_deadline() -> None:
    result = probe_stdio(sys.executable, ["-c", "import sys; sys.stdin.read()"], timeout=1.0)
    assert not result.ok
    assert "no answer to initialize within 1s" in result.detail


def test_an_error_reply_to_initialize_is_a_failure() -> None:
    code = (
        "import sys, json; sys.stdin.readline();"
        "print(json.dumps({'jsonrpc': '2.0', 'id': 1, 'error': {'code': -32602, 'message': 'bad version'}}),"
        " flush=True); sys.stdin.read()"
    )
    result = probe_stdio(sys.executable, ["-c", code])
    assert not result.ok
    assert "bad version" in result.detail


def test_stray_lines_before_the_answer_are_skipped() -> None:
    code = (
        "import sys, json; sys.stdin.readline(); print('starting up...', flush=True);"
        "print(json.dumps({'jsonrpc': '2.0', 'id': 1, 'result': {'protocolVersion': '2025-06-18',"
        " 'serverInfo': {'name': 's', 'version': '1'}}}), flush=True); sys.stdin.read()"
    )
    result = probe_stdio(sys.executable, ["-c", code])
    assert result.ok, result.detail


def _answering_with(version: str) -> list[str]:
    """A stdio server that records the version it was offered (on stderr) and answers with `version`."""
    code = (
        "import sys, json; offered = json.loads(sys.stdin.readline())['params']['protocolVersion'];"
        f"print(json.dumps({{'jsonrpc': '2.0', 'id': 1, 'result': {{'protocolVersion': {version!r},"
        " 'serverInfo': {'name': 'old', 'version': offered}}}), flush=True); sys.stdin.read()"
    )
    return ["-c", code]


def test_the_newest_version_is_offered_and_an_older_one_the_server_chooses_is_accepted() -> None:
    result = probe_stdio(sys.executable, _answering_with("2024-11-05"))
    assert result.ok, result.detail
    assert (result.server_version, result.protocol_version) == (PROTOCOL_VERSIONS[0], "2024-11-05")


def test_a_version_the_client_does_not_speak_is_a_failure_that_names_it() -> None:
    result = probe_stdio(sys.executable, _answering_with("1999-01-01"))
    assert not result.ok
    assert "'1999-01-01', which this client does not" in result.detail


def test_every_version_the_client_speaks_is_one_the_sdk_server_accepts_and_the_newest_is_the_sdks() -> None:
    from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, LATEST_HANDSHAKE_VERSION

    assert set(PROTOCOL_VERSIONS) <= set(HANDSHAKE_PROTOCOL_VERSIONS)
    assert PROTOCOL_VERSIONS[0] == LATEST_HANDSHAKE_VERSION


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def http_server(sdk_server: Path) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, str(sdk_server), str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)  # polling for the port with a deadline, not a timed wait
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.slow
def test_a_real_streamable_http_server_answers(http_server: str) -> None:
    result = probe_http(http_server, timeout=30)
    assert result.ok, result.detail
    assert (result.server_name, result.server_version) == ("probe-target", "4.5.6")
    assert result.protocol_version == PROTOCOL_VERSIONS[0]


def test_nothing_listening_is_reported_not_raised() -> None:
    result = probe_http(f"http://127.0.0.1:{_free_port()}/mcp", timeout=5)
    assert not result.ok
    assert "cannot reach" in result.detail


def test_a_web_server_that_is_not_mcp_is_reported(tmp_path: Path) -> None:
    port = _free_port()
    (tmp_path / "mcp").write_text("hello")
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        result = probe_http(f"http://127.0.0.1:{port}/mcp", timeout=5)
        while not result.ok and "cannot reach" in result.detail and time.monotonic() < deadline:
            time.sleep(0.05)
            result = probe_http(f"http://127.0.0.1:{port}/mcp", timeout=5)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert not result.ok
    assert "HTTP 501" in result.detail
