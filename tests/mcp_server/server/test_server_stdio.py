"""The stdio transport as `headroom mcp serve` in a subprocess: the SDK's client works through it, every request
gets an answer (lines the SDK cannot read included), and EOF or a signal ends it with the store closed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
import mcp_types
import pytest
from anyio.streams.buffered import BufferedByteReceiveStream
from hypothesis import given
from hypothesis import strategies as st
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from server_helpers import noisy_log, serve_command, tool_text

from ccr import Settings
from mcp_server.server._stdio import EXIT_TERMINATED, unreadable_reply

pytestmark = pytest.mark.anyio


def _initialize(request_id: Any = 1) -> dict[str, Any]:
    params = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw-client", "version": "0"}}
    return {"jsonrpc": "2.0", "id": request_id, "method": "initialize", "params": params}


def _line(message: Any, encoding: str = "utf-8") -> bytes:
    return (message if isinstance(message, str) else json.dumps(message)).encode(encoding) + b"\n"


async def _converse(
    messages: Sequence[Any], *, replies: int, latin1: bool = False
) -> tuple[list[dict[str, Any]], str, int]:
    """Send every message at once, read `replies` answers, close stdin: the answers, stderr and exit status."""
    errors = bytearray()

    async def drain(stream: Any) -> None:
        async for chunk in stream:
            errors.extend(chunk)

    with anyio.fail_after(120):
        process = await anyio.open_process(serve_command("--log-level", "debug"))
        async with process, anyio.create_task_group() as tg:
            assert process.stdin is not None and process.stdout is not None and process.stderr is not None
            tg.start_soon(drain, process.stderr)
            await process.stdin.send(b"".join(_line(m, "latin-1" if latin1 else "utf-8") for m in messages))
            out = BufferedByteReceiveStream(process.stdout)
            answers = [json.loads(await out.receive_until(b"\n", 1 << 24)) for _ in range(replies)]
            await process.stdin.aclose()
            status = await process.wait()
    return answers, errors.decode(errors="replace"), status


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_the_sdk_client_initializes_lists_and_calls_tools(mode: Any, tmp_path: Path) -> None:
    # "legacy" opens with initialize; "auto" (the SDK client's default) probes server/discover first.
    command = serve_command("--log-level", "debug")
    params = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ))
    with anyio.fail_after(120), (tmp_path / "stderr.log").open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode=mode) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            assert {"headroom_compress", "headroom_retrieve", "headroom_stats"} <= tools
            text = noisy_log()
            out = tool_text(await client.call_tool("headroom_compress", {"content": text, "query": "declined"}))
            assert out["tokens_after"] < out["tokens_before"]
            whole = await client.call_tool("headroom_retrieve", {"hash": out["hash"], "max_tokens": 10**6})
            assert tool_text(whole)["body"] == text
    with sqlite3.connect(Settings.from_env().db_path) as db:
        clients = {row[0] for row in db.execute("SELECT client FROM events")}
    assert clients == {"mcp"}


@pytest.mark.slow
async def test_messages_sent_in_one_burst_are_all_answered() -> None:
    burst = [{"jsonrpc": "2.0", "id": n, "method": "tools/list"} for n in range(2, 22)]
    messages = [_initialize(1), {"jsonrpc": "2.0", "method": "notifications/initialized"}, *burst]
    answers, stderr, status = await _converse(messages, replies=1 + len(burst))
    assert status == 0, stderr
    assert answers[0]["id"] == 1 and answers[0]["result"]["serverInfo"]["name"] == "headroom"
    by_id = {a["id"]: a for a in answers[1:]}
    assert sorted(by_id) == list(range(2, 22))
    assert all("headroom_compress" in {t["name"] for t in a["result"]["tools"]} for a in by_id.values())


@pytest.mark.slow
async def test_every_unreadable_request_gets_a_json_rpc_error_and_the_session_goes_on() -> None:
    surrogate = '{"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "headroom_compress", ' + (
        '"arguments": {"content": "hello \\ud800 world"}}}'
    )
    messages = [
        _initialize(1),
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        surrogate,
        '{"jsonrpc": "2.0", "id": 3, "method": "ping"',
        {"jsonrpc": "1.0", "id": "four", "method": "ping"},
        '{"jsonrpc": "2.0", "method": "notifications/progress", "params": {"message": "\\udcff"}}',
        {"jsonrpc": "2.0", "id": 5, "method": "ping"},
    ]
    answers, stderr, status = await _converse(messages, replies=5)
    assert status == 0, stderr
    by_id = {a.get("id"): a for a in answers[1:]}
    assert by_id[2]["error"]["code"] == -32700 and "lone surrogate" in by_id[2]["error"]["message"]
    assert by_id[None]["error"]["code"] == -32700 and "not JSON" in by_id[None]["error"]["message"]
    assert by_id["four"]["error"]["code"] == -32600
    assert by_id[5] == {"jsonrpc": "2.0", "id": 5, "result": {}}


@given(
    request_id=st.one_of(st.integers(min_value=-(2**53), max_value=2**53), st.text(max_size=12)),
    text=st.text(max_size=20),
    lone=st.integers(min_value=0xD800, max_value=0xDFFF),
    at=st.integers(min_value=0, max_value=20),
)
def test_a_request_holding_any_lone_surrogate_is_answered_with_its_own_id(
    request_id: int | str, text: str, lone: int, at: int
) -> None:
    content = text[:at] + chr(lone) + text[at:]
    message = {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": {"arguments": {"c": content}}}
    line = json.dumps(message)  # ASCII: the surrogate travels as a \\uXXXX escape
    try:
        mcp_types.jsonrpc_message_adapter.validate_json(line, by_name=False)
    except Exception as exc:
        reply = unreadable_reply(exc)
    else:
        pytest.fail("the SDK read a lone surrogate: the guard is no longer needed")
    assert reply is not None
    assert reply[0] == request_id and reply[1] == -32700


def _started(*args: str) -> subprocess.Popen[bytes]:
    # A client starts its server with SIGINT at its default; a test run started in the background of a
    # non-interactive shell inherits SIGINT ignored, and an ignored disposition survives exec. Any handler set here
    # is reset to the default in the child, so the server starts as a client would start it.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen(
            serve_command(*args), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(_line(_initialize(1)))
    proc.stdin.flush()
    assert json.loads(proc.stdout.readline())["id"] == 1
    return proc


def _exit_status(proc: subprocess.Popen[bytes]) -> tuple[int, bytes]:
    """The exit status within 60 s, and what the server wrote on stderr."""
    assert proc.stderr is not None and proc.stdout is not None
    try:
        status = proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        proc.stderr.close()
        raise AssertionError("the server did not exit within 60 s") from None
    finally:
        if proc.stdin is not None and not proc.stdin.closed:
            proc.stdin.close()
        proc.stdout.close()
    with proc.stderr:
        return status, proc.stderr.read()


@pytest.mark.slow
def test_eof_right_after_initialize_ends_the_server_cleanly() -> None:
    proc = _started()
    assert proc.stdin is not None
    proc.stdin.close()
    status, stderr = _exit_status(proc)
    assert status == 0, stderr.decode()


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, EXIT_TERMINATED), (signal.SIGINT, 130)])
def test_a_signal_once_serving_closes_the_store_and_ends_the_server(signum: int, status: int) -> None:
    proc = _started("--log-level", "info")
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(_line({"jsonrpc": "2.0", "id": 2, "method": "ping"}))
    proc.stdin.flush()
    assert json.loads(proc.stdout.readline())["id"] == 2
    db = Settings.from_env().db_path
    # The store opens beside the first answers (`StoreOpening`): its write-ahead log appears within a bounded wait.
    deadline = time.monotonic() + 30
    while not db.with_name(db.name + "-wal").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert db.with_name(db.name + "-wal").exists()
    proc.send_signal(signum)
    returned, stderr = _exit_status(proc)
    assert returned == status, stderr.decode()
    # The last connection closing checkpoints and removes the write-ahead log: the store was closed, not abandoned.
    assert not db.with_name(db.name + "-wal").exists()


@pytest.mark.slow
async def test_a_request_that_is_not_utf8_is_answered_and_the_session_goes_on() -> None:
    messages = [
        _initialize(1),
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        b'{"jsonrpc": "2.0", "id": 2, "method": "ping", "params": {"_meta": {"x": "\xff\xfe"}}}'.decode("latin-1"),
        {"jsonrpc": "2.0", "id": 3, "method": "ping"},
    ]
    answers, stderr, status = await _converse(messages, replies=3, latin1=True)
    assert status == 0, stderr
    by_id = {a["id"]: a for a in answers}
    assert by_id[2]["error"]["code"] == -32700
    assert "not UTF-8 (byte 0xff" in by_id[2]["error"]["message"]
    assert by_id[3] == {"jsonrpc": "2.0", "id": 3, "result": {}}


@pytest.mark.slow
async def test_forty_reads_of_a_fifo_are_refused_and_ping_is_still_answered(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    os.mkfifo(project / "pipe")
    reads = [
        {
            "jsonrpc": "2.0",
            "id": n,
            "method": "tools/call",
            "params": {"name": "headroom_read", "arguments": {"path": "pipe"}},
        }
        for n in range(2, 42)
    ]
    messages = [_initialize(1), {"jsonrpc": "2.0", "method": "notifications/initialized"}, *reads]
    messages.append({"jsonrpc": "2.0", "id": 99, "method": "ping"})
    with anyio.fail_after(120):
        process = await anyio.open_process(serve_command("--root", str(project)), cwd=project)
        async with process:
            assert process.stdin is not None and process.stdout is not None
            await process.stdin.send(b"".join(_line(m) for m in messages))
            out = BufferedByteReceiveStream(process.stdout)
            answers = [json.loads(await out.receive_until(b"\n", 1 << 24)) for _ in range(len(messages) - 1)]
            await process.stdin.aclose()
            await process.wait()
    by_id = {a["id"]: a for a in answers}
    assert by_id[99] == {"jsonrpc": "2.0", "id": 99, "result": {}}
    for n in range(2, 42):
        assert by_id[n]["result"]["isError"]
        assert "named pipe" in by_id[n]["result"]["content"][0]["text"]


@pytest.mark.slow
async def test_ping_is_answered_while_forty_five_commands_are_still_running(tmp_path: Path) -> None:
    # Forty calls that never returned used to take every worker thread, and then even ping went unanswered.
    marker = tmp_path / "started"
    runs = [
        {
            "jsonrpc": "2.0",
            "id": n,
            "method": "tools/call",
            "params": {
                "name": "headroom_run",
                "arguments": {"command": f"echo {n} >> {marker}; sleep 60", "timeout_s": 90},
            },
        }
        for n in range(2, 47)
    ]
    messages = [_initialize(1), {"jsonrpc": "2.0", "method": "notifications/initialized"}, *runs]
    with anyio.fail_after(150):
        process = await anyio.open_process(serve_command("--allow-run", "--root", str(tmp_path)), cwd=tmp_path)
        async with process:
            assert process.stdin is not None and process.stdout is not None
            await process.stdin.send(b"".join(_line(m) for m in messages))
            out = BufferedByteReceiveStream(process.stdout)
            assert json.loads(await out.receive_until(b"\n", 1 << 24))["id"] == 1
            # Every command has started (none is queued behind the others) before ping is sent.
            while not marker.exists() or len(marker.read_text().split()) < len(runs):
                await anyio.sleep(0.1)
            await process.stdin.send(_line({"jsonrpc": "2.0", "id": 99, "method": "ping"}))
            answer = json.loads(await out.receive_until(b"\n", 1 << 24))
            assert answer == {"jsonrpc": "2.0", "id": 99, "result": {}}, "a command's answer came before ping's"
            process.terminate()
            await process.wait()
