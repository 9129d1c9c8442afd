"""The team store under load: N processes sharing one PostgreSQL, beside the same load on one SQLite file.

    python benchmarks/team_store.py [--processes 8] [--seconds 60] [--unloaded 200]

First, unloaded (one process, one store): a put of 100 KB and a line-range
retrieve (lines 200-240 of a 100 KB original, each call on another original so
no cache answers), p50/p95 in ms. Then the load: each of `--processes` worker
processes opens its own store (as each MCP server process does) and runs, for
`--seconds`, a bounded mix of compress calls (`compressors.compress` on fresh
10-100 KB logs, what ``headroom_compress`` runs) and line-range retrieves of
handles it was handed, then reports its latencies, its errors and every handle
with the seed of its bytes. Afterwards every handle handed out must retrieve
byte-exact from a fresh store: lost or corrupted originals are counted. The
PostgreSQL server is a temporary one started here with fsync on (its default
durability); the SQLite file is in a temporary directory.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ccr import HeadroomError, Settings, Store

SPAWN = multiprocessing.get_context("spawn")
_WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "worker",
    "request",
    "cache",
    "shard",
    "replica",
    "timeout",
    "retry",
    "commit",
    "index",
    "batch",
]


def payload(seed: int, size: int) -> bytes:
    """A log of about `size` bytes, different for every seed (so every compress stores a new original)."""
    rng = random.Random(seed)
    lines: list[str] = []
    total = 0
    n = 0
    while total < size:
        level = rng.choices(("INFO", "DEBUG", "WARN", "ERROR"), (70, 20, 8, 2))[0]
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 12)))
        stamp = f"2025-03-01T10:{n // 3600 % 60:02d}:{n // 60 % 60:02d}.{n % 60:02d}"
        line = f"{stamp} {level} svc-{seed % 97} {words} id={rng.getrandbits(40):x}\n"
        lines.append(line)
        total += len(line)
        n += 1
    return "".join(lines).encode()


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def worker(settings: Settings, index: int, seconds: float, out: Connection) -> None:
    """Compress and retrieve until `seconds` pass; send (compress ms, retrieve ms, errors, [(seed, size, handle)])."""
    from compressors import compress

    rng = random.Random(index)
    compress_ms: list[float] = []
    retrieve_ms: list[float] = []
    errors: list[str] = []
    handed: list[tuple[int, int, str]] = []
    with Store(settings) as store:
        deadline = time.monotonic() + seconds
        n = 0
        while time.monotonic() < deadline:
            if handed and rng.random() < 0.5:
                _, _, handle = rng.choice(handed)
                start = time.perf_counter()
                try:
                    store.lines(handle, 20, 60)
                except HeadroomError as exc:
                    errors.append(f"retrieve {handle}: {exc}")
                retrieve_ms.append((time.perf_counter() - start) * 1000)
                continue
            seed = index * 1_000_000 + n
            n += 1
            size = rng.randint(10, 100) * 1024
            data = payload(seed, size)
            start = time.perf_counter()
            try:
                result = compress(data, store=store, content_type="log", source=f"bench-{index}")
            except HeadroomError as exc:
                errors.append(f"compress {seed}: {exc}")
                continue
            compress_ms.append((time.perf_counter() - start) * 1000)
            handed.append((seed, size, result.hash))
    out.send((compress_ms, retrieve_ms, errors, handed))
    out.close()


def load(settings: Settings, processes: int, seconds: float) -> dict[str, Any]:
    """Run `processes` workers on `settings`' store at once; then check every handle they were handed."""
    receivers, procs = [], []
    for i in range(processes):
        recv, send = SPAWN.Pipe(duplex=False)
        proc = SPAWN.Process(target=worker, args=(settings, i, seconds, send))
        proc.start()
        send.close()
        receivers.append(recv)
        procs.append(proc)
    compress_ms: list[float] = []
    retrieve_ms: list[float] = []
    errors: list[str] = []
    handed: list[tuple[int, int, str]] = []
    for recv, proc in zip(receivers, procs, strict=True):
        if not recv.poll(seconds + 300):
            errors.append(f"worker {proc.pid} reported nothing")
            proc.kill()
            continue
        c, r, e, h = recv.recv()
        compress_ms += c
        retrieve_ms += r
        errors += e
        handed += h
        proc.join(60)
        if proc.exitcode != 0:
            errors.append(f"worker {proc.pid} exited {proc.exitcode}")
    lost = corrupt = 0
    with Store(settings) as store:
        for seed, size, handle in handed:
            try:
                if store.get(handle) != payload(seed, size):
                    corrupt += 1
            except HeadroomError:
                lost += 1
    return {
        "compress_calls": len(compress_ms),
        "retrieve_calls": len(retrieve_ms),
        "ops_per_s": (len(compress_ms) + len(retrieve_ms)) / seconds,
        "compress_p50_ms": _pct(compress_ms, 0.5),
        "compress_p95_ms": _pct(compress_ms, 0.95),
        "retrieve_p50_ms": _pct(retrieve_ms, 0.5),
        "retrieve_p95_ms": _pct(retrieve_ms, 0.95),
        "errors": len(errors),
        "first_errors": errors[:3],
        "handles": len(handed),
        "lost": lost,
        "corrupt": corrupt,
    }


