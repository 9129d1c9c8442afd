"""The real server over its three transports, as subprocesses: stdio, streamable HTTP and SSE on loopback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from server_helpers import (
    free_port,
    http_status,
    noisy_log,
    running_server,
    serve_command,
    structured,
    text_of,
    tool_text,
)

from mcp_server.server import security_settings
from mcp_server.server._transports import BearerTokenMiddleware, HttpSettings

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
TOKEN = "s3cret-token-for-tests-0123456789"


async def _exercise(client: Client) -> None:
    tools = {t.name for t in (await client.list_tools()).tools}
    assert {"headroom_compress", "headroom_retrieve", "headroom_stats", "headroom_read", "headroom_run"} <= tools
    log = noisy_log()
    out = tool_text(await client.call_tool("headroom_compress", {"content": log, "query": "declined"}))
    whole = tool_text(await client.call_tool("headroom_retrieve", {"hash": out["hash"], "max_tokens": 10**6}))
    assert whole["body"] == log
    assert structured(await client.call_tool("headroom_stats", {}))["calls"] == 1


async def test_stdio_serves_every_tool_to_the_sdk_client(project: Path) -> None:
    (project / "a.log").write_text(noisy_log())
    command = serve_command("--root", str(project))
    params = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ), cwd=str(project))
    with anyio.fail_after(120):
        async with Client(params) as client:
            await _exercise(client)
            read = tool_text(await client.call_tool("headroom_read", {"path": "a.log"}))
            assert read["extra"] == f" path={project / 'a.log'}"
            refused = await client.call_tool("headroom_run", {"command": "true"})
            assert refused.is_error and "--allow-run" in text_of(refused)


async def test_streamable_http_on_loopback_serves_the_sdk_client_with_the_generated_token(
    tmp_path: Path, headroom_home: Path
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "HEADROOM_TOKEN"}
    with running_server("http", port, env=env, log=tmp_path / "err.log"), anyio.fail_after(120):
        token_file = headroom_home / "http-token"
        assert token_file.stat().st_mode & 0o777 == 0o600
        token = token_file.read_text().strip()
        assert http_status(port, "/mcp") == 401
        assert str(token_file) in (tmp_path / "err.log").read_text()
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            httpx2.AsyncClient(headers=headers) as http,
            Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http)) as client,
        ):
            await _exercise(client)


async def test_with_a_given_token_requests_without_it_are_refused_and_with_it_served(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "HEADROOM_TOKEN": TOKEN}
    with (
        running_server("http", port, env=env, log=tmp_path / "err.log"),
        anyio.fail_after(120),
    ):
        assert http_status(port, "/mcp") == 401
        assert http_status(port, "/mcp", headers={"Authorization": "Bearer wrong-token-wrong-token"}) == 401
        assert http_status(port, "/mcp", headers={"Authorization": f"Bearer {TOKEN}"}) != 401
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with (
            httpx2.AsyncClient(headers=headers) as http,
            Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http)) as client,
        ):
            await _exercise(client)


async def test_sse_refuses_the_stream_without_the_token_and_serves_it_with(tmp_path: Path) -> None:
    port = free_port()
    with running_server("sse", port, "--token", TOKEN, log=tmp_path / "err.log"), anyio.fail_after(120):
        assert http_status(port, "/sse", method="GET") == 401
        async with Client(
            sse_client(f"http://127.0.0.1:{port}/sse", headers={"Authorization": f"Bearer {TOKEN}"})
        ) as c:
            await _exercise(c)


@pytest.mark.parametrize("transport", ["http", "sse"])
def test_a_foreign_host_or_origin_is_rejected_against_dns_rebinding(transport: str, tmp_path: Path) -> None:
    port = free_port()
    path = "/mcp" if transport == "http" else "/messages/?session_id=00000000000000000000000000000000"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with running_server(transport, port, "--token", TOKEN, log=tmp_path / "err.log"):
        assert http_status(port, path, headers={**auth, "Host": "attacker.example"}) == 421
        assert http_status(port, path, headers={**auth, "Host": f"attacker.example:{port}"}) == 421
        foreign = {**auth, "Host": f"localhost:{port}", "Origin": "http://attacker.example"}
        assert http_status(port, path, headers=foreign) == 403
        ours = {**auth, "Host": f"127.0.0.1:{port}", "Origin": f"http://localhost:{port}"}
        assert http_status(port, path, headers=ours) not in (401, 403, 421)


def test_a_token_too_short_to_be_secret_stops_the_server() -> None:
    done = subprocess.run(
        serve_command("--transport", "http", "--port", str(free_port()), "--token", "short"),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert "at least 16 characters" in done.stderr
    assert done.stdout == ""


def test_bad_configuration_stops_the_server_with_a_message_naming_it(tmp_path: Path) -> None:
    env = {**os.environ, "HEADROOM_MODEL": "mystery-9"}
    done = subprocess.run(
        serve_command(), capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 2 and "HEADROOM_MODEL='mystery-9'" in done.stderr
    done = subprocess.run(serve_command("--root", str(tmp_path / "nope")), capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "is not a directory" in done.stderr


def test_python_dash_m_mcp_server_is_the_headroom_command() -> None:
    done = subprocess.run(
        [sys.executable, "-P", "-m", "mcp_server", "mcp", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0
    for flag in ("--transport", "--host", "--port", "--token", "--allow-run", "--root", "HEADROOM_ROOTS"):
        assert flag in done.stdout


def test_tokens_must_be_long() -> None:
    from ccr import AccessError

    with pytest.raises(AccessError, match="at least 16"):
        HttpSettings(token="short").check()
    HttpSettings(token=TOKEN, host="192.168.1.5").check()


def test_the_allowed_hosts_cover_the_bound_address_and_loopback_but_nothing_else() -> None:
    settings = security_settings("192.168.1.5", ["proxy.internal"])
    assert {"127.0.0.1:*", "localhost:*", "[::1]:*", "192.168.1.5:*", "proxy.internal", "localhost"} <= set(
        settings.allowed_hosts
    )
    assert "http://192.168.1.5:*" in settings.allowed_origins
    assert not any("attacker" in h for h in settings.allowed_hosts)
    assert settings.enable_dns_rebinding_protection


async def test_the_token_check_passes_other_scopes_through() -> None:
    seen: list[str] = []

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        seen.append(str(scope["type"]))

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "lifespan.startup"}

    async def send(message: MutableMapping[str, Any]) -> None:
        seen.append(str(message.get("status", message["type"])))

    guarded = BearerTokenMiddleware(app, TOKEN)
    await guarded({"type": "lifespan"}, receive, send)
    await guarded({"type": "http", "headers": []}, receive, send)
    await guarded({"type": "http", "headers": [(b"authorization", f"Bearer {TOKEN}".encode())]}, receive, send)
    assert seen == ["lifespan", "401", "http.response.body", "http"]


async def test_stdio_keeps_stdout_for_protocol_messages_and_logs_on_stderr(project: Path) -> None:
    import json

    from anyio.streams.buffered import BufferedByteReceiveStream

    requests: list[dict[str, Any]] = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "raw", "version": "0"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "headroom_compress", "arguments": {}}},
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {"name": "headroom_compress", "arguments": {"content": noisy_log()}},
        },
    ]
    errors = bytearray()

    async def drain(stream: Any) -> None:
        async for chunk in stream:
            errors.extend(chunk)

    with anyio.fail_after(120):
        process = await anyio.open_process(serve_command("--log-level", "debug"), cwd=project)
        async with process, anyio.create_task_group() as tg:
            assert process.stdin is not None and process.stdout is not None and process.stderr is not None
            tg.start_soon(drain, process.stderr)
            out = BufferedByteReceiveStream(process.stdout)
            replies = []
            for request in requests:
                await process.stdin.send(json.dumps(request).encode() + b"\n")
                if "id" in request:
                    replies.append(json.loads(await out.receive_until(b"\n", 1 << 24)))
            await process.stdin.aclose()
            await process.wait()
    assert [r["id"] for r in replies] == [1, 2, 3]
    assert replies[0]["result"]["serverInfo"]["name"] == "headroom"
    assert replies[1]["result"]["isError"] is True
    result = replies[2].get("result", {})
    assert "structuredContent" not in result, replies[2]
    header = result["content"][0]["text"].partition("\n")[0]
    before, after = (int(n.replace(",", "")) for n in re.findall(r"([\d,]+) (?:->|tokens)", header)[:2])
    assert after < before, header
    assert b"DEBUG" in errors


def _sse_events(sock: Any, wanted: set[int], deadline: float) -> dict[int, dict[str, Any]]:
    """The JSON-RPC answers read from an open SSE stream until every id in `wanted` came (or the deadline)."""
    import json
    import time

    found: dict[int, dict[str, Any]] = {}
    buffer = b""
    while not wanted <= found.keys() and time.monotonic() < deadline:
        sock.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        if not chunk:
            break
        buffer += chunk
        for line in buffer.split(b"\r\n"):
            if line.startswith(b"data: {"):
                message = json.loads(line[6:])
                if isinstance(message.get("id"), int):
                    found[message["id"]] = message
    return found


def test_over_sse_an_unreadable_request_is_answered_on_the_stream_with_its_id(tmp_path: Path) -> None:
    import http.client
    import json
    import socket
    import time

    port = free_port()
    with running_server("sse", port, "--token", TOKEN, log=tmp_path / "err.log"):
        stream = socket.create_connection(("127.0.0.1", port), timeout=30)
        stream.sendall(
            f"GET /sse HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {TOKEN}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        head = b""
        while b"session_id=" not in head or not head.split(b"session_id=", 1)[1].count(b"\r\n"):
            head += stream.recv(4096)
        endpoint = head.split(b"data: ", 1)[1].split(b"\r\n", 1)[0].decode()

        def post(body: bytes) -> int:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
            try:
                conn.request("POST", endpoint, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                return int(response.status)
            finally:
                conn.close()

        hello = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}
        assert post(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": hello}).encode()) == 202
        assert post(b'{"jsonrpc": "2.0", "method": "notifications/initialized"}') == 202
        # A lone surrogate escape, then the UTF-8-style bytes of one (not UTF-8), then an ordinary ping.
        post(b'{"jsonrpc": "2.0", "id": 7, "method": "ping", "params": {"x": "a \\ud800 b"}}')
        post(b'{"jsonrpc": "2.0", "id": 8, "method": "ping", "params": {"x": "\xed\xa0\x80"}}')
        assert post(b'{"jsonrpc": "2.0", "id": 9, "method": "ping"}') == 202
        answers = _sse_events(stream, {7, 8, 9}, time.monotonic() + 30)
        stream.close()
    assert answers[7]["error"]["code"] == -32700 and "surrogate" in answers[7]["error"]["message"]
    assert answers[8]["error"]["code"] in (-32700, -32600)
    assert answers[9]["result"] == {}


def test_over_streamable_http_an_unreadable_request_gets_a_json_rpc_error(tmp_path: Path) -> None:
    import http.client
    import json

    port = free_port()
    with running_server("http", port, "--token", TOKEN, log=tmp_path / "err.log"):
        for body in (
            b'{"jsonrpc": "2.0", "id": 7, "method": "ping", "params": {"x": "a \\ud800 b"}}',
            b'{"jsonrpc": "2.0", "id": 8, "method": "ping", "params": {"x": "\xed\xa0\x80"}}',
        ):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {
                "Authorization": f"Bearer {TOKEN}",
                "Content-Type": "application/json",
                "Accept": "application/json, text/event-stream",
            }
            try:
                conn.request("POST", "/mcp", body=body, headers=headers)
                response = conn.getresponse()
                answer = json.loads(response.read())
            finally:
                conn.close()
            assert response.status == 400
            assert answer["jsonrpc"] == "2.0" and answer["error"]["code"] == -32700
