"""Excerpts of an original: a line range, or the query-relevant part within a token budget.

An `Excerpt` is what `Store.lines` and `Store.query` return: numbered rows of
the original in original order, rendered as ``"{n:>5}| {text}"`` with a gap
row (``  ...``) wherever lines were skipped, plus bracketed notes saying what
was clamped or left out and how to get more. ``tokens`` is the exact count of
the rendered text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import rustcore
from ccr._blocks import MAX_BLOCK_LINES as _MAX_BLOCK_LINES
from ccr._blocks import block_after, enclosing_lines
from ccr._diff_chunks import diff_chunks
from ccr._exceptions import RangeError
from ccr._intents import intent_scores, named_records
from ccr._lines import LineIndex, QueryChunks, Row, query_chunks
from ccr._markers import format_marker
from ccr._retrieval import rank

__all__ = [
    "GAP",
    "MIN_QUERY_TOKENS",
    "STRONG_MIN",
    "STRONG_SHARE",
    "ByteSlice",
    "Excerpt",
    "byte_slice",
    "head_rows",
    "query_excerpt",
    "range_excerpt",
    "render_rows",
    "select_rows",
    "template_excerpt",
]

GAP = "  ..."
# Below this a query excerpt could hold little more than its note.
MIN_QUERY_TOKENS = 64
# Tokens kept aside for gap rows and the closing note while choosing rows; the exact count is checked after.
_GAP_COST = 3
_NOTE_RESERVE = 48
# A match at least this share of the best score counts as strong: it gets its structure shown first.
STRONG_SHARE = 0.5
# ...and the best few always do, so one outstanding line cannot hide the runners-up.
STRONG_MIN = 3
# Stop trying lower-ranked hits after this many in a row did not fit.
_MAX_MISFITS = 200
# The most of an excerpt's budget one matching line may take; a longer line shows its start.
_LONG_ROW_SHARE = 0.25
_LONG_ROW_MIN = 200
# The most of an excerpt one block around the best match may take to come whole (a record, a small class).
_OUTER_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class Excerpt:
    """Numbered rows of an original (1-based line numbers), in original order.

    Attributes:
        hash: the handle of the original.
        rows: ``(line_no, text)`` pairs; items of compact JSON that share a line share its number.
        total_lines: how many lines the whole original has.
        tokens: exact token count of `render()`.
        truncated: something asked for (lines of the range, or matching parts) was left out for the budget.
        notes: what was clamped or left out, and how to get more; rendered in brackets after the rows.
        query: the query this excerpt answers, or None for a line range.
    """

    hash: str
    rows: tuple[Row, ...]
    total_lines: int
    tokens: int
    truncated: bool
    notes: tuple[str, ...] = ()
    query: str | None = None
    _rendered: list[str] = field(default_factory=list, repr=False, compare=False)

    @property
    def line_numbers(self) -> list[int]:
        """The distinct line numbers shown, ascending."""
        return sorted({n for n, _ in self.rows})

    @property
    def text(self) -> str:
        """The rows' text alone, one per line, without numbers, gaps or notes."""
        return "\n".join(text for _, text in self.rows)

    def render(self) -> str:
        """Rows as ``"{n:>5}| {text}"``, a ``  ...`` row between non-adjacent lines, then the notes."""
        if not self._rendered:
            self._rendered.append(render_rows(self.rows, self.notes))
        return self._rendered[0]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view with stable keys."""
        return {
            "hash": self.hash,
            "query": self.query,
            "total_lines": self.total_lines,
            "lines": self.line_numbers,
            "rows": [{"line": n, "text": text} for n, text in self.rows],
            "tokens": self.tokens,
            "truncated": self.truncated,
            "notes": list(self.notes),
            "text": self.render(),
        }


def range_excerpt(
    digest: str, lines: Sequence[str], start: int, end: int, max_tokens: int | None, encoding: str
) -> Excerpt:
    """Lines `start`..`end` of an original whose lines are `lines` (see `Store.lines`)."""
    total = len(lines)
    if start > total:
        what = "is empty" if total == 0 else f"has {total} lines"
        raise RangeError(f"lines={start}-{end} is outside the original {digest}: it {what}")
    notes = []
    if end > total:
        notes.append(f"end clamped to the last line, {total}")
        end = total
    rows = [(n, lines[n - 1]) for n in range(start, end + 1)]
    excerpt = _counted(digest, rows, total, False, notes, None, encoding)
    if max_tokens is None or excerpt.tokens <= max_tokens:
        return excerpt
    cost = row_cost(encoding)
    reserve = _NOTE_RESERVE
    while True:
        kept = head_rows(rows, max(max_tokens - reserve, 0), cost)
        resume = kept[-1][0] + 1 if kept else start
        # The note, in its brackets, is a marker for the rest: a caller pages on with what it says.
        note = format_marker(end - resume + 1, "lines", digest, (resume, end))[1:-1]
        excerpt = _counted(digest, kept, total, True, [*notes, note], None, encoding)
        if excerpt.tokens <= max_tokens or not kept:
            return excerpt
        reserve += 16


def template_excerpt(
    digest: str,
    lines: Sequence[str],
    key: str,
    numbers: Sequence[int],
    span: tuple[int, int] | None,
    max_tokens: int | None,
    encoding: str,
) -> Excerpt:
    """The lines of template `key` (`numbers`, from `rustcore.template_lines`), within `span` when given.

    Over `max_tokens`, the rows stop and the note is a marker for the rest of the group
    (``template=KEY lines=A-B``) to page on.
    """
    total = len(lines)
    notes: list[str] = []
    if span is not None:
        start, end = span
        if start > total:
            raise RangeError(f"lines={start}-{end} is outside the original {digest}: it has {total} lines")
        if end > total:
            notes.append(f"end clamped to the last line, {total}")
            end = total
        numbers = [n for n in numbers if start <= n <= end]
    if not numbers:
        where = f" within lines {span[0]}-{span[1]}" if span is not None else ""
        raise RangeError(f"template={key} has no lines in the original {digest}{where}")
    rows = [(n, lines[n - 1]) for n in numbers]
    excerpt = _counted(digest, rows, total, False, notes, None, encoding)
    if max_tokens is None or excerpt.tokens <= max_tokens:
        return excerpt
    cost = row_cost(encoding)
    last = span[1] if span is not None and span[1] <= total else total
    reserve = _NOTE_RESERVE
    while True:
        kept = head_rows(rows, max(max_tokens - reserve, 0), cost)
        rest = len(rows) - len(kept)
        resume = rows[len(kept)][0]
        marker = format_marker(rest, "lines", digest, (resume, max(resume, last)), template=key)
        excerpt = _counted(digest, kept, total, True, [*notes, marker[1:-1]], None, encoding)
        if excerpt.tokens <= max_tokens or not kept:
            return excerpt
        reserve += 16


@dataclass(frozen=True, slots=True)
class ByteSlice:
    """Bytes `start`..`end` (0-based, inclusive) of an original, as a ``bytes=A-B`` marker redeems them.

    `data` is exactly those bytes; `render()` is them as text (invalid UTF-8 replaced), then
    each note in brackets on its own line (a cap's note is a marker for the rest).
    """

    hash: str
    start: int
    end: int
    size: int
    data: bytes
    tokens: int
    truncated: bool
    notes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")

    def render(self) -> str:
        if not self.notes:
            return self.text
        sep = "" if not self.data or self.text.endswith("\n") else "\n"
        return self.text + sep + "\n".join(f"[{note}]" for note in self.notes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "hash": self.hash,
            "bytes": [self.start, self.end] if self.data else [],
            "size": self.size,
            "tokens": self.tokens,
            "truncated": self.truncated,
            "notes": list(self.notes),
            "text": self.render(),
        }


def byte_slice(digest: str, data: bytes, start: int, end: int, max_tokens: int | None, encoding: str) -> ByteSlice:
    """Bytes `start`..`end` of the original `data` (see `Store.byte_range`); `end` past the last byte is clamped.

    Over `max_tokens`, the longest start that fits (cut between characters) comes back, with a
    ``bytes=`` marker for the rest.
    """
    size = len(data)
    if start < 0 or end < start:
        raise RangeError(f"bytes={start}-{end} is not a range: offsets start at 0 and A <= B is needed")
    if start >= size:
        raise RangeError(f"bytes={start}-{end} is outside the original {digest}: it has {size} bytes")
    notes: list[str] = []
    if end >= size:
        notes.append(f"end clamped to the last byte, {size - 1}")
        end = size - 1
    part = data[start : end + 1]
    whole = ByteSlice(digest, start, end, size, part, 0, False, tuple(notes))
    tokens = rustcore.count_tokens(whole.render(), encoding)
    if max_tokens is None or tokens <= max_tokens:
        return ByteSlice(digest, start, end, size, part, tokens, False, tuple(notes))
    widest = format_marker(len(part), "chars", digest, bytes=(end, end))
    room = max(max_tokens - rustcore.count_tokens(widest, encoding) - 4, 0)
    lo, hi = 0, len(part)
    while lo < hi:  # the longest prefix within room
        mid = (lo + hi + 1) // 2
        if rustcore.count_tokens(part[:mid].decode("utf-8", errors="replace"), encoding) <= room:
            lo = mid
        else:
            hi = mid - 1
    keep = lo
    while 0 < keep < len(part) and (part[keep] & 0xC0) == 0x80:
        keep -= 1  # never split a character
    rest = part[keep:].decode("utf-8", errors="replace")
    marker = format_marker(max(len(rest), 1), "chars", digest, bytes=(start + keep, end))
    cut = ByteSlice(digest, start, start + keep - 1, size, part[:keep], 0, True, (*notes, marker[1:-1]))
    return ByteSlice(
        digest,
        start,
        start + keep - 1,
        size,
        part[:keep],
        rustcore.count_tokens(cut.render(), encoding),
        True,
        cut.notes,
    )


def query_excerpt(
    digest: str,
    lines: LineIndex,
    query: str,
    max_tokens: int,
    encoding: str,
) -> Excerpt:
    """The parts of an original (indexed by `lines`) most relevant to `query` (see `Store.query`)."""
    diff = diff_chunks(lines, lines.text)
    if diff is not None:
        chunks = QueryChunks(diff.texts, diff.spans, [True] * len(diff.spans), diff.context, diff.core)
        scores = diff.scores(query)
    else:
        chunks = query_chunks(lines)
        scores = rank(chunks.texts, query) if chunks.spans is None else named_records(chunks.texts, query)
        if chunks.spans is None:
            scores = intent_scores(lines.text, lines, query, scores)
    cost = row_cost(encoding)
    rows, priority, left_out = select_rows(chunks, scores, lines, max_tokens, cost)
    total = len(lines)
    if not priority:
        rows = head_rows(enumerate(lines, start=1), max_tokens - _NOTE_RESERVE, cost)
        priority = list(rows)
        notes = [f"nothing matched the query; the first {len(rows)} of {total} lines are shown"]
        truncated = len(rows) < total
    else:
        shown = len({n for n, _ in rows})
        note = f"{shown} of {total} lines, the parts matching the query, in original order"
        if left_out:
            note += f"; {left_out} more matches did not fit in max_tokens={max_tokens}"
        if shown < total:
            note += f"; retrieve hash={digest} lines=A-B for more"
        notes = [note]
        truncated = left_out > 0
    excerpt = _counted(digest, rows, total, truncated, notes, query, encoding)
    # Per-row counts are close, not exact: drop the least important rows until the exact count fits.
    keep = list(priority)
    while excerpt.tokens > max_tokens and keep:
        dropped = keep.pop()
        rows = [r for r in rows if r is not dropped]
        excerpt = _counted(digest, rows, total, True, notes, query, encoding)
    return excerpt


def row_cost(encoding: str) -> Callable[[Row], int]:
    """Tokens one rendered row adds (its number, text and newline), memoised for one excerpt."""
    cache: dict[Row, int] = {}

    def cost(row: Row) -> int:
        c = cache.get(row)
        if c is None:
            c = cache[row] = rustcore.count_tokens(f"{row[0]:>5}| {row[1]}\n", encoding)
        return c

    return cost


def _counted(
    digest: str,
    rows: Sequence[Row],
    total: int,
    truncated: bool,
    notes: Sequence[str],
    query: str | None,
    encoding: str,
) -> Excerpt:
    tokens = rustcore.count_tokens(render_rows(rows, notes), encoding)
    return Excerpt(digest, tuple(rows), total, tokens, truncated, tuple(notes), query)


def render_rows(rows: Sequence[Row], notes: Sequence[str] = ()) -> str:
    out: list[str] = []
    prev: int | None = None
    for n, text in rows:
        if prev is not None and n > prev + 1:
            out.append(GAP)
        out.append(f"{n:>5}| {text}")
        prev = n
    out.extend(f"[{note}]" for note in notes)
    return "\n".join(out)


def head_rows(rows: Iterable[Row], max_tokens: int, cost: Callable[[Row], int]) -> list[Row]:
    """The longest prefix of `rows` whose rows cost at most `max_tokens` (rows are never cut)."""
    used = 0
    out: list[Row] = []
    for row in rows:
        c = cost(row)
        if used + c > max_tokens:
            break
        used += c
        out.append(row)
    return out


@dataclass
class _Picker:
    """Rows chosen so far, with their running cost and the order they were chosen in."""

    cost: Callable[[Row], int]
    chosen: dict[tuple[int, int], Row] = field(default_factory=dict)
    covered: set[int] = field(default_factory=set)
    used: int = 0

    def fresh(self, rows: Sequence[Row], whole_lines: bool) -> list[Row]:
        """The rows not shown yet (a whole line may already be there as context of another match)."""
        return [r for r in rows if not (whole_lines and r[0] in self.covered)]

    def fits(self, rows: Sequence[Row], limit: int) -> bool:
        return self.used + sum(self.cost(r) for r in rows) + _GAP_COST <= limit

    def take(self, rows: Sequence[Row], order: int, whole_lines: bool) -> None:
        for row in rows:
            self.chosen[(row[0], order)] = row
            self.used += self.cost(row) + _GAP_COST
            if whole_lines:
                self.covered.add(row[0])


def select_rows(
    chunks: QueryChunks,
    scores: Sequence[float],
    lines: Sequence[str],
    max_tokens: int,
    cost: Callable[[Row], int],
) -> tuple[list[Row], list[Row], int]:
    """Rows for a query excerpt within `max_tokens`, chosen in rounds of falling importance.

    1. the strong matches (the best `STRONG_MIN`, and any scoring `STRONG_SHARE` of the best);
    2. their structure: the heading or enclosing line above, and the block they open
       (a diff hunk, a Markdown section, the more indented lines below: a body, a stack trace);
    3. their neighbouring lines;
    4. every other match, best first;
    5. neighbours of everything shown.

    Returns ``(rows, priority, left_out)``: the rows in original order, the same rows
    from most to least important (for trimming after an exact count), and how many
    matching chunks did not fit.
    """
    budget = max(max_tokens - _NOTE_RESERVE, 0)
    picker = _Picker(cost)
    long_row = max(int(budget * _LONG_ROW_SHARE), _LONG_ROW_MIN)
    ranked = sorted((i for i, s in enumerate(scores) if s > 0), key=lambda i: (-scores[i], i))
    if not ranked:
        return [], [], 0
    top = scores[ranked[0]]
    strong = [i for n, i in enumerate(ranked) if n < STRONG_MIN or scores[i] >= STRONG_SHARE * top]
    priority: list[Row] = []
    taken: dict[int, None] = {}

    def add_hits(candidates: Sequence[int], limit: int) -> None:
        misfits = 0
        for i in candidates:
            if i in taken:
                continue
            whole = chunks.whole_lines(i)
            rows = picker.fresh(chunks.rows(i, lines), whole)
            if chunks.spans is None and len(rows) == 1 and cost(rows[0]) > long_row:
                # A line of minified text (a whole HTML head) shows its start: the rest of the excerpt is
                # for the other matches and the blocks they open.
                rows = _cut_to_fit(rows, long_row, cost)
                whole = False
            # The best match may use the whole budget; the shares only pace the rest.
            if picker.fits(rows, limit if priority else budget):
                picker.take(rows, i, whole)
                priority.extend(rows)
                taken[i] = None
                misfits = 0
            elif not priority:
                # The best match alone is over budget: show as much of its start as fits.
                part = _cut_to_fit(rows, budget - _GAP_COST, cost)
                picker.take(part, i, False)
                priority.extend(part)
            else:
                misfits += 1
                if misfits >= _MAX_MISFITS or picker.used >= limit:
                    return

    def add_lines(numbers: Sequence[int], limit: int, stop_at_misfit: bool = False) -> None:
        for n in numbers:
            if n in picker.covered or not 1 <= n <= len(lines):
                continue
            row = (n, lines[n - 1])
            if picker.fits([row], limit):
                picker.take([row], -1, True)
                priority.append(row)
            elif stop_at_misfit:
                return

    def hit_lines(candidates: Sequence[int]) -> list[int]:
        return [chunks.first(i) for i in candidates if i in taken and chunks.whole_lines(i)]

    def structure(hit: int, best: bool) -> None:
        above = enclosing_lines(hit, lines)
        add_lines(above, int(budget * 0.8))
        add_lines(block_after(hit, lines), int(budget * 0.8), stop_at_misfit=True)
        if best and above:
            # The best match inside a block (a docstring in a function's body) brings the rest of that block.
            add_lines(block_after(above[0], lines), int(budget * 0.8), stop_at_misfit=True)
            # Then the blocks around that one (the JSON record a matching field sits in, two levels up), each
            # only whole and while it stays a small part of the excerpt: the fields beside the match answer
            # "when" and "where" of the thing it names.
            for outer in above[1:]:
                block = block_after(outer, lines)
                rows = [(n, lines[n - 1]) for n in block if n not in picker.covered]
                if len(block) >= _MAX_BLOCK_LINES - 1 or sum(map(cost, rows)) > budget * _OUTER_SHARE:
                    break
                add_lines(block, int(budget * 0.8))

    # The best match brings its structure before the other strong matches are shown: a long line that only
    # shares the question's words (another record's message) must not take the room of the best one's record.
    add_hits(strong[:1], int(budget * 0.5))
    # Chunks that bring their own context (diff hunks) need no structure guessed from lines around them.
    best = hit_lines(strong[:1]) if chunks.context is None else []
    for hit in best:
        structure(hit, True)
    add_hits(strong, int(budget * 0.5))
    rest = [hit for hit in (hit_lines(strong) if chunks.context is None else ()) if hit not in best]
    for k, hit in enumerate(rest):
        structure(hit, k == 0 and not best)
    if chunks.context is None:
        add_lines([n for hit in hit_lines(strong) for n in (hit - 1, hit + 1)], int(budget * 0.85))
    add_hits(ranked, budget)
    # Then what the chunks shown so far left out of their own span (a hunk's unchanged lines), best chunk first.
    add_lines([n for i in taken for n in chunks.rest(i)], budget)
    shown = hit_lines(ranked)
    add_lines([n for hit in shown for n in (hit - 1, hit + 1)], budget)
    add_lines([n for hit in shown for n in (hit - 2, hit + 2)], budget)
    rows = [picker.chosen[k] for k in sorted(picker.chosen)]
    left_out = sum(1 for i in ranked if i not in taken)
    return rows, priority, left_out


def _cut_to_fit(rows: Sequence[Row], limit: int, cost: Callable[[Row], int]) -> list[Row]:
    out = head_rows(rows, limit, cost)
    if out or not rows:
        return out
    n, text = rows[0]
    # One row alone is too long: keep a prefix, halving until it fits.
    keep = len(text)
    while keep > 0:
        keep //= 2
        row = (n, text[:keep] + " …")
        if cost(row) <= limit:
            return [row]
    return []
