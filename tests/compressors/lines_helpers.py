"""Checks shared by the tests of the line compressors (logs, search, diff, fallback) and the pipeline."""

from __future__ import annotations

import re
from collections.abc import Iterable

import rustcore
from ccr import Settings, Store, find_markers
from compressors import CompressContext, CompressResult, compress, get_compressor
from tests.conftest import Sample

# Targets from the compressor brief, not read off the implementation.
NEEDLE_FLOOR = 0.95
CATEGORY_REDUCTION_FLOOR = 0.60
# What one store.query(hash, query, max_tokens=2000) may add (the brief's figure).
RETRIEVAL_TOKENS = 2000


def open_store() -> Store:
    """A real store in this test's HEADROOM_HOME (set by the autouse fixture)."""
    return Store(Settings.from_env())


def context(text: str, *, query: str | None = None, budget: int | None = None) -> CompressContext:
    """The context `compress()` would build for `text`: its handle, query and budget."""
    return CompressContext(hash=rustcore.content_hash(text), query=query, budget=budget)


def store_lines(text: str) -> list[str]:
    """The lines of `text` as the store numbers them: split on newline, a trailing newline ends the last."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def assert_markers_resolve(original: str, compressed: str, digest: str) -> None:
    """Every marker names `digest`; every line range lies inside `original`."""
    n = len(store_lines(original))
    for marker in find_markers(compressed):
        assert marker.hash == digest
        assert marker.count >= 1
        if marker.lines is not None:
            first, last = marker.lines
            assert 1 <= first <= last <= n, (marker, n)


def assert_kept_lines_verbatim(original: str, compressed: str) -> None:
    """Every output line that carries no marker is a line of the original, unchanged (line ends included)."""
    originals = set(original.splitlines())
    for line in compressed.splitlines():
        if not find_markers(line):
            assert line in originals, f"not an original line: {line!r}"


def assert_every_line_accounted_for(original: str, compressed: str) -> None:
    """Kept lines and marked line ranges cover the original in order, each line once; a collapsed
    template's marker (`template=T`) stands for every line of its template, wherever they are."""
    lines = store_lines(original)
    seen: list[int] = []
    by_template: set[int] = set()
    cursor = 0
    for out_line in store_lines(compressed):
        markers = find_markers(out_line)
        if markers and markers[0].template is not None:
            by_template.update(rustcore.template_lines(original, markers[0].template))
            continue
        markers = [m for m in markers if m.lines is not None]
        if markers and markers[0].unit != "chars":
            first, last = markers[0].lines  # type: ignore[misc]
            seen.extend(range(first, last + 1))
            cursor = last
            continue
        if markers:  # a shortened line: its marker names the line itself
            first, _ = markers[0].lines  # type: ignore[misc]
            seen.append(first)
            cursor = first
            continue
        # A kept line is the next original line equal to it.
        while cursor < len(lines) and lines[cursor].rstrip("\r") != out_line.rstrip("\r"):
            cursor += 1
        assert cursor < len(lines), f"kept line not found in order: {out_line!r}"
        seen.append(cursor + 1)
        cursor += 1
    assert len(seen) == len(set(seen)), "a line is shown or marked twice"
    blank = {n for n, line in enumerate(lines, start=1) if not line.strip()}
    missing = set(range(1, len(lines) + 1)) - set(seen) - by_template
    # A stretch told by template markers alone may take the blank lines inside it along.
    assert missing <= blank, sorted(missing)[:10]


def check_result(result: CompressResult, data: str | bytes, store: Store) -> None:
    """The pipeline's contract: exact original stored, every marker redeemable for exactly its lines."""
    raw = data.encode("utf-8", errors="surrogateescape") if isinstance(data, str) else data
    assert store.get(result.hash) == raw
    text = raw.decode("utf-8", errors="replace")
    original = store_lines(text)
    for marker in find_markers(result.compressed):
        assert marker.hash == result.hash, "a marker-like text from the input was not quoted"
        if marker.template is not None:
            rows = store.template(result.hash, marker.template, lines=marker.lines).rows
            assert marker.count == len(rows)
            assert [line for _, line in rows] == [original[n - 1].removesuffix("\r") for n, _ in rows]
        elif marker.lines is not None:
            first, last = marker.lines
            assert 1 <= first <= last <= len(original)
            rows = store.lines(result.hash, first, last).rows
            assert [line for _, line in rows] == [line.removesuffix("\r") for line in original[first - 1 : last]]


