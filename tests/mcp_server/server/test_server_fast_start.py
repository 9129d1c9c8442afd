"""The stdio front: its initialize answer is the SDK's, and the session it hands over is the SDK's session.

The SDK's answers come from the real server run through the SDK's own stdio
transport in memory; the front is exercised as `headroom mcp serve` in a
subprocess, with the SDK's client and with raw JSON-RPC lines.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
import pytest
from anyio.streams.buffered import BufferedByteReceiveStream
from hypothesis import given
from hypothesis import strategies as st
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.server.stdio import stdio_server
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, KNOWN_PROTOCOL_VERSIONS
from server_helpers import noisy_log, serve_command, structured

from ccr import Settings
from mcp_server.server import ServerOptions, build_server
from mcp_server.server._fast_initialize import InitializeCall, initialize_reply, recognise_initialize
from mcp_server.server._fast_stdio import EXIT_TERMINATED, fast_start_enabled
from mcp_server.server._identity import (
    HANDSHAKE_PROTOCOL_VERSIONS as PINNED_VERSIONS,
)
from mcp_server.server._identity import VERIFIED_SDK_VERSIONS, installed_version

pytestmark = pytest.mark.anyio
ANSWERED = "initialize answered at start-up"
DRIFT = "differs from the one sent at start-up"


def _initialize(request_id: Any = 1, version: str = "2025-06-18", **params: Any) -> dict[str, Any]:
    body = {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "raw-client", "version": "0"}}
    return {"jsonrpc": "2.0", "id": request_id, "method": "initialize", "params": {**body, **params}}


def _line(message: Any) -> str:
    return json.dumps(message) + "\n"


class _Lines:
    """The SDK's stdin in memory: the given lines, then EOF."""

    def __init__(self, lines: Sequence[str]) -> None:
        self._lines = list(lines)

    def __aiter__(self) -> _Lines:
        return self

    async def __anext__(self) -> str:
        if not self._lines:
            raise StopAsyncIteration
        return self._lines.pop(0)


class _Written:
    """The SDK's stdout in memory."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    async def write(self, text: str) -> None:
        self.lines.append(text)

    async def flush(self) -> None:
        pass


def sdk_answers(lines: Sequence[str], options: ServerOptions | None = None) -> list[dict[str, Any]]:
    """What the real server, served by the SDK's own stdio transport, writes for `lines`."""
    server = build_server(options or ServerOptions())
    lowlevel = server._lowlevel_server
    written = _Written()

    async def run() -> None:
        with anyio.fail_after(60):
            async with stdio_server(_Lines(lines), written) as (read, write):  # type: ignore[arg-type]
                await lowlevel.run(read, write, lowlevel.create_initialization_options())

    anyio.run(run)
    return [json.loads(line) for line in written.lines]


# --- the answer ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("allow_run", [False, True])
@pytest.mark.parametrize("version", [*KNOWN_PROTOCOL_VERSIONS, "1999-01-01", "", "draft"])
def test_the_front_answers_initialize_exactly_as_the_sdk_does_for_every_protocol_version(
    version: str, allow_run: bool
) -> None:
    line = _line(_initialize("req-7", version))
    call = recognise_initialize(line)
    assert call == InitializeCall("req-7", version)
    (sdk,) = sdk_answers([line], ServerOptions(allow_run=allow_run))
    assert json.loads(initialize_reply(call, allow_run=allow_run)) == sdk


def test_the_handshake_versions_and_sdk_release_the_front_relies_on_are_the_installed_ones() -> None:
    assert PINNED_VERSIONS == HANDSHAKE_PROTOCOL_VERSIONS
    assert installed_version("mcp") in VERIFIED_SDK_VERSIONS, (
        "a new mcp release: run this file against it, then add its version to VERIFIED_SDK_VERSIONS"
    )


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
_text = st.text(max_size=8)
# Inside the params one draw in five goes wrong, around them one in ten: close enough to valid that many pass.
_wrong = st.sampled_from([False, False, False, False, True])
_rarely_wrong = st.sampled_from([*[False] * 9, True])


@st.composite
def _mostly(
    draw: st.DrawFn, good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any] = _json, *, rare: bool = False
) -> Any:
    return draw(bad) if draw(_rarely_wrong if rare else _wrong) else draw(good)


