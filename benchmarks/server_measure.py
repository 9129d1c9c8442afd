"""How fast the server starts and answers, and how much memory it holds: the server table of `make bench`.

Every measurement runs the real server, ``python -P -m mcp_server mcp serve``,
as a subprocess over stdio, with its store in a throw-away HEADROOM_HOME unless an
environment is given, and its working directory in a throw-away folder, so a source checkout's folders
never shadow the installed package. Start-up is timed with bare JSON-RPC on the pipe (`mcp_server._rpc`,
no client library in the way) to two points: the ``initialize`` answer and the first ``tools/list`` answer,
which waits for the SDK; round trips use the SDK's client. Idle memory is read once the first tool list
has been answered, with the SDK loaded.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mcp_server._rpc import StdioClient
from mcp_server.bench import RoundTripFigure, ServerNumbers

__all__ = [
    "DEFAULT_SIZES",
    "RoundTrip",
    "StartupReport",
    "measure_idle_rss",
    "measure_round_trips",
    "measure_sdk_import",
    "measure_server",
    "measure_startup",
    "read_rss_bytes",
    "sample_log",
    "server_command",
]

DEFAULT_SIZES = (1024, 100 * 1024, 1024 * 1024)
_CLIENT = "headroom-bench"


@dataclass(frozen=True, slots=True)
class StartupReport:
    """Seconds from process start to the ``initialize`` answer and, per run, to the first ``tools/list`` answer."""

    runs_s: tuple[float, ...]
    tools_list_runs_s: tuple[float, ...] = ()

    @property
    def median_s(self) -> float:
        return statistics.median(self.runs_s)

    @property
    def median_tools_list_s(self) -> float:
        return statistics.median(self.tools_list_runs_s)


@dataclass(frozen=True, slots=True)
class RoundTrip:
    size_bytes: int
    runs_ms: tuple[float, ...]
    pipeline_ms: tuple[float, ...]
    tokens_before: int
    tokens_after: int

    @property
    def median_ms(self) -> float:
        """Round trip as the client sees it."""
        return statistics.median(self.runs_ms)

    @property
    def median_pipeline_ms(self) -> float:
        """The part spent in `compress()` itself (store, route, compress, record), as the server reports it."""
        return statistics.median(self.pipeline_ms)


def server_command(extra: Sequence[str] = ()) -> list[str]:
    """The command line that starts the server on stdio with this interpreter."""
    return [sys.executable, "-P", "-m", "mcp_server", "mcp", "serve", *extra]


@contextmanager
def _environment(env: Mapping[str, str] | None) -> Iterator[tuple[dict[str, str], str]]:
    """The server's environment and a working directory of its own (both thrown away after)."""
    with tempfile.TemporaryDirectory(prefix="headroom-bench-") as home:
        yield (dict(env) if env is not None else {**os.environ, "HEADROOM_HOME": home}), home


def measure_startup(runs: int = 10, env: Mapping[str, str] | None = None) -> StartupReport:
    """Seconds from process start to the ``initialize`` answer and to the first ``tools/list`` answer, `runs` times.

    The tool list is asked for as a client does: once the handshake is answered.
    """
    times, listed = [], []
    with _environment(env) as (environ, cwd):
        for _ in range(runs):
            started = time.perf_counter()
            with StdioClient(server_command(), env=environ, cwd=cwd) as server:
                server.initialize(_CLIENT)
                times.append(time.perf_counter() - started)
                server.request("tools/list")
                listed.append(time.perf_counter() - started)
    return StartupReport(tuple(times), tuple(listed))


def measure_sdk_import(runs: int = 10) -> StartupReport:
    """Seconds a fresh interpreter takes to ``import mcp.server``: the floor under any server built on the SDK."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import mcp.server"], check=True)
        times.append(time.perf_counter() - started)
    return StartupReport(tuple(times))


def read_rss_bytes(pid: int) -> int | None:
    """Resident memory (bytes) of process `pid` from /proc (Linux); None where it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def measure_idle_rss(env: Mapping[str, str] | None = None) -> int:
    """Resident memory (bytes) of a server that has answered ``initialize`` and ``tools/list`` and is waiting (Linux).

    The tool list comes from the SDK, so the memory read includes it and the open store.
    """
    with _environment(env) as (environ, cwd), StdioClient(server_command(), env=environ, cwd=cwd) as server:
        server.initialize(_CLIENT)
        server.request("tools/list")
        rss = read_rss_bytes(server.pid)
        if rss is None:
            raise RuntimeError(f"no VmRSS in /proc/{server.pid}/status")
        return rss


