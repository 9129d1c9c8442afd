"""`headroom_retrieve`'s engine: the whole original, a line range, or the query-relevant lines.

Nothing here compresses: the whole original comes back exactly, ranges and
query results come back as the store's numbered excerpts. A `max_tokens` cap on
a whole original keeps its first lines and ends with a marker for the rest, so
the caller can page on with ``lines=``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import rustcore
from ccr import LineIndex, RangeError, count_lines, format_marker, parse_line_range
from mcp_server.server._models import RetrieveOutput

if TYPE_CHECKING:
    from ccr import Excerpt, Store

__all__ = ["DEFAULT_QUERY_TOKENS", "line_ranges", "retrieve", "store_original"]

DEFAULT_QUERY_TOKENS = 2000


def line_ranges(numbers: list[int]) -> list[list[int]]:
    """Ascending line numbers as [start, end] runs: [1, 2, 3, 7] -> [[1, 3], [7, 7]]."""
    out: list[list[int]] = []
    for n in numbers:
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        elif not out or n > out[-1][1]:
            out.append([n, n])
    return out


def _head_within(lines: LineIndex, budget: int, encoding: str) -> tuple[str, int]:
    """The longest run of whole leading lines within `budget` tokens, and how many lines it has."""
    lo, hi = 0, len(lines) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if rustcore.count_tokens(lines.span(0, mid), encoding) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return lines.span(0, lo), lo


def _whole(store: Store, digest: str, max_tokens: int | None) -> RetrieveOutput:
    data = store.get(digest)
    encoding = store.settings.encoding
    try:
        text, exact = data.decode("utf-8"), True
    except UnicodeDecodeError:
        text, exact = data.decode("utf-8", errors="replace"), False
    total = count_lines(data)
    tokens = rustcore.count_tokens(text, encoding)
    if max_tokens is None or tokens <= max_tokens:
        return RetrieveOutput(
            hash=digest,
            mode="whole",
            text=text,
            exact=exact,
            total_lines=total,
            lines=[[1, total]] if total else [],
            tokens=tokens,
            truncated=False,
        )
    widest = format_marker(max(total, 1), "lines", digest, (max(total, 1), max(total, 1)))
    head, kept = _head_within(LineIndex(text), max_tokens - rustcore.count_tokens(widest, encoding) - 1, encoding)
    rest = total - kept
    marker = format_marker(rest, "lines", digest, (kept + 1, total))
    cut = f"{head}{marker}\n"
    return RetrieveOutput(
        hash=digest,
        mode="whole",
        text=cut,
        exact=False,
        total_lines=total,
        lines=[[1, kept]] if kept else [],
        tokens=rustcore.count_tokens(cut, encoding),
        truncated=True,
    )


def _from_excerpt(excerpt: Excerpt, mode: str) -> RetrieveOutput:
    return RetrieveOutput(
        hash=excerpt.hash,
        mode="lines" if mode == "lines" else "query",
        text=excerpt.render(),
        exact=False,
        total_lines=excerpt.total_lines,
        lines=line_ranges(excerpt.line_numbers),
        tokens=excerpt.tokens,
        truncated=excerpt.truncated,
    )


def retrieve(store: Store, digest: str, query: str | None, lines: str | None, max_tokens: int | None) -> RetrieveOutput:
    """The original under `digest`, its `lines` ("A-B"), or its part relevant to `query`.

    Raises:
        HashError: the handle is malformed, unknown, expired or evicted.
        RangeError: both `query` and `lines`, or a malformed range, or one outside the original.
    """

    if query and lines:
        raise RangeError("give either query or lines, not both")
    if lines:
        start, end = parse_line_range(lines)
        return _from_excerpt(store.lines(digest, start, end, max_tokens=max_tokens), "lines")
    if query and query.strip():
        return _from_excerpt(store.query(digest, query, max_tokens=max_tokens or DEFAULT_QUERY_TOKENS), "query")
    return _whole(store, digest, max_tokens)


def store_original(store: Store, data: bytes, content_type: str, source: str) -> tuple[str, int]:
    """Keep `data` in the store; its handle and its token count."""
    tokens = rustcore.count_tokens(data.decode("utf-8", errors="replace"), store.settings.encoding)
    return store.put(data, content_type=content_type, source=source, tokens=tokens), tokens