@st.composite
def _some_of(draw: st.DrawFn, fields: dict[str, st.SearchStrategy[Any]]) -> dict[str, Any]:
    """An object with some of `fields`, and now and then a key nobody defined."""
    out = {key: draw(value) for key, value in fields.items() if draw(st.booleans())}
    if draw(_wrong):
        out[draw(_text)] = draw(_json)
    return out


_object = _mostly(st.dictionaries(_text, _json, max_size=2) | st.none())
_table = _mostly(st.dictionaries(_text, _mostly(st.dictionaries(_text, _json, max_size=2)), max_size=2) | st.none())
_icon = _mostly(
    _some_of({"mimeType": _mostly(_text | st.none()), "sizes": _mostly(st.lists(_text, max_size=2))}).flatmap(
        lambda icon: st.fixed_dictionaries({"src": _mostly(_text)}).map(lambda src: {**icon, **src})
    )
)
_client_info = _mostly(
    rare=True,
    good=st.tuples(
        st.fixed_dictionaries({"name": _mostly(_text), "version": _mostly(_text)}),
        _some_of(
            {
                "title": _mostly(_text | st.none()),
                "description": _mostly(_text | st.none()),
                "websiteUrl": _mostly(_text | st.none()),
                "icons": _mostly(st.lists(_icon, max_size=2) | st.none()),
            }
        ),
    ).map(lambda parts: {**parts[1], **parts[0]}),
)
_capabilities = _mostly(
    rare=True,
    good=_some_of(
        {
            "roots": _mostly(_some_of({"listChanged": _mostly(st.booleans() | st.none())}) | st.none()),
            "sampling": _mostly(_some_of({"context": _object, "tools": _object})),
            "elicitation": _mostly(_some_of({"form": _object, "url": _object})),
            "experimental": _table,
            "extensions": _table,
            "tasks": _mostly(
                _some_of(
                    {
                        "list": _object,
                        "cancel": _object,
                        "requests": _mostly(
                            _some_of(
                                {
                                    "sampling": _mostly(_some_of({"createMessage": _object})),
                                    "elicitation": _mostly(_some_of({"create": _object})),
                                }
                            )
                        ),
                    }
                )
            ),
        }
    ),
)


@st.composite
def _message(draw: st.DrawFn) -> dict[str, Any]:
    params = {
        "protocolVersion": draw(_mostly(st.sampled_from([*KNOWN_PROTOCOL_VERSIONS, "1999-01-01"]) | _text, rare=True)),
        "capabilities": draw(_capabilities),
        "clientInfo": draw(_client_info),
    }
    if draw(_rarely_wrong):
        params["_meta"] = draw(st.dictionaries(_text, _json, max_size=2))
    if draw(_rarely_wrong):
        del params[draw(st.sampled_from(sorted(params)))]
    message = {
        "jsonrpc": draw(_mostly(st.just("2.0"), st.sampled_from(["1.0", 2]), rare=True)),
        "id": draw(
            _mostly(st.integers(-(2**63) + 1, 2**63 - 1) | _text, st.integers() | st.booleans() | _json, rare=True)
        ),
        "method": draw(_mostly(st.just("initialize"), st.sampled_from(["ping", "Initialize"]), rare=True)),
        "params": draw(_mostly(st.just(params), rare=True)),
    }
    if draw(_rarely_wrong):
        message[draw(_text)] = draw(_json)
    return message


@given(message=_message(), ascii_only=st.booleans())
def test_whenever_the_front_recognises_an_initialize_the_sdk_gives_the_same_answer(
    message: dict[str, Any], ascii_only: bool
) -> None:
    line = json.dumps(message, ensure_ascii=ascii_only) + "\n"
    call = recognise_initialize(line)
    if call is None:
        return
    (sdk,) = sdk_answers([line])
    assert json.loads(initialize_reply(call, allow_run=False)) == sdk