def unloaded(settings: Settings, count: int) -> dict[str, float]:
    """p50/p95 of a 100 KB put and of a 40-line retrieve from a 100 KB original, one process, no load."""
    put_ms: list[float] = []
    lines_ms: list[float] = []
    with Store(settings) as store:
        handles = []
        for seed in range(count):
            data = payload(10_000_000 + seed, 100 * 1024)
            start = time.perf_counter()
            handles.append(store.put(data, content_type="log", tokens=len(data) // 4))
            put_ms.append((time.perf_counter() - start) * 1000)
        for handle in handles:  # each on another original: the store's text cache holds 8
            start = time.perf_counter()
            store.lines(handle, 200, 240)
            lines_ms.append((time.perf_counter() - start) * 1000)
    return {
        "put_100k_p50_ms": statistics.median(put_ms),
        "put_100k_p95_ms": _pct(put_ms, 0.95),
        "lines_p50_ms": statistics.median(lines_ms),
        "lines_p95_ms": _pct(lines_ms, 0.95),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--unloaded", type=int, default=200, help="calls per unloaded measurement")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.temp_postgres import PostgresUnavailable, temp_postgres

    base = dataclasses.replace(Settings.from_env(), max_store_bytes=1 << 40)
    try:
        server_cm = temp_postgres(durable=True)
        server = server_cm.__enter__()
    except PostgresUnavailable as exc:
        print(f"team store benchmark skipped: {exc}")
        return 0
    try:
        with tempfile.TemporaryDirectory(prefix="headroom-bench-") as tmp:
            backends = {
                "postgresql": dataclasses.replace(base, store_url=server.url, namespace="bench"),
                "sqlite": dataclasses.replace(base, home=Path(tmp), store_url=f"sqlite:{Path(tmp) / 'ccr.sqlite3'}"),
            }
            print(f"team store: unloaded, {args.unloaded} calls each (one process)")
            print(f"  {'backend':<11} {'put 100 KB p50/p95 ms':>22} {'lines=200-240 p50/p95 ms':>26}")
            for name, settings in backends.items():
                u = unloaded(dataclasses.replace(settings, namespace="unloaded"), args.unloaded)
                print(
                    f"  {name:<11} {u['put_100k_p50_ms']:>11.2f} / {u['put_100k_p95_ms']:<8.2f}"
                    f" {u['lines_p50_ms']:>13.2f} / {u['lines_p95_ms']:<8.2f}"
                )
            print(f"team store: {args.processes} processes, {args.seconds:g} s of compress (10-100 KB) and retrieve")
            print(
                f"  {'backend':<11} {'ops/s':>7} {'compress':>9} {'p50/p95 ms':>16} {'retrieve':>9} "
                f"{'p50/p95 ms':>14} {'errors':>7} {'handles':>8} {'lost':>5} {'corrupt':>8}"
            )
            for name, settings in backends.items():
                r = load(settings, args.processes, args.seconds)
                print(
                    f"  {name:<11} {r['ops_per_s']:>7.1f} {r['compress_calls']:>9} "
                    f"{r['compress_p50_ms']:>7.1f} / {r['compress_p95_ms']:<6.1f} {r['retrieve_calls']:>9} "
                    f"{r['retrieve_p50_ms']:>6.2f} / {r['retrieve_p95_ms']:<5.2f} {r['errors']:>7} "
                    f"{r['handles']:>8} {r['lost']:>5} {r['corrupt']:>8}"
                )
                for error in r["first_errors"]:
                    print(f"    error: {error}")
    finally:
        server_cm.__exit__(None, None, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
