"""Our side of the benchmark: every sample through `compressors.compress` and back out of the store.

The run uses stores in fresh temporary homes, so a benchmark never touches
the user's originals or lifetime statistics, and default settings, so the
figures do not depend on the caller's environment. Each timed run of a
sample writes to a store that has not seen it, so every run pays for keeping
a new original, as a real first call would; the process itself is warm.
"""

from __future__ import annotations

import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import rustcore
from mcp_server.bench._corpus import BenchSample
from mcp_server.bench._results import MODES, SampleResult, SystemRun
from mcp_server.bench._scorer import Needle, NeedleScore, score_needles

__all__ = [
    "ENCODING",
    "RETRIEVAL_MAX_TOKENS",
    "Progress",
    "failed_result",
    "headroom_version",
    "run_headroom",
    "timed_median",
]

ENCODING = "o200k_base"
# What one query-scoped retrieval may return, as an agent would ask for it.
RETRIEVAL_MAX_TOKENS = 2000

Progress = Callable[[str], None]


def timed_median(fn: Callable[[], Any], runs: int) -> tuple[Any, float]:
    """`fn`'s last result and its median wall time in ms over `runs` calls after one warm-up call."""
    result = fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return result, statistics.median(times)


def failed_result(sample: BenchSample, needles: Sequence[Needle], tokens_before: int, error: str) -> SampleResult:
    """A sample that could not be compressed: nothing saved, no needle kept, `error` said."""
    return SampleResult(
        name=sample.name,
        category=sample.category,
        bytes=len(sample.data),
        tokens_before=tokens_before,
        tokens_after=tokens_before,
        needles=NeedleScore(len(needles), 0, 0, None, tuple(n.text for n in needles)),
        median_ms=0.0,
        error=error,
    )


def _run_sample(stores: Sequence[Any], sample: BenchSample, mode: str) -> SampleResult:
    """`sample` compressed once into each of `stores` (the first call a warm-up), scored on the last."""
    from ccr import HeadroomError
    from compressors import compress

    needles = [Needle.compile(n) for n in sample.needles]
    text = sample.text
    tokens_before = rustcore.count_tokens(text, ENCODING)
    query = sample.query if mode == "query" else None
    outputs: set[str] = set()
    pending = iter(stores)

    def once() -> Any:
        result = compress(sample.data, store=next(pending), query=query, source="bench")
        outputs.add(rustcore.content_hash(result.compressed))
        return result

    try:
        result, median_ms = timed_median(once, len(stores) - 1)
        store = stores[-1]
        original = store.get(result.hash)
        # The agent asks its question when it retrieves, whether or not it gave it when compressing.
        excerpt = store.query(result.hash, sample.query, max_tokens=RETRIEVAL_MAX_TOKENS)
    except HeadroomError as exc:
        return failed_result(sample, needles, tokens_before, f"{type(exc).__name__}: {exc}")
    return SampleResult(
        name=sample.name,
        category=sample.category,
        bytes=len(sample.data),
        tokens_before=tokens_before,
        tokens_after=rustcore.count_tokens(result.compressed, ENCODING),
        # Scored on the rows' text: the line-number prefixes an agent also sees would split multi-line needles.
        needles=score_needles(needles, result.compressed, excerpt.text),
        median_ms=median_ms,
        compressor=str(result.compressor),
        round_trip=original == sample.data,
        deterministic=len(outputs) == 1,
        retrieval_tokens=int(excerpt.tokens),
        markers=int(result.markers),
    )


def headroom_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("headroom-mcp")
    except PackageNotFoundError:
        return "unknown"


def run_headroom(
    samples: Sequence[BenchSample],
    *,
    modes: Sequence[str] = MODES,
    runs: int = 5,
    progress: Progress | None = None,
) -> list[SystemRun]:
    """Every sample compressed `runs` times (after a warm-up) in each of `modes`, scored and round-tripped."""
    from ccr import Settings, Store

    unknown = set(modes) - set(MODES)
    if unknown:
        raise ValueError(f"unknown mode(s) {sorted(unknown)}; use {MODES}")
    out: list[SystemRun] = []
    with contextlib.ExitStack() as stack:
        for mode in modes:
            # One store per call (the warm-up included), so no timed call finds its original already kept.
            stores = []
            for _ in range(runs + 1):
                home = stack.enter_context(tempfile.TemporaryDirectory(prefix="headroom-bench-"))
                stores.append(stack.enter_context(Store(Settings(home=Path(home)))))
            results = []
            for i, sample in enumerate(samples, 1):
                if progress is not None:
                    progress(f"headroom-mcp ({mode}) {i}/{len(samples)} {sample.name}")
                results.append(_run_sample(stores, sample, mode))
            out.append(SystemRun("headroom-mcp", mode, headroom_version(), tuple(results)))
    return out