def needles_kept(text: str, needles: Iterable[str]) -> list[bool]:
    """Which needles occur in `text` once whitespace runs are collapsed (the benchmark's rule)."""
    flat = re.sub(r"\s+", " ", text)
    return [re.sub(r"\s+", " ", n) in flat for n in needles]


def corpus_run(samples: list[Sample], *, with_query: bool) -> list[tuple[Sample, CompressResult, str]]:
    """Each sample through `compress()` into a real store: (sample, result, one query-scoped retrieval)."""
    out = []
    with open_store() as store:
        for s in samples:
            data = s.read_bytes()
            result = compress(data, store=store, query=s.query if with_query else None)
            check_result(result, data, store)
            extra = store.query(result.hash, s.query, max_tokens=RETRIEVAL_TOKENS).render()
            out.append((s, result, extra))
    return out


def compress_with(name: str, text: str, query: str | None = None, budget: int | None = None) -> str:
    """`text` through the registered compressor `name`, with the context `compress()` would build."""
    return get_compressor(name).compress(text, context(text, query=query, budget=budget))


def assert_compresses_within_budget(name: str, text: str, query: str | None, budget: int | None) -> None:
    """The line compressors' invariants: deterministic, markers resolve, budget kept, every line accounted for."""
    ctx = context(text, query=query, budget=budget)
    out = get_compressor(name).compress(text, ctx)
    assert out == get_compressor(name).compress(text, ctx)
    assert_markers_resolve(text, out, ctx.hash)
    if budget is not None:
        assert rustcore.count_tokens(out) <= budget
    if out != text:
        assert_kept_lines_verbatim(text, out)
        assert_every_line_accounted_for(text, out)


def assert_corpus_shrinks_keeping_needles(
    corpus: list[Sample], categories: tuple[str, ...], compressor: str, *, each_sample_shrinks: bool = False
) -> None:
    """With its query, each category of samples meets the reduction and needle floors through `compressor`.

    Every needle must be found in the output plus one query-scoped retrieval.
    """
    totals: dict[str, list[int]] = {}
    for sample, result, extra in corpus_run([s for s in corpus if s.category in categories], with_query=True):
        assert result.compressor == compressor, sample.name
        if each_sample_shrinks:
            assert result.tokens_after < result.tokens_before, sample.name
        kept = needles_kept(result.compressed, sample.needles)
        assert all(needles_kept(result.compressed + "\n" + extra, sample.needles)), sample.name
        t = totals.setdefault(sample.category, [0, 0, 0, 0])
        t[0] += result.tokens_before
        t[1] += result.tokens_after
        t[2] += sum(kept)
        t[3] += len(kept)
    assert sorted(totals) == sorted(categories)
    for category, (before, after, kept_n, all_n) in totals.items():
        assert 1 - after / before >= CATEGORY_REDUCTION_FLOOR, category
        assert kept_n / all_n >= NEEDLE_FLOOR, category


def assert_corpus_shrinks_deterministically_without_a_query(
    corpus: list[Sample], categories: tuple[str, ...], *, each_sample_shrinks: bool = False
) -> None:
    """Without a query, two runs give the same output and each category meets the reduction floor."""
    samples = [s for s in corpus if s.category in categories]
    first = corpus_run(samples, with_query=False)
    second = corpus_run(samples, with_query=False)
    totals: dict[str, list[int]] = {}
    for (sample, a, _), (_, b, _) in zip(first, second, strict=True):
        assert a.compressed == b.compressed, sample.name
        if each_sample_shrinks:
            assert a.tokens_after < a.tokens_before, sample.name
        t = totals.setdefault(sample.category, [0, 0])
        t[0] += a.tokens_before
        t[1] += a.tokens_after
    assert sorted(totals) == sorted(categories)
    for category, (before, after) in totals.items():
        assert 1 - after / before >= CATEGORY_REDUCTION_FLOOR, category
