"""Speed of content detection, the line compressors and the JSON compressor on large generated inputs.

    .venv/bin/python benchmarks/line_compressors.py [--mb 10] [--runs 5] [--e2e-mb 1,10]

Three tables:
- compressor only: each compressor's `compress` on a `--mb` input (log, search, diff, fallback, json);
- detection: `compressors.detect` on a 1 MB log, per KB;
- end to end: `compressors.compress` with a store on a temporary HEADROOM_HOME, on 1 MB and 10 MB logs,
  search results, diffs and JSON, every run on new content (so the store write is counted), next to the
  compressor alone on the same text and the other stages timed on their own (detection, the exact token
  count of the input, the store write).

Targets (from the compressor brief): the compressor stage at 100 MB/s or more, so that end to end can
reach 30 MB/s on 1-10 MB logs, search results and JSON; detection cheap and bounded whatever the size.
Each input is checked first (smaller, every marker names the input's handle, the store gives the original
back), then timed; the numbers are medians. Inputs are generated here, so nothing depends on the corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import rustcore
from ccr import Settings, Store, find_markers
from compressors import CompressContext, compress, detect, get_compressor

# Where each generated input says which run it is: replaced by a new value every run (same length).
_RUN_TOKEN = "run-000000000000"


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
    return f"2024-05-01 09:59:59,999 INFO [main] svc.boot: started {_RUN_TOKEN}\n" + _lines_up_to(
        size,
        lambda i: (
            f"2024-05-01 10:{i // 3600 % 60:02d}:{i // 60 % 60:02d},{i % 1000:03d} {rng.choice(levels)} "
            f"[worker-{i % 16}] svc.handler: request id={rng.getrandbits(48):012x} path=/api/v1/items/{i % 977} "
            f"status={rng.choice((200, 200, 200, 404, 500))} in {rng.randint(1, 900)}ms"
        ),
    )


def _grep(size: int, rng: random.Random) -> str:
    return f"src/boot.py:1:# {_RUN_TOKEN}\n" + _lines_up_to(
        size,
        lambda i: (
            f"src/pkg{i % 40}/module_{i % 700}.py:{rng.randint(1, 3000)}:    value = helper(item_{i}, mode={i % 7})"
        ),
    )


def _json(size: int, rng: random.Random) -> str:
    """A GitHub-style API page: workflow runs, pretty-printed, a few failed or cancelled."""
    items: list[str] = []
    total = 0
    while total < size:
        i = len(items)
        run = {
            "id": 100000 + i,
            "node_id": f"MDEw{rng.getrandbits(40):010x}",
            "name": f"build-{i % 50}",
            "head_branch": rng.choice(["main", "dev", "feature/x"]),
            "status": "completed",
            "conclusion": rng.choice(["success"] * 20 + ["failure", "cancelled"]),
            "event": rng.choice(["push", "pull_request"]),
            "created_at": f"2024-05-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
            "html_url": f"https://github.com/o/r/actions/runs/{100000 + i}",
            "actor": {"login": f"user{i % 37}", "id": 1000 + i % 37, "type": "User"},
            "head_commit": {"id": f"{rng.getrandbits(160):040x}", "message": f"Fix the thing in module {i % 91}"},
        }
        items.append(json.dumps(run, indent=2))
        total += len(items[-1]) + 2
    head = f'{{"request": "{_RUN_TOKEN}", "total_count": {len(items)}, "workflow_runs": [\n'
    return head + ",\n".join(items) + "\n]}\n"


def _diff(size: int, rng: random.Random) -> str:
    out: list[str] = [f"commit 0123456789abcdef0123456789abcdef01234567\nAuthor: A <a@b>\n\n    {_RUN_TOKEN}\n\n"]
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


def _compressor_table(size: int, runs: int, rng: random.Random) -> None:
    cases = (
        ("log", _log(size, rng), "which requests failed with status 500?"),
        ("search", _grep(size, rng), "where is helper defined?"),
        ("diff", _diff(size, rng), "what changed in src/f7.py?"),
        ("fallback", _log(size, rng), None),
        ("json", _json(size, rng), "which runs failed on dev?"),
    )
    print("compressor only (with a query)")
    for name, text, query in cases:
        ctx = CompressContext(hash=rustcore.content_hash(text), query=query)
        compressor = get_compressor(name)
        out = compressor.compress(text, ctx)
        assert len(out) < len(text), name
        assert all(m.hash == ctx.hash for m in find_markers(out)), name
        seconds = _median_s(partial(compressor.compress, text, ctx), runs)
        print(
            f"  {name:<9} {len(text) / 1e6:6.1f} MB  {seconds * 1000:8.1f} ms  {len(text) / 1e6 / seconds:6.1f} MB/s  "
            f"-> {rustcore.estimate_tokens(out):,} tokens (estimate)"
        )


def _detect_line(runs: int, rng: random.Random) -> None:
    one_mb = _log(1_000_000, rng)
    assert detect(one_mb).content_type == "log"
    seconds = _median_s(lambda: detect(one_mb), runs * 20)
    per_kb = seconds * 1000 / (len(one_mb) / 1000)
    print(f"detect      {len(one_mb) / 1e6:6.1f} MB  {seconds * 1000:8.3f} ms  {per_kb:.6f} ms per KB")


_GENERATORS: dict[str, Callable[[int, random.Random], str]] = {
    "log": _log,
    "search": _grep,
    "diff": _diff,
    "json": _json,
}


def _fresh(text: str, run: int) -> str:
    """`text` as a new input: its run token replaced, so the store has not seen it."""
    return text.replace(_RUN_TOKEN, f"run-{run:012x}", 1)


def _end_to_end_row(
    kind: str, mb: float, runs: int, rng: random.Random, stores: tuple[Store, Store], serial: list[int]
) -> None:
    store, side = stores
    text = _GENERATORS[kind](int(mb * 1_000_000), rng)

    def fresh() -> str:
        serial[0] += 1
        return _fresh(text, serial[0])

    first = fresh()
    result = compress(first, store=store)
    assert result.compressor == kind, (kind, result.compressor)
    assert len(result.compressed) < len(first), kind
    assert all(m.hash == result.hash for m in find_markers(result.compressed)), kind
    assert store.get(result.hash) == first.encode(), kind

    stages: dict[str, list[float]] = {k: [] for k in ("e2e", "compressor", "detect", "count", "store")}

    def timed(stage: str, fn: Callable[..., object], *args: object, **kwargs: object) -> None:
        start = time.perf_counter()
        fn(*args, **kwargs)
        stages[stage].append(time.perf_counter() - start)

    compressor = get_compressor(kind)
    for _ in range(runs):
        timed("e2e", compress, fresh(), store=store)
        t = fresh()
        timed("compressor", compressor.compress, t, CompressContext(hash=rustcore.content_hash(t), query=None))
        t = fresh()
        timed("detect", detect, t)
        timed("count", rustcore.count_tokens, t)
        # Into a store of its own: writes here would bring the end-to-end store's WAL checkpoints forward.
        timed("store", side.put, fresh().encode(), content_type=kind)
    ms = {k: statistics.median(v) * 1000 for k, v in stages.items()}
    size = len(text) / 1e6
    print(
        f"  {kind:<7} {size:5.1f} MB  {ms['e2e']:7.1f} ms {size / ms['e2e'] * 1000:6.1f} MB/s | "
        f"{ms['compressor']:7.1f} ms {size / ms['compressor'] * 1000:6.1f} MB/s | "
        f"{ms['detect']:6.2f} {ms['count']:7.1f} {ms['store']:7.1f}"
    )


def _end_to_end(sizes: list[float], runs: int, rng: random.Random) -> None:
    print(
        "end to end: compressors.compress, no query, a store on a temporary HEADROOM_HOME, new content each run\n"
        "  kind      size   end to end         | compressor alone   | detect   count   store (ms, on their own)"
    )
    before = os.environ.get("HEADROOM_HOME")
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as side_home:
        os.environ["HEADROOM_HOME"] = home
        store = Store(Settings.from_env())
        side = Store(path=Path(side_home) / "ccr.sqlite3")
        serial = [0]
        try:
            for mb in sizes:
                # Small inputs get more runs: every few megabytes a store write waits on a WAL checkpoint.
                mb_runs = max(runs, round(runs * 5 / mb))
                for kind in _GENERATORS:
                    _end_to_end_row(kind, mb, mb_runs, rng, (store, side), serial)
        finally:
            store.close()
            side.close()
            if before is None:
                os.environ.pop("HEADROOM_HOME", None)
            else:
                os.environ["HEADROOM_HOME"] = before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=10.0, help="size of each compressor-only input in MB (default 10)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (default 5)")
    parser.add_argument(
        "--e2e-mb", default="1,10", help="comma-separated input sizes in MB for the end-to-end table (default 1,10)"
    )
    args = parser.parse_args()
    rng = random.Random(20240601)
    _compressor_table(int(args.mb * 1_000_000), args.runs, rng)
    _detect_line(args.runs, rng)
    sizes = [float(x) for x in args.e2e_mb.split(",") if x.strip()]
    if sizes:
        _end_to_end(sizes, args.runs, rng)


if __name__ == "__main__":
    main()
