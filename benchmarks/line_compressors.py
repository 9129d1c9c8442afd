"""Speed of content detection and the line compressors (log, search, diff, fallback) on large generated inputs.

    .venv/bin/python benchmarks/line_compressors.py [--mb 10] [--runs 5]

Targets (from the compressor brief): at least 30 MB/s on large logs and search results; detection of a 1 MB
input well under 1 ms per KB. Each input is checked first (smaller, every marker names the input's handle),
then timed; the numbers are medians. Inputs are generated here, so nothing depends on the corpus.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from functools import partial

import rustcore
from ccr import find_markers
from compressors import CompressContext, detect, get_compressor


def _lines_up_to(size: int, line: Callable[[int], str]) -> str:
    """`line(0)`, `line(1)`, ... joined by newlines until the text holds at least `size` characters."""
    out: list[str] = []
    total = 0
    while total < size:
        out.append(line(len(out)))
        total += len(out[-1]) + 1
    return "\n".join(out) + "\n"


def _log(size: int, rng: random.Random) -> str:
    levels = ["INFO"] * 30 + ["DEBUG"] * 10 + ["WARN"] * 2 + ["ERROR"]
    return _lines_up_to(
        size,
        lambda i: (
            f"2024-05-01 10:{i // 3600 % 60:02d}:{i // 60 % 60:02d},{i % 1000:03d} {rng.choice(levels)} "
            f"[worker-{i % 16}] svc.handler: request id={rng.getrandbits(48):012x} path=/api/v1/items/{i % 977} "
            f"status={rng.choice((200, 200, 200, 404, 500))} in {rng.randint(1, 900)}ms"
        ),
    )


def _grep(size: int, rng: random.Random) -> str:
    return _lines_up_to(
        size,
        lambda i: (
            f"src/pkg{i % 40}/module_{i % 700}.py:{rng.randint(1, 3000)}:    value = helper(item_{i}, mode={i % 7})"
        ),
    )


def _diff(size: int, rng: random.Random) -> str:
    out: list[str] = []
    total = 0
    f = 0
    while total < size:
        block = [
            f"diff --git a/src/f{f}.py b/src/f{f}.py",
            "index 1a2b3c..4d5e6f 100644",
            f"--- a/src/f{f}.py",
            f"+++ b/src/f{f}.py",
        ]
        for h in range(4):
            block.append(f"@@ -{h * 50 + 1},12 +{h * 50 + 1},12 @@ def fn_{h}():")
            block += [f"     context {k} {rng.random():.6f}" for k in range(3)]
            block += [f"-    old_{k} = compute({k})" for k in range(3)]
            block += [f"+    new_{k} = compute({k}, strict=True)" for k in range(3)]
            block += [f"     tail {k}" for k in range(3)]
        text = "\n".join(block) + "\n"
        out.append(text)
        total += len(text)
        f += 1
    return "".join(out)


def _median_s(fn: Callable[[], object], runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=10.0, help="size of each generated input in MB (default 10)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (default 5)")
    args = parser.parse_args()
    size = int(args.mb * 1_000_000)
    rng = random.Random(20240601)

    cases = (
        ("log", _log(size, rng), "which requests failed with status 500?"),
        ("search", _grep(size, rng), "where is helper defined?"),
        ("diff", _diff(size, rng), "what changed in src/f7.py?"),
        ("fallback", _log(size, rng), None),
    )
    for name, text, query in cases:
        ctx = CompressContext(hash=rustcore.content_hash(text), query=query)
        compressor = get_compressor(name)
        out = compressor.compress(text, ctx)
        assert len(out) < len(text), name
        assert all(m.hash == ctx.hash for m in find_markers(out)), name
        seconds = _median_s(partial(compressor.compress, text, ctx), args.runs)
        print(
            f"{name:<9} {len(text) / 1e6:6.1f} MB  {seconds * 1000:8.1f} ms  {len(text) / 1e6 / seconds:6.1f} MB/s  "
            f"-> {rustcore.estimate_tokens(out):,} tokens (estimate)"
        )

    one_mb = _log(1_000_000, rng)
    assert detect(one_mb).content_type == "log"
    seconds = _median_s(lambda: detect(one_mb), args.runs * 20)
    per_kb = seconds * 1000 / (len(one_mb) / 1000)
    print(f"detect    {len(one_mb) / 1e6:6.1f} MB  {seconds * 1000:8.3f} ms  {per_kb:.5f} ms per KB")


if __name__ == "__main__":
    main()
