"""Cost of the CCR store: put, get, line ranges and query-scoped excerpts, by original size, plus query latency
and needle recall over the dev corpus.

Run from the repository root:

    .venv/bin/python benchmarks/store.py [--corpus ../shared/corpus/dev] [--sizes 10e3,1e6,40e6]

Every timed call is checked first (round trip byte for byte, excerpts within their budget), then timed
on a store in a temporary directory. Prints one JSON object per measurement.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import rustcore
from ccr import Settings, Store

WORDS = ("alpha", "beta", "gamma", "delta", "request", "response", "timeout", "user", "session", "cache", "queue")


def make_log(size: int, seed: int) -> bytes:
    """A log-like original of about `size` bytes with one rare line in the middle."""
    rng = random.Random(seed)
    lines: list[str] = []
    total = 0
    while total < size:
        line = f"2024-01-01 12:{len(lines) % 60:02d}:00 INFO {' '.join(rng.choices(WORDS, k=6))} id={len(lines)}"
        lines.append(line)
        total += len(line) + 1
    lines[len(lines) // 2] = "2024-01-01 12:00:00 FATAL disk controller on node-17 caught fire"
    return ("\n".join(lines) + "\n").encode()


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of `fn` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def by_size(store: Store, sizes: list[int]) -> None:
    for i, size in enumerate(sizes):
        print(json.dumps(measure(store, make_log(size, seed=i))))


def measure(store: Store, data: bytes) -> dict[str, object]:
    tokens = rustcore.count_tokens(data)
    repeat = 5 if len(data) < 5_000_000 else 2
    start = time.perf_counter()
    handle = store.put(data, tokens=tokens)
    put_ms = (time.perf_counter() - start) * 1000
    assert store.get(handle) == data
    total = store.info(handle).lines
    fatal = store.query(handle, "which node caught fire?")
    assert any("caught fire" in text for _, text in fatal.rows) and fatal.tokens <= 2000
    return {
        "measure": "by_size",
        "bytes": len(data),
        "lines": total,
        "put_new_ms": round(put_ms, 1),
        "put_again_ms": round(timed(lambda: store.put(data, tokens=tokens), repeat), 1),
        "get_ms": round(timed(lambda: store.get(handle), repeat), 1),
        "lines_100_ms": round(timed(lambda: store.lines(handle, total // 2, total // 2 + 99), repeat), 1),
        "query_rare_ms": round(timed(lambda: store.query(handle, "which node caught fire?"), repeat), 1),
        "query_common_ms": round(timed(lambda: store.query(handle, "user session timeout"), repeat), 1),
    }


def corpus(store: Store, root: Path) -> None:
    latencies: list[float] = []
    found = total = 0
    for sample in sorted(p for p in root.iterdir() if (p / "meta.json").is_file()):
        meta = json.loads((sample / "meta.json").read_text(encoding="utf-8"))
        handle = store.put((sample / "input.txt").read_bytes())
        excerpt = store.query(handle, meta["query"])
        rendered = excerpt.render()
        assert excerpt.tokens <= 2000
        found += sum(1 for needle in meta["needles"] if needle in rendered)
        total += len(meta["needles"])
        latencies.append(timed(functools.partial(store.query, handle, str(meta["query"])), 3))
    latencies.sort()
    print(
        json.dumps(
            {
                "measure": "corpus_query",
                "samples": len(latencies),
                "needle_recall": round(found / total, 4),
                "median_ms": round(statistics.median(latencies), 1),
                "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
                "max_ms": round(latencies[-1], 1),
            }
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus/dev"))
    parser.add_argument("--sizes", default="10e3,1e6,40e6", help="original sizes in bytes, comma-separated")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home))
        with Store(settings) as store:
            by_size(store, [int(float(s)) for s in args.sizes.split(",")])
            if args.corpus.is_dir():
                corpus(store, args.corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
