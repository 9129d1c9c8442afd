"""Reliability under size, load and damage: memory per input shape, slow clients, a corrupted store.

    .venv/bin/python benchmarks/reliability.py [--sizes 1,16,64] [--slow-clients 1000] [--originals 2000]

Three tables (issue 12's targets):
- memory: peak RSS above the idle process for one compression, per input shape (many short lines,
  one huge line, a realistic log, JSON of several shapes) at each size in MB, through `compress()` (a
  fresh interpreter per run), `headroom compress FILE` (the CLI) and a running stdio server's
  headroom_compress (its VmHWM reset before the call); then while the store indexes each input for
  search (what the background indexer does next); the bound is 4x the input + 150 MB;
- slow clients: `--slow-clients` connections that trickle request headers at a streamable HTTP
  server, while an authenticated client initializes and calls tools: connections the server holds
  (at most 256 by design), requests served, their median latency, and unauthenticated calls served
  (must be 0);
- corruption: a store of `--originals` originals with 1% of its pages overwritten at random (seeded):
  seconds to recover, share of originals salvaged, and lost originals with no byte on a damaged page
  (must be 0; a damaged b-tree interior page is counted apart).
Inputs are generated here; every figure is measured by this run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mcp_server._rpc import StdioClient, initialize_params

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MB = 1 << 20


# --- inputs -----------------------------------------------------------------------------------------------


def _short_lines(size: int) -> bytes:
    return b"y\n" * (size // 2)


def _huge_line(size: int) -> bytes:
    rng = random.Random(7)
    words = [bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(5000)]
    out = bytearray()
    while len(out) < size:
        out += rng.choice(words) + b" "
    return bytes(out[:size])


def _log(size: int) -> bytes:
    rng = random.Random(11)
    levels = ["INFO"] * 30 + ["DEBUG"] * 10 + ["WARN"] * 3 + ["ERROR"]
    out: list[str] = []
    total = 0
    i = 0
    while total < size:
        level = rng.choice(levels)
        stamp = f"2025-03-{1 + i // 86400 % 28:02d}T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}"
        line = (
            f"{stamp}.{rng.randrange(1000):03d}Z "
            f"{level} worker-{rng.randrange(16)} request id={rng.getrandbits(64):016x} "
            f"path=/api/v1/items/{rng.randrange(10**6)} status={rng.choice([200, 200, 200, 201, 404, 500])} "
            f"took={rng.random() * 250:.1f}ms\n"
        )
        out.append(line)
        total += len(line)
        i += 1
    return "".join(out).encode()[:size]


def _json(size: int) -> bytes:
    """One minified array of small objects (a package index, an API listing)."""
    rng = random.Random(13)
    items = []
    total = 2
    while total < size:
        item = {
            "id": rng.getrandbits(40),
            "name": f"package-{rng.randrange(10**6)}",
            "version": f"{rng.randrange(10)}.{rng.randrange(30)}.{rng.randrange(100)}",
            "tags": rng.sample(["web", "cli", "db", "net", "ml", "test"], 2),
            "ok": rng.random() < 0.95,
        }
        cost = len(json.dumps(item)) + 2
        if total + cost > size:
            break
        items.append(item)
        total += cost
    return json.dumps(items).encode()


def _json_lines(size: int) -> bytes:
    """One event object per line, a nested object in each (structured logs, `--json` event streams)."""
    rng = random.Random(17)
    out: list[bytes] = []
    total = 0
    i = 0
    while True:
        event = {
            "ts": f"2025-03-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z",
            "level": rng.choice(["info"] * 20 + ["warn", "error"]),
            "msg": f"request {rng.getrandbits(32):08x} served",
            "req": {"path": f"/api/items/{rng.randrange(10**6)}", "status": rng.choice([200, 200, 404, 500])},
            "took_ms": round(rng.random() * 300, 2),
        }
        line = json.dumps(event).encode() + b"\n"
        if total + len(line) > size:
            break
        out.append(line)
        total += len(line)
        i += 1
    return b"".join(out)


def _json_pretty_nested(size: int) -> bytes:
    """Pretty-printed objects nested 40 deep (a dependency tree, `npm ls --json`), in one array."""
    rng = random.Random(19)

    def tree(depth: int) -> dict[str, Any]:
        node: dict[str, Any] = {"version": f"{rng.randrange(9)}.{rng.randrange(20)}.{rng.randrange(50)}"}
        if depth < 40:
            node["dependencies"] = {f"pkg-{rng.randrange(10**5)}": tree(depth + 1)}
        return node

    out, total = [], 2
    while total < size:
        chunk = json.dumps(tree(0), indent=2)
        if total + len(chunk) + 2 > size:
            break
        out.append(chunk)
        total += len(chunk) + 2
    return ("[" + ",\n".join(out) + "]\n").encode()


def _json_long_strings(size: int) -> bytes:
    """Records whose text fields run to kilobytes (issue bodies, file contents in an API answer)."""
    rng = random.Random(23)
    words = ["the", "build", "failed", "because", "module", "cache", "was", "stale", "after", "upgrade"]
    out, total = [], 2
    while total < size:
        body = " ".join(rng.choice(words) for _ in range(rng.randrange(200, 3000)))
        item = json.dumps({"number": len(out) + 1, "title": f"issue {len(out) + 1}", "body": body})
        if total + len(item) + 2 > size:
            break
        out.append(item)
        total += len(item) + 2
    return ("[" + ", ".join(out) + "]").encode()


def _json_tiny_values(size: int) -> bytes:
    """One flat array of small numbers, minified: a value every two or three bytes."""
    rng = random.Random(29)
    digits = [str(rng.randrange(10)).encode() for _ in range(4096)]
    out = bytearray(b"[")
    i = 0
    while len(out) < size - 3:
        out += digits[i % 4096] + b","
        i += 1
    out += b"0]"
    return bytes(out)


def _json_deep(size: int) -> bytes:
    """Arrays nested as deep as the size allows: `[[[[...1...]]]]`."""
    depth = max(1, (size - 1) // 2)
    return b"[" * depth + b"1" + b"]" * depth


SHAPES: dict[str, Callable[[int], bytes]] = {
    "short lines (y\\n)": _short_lines,
    "one huge line": _huge_line,
    "realistic log": _log,
    "JSON": _json,
    "JSON lines": _json_lines,
    "JSON pretty, nested": _json_pretty_nested,
    "JSON long strings": _json_long_strings,
    "JSON tiny values": _json_tiny_values,
    "JSON deep [[[...]]]": _json_deep,
}


# --- memory ---------------------------------------------------------------------------------------------------

_IN_PROCESS = r"""
import os, sys, json
from pathlib import Path
from typing import Any
def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) * 1024
from ccr import Settings, Store
from compressors import compress, warm_up
warm_up()
store = Store(Settings.from_env())
compress(b"warm up the store and the compressors\n" * 50, store=store)
data = Path(sys.argv[1]).read_bytes()
Path("/proc/self/clear_refs").write_text("5")
idle = status("VmRSS:")
result = compress(data, store=store)
print(json.dumps({"idle": idle, "peak": status("VmHWM:"), "compressor": result.compressor}))
"""


_INDEXING = r"""
import sys, json, time
from pathlib import Path
from typing import Any
def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) * 1024
from ccr import Settings, Store
with Store(Settings.from_env()) as store:
    store.index_for_search(store.put(b"warm up the search index\n" * 50))
    digest = store.put(Path(sys.argv[1]).read_bytes(), content_type=sys.argv[2])
    Path("/proc/self/clear_refs").write_text("5")
    idle = status("VmRSS:")
    began = time.process_time()
    chunks = store.index_for_search(digest)
    cpu = time.process_time() - began
    print(json.dumps({"idle": idle, "peak": status("VmHWM:"), "chunks": chunks, "cpu_s": cpu}))
