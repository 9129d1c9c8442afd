"""How an original is cut into lines and into rankable chunks.

Lines are what markers and `Store.lines` count: the text split on ``\\n`` (a
trailing newline does not start another line; a ``\\r`` before it is not part of
the line; no other character breaks a line). `LineIndex` is the one line model:
the text and the offsets where its lines start, in one compact buffer computed
by the Rust core (4 bytes a line, so 32 million two-byte lines cost 128 MB, not
a Python string each); lines are sliced out only when asked for. `split_lines`
is the same numbering as a list, for short texts.

Query chunks are what `Store.query` ranks: one per line, except in compact JSON
(items sharing lines), where a top-level array's items (or, for an object such as
an API page, the items of its largest array member, else its members) are chunks,
each with its line span. (The semantic index chunks differently, see `ccr._chunks`.)
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import rustcore
from ccr._exceptions import RangeError

__all__ = [
    "LineIndex",
    "QueryChunks",
    "RawLines",
    "Row",
    "count_lines",
    "parse_line_range",
    "query_chunks",
    "split_lines",
]

_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_TRAILING_SPACE = re.compile(r"\s*")
# A JSON document whose items are this small adds nothing over per-line chunks.
_MIN_JSON_ITEMS = 2
# Nor one whose items average under this many characters, past `_ITEMS_ALWAYS` of them.
_MIN_ITEM_CHARS = 64
_ITEMS_ALWAYS = 10_000


def _body(line: str) -> str:
    """`line` without its ``\\n`` and a ``\\r`` before it (or ending the text: the Rust core's ``content``)."""
    if line.endswith("\n"):
        line = line[:-1]
    return line[:-1] if line.endswith("\r") else line


def _ending(line: str) -> str:
    if line.endswith("\n"):
        return "\r\n" if line.endswith("\r\n") else "\n"
    return ""


class LineIndex(Sequence[str]):
    """The lines of `text` as the store numbers them, kept as offsets into the text.

    As a sequence it holds the lines without their endings (``index[i]`` is line
    ``i + 1``); `raw` and `lines` give them with their endings, `span` a run of
    them as one slice, and `line_of` / `line_of_byte` find the line holding a
    character or UTF-8 byte offset. Nothing per line is kept but its start.
    """

    __slots__ = ("_byte_starts", "_starts", "lines", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = rustcore.line_starts(text)
        self._byte_starts: memoryview | None = None
        self.lines = RawLines(text, self._starts)

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [_body(line) for line in self.lines[index]]
        return _body(self.lines[index])

    def __iter__(self) -> Iterator[str]:
        return map(_body, self.lines)

    @property
    def starts(self) -> memoryview:
        """Where each line starts (character offsets), then ``len(text)``."""
        return self._starts

    @property
    def nbytes(self) -> int:
        """Memory the offsets take (the text aside)."""
        return self._starts.nbytes + (self._byte_starts.nbytes if self._byte_starts is not None else 0)

    def raw(self, index: int) -> str:
        """Line `index` (0-based) with its ending."""
        return self.lines[index]

    def start(self, index: int) -> int:
        """Where line `index` (0-based) starts; ``start(len(self))`` is the end of the text."""
        return int(self._starts[index])

    def span(self, first: int, stop: int) -> str:
        """Lines `first`..`stop - 1` (0-based) with their endings, as one slice of the text."""
        return self.text[self._starts[first] : self._starts[stop]]

    def ending(self, index: int) -> str:
        """The break that ends line `index`: ``\\r\\n``, ``\\n``, or "" for a last line without one."""
        return _ending(self.raw(index))

    def line_of(self, offset: int) -> int:
        """The 0-based line holding the character at `offset` (clamped to the text)."""
        return max(0, min(bisect_right(self._starts, offset) - 1, len(self) - 1))

    @property
    def byte_starts(self) -> memoryview:
        """UTF-8 offset of each line start, then the text's length in bytes (for parsers that count bytes)."""
        if self._byte_starts is None:
            self._byte_starts = self._starts if self.text.isascii() else rustcore.line_starts(self.text, chars=False)
        return self._byte_starts

    def line_of_byte(self, offset: int) -> int:
        """The 0-based line holding the UTF-8 byte at `offset` (clamped to the text)."""
        return max(0, min(bisect_right(self.byte_starts, offset) - 1, len(self) - 1))


class RawLines(Sequence[str]):
    """The lines of a `LineIndex` with their endings; each is sliced from the text when asked for."""

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str, starts: memoryview) -> None:
        self._text = text
        self._starts = starts

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        text, starts = self._text, self._starts
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            return [text[starts[i] : starts[i + 1]] for i in range(start, stop, step)]
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(f"line index {index} out of range for {n} lines")
        return text[starts[index] : starts[index + 1]]

    def __iter__(self) -> Iterator[str]:
        return map(self._text.__getitem__, map(slice, self._starts[:-1], self._starts[1:]))


def split_lines(text: str) -> list[str]:
    """The lines of `text` as `Store.lines` numbers them (1-based), without line ends: ``list(LineIndex(text))``
    in one pass, for short texts."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if "\r" not in text:
        return lines
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def count_lines(data: bytes) -> int:
    """``len(LineIndex(data.decode(errors="replace")))`` without decoding (a newline byte is always a newline)."""
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def parse_line_range(text: str) -> tuple[int, int]:
    """`"A-B"` (or `"A"`) as a 1-based inclusive range.

    Raises:
        RangeError: not of that shape, or B < A, or A < 1.
    """
    start_s, sep, end_s = text.strip().partition("-")
    try:
        start = int(start_s)
        end = int(end_s) if sep else start
    except ValueError:
        raise RangeError(f"line range {text!r} is not of the form A-B, e.g. 40-120") from None
    if start < 1 or end < start:
        raise RangeError(f"line range {text!r} must satisfy 1 <= A <= B")
    return start, end


Row = tuple[int, str]


@dataclass(frozen=True, slots=True)
class QueryChunks:
    """The rankable pieces of an original, in original order, built without an object per line.

    ``texts[i]`` is what ranking reads. For per-line chunking ``spans`` is None and
    chunk ``i`` is line ``i + 1``; for JSON, ``spans[i]`` is the item's (first, last)
    line and ``whole[i]`` says whether the item has those lines to itself (else its
    rows show the item's own text, as in compact JSON where items share a line).
    """

    texts: Sequence[str]
    spans: Sequence[tuple[int, int]] | None = None
    whole: list[bool] | None = None
    # Lines shown with chunk i to say where it is (a diff hunk's commit line and file header); None: none.
    context: Sequence[tuple[int, ...]] | None = None
    # The lines of chunk i's span shown first (a hunk's changed lines); None: the whole span.
    core: Sequence[tuple[int, ...] | None] | None = None

    def __len__(self) -> int:
        return len(self.texts)

    def first(self, i: int) -> int:
        return i + 1 if self.spans is None else self.spans[i][0]

    def whole_lines(self, i: int) -> bool:
        return self.whole is None or self.whole[i]

    def rows(self, i: int, lines: Sequence[str]) -> tuple[Row, ...]:
        """Chunk `i` as numbered rows of `lines` (the original's `split_lines`)."""
        if self.spans is None:
            return ((i + 1, lines[i]),)
        first, last = self.spans[i]
        if self.whole_lines(i):
            around = self.context[i] if self.context is not None else ()
            core = self.core[i] if self.core is not None else None
            body = core if core is not None else range(first, last + 1)
            return tuple((n, lines[n - 1]) for n in (*around, *body))
        return ((first, self.texts[i]),)

    def rest(self, i: int) -> list[int]:
        """The lines of chunk `i`'s span that `rows` leaves out (a hunk's unchanged lines), in order."""
        core = self.core[i] if self.core is not None else None
        if core is None or self.spans is None:
            return []
        first, last = self.spans[i]
        shown = set(core)
        return [n for n in range(first, last + 1) if n not in shown]


def query_chunks(lines: LineIndex) -> QueryChunks:
    """The chunks of the text `lines` indexes: JSON items where it is JSON, else lines."""
    text = lines.text
    spans = _json_item_spans(text)
    if spans is None or len(spans[0]) < _MIN_JSON_ITEMS:
        return QueryChunks(lines)
    begins, ends = spans
    firsts = array("q", (lines.line_of(b) + 1 for b in begins))
    lasts = array("q", (lines.line_of(e - 1) + 1 for e in ends))
    # Items follow one another, so an item shares a line only with its neighbours.
    n = len(firsts)
    whole = [(i == 0 or lasts[i - 1] < firsts[i]) and (i == n - 1 or firsts[i + 1] > lasts[i]) for i in range(n)]
    if all(whole):
        # Pretty-printed: each line is a member, and member names ("title", "status") say what the line is
        # about, so lines rank better than whole items (measured on the dev corpus).
        return QueryChunks(lines)
    texts = [text[b:e] for b, e in zip(begins, ends, strict=True)]
    return QueryChunks(texts=texts, spans=_LinePairs(firsts, lasts), whole=whole)


class _LinePairs(Sequence[tuple[int, int]]):
    """(first, last) line pairs kept as two arrays: a million JSON items cost 16 MB, not 130 MB of tuples."""

    __slots__ = ("_firsts", "_lasts")

    def __init__(self, firsts: array[int], lasts: array[int]) -> None:
        self._firsts, self._lasts = firsts, lasts

    def __len__(self) -> int:
        return len(self._firsts)

    @overload
    def __getitem__(self, index: int) -> tuple[int, int]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, int]]: ...
    def __getitem__(self, index: int | slice) -> tuple[int, int] | list[tuple[int, int]]:
        if isinstance(index, slice):
            return list(zip(self._firsts[index], self._lasts[index], strict=True))
        return self._firsts[index], self._lasts[index]


def _json_item_spans(text: str) -> tuple[array[int], array[int]] | None:
    """Character spans (starts, ends) of the items worth ranking separately, or None when `text` is not one
    JSON value. Its structure is walked once in the Rust core (`rustcore.json_members`), never built."""
    space = _JSON_SPACE.match(text)
    start = space.end() if space else 0
    if start >= len(text) or text[start] not in "[{":
        return None
    most = max(len(text) // _MIN_ITEM_CHARS, _ITEMS_ALWAYS)
    level = rustcore.json_members(text, start, limit=most)
    if level is None or not _TRAILING_SPACE.fullmatch(text, level.end):
        return None
    if text[start] == "{" and level.largest_array is not None:
        value, end = level.largest_array
        if (end - value) * 2 > level.end - start:
            # An API page such as {"total_count": 3, "items": [...]}: the items are what is asked about.
            level = rustcore.json_members(text, value, limit=most)
            if level is None:
                return None
    if level.count > most:
        # Items this small (a flat array of numbers) rank no better than lines, and a text each costs ten
        # times the input.
        return None
    begins, ends = array("q"), array("q")
    begins.frombytes(level.starts.cast("B"))
    ends.frombytes(level.ends.cast("B"))
    return begins, ends
