"""Checks shared by the code, prose and mixed compressor tests: markers that resolve, verbatim kept lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

import rustcore
from ccr import find_markers
from compressors import CompressContext, Compressor

if TYPE_CHECKING:
    from ccr import Store
    from compressors import CompressResult


def context(text: str, **kwargs: object) -> CompressContext:
    """A context for compressing `text` directly, with the handle the store would give it."""
    return CompressContext(hash=rustcore.content_hash(text), **kwargs)  # type: ignore[arg-type]


def store_lines(text: str) -> list[str]:
    """The original's lines as the store numbers them (split on newline, a trailing newline ends the last)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def assert_markers_resolve(original: str, compressed: str, ctx: CompressContext) -> None:
    """Every marker in `compressed` names `original` and, when it has one, a line range inside it."""
    count = len(store_lines(original))
    for marker in find_markers(compressed):
        assert marker.hash == ctx.hash
        assert marker.count >= 1
        if marker.lines is not None:
            first, last = marker.lines
            assert 1 <= first <= last <= count, (marker, count)


def compress_checked(compressor: Compressor, text: str, ctx: CompressContext) -> str:
    """`text` through `compressor`: the same output twice, markers that resolve, the budget (if any) held."""
    out = compressor.compress(text, ctx)
    assert out == compressor.compress(text, ctx)
    assert_markers_resolve(text, out, ctx)
    if ctx.budget is not None:
        assert ctx.tokens(out) <= ctx.budget
    return out


def omitted_lines(compressed: str) -> set[int]:
    """1-based original lines that some marker says were left out."""
    out: set[int] = set()
    for marker in find_markers(compressed):
        if marker.lines is not None and marker.unit == "lines":
            out.update(range(marker.lines[0], marker.lines[1] + 1))
    return out


def assert_kept_lines_verbatim(original: str, compressed: str) -> None:
    """Every output line without a marker on it is a line of the original, unchanged."""
    originals = set(store_lines(original))
    for line in store_lines(compressed):
        if not find_markers(line):
            assert line in originals, f"not an original line: {line!r}"


def through_pipeline(
    data: str | bytes, content_type: str, query: str | None = None, budget: int | None = None
) -> tuple[CompressResult, Store]:
    """`data` compressed by `compressors.compress` into a real store in this test's HEADROOM_HOME.

    Checks the contract on the way: the original comes back byte for byte, and every line marker's range
    retrieves exactly those lines of it.
    """
    from ccr import Settings, Store
    from compressors import compress

    store = Store(Settings.from_env())
    result = compress(data, store=store, query=query, content_type=content_type, budget=budget)
    raw = data.encode("utf-8", errors="surrogateescape") if isinstance(data, str) else data
    assert store.get(result.hash) == raw
    original = store_lines(raw.decode("utf-8", errors="replace"))
    for marker in find_markers(result.compressed):
        assert marker.hash == result.hash
        if marker.lines is not None:
            first, last = marker.lines
            excerpt = store.lines(marker.hash, first, last)
            assert [text for _, text in excerpt.rows] == [
                line.removesuffix("\r") for line in original[first - 1 : last]
            ]
    if budget is not None:
        assert result.tokens_after <= budget
    return result, store