"""


def memory_index(path: Path, content_type: str, home: Path) -> tuple[int, int, float]:
    """Peak RSS above idle while the store chunks one stored original for search (what the background indexer
    does after a compression), in a fresh interpreter; the chunks it wrote and the CPU seconds it took (CPU, not
    wall: on a shared machine the wall clock says more about the neighbours)."""
    seen = _probe(_INDEXING, [str(path), content_type], home, "indexing")
    return seen["peak"] - seen["idle"], seen["chunks"], seen["cpu_s"]


def _probe(script: str, args: list[str], home: Path, what: str) -> dict[str, Any]:
    """Runs a measuring script in a fresh interpreter; its last line of output is its JSON report."""
    done = subprocess.run(
        [PYTHON, "-c", script, *args], capture_output=True, text=True, env=_env(home), timeout=900, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed: {done.stderr[-800:]}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "HEADROOM_HOME": str(home), "HEADROOM_EMBEDDINGS": "0", "HF_HUB_OFFLINE": "1"}


def memory_compress(path: Path, home: Path) -> tuple[int, str]:
    seen = _probe(_IN_PROCESS, [str(path)], home, "compress()")
    return seen["peak"] - seen["idle"], seen["compressor"]


def _cli_peak(args: list[str], home: Path) -> int:
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", PYTHON, "-P", "-m", "mcp_server.cli", *args],
        capture_output=True,
        text=True,
        env=_env(home),
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"headroom {' '.join(args)} failed: {done.stderr[-500:]}")
    return int(done.stderr.strip().splitlines()[-1]) * 1024


def memory_cli(path: Path, home: Path, idle: int) -> int:
    return _cli_peak(["compress", str(path)], home) - idle


def _proc_status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) * 1024
    raise KeyError(key)


class StdioServer:
    """`headroom mcp serve` over stdio, initialized and warmed up."""

    def __init__(self, home: Path, env: dict[str, str] | None = None) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.client = StdioClient(
            [PYTHON, "-P", "-m", "mcp_server", "mcp", "serve"], env={**_env(home), **(env or {})}, cwd=home
        )
        self.proc = self.client.proc
        self.client.initialize("bench")
        self.compress(b"warm up the server's store and compressors\n" * 200)

    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """The result of one request (a 64 MB input takes minutes, so the wait is long)."""
        return self.client.request(method, params, timeout=3600)

    def compress(self, data: bytes) -> dict[str, Any]:
        content = data.decode("utf-8", errors="replace")
        return self.call("tools/call", {"name": "headroom_compress", "arguments": {"content": content}})

    def peak_of(self, data: bytes) -> int:
        """Peak RSS above the idle server while it compresses `data`."""
        return self.peak_of_call(lambda: self.compress(data))

    def settle(self, limit_s: float = 600) -> None:
        """Wait (bounded) until the server's background indexer has indexed every original it holds, so that the
        next call is measured alone, not beside the indexing of the one before."""
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            stats = self.call("tools/call", {"name": "headroom_stats", "arguments": {}})
            if stats.get("structuredContent", {}).get("search_pending", 0) == 0:
                return
            time.sleep(0.5)
        raise RuntimeError(f"the server was still indexing after {limit_s:.0f} s")

    def peak_of_call(self, call: Callable[[], dict[str, Any]]) -> int:
        """Peak RSS above the idle server while it answers `call` (its background indexing done first)."""
        self.settle()
        Path(f"/proc/{self.proc.pid}/clear_refs").write_text("5")
        idle = _proc_status(self.proc.pid, "VmRSS:")
        answer = call()
        if answer.get("isError"):
            raise RuntimeError(str(answer)[:300])
        return _proc_status(self.proc.pid, "VmHWM:") - idle

    def close(self) -> None:
        self.client.close()


def memory_table(sizes: list[int], work: Path, shapes: dict[str, Callable[[int], bytes]]) -> list[dict[str, Any]]:
    rows = []
    tiny = work / "tiny.log"
    tiny.write_bytes(b"a tiny input to read the command's own size\n" * 50)
    cli_idle = _cli_peak(["compress", str(tiny)], work / "cli-idle")
    server = StdioServer(work / "server-home")
    try:
        for shape, make in shapes.items():
            for size in sizes:
                data = make(size * MB)
                path = work / "input.bin"
                path.write_bytes(data)
                bound = 4 * len(data) + 150 * MB
                in_process, compressor = memory_compress(path, work / f"home-{shape[:4]}-{size}")
                cli = memory_cli(path, work / f"cli-{shape[:4]}-{size}", cli_idle)
                served = server.peak_of(data)
                rows.append(
                    {
                        "shape": shape,
                        "mb": round(len(data) / MB, 1),
                        "compressor": compressor,
                        "compress_mb": round(in_process / MB),
                        "cli_mb": round(cli / MB),
                        "server_mb": round(served / MB),
                        "bound_mb": round(bound / MB),
                        "within": max(in_process, cli, served) <= bound,
                    }
                )
                print(_row(rows[-1]), flush=True)
    finally:
        server.close()
    return rows


def index_table(sizes: list[int], work: Path, shapes: dict[str, Callable[[int], bytes]]) -> list[dict[str, Any]]:
    rows = []
    for shape, make in shapes.items():
        content_type = "json" if shape.startswith("JSON") else "log"
        for size in sizes:
            data = make(size * MB)
            path = work / "input.bin"
            path.write_bytes(data)
            bound = 4 * len(data) + 150 * MB
            peak, chunks, cpu_s = memory_index(path, content_type, work / f"index-{shape[:4]}-{size}")
            rows.append(
                {
                    "shape": shape,
                    "mb": round(len(data) / MB, 1),
                    "chunks": chunks,
                    "index_mb": round(peak / MB),
                    "cpu_s": round(cpu_s, 1),
                    "bound_mb": round(bound / MB),
                    "within": peak <= bound,
                }
            )
            r = rows[-1]
            print(
                f"| {r['shape']} | {r['mb']} | {r['chunks']:,} | {r['index_mb']} | {r['cpu_s']} | {r['bound_mb']} "
                f"| {'yes' if r['within'] else 'NO'} |",
                flush=True,
            )
    return rows


def memory_run(work: Path) -> dict[str, Any]:
    """Peak RSS above the idle server while `headroom_run` runs `yes` until the output cap stops it."""
    root = work / "run-root"
    root.mkdir()
    server = StdioServer(work / "run-home", {"HEADROOM_ALLOW_RUN": "1", "HEADROOM_ROOTS": str(root)})
    try:
        answers: list[dict[str, Any]] = []

        def run_yes() -> dict[str, Any]:
            answers.append(server.call("tools/call", {"name": "headroom_run", "arguments": {"command": "yes"}}))
            return answers[-1]

        peak = server.peak_of_call(run_yes)
    finally:
        server.close()
    from ccr import Settings

    # The answer is text: its header line says whether the output cap stopped the command; the cap is the
    # input cap, read the way the server reads it.
    header = answers[-1]["content"][0]["text"].split("\n", 1)[0]
    truncated = "exceeded the size cap" in header
    cap = Settings.from_env().max_input_bytes
    return {
        "output_mb": round(cap / MB, 1) if truncated else 0,
        "truncated": truncated,
        "peak_mb": round(peak / MB),
        "bound_mb": round((4 * cap + 150 * MB) / MB),
    }


def _row(r: dict[str, Any]) -> str:
    ok = "yes" if r["within"] else "NO"
    return (
        f"| {r['shape']} | {r['mb']} | {r['compressor']} | {r['compress_mb']} | {r['cli_mb']} | {r['server_mb']} "
        f"| {r['bound_mb']} | {ok} |"
    )


# --- slow clients -------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _connections_of(pid: int, port: int) -> int:
    """Established TCP connections the process `pid` holds on `port` (from /proc/net/tcp and its fds)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    held = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "01" and int(local.rsplit(":", 1)[1], 16) == port and inode in inodes:
                held += 1
    return held