@pytest.mark.parametrize(
    "line",
    [
        _line({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
        _line({"jsonrpc": "2.0", "method": "initialize", "params": _initialize()["params"]}),
        _line(_initialize(True)),
        _line(_initialize(1.0)),
        _line(_initialize(1, _meta={"progressToken": 1})),
        _line(_initialize(1, clientInfo={"name": "no-version"})),
        _line(_initialize(1, capabilities={"roots": {"listChanged": "yes"}})),
        _line(_initialize(1, capabilities={"experimental": {"x": 1}})),
        json.dumps(_initialize(1, clientInfo={"name": "\ud800", "version": "0"})) + "\n",
        _line(_initialize(1)).replace('"capabilities": {}', '"capabilities": {"x": NaN}'),
        _line(_initialize(1)).replace('"id": 1', '"id": 1, "id": 2'),
        "not json\n",
        "\n",
    ],
)
def test_anything_the_front_is_unsure_of_is_left_to_the_sdk(line: str) -> None:
    assert recognise_initialize(line) is None


def test_the_initialize_requests_real_clients_send_are_answered_at_once() -> None:
    typescript_sdk = _initialize(
        0, "2025-11-25", capabilities={"sampling": {}, "elicitation": {"form": {}}, "roots": {"listChanged": True}}
    )
    python_sdk = _initialize(0, "2025-11-25", capabilities={}, clientInfo={"name": "mcp", "version": "0.1.0"})
    editor = _initialize(
        "init-1",
        "2025-06-18",
        capabilities={"roots": {"listChanged": True}, "experimental": {"vendor": {}}},
        clientInfo={"name": "editor", "title": "An Editor", "version": "1.2.3", "websiteUrl": "https://e.example"},
    )
    for message in (typescript_sdk, python_sdk, editor):
        assert recognise_initialize(_line(message)) is not None, message


@pytest.mark.slow
def test_the_fast_start_switch_reads_the_environment_and_refuses_nonsense() -> None:
    assert fast_start_enabled({}) is True
    assert fast_start_enabled({"HEADROOM_FAST_START": ""}) is True
    assert fast_start_enabled({"HEADROOM_FAST_START": "0"}) is False
    assert fast_start_enabled({"HEADROOM_FAST_START": "on"}) is True
    with pytest.raises(ValueError, match="HEADROOM_FAST_START"):
        fast_start_enabled({"HEADROOM_FAST_START": "sometimes"})
    done = subprocess.run(
        serve_command(),
        env={**os.environ, "HEADROOM_FAST_START": "sometimes"},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2 and "HEADROOM_FAST_START='sometimes'" in done.stderr


@pytest.mark.slow
def test_the_front_loads_only_the_standard_library_and_our_own_modules() -> None:
    code = (
        "import sys, mcp_server.server._fast_stdio, mcp_server.server.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mcp', 'mcp_types', 'pydantic', 'anyio')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# --- the session over stdio, in a subprocess -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "front_answers"), [("legacy", True), ("auto", False)])
async def test_the_sdk_client_initializes_lists_and_calls_tools_through_the_front(
    mode: Any, front_answers: bool, tmp_path: Path
) -> None:
    # "legacy" opens with initialize; "auto" (the SDK client's default) probes server/discover, which the SDK answers.
    command = serve_command("--log-level", "debug")
    params = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ))
    log = tmp_path / "stderr.log"
    with anyio.fail_after(120), log.open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode=mode) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            assert {"headroom_compress", "headroom_retrieve", "headroom_stats"} <= tools
            text = noisy_log()
            out = structured(await client.call_tool("headroom_compress", {"content": text, "query": "declined"}))
            assert out["tokens_after"] < out["tokens_before"]
            whole = structured(await client.call_tool("headroom_retrieve", {"hash": out["hash"]}))
            assert whole["text"] == text
    stderr = log.read_text()
    assert (ANSWERED in stderr) is front_answers and DRIFT not in stderr
    # The opening message reached the SDK session: the compression is recorded under the client's own name.
    with sqlite3.connect(Settings.from_env().db_path) as db:
        clients = {row[0] for row in db.execute("SELECT client FROM events")}
    assert clients == {"mcp"}


async def _converse(
    messages: Sequence[Any], *, replies: int, env: dict[str, str] | None = None, command: Sequence[str] = ()
) -> tuple[list[dict[str, Any]], str, int]:
    """Send every message at once, read `replies` answers, close stdin: the answers, stderr and exit status."""
    errors = bytearray()

    async def drain(stream: Any) -> None:
        async for chunk in stream:
            errors.extend(chunk)

    with anyio.fail_after(120):
        process = await anyio.open_process(list(command) or serve_command("--log-level", "debug"), env=env)
        async with process, anyio.create_task_group() as tg:
            assert process.stdin is not None and process.stdout is not None and process.stderr is not None
            tg.start_soon(drain, process.stderr)
            await process.stdin.send(b"".join(_line(m).encode() for m in messages))
            out = BufferedByteReceiveStream(process.stdout)
            answers = [json.loads(await out.receive_until(b"\n", 1 << 24)) for _ in range(replies)]
            await process.stdin.aclose()
            status = await process.wait()
    return answers, errors.decode(errors="replace"), status


@pytest.mark.slow
async def test_messages_sent_before_the_sdk_is_ready_are_all_answered_in_order() -> None:
    burst = [{"jsonrpc": "2.0", "id": n, "method": "tools/list"} for n in range(2, 22)]
    messages = [_initialize(1), {"jsonrpc": "2.0", "method": "notifications/initialized"}, *burst]
    answers, stderr, status = await _converse(messages, replies=1 + len(burst))
    assert status == 0
    assert answers[0]["id"] == 1 and answers[0]["result"]["serverInfo"]["name"] == "headroom"
    # tools/list before the replayed initialize would be refused as uninitialized: order was kept.
    by_id = {a["id"]: a for a in answers[1:]}
    assert sorted(by_id) == list(range(2, 22))
    assert all("headroom_compress" in {t["name"] for t in a["result"]["tools"]} for a in by_id.values())
    assert ANSWERED in stderr and DRIFT not in stderr


@pytest.mark.slow
async def test_a_first_message_that_is_not_initialize_gets_the_sdks_own_answers() -> None:
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 2, "method": "ping"},
        _initialize(3),
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 4, "method": "tools/list"},
    ]
    fronted, stderr, status = await _converse(messages, replies=4)
    plain, _, _ = await _converse(messages, replies=4, env={**os.environ, "HEADROOM_FAST_START": "0"})
    assert status == 0 and ANSWERED not in stderr
    assert fronted == plain
    assert "error" in fronted[0] and fronted[1]["result"] == {} and "tools" in fronted[3]["result"]