def sample_log(size: int, seed: int = 0) -> str:
    """About `size` bytes of a plausible application log; `seed` varies it so no two runs hit a stored original."""
    levels = ("INFO", "INFO", "INFO", "DEBUG", "WARN", "INFO", "ERROR")
    out: list[str] = []
    total, i = 0, 0
    while total < size:
        level = levels[(i * 7 + seed) % len(levels)]
        line = (
            f"2025-03-{1 + i % 28:02d}T10:{i % 60:02d}:{(i * 13) % 60:02d}.{(i * 37 + seed) % 1000:03d}Z {level:<5} "
            f"worker-{(i + seed) % 8} request id={seed:04d}-{i:07d} path=/api/v1/items/{(i * 31) % 997} "
            f"status={500 if level == 'ERROR' else 200} took={(i * 17 + seed) % 900}ms\n"
        )
        out.append(line)
        total += len(line)
        i += 1
    return "".join(out)[:size]


async def _round_trips(sizes: Sequence[int], runs: int, environ: dict[str, str], cwd: str) -> list[RoundTrip]:
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(command=server_command()[0], args=server_command()[1:], env=environ, cwd=cwd)
    measured = []
    async with Client(params) as client:
        # One call first so imports and the compressors' first use are not counted.
        await client.call_tool("headroom_compress", {"content": sample_log(4096, seed=10_000)})
        for size in sizes:
            times = []
            before = after = 0
            for run in range(runs):
                content = sample_log(size, seed=run + 1)
                started = time.perf_counter()
                res = await client.call_tool("headroom_compress", {"content": content})
                times.append((time.perf_counter() - started) * 1000)
                # The answer is plain text: "[headroom hash=H: 3,396 -> 124 tokens (96.3% saved), ...]".
                text = "".join(getattr(block, "text", "") for block in res.content)
                counts = re.match(r"\[headroom hash=[0-9a-f]{16}: ([\d,]+) -> ([\d,]+) tokens", text)
                if res.is_error or counts is None:
                    raise RuntimeError(f"headroom_compress failed on {size} bytes: {text[:300]}")
                before, after = (int(n.replace(",", "")) for n in counts.groups())
            measured.append((size, times, before, after))
    # The pipeline's own time of each call, as the server recorded it in the store's events (warm-up first).
    calls = 1 + sum(len(times) for _, times, _, _ in measured)
    pipeline = iter(_compress_times(environ)[-calls:][1:])
    return [
        RoundTrip(size, tuple(times), tuple(next(pipeline) for _ in times), before, after)
        for size, times, before, after in measured
    ]


def _compress_times(environ: Mapping[str, str]) -> list[float]:
    import sqlite3

    from ccr import Settings

    home = environ.get("HEADROOM_HOME")
    path = Path(home) / "ccr.sqlite3" if home else Settings.from_env().db_path
    with sqlite3.connect(path) as db:
        return [float(r[0]) for r in db.execute("SELECT elapsed_ms FROM events WHERE kind = 'compress' ORDER BY id")]


def measure_round_trips(
    sizes: Sequence[int] = DEFAULT_SIZES, runs: int = 15, env: Mapping[str, str] | None = None
) -> list[RoundTrip]:
    """Milliseconds per `headroom_compress` call over stdio for inputs of each size (fresh content every call)."""
    import anyio

    with _environment(env) as (environ, cwd):
        return anyio.run(_round_trips, sizes, runs, environ, cwd)


def measure_server(runs: int = 5) -> ServerNumbers:
    """Start-up to ``initialize`` and to the first ``tools/list``, 1 KB / 100 KB / 1 MB round trips, idle memory.

    A server that cannot start or answer is reported as not measured, with the reason, never raised over the
    compression figures it is printed beside.
    """
    runs = max(runs, 3)
    try:
        startup = measure_startup(runs=runs)
        rss = measure_idle_rss()
        trips = measure_round_trips(runs=runs)
    except Exception as exc:
        return ServerNumbers(measured=False, reason=f"the server could not be measured: {type(exc).__name__}: {exc}")
    return ServerNumbers(
        measured=True,
        startup_ms=startup.median_s * 1000,
        first_tools_list_ms=startup.median_tools_list_s * 1000 if startup.tools_list_runs_s else None,
        idle_rss_bytes=rss,
        round_trips=tuple(RoundTripFigure(t.size_bytes, t.median_ms, t.tokens_before, t.tokens_after) for t in trips),
    )