def _http(port: int, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            "POST",
            "/mcp",
            body=json.dumps(body),
            headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream", **headers},
        )
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace"), dict(response.getheaders())
    finally:
        conn.close()


def slow_clients(count: int, work: Path) -> dict[str, Any]:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = count + 256 if hard == resource.RLIM_INFINITY else min(hard, count + 256)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    token = "bench-reliability-token-0123456789"
    port = _free_port()
    home = work / "http-home"
    server = subprocess.Popen(
        [
            PYTHON,
            "-P",
            "-m",
            "mcp_server",
            "mcp",
            "serve",
            "--transport",
            "http",
            "--port",
            str(port),
            "--token",
            token,
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(home),
    )
    stop = threading.Event()
    sockets: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the HTTP server did not start") from None
                time.sleep(0.05)

        opened = threading.Event()

        def trickle() -> None:
            for _ in range(count):
                try:
                    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                    sock.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                    sockets.append(sock)
                except OSError:
                    pass
            opened.set()
            while not stop.is_set():
                for sock in list(sockets):
                    try:
                        sock.sendall(b"X-Slow: 1\r\n")
                    except OSError:
                        sockets.remove(sock)
                        try:
                            fresh = socket.create_connection(("127.0.0.1", port), timeout=5)
                            fresh.sendall(b"POST /mcp HTTP/1.1\r\n")
                            sockets.append(fresh)
                        except OSError:
                            pass
                stop.wait(1.0)

        flood = threading.Thread(target=trickle, daemon=True)
        flood.start()
        opened.wait(120)
        # The server accepts what the kernel queued at its own pace: wait (bounded) until it holds as many
        # connections as it will, then count.
        held, settle = 0, time.monotonic() + 10
        while time.monotonic() < settle:
            held = max(held, _connections_of(server.pid, port))
            if held >= min(count, 256):
                break
            stop.wait(0.1)
        auth = {"Authorization": f"Bearer {token}"}
        init = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": initialize_params("b"),
        }
        served, latencies, unauthenticated = 0, [], 0
        for n in range(20):
            started = time.perf_counter()
            try:
                status, _, _ = _http(port, {**init, "id": n}, auth)
            except OSError:
                status = 0
            latencies.append(time.perf_counter() - started)
            served += status == 200
            bad, _, _ = _http(port, {**init, "id": 100 + n}, {})
            unauthenticated += bad != 401
        held_after = _connections_of(server.pid, port)
        return {
            "slow_clients": count,
            "held_during": held,
            "held_later": held_after,
            "served": served,
            "asked": 20,
            "median_ms": round(statistics.median(latencies) * 1000, 1),
            "unauthenticated_served": unauthenticated,
        }
    finally:
        stop.set()
        for sock in sockets:
            sock.close()
        server.terminate()
        server.wait(timeout=30)