@pytest.mark.slow
async def test_an_initialize_the_front_is_unsure_of_is_answered_by_the_sdk() -> None:
    messages = [_initialize(1, _meta={"progressToken": "p"}), {"jsonrpc": "2.0", "id": 2, "method": "ping"}]
    answers, stderr, status = await _converse(messages, replies=2)
    assert status == 0 and ANSWERED not in stderr
    assert answers[0]["result"]["serverInfo"]["name"] == "headroom" and answers[1] == {
        "jsonrpc": "2.0",
        "id": 2,
        "result": {},
    }


@pytest.mark.slow
async def test_a_difference_from_the_sdks_answer_is_logged_and_the_session_goes_on() -> None:
    # A front whose copy of the capabilities has drifted from what the SDK derives.
    code = (
        "import sys\n"
        "import mcp_server.server._identity as identity\n"
        "identity.server_capabilities = lambda: {'tools': {'listChanged': True}}\n"
        "from mcp_server.cli import main\n"
        "sys.exit(main(['mcp', 'serve', '--log-level', 'debug']))\n"
    )
    messages = [_initialize(1), {"jsonrpc": "2.0", "method": "notifications/initialized"}]
    messages.append({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
    (first, second), stderr, status = await _converse(messages, replies=2, command=[sys.executable, "-c", code])
    assert status == 0, stderr
    assert first["result"]["capabilities"] == {"tools": {"listChanged": True}}
    assert "headroom_compress" in {t["name"] for t in second["result"]["tools"]}
    assert DRIFT in stderr and "fields capabilities" in stderr


def _started(*args: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(serve_command(*args), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(_line(_initialize(1)).encode())
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
def test_sigterm_while_the_sdk_loads_ends_the_server() -> None:
    proc = _started()
    proc.send_signal(signal.SIGTERM)
    status, stderr = _exit_status(proc)
    assert status == EXIT_TERMINATED, stderr.decode()


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, EXIT_TERMINATED), (signal.SIGINT, 130)])
def test_a_signal_once_serving_closes_the_store_and_ends_the_server(signum: int, status: int) -> None:
    proc = _started("--log-level", "info")
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(_line({"jsonrpc": "2.0", "id": 2, "method": "ping"}).encode())
    proc.stdin.flush()
    assert json.loads(proc.stdout.readline())["id"] == 2
    db = Settings.from_env().db_path
    assert db.with_name(db.name + "-wal").exists()
    proc.send_signal(signum)
    returned, stderr = _exit_status(proc)
    assert returned == status, stderr.decode()
    # The last connection closing checkpoints and removes the write-ahead log: the store was closed, not abandoned.
    assert not db.with_name(db.name + "-wal").exists()