# --- corruption -----------------------------------------------------------------------------------------------


def corruption(originals: int, work: Path, seed: int = 5) -> dict[str, Any]:
    from ccr import CorruptedHashError, HashError, Settings, Store, StoreCorruptError

    home = work / "damaged-home"
    settings = Settings(home=home)
    rng = random.Random(seed)
    payloads: dict[str, bytes] = {}
    with Store(settings) as store:
        for i in range(originals):
            data = rng.randbytes(rng.choice([300, 2_000, 9_000, 40_000])) + f" original {i}".encode()
            payloads[store.put(data)] = data
        backend = store._backend
        with backend._lock:
            backend._conn_or_raise().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = settings.db_path
    pristine = path.read_bytes()
    page = 4096
    kinds = _page_kinds(path)
    pages = len(pristine) // page
    damaged = sorted(rng.sample(range(2, pages + 1), max(1, pages // 100)))  # 1-based; page 1 is the header
    raw = bytearray(pristine)
    for number in damaged:
        raw[(number - 1) * page : number * page] = rng.randbytes(page)
    path.write_bytes(bytes(raw))

    started = time.perf_counter()
    report: StoreCorruptError | None = None
    with Store(settings) as store:
        for digest in payloads:
            try:
                store.get(digest)
            except StoreCorruptError as exc:
                report = exc
                break
            except HashError:
                continue
        recovered_s = time.perf_counter() - started
        salvaged, lost = 0, []
        for digest, data in payloads.items():
            try:
                back = store.get(digest)
            except CorruptedHashError:
                lost.append(digest)
                continue
            if back != data:
                raise AssertionError(f"{digest} came back with other bytes")
            salvaged += 1
    damaged_pages = [pristine[(n - 1) * page : n * page] for n in damaged]
    windows = _windows_on(damaged_pages)
    unexplained = [d for d in lost if not _on_damaged_page(d, payloads[d], damaged_pages, windows)]
    interior = sum(1 for n in damaged if kinds.get(n) == "internal")
    return {
        "originals": originals,
        "pages": pages,
        "damaged_pages": len(damaged),
        "damaged_interior_pages": interior,
        "recover_s": round(recovered_s, 2),
        "detected": report is not None,
        "salvaged": salvaged,
        "lost": len(lost),
        "salvaged_pct": round(100 * salvaged / originals, 1),
        "lost_outside_damaged_pages": len(unexplained),
    }


def _page_kinds(path: Path) -> dict[int, str]:
    try:
        with sqlite3.connect(path) as conn:
            return {int(n): str(kind) for n, kind in conn.execute("SELECT pageno, pagetype FROM dbstat")}
    except sqlite3.Error:
        return {}


_WINDOW = 32


def _windows_on(pages: list[bytes]) -> set[bytes]:
    """Every run of `_WINDOW` bytes on the damaged pages (as they were before the damage)."""
    return {page[i : i + _WINDOW] for page in pages for i in range(len(page) - _WINDOW + 1)}


def _on_damaged_page(digest: str, data: bytes, pages: list[bytes], windows: set[bytes]) -> bool:
    """Whether a damaged page held any of this original: its handle (its row) or any of its bytes. A page holds
    a run of at least 2 x `_WINDOW` - 1 bytes of the original wherever it holds any part of it that matters (a
    leaf keeps the first ~489 bytes of a long row, overflow pages ~4 KB), and such a run covers one of the
    original's `_WINDOW`-aligned windows."""
    if any(digest.encode() in page for page in pages):
        return True
    return any(data[i : i + _WINDOW] in windows for i in range(0, len(data) - _WINDOW + 1, _WINDOW))


# --- main -----------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,16,64", help="input sizes in MB (default 1,16,64)")
    parser.add_argument("--slow-clients", type=int, default=1000)
    parser.add_argument("--originals", type=int, default=2000)
    parser.add_argument("--shapes", default="", help="comma-separated words picking input shapes (default: all)")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: memory,slow,corruption")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    sizes = [int(s) for s in args.sizes.split(",")]
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="headroom-reliability-") as tmp:
        work = Path(tmp)
        if "memory" not in skip:
            print("\nPeak RSS above the idle process for one compression (MB); bound = 4x input + 150 MB\n")
            print("| shape | MB | compressor | compress() | headroom compress | server | bound | within |")
            print("|---|---|---|---|---|---|---|---|")
            picks = [w.strip().lower() for w in args.shapes.split(",") if w.strip()]
            shapes = {k: v for k, v in SHAPES.items() if not picks or any(w in k.lower() for w in picks)}
            out["memory"] = memory_table(sizes, work, shapes)
            print("\nPeak RSS above idle while the store indexes the original for search (MB), same bound\n")
            print("| shape | MB | chunks | indexing | CPU s | bound | within |")
            print("|---|---|---|---|---|---|---|")
            out["indexing"] = index_table(sizes, work, shapes)
            run = memory_run(work)
            out["memory_run"] = run
            print(
                f"\nheadroom_run('yes') through the stdio server: {run['output_mb']} MB of output "
                f"(stopped at the cap: {run['truncated']}), peak {run['peak_mb']} MB above idle "
                f"(bound {run['bound_mb']} MB)"
            )
        if "slow" not in skip:
            result = slow_clients(args.slow_clients, work)
            out["slow_clients"] = result
            print(
                f"\n{result['slow_clients']} slow clients trickling headers at the HTTP server: it held "
                f"{result['held_during']} connections during the flood ({result['held_later']} later); "
                f"{result['served']}/{result['asked']} authenticated initialize requests served "
                f"(median {result['median_ms']} ms); unauthenticated calls served: {result['unauthenticated_served']}"
            )
        if "corruption" not in skip:
            result = corruption(args.originals, work)
            out["corruption"] = result
            print(
                f"\nCorruption: {result['damaged_pages']} of {result['pages']} pages overwritten "
                f"({result['damaged_interior_pages']} b-tree interior); recovered in {result['recover_s']} s; "
                f"{result['salvaged']}/{result['originals']} originals salvaged ({result['salvaged_pct']}%), "
                f"{result['lost']} lost, {result['lost_outside_damaged_pages']} of them with nothing on a damaged page"
            )
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
