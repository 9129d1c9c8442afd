"""Line-addressed elision shared by the structure compressors (code, prose, HTML, mixed).

A compressor decides which line ranges of the original to leave out and what
stands in their place; this module turns those decisions into text with one
marker per range. Lines are numbered as the store numbers them (split on
``\n``, the one line model ``ccr.LineIndex``), so ``store.lines(h, a, b)`` returns
exactly what a marker names; every kept line is written out verbatim, line
ending and all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ccr import LineIndex
from compressors._base import CompressContext

__all__ = [
    "LONG_LINE_CHARS",
    "Elision",
    "Rendered",
    "cheaper_shown",
    "encode_utf8",
    "glue",
    "render",
    "shorten_line",
]

# A kept line longer than this is cut, with a `chars` marker for the rest.
LONG_LINE_CHARS = 2000
_LONG_LINE_KEEP = 400


def encode_utf8(text: str) -> bytes:
    """`text` as UTF-8; lone surrogates (which a decoded file never holds) pass through as bytes."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", errors="surrogatepass")


def ending_of(line: str) -> str:
    """The line break that ends `line`: ``\r\n``, ``\n``, or "" for a last line without one."""
    if line.endswith("\r\n"):
        return "\r\n"
    return "\n" if line.endswith("\n") else ""


@dataclass(frozen=True, slots=True)
class Elision:
    """Lines `first`..`last` (0-based, inclusive) left out, replaced by one glue line holding their marker.

    The glue line is `before + marker + after`; `closing`, when set, is written
    on a line of its own after it (e.g. the quotes that end a shortened
    docstring), so the output stays valid in the language it came from.
    `owner` says which decision made it, so a caller can undo it.

    `shown` lists lines inside the range that are still written (after the
    glue), e.g. the headings of a run of sections whose bodies all went: the
    marker names (and counts) the whole range, since that is what redeeming it
    returns.
    `source`, when set, is the original line range the marker names instead
    (for text derived from the original, such as HTML reduced to its text).
    """

    first: int
    last: int
    before: str = ""
    after: str = ""
    closing: str = ""
    owner: int = -1
    shown: tuple[int, ...] = ()
    source: tuple[int, int] | None = None

    @property
    def count(self) -> int:
        """How many lines the marker says are left out: the lines its range redeems."""
        first, last = self.marker_lines
        return last - first + 1

    @property
    def marker_lines(self) -> tuple[int, int]:
        """The 1-based original line range the marker names."""
        first, last = self.source if self.source is not None else (self.first, self.last)
        return first + 1, last + 1


@dataclass(frozen=True, slots=True)
class Rendered:
    """Compressed text and, for each of its lines, where it came from.

    `origin[j]` is the original 0-based line that output line `j` copies, or
    ``-1 - k`` when it is glue written for elision `k`. `shown` holds the
    elisions whose lines were written instead, costing no more than a marker.
    """

    text: str
    origin: list[int]
    shown: frozenset[int] = frozenset()


def shorten_line(
    line: str, index: int, ctx: CompressContext, limit: int = LONG_LINE_CHARS, *, start_byte: int | None = None
) -> str:
    """`line` (original line `index`, 0-based) cut to its head with a `chars` marker when over `limit`.

    With `start_byte` (where the line starts in the original's UTF-8) the marker names the bytes cut
    (``bytes=A-B``); without, the line (``lines=N-N``).
    """
    end = ending_of(line)
    body = line[: len(line) - len(end)]
    if len(body) <= limit:
        return line
    keep = min(_LONG_LINE_KEEP, limit)
    cut = body.rfind(" ", keep // 2, keep)
    cut = cut + 1 if cut > 0 else keep
    span = None
    if start_byte is not None:
        head = len(encode_utf8(body[:cut])) if not body.isascii() else cut
        size = len(encode_utf8(body)) if not body.isascii() else len(body)
        span = (start_byte + head, start_byte + size - 1)
    return body[:cut] + ctx.marker(len(body) - cut, "chars", (index + 1, index + 1), span=span) + end


def glue(before: str, marker: str, after: str, closing: str, end: str) -> str:
    """The line(s) standing in for an elision whose last line ended with `end`: the marker between
    `before` and `after`, then `closing` on a line of its own when set."""
    if closing:
        return f"{before}{marker}{after}{end or chr(10)}{closing}{end}"
    return f"{before}{marker}{after}{end}"


def render(
    doc: LineIndex,
    elisions: Sequence[Elision],
    ctx: CompressContext,
    *,
    long_lines: bool = True,
    sources: Sequence[int] | None = None,
) -> Rendered:
    """The text of `doc` with each elision replaced by its glue line(s).

    Elisions must be sorted and must not overlap. Kept lines are copied
    verbatim, except that lines over `LONG_LINE_CHARS` are cut when
    `long_lines` is set. `sources` is for a `doc` derived from the original
    (HTML's text): the original line (0-based) each of its lines came from,
    which a shortened line's marker then names; without it `doc` is the
    original and the marker names the bytes cut.
    """
    parts: list[str] = []
    origin: list[int] = []
    cheap: set[int] = set()
    at = 0
    for k, el in enumerate(elisions):
        if el.first < at or el.last < el.first or el.last >= len(doc.lines):
            raise ValueError(f"elision {el.first}-{el.last} overlaps or leaves the text")
        _copy(doc, at, el.first, parts, origin, ctx, long_lines, sources)
        end = doc.ending(el.last)
        if el.shown:
            end = end or doc.ending(el.first) or "\n"
        marker = ctx.marker(max(el.count, 1), "lines", el.marker_lines)
        stand_in = glue(el.before, marker, el.after, el.closing, end) + "".join(doc.lines[i] for i in el.shown)
        if cheaper_shown(doc.span(el.first, el.last + 1), stand_in, ctx):
            _copy(doc, el.first, el.last + 1, parts, origin, ctx, long_lines, sources)
            cheap.add(k)
            at = el.last + 1
            continue
        parts.append(glue(el.before, marker, el.after, el.closing, end))
        origin += [-1 - k, -1 - k] if el.closing else [-1 - k]
        for shown in el.shown:
            _copy(doc, shown, shown + 1, parts, origin, ctx, long_lines, sources)
        at = el.last + 1
    _copy(doc, at, len(doc.lines), parts, origin, ctx, long_lines, sources)
    return Rendered("".join(parts), origin, frozenset(cheap))


# No text costs fewer tokens than its characters divided by this, so longer hidden text is never cheaper.
_CHARS_PER_TOKEN_MAX = 32


def cheaper_shown(hidden: str, stand_in: str, ctx: CompressContext) -> bool:
    """Whether the `hidden` text (an elision's lines) costs no more tokens than `stand_in`, the text written in its
    place: then it is shown, since a marker never costs more than what it hides."""
    if len(hidden) > _CHARS_PER_TOKEN_MAX * len(stand_in):
        return False
    return ctx.tokens(hidden) <= ctx.tokens(stand_in)


def _copy(
    doc: LineIndex,
    start: int,
    stop: int,
    parts: list[str],
    origin: list[int],
    ctx: CompressContext,
    long_lines: bool,
    sources: Sequence[int] | None,
) -> None:
    origin.extend(range(start, stop))
    if not long_lines:
        parts.append(doc.span(start, stop))
        return
    for i in range(start, stop):
        line = doc.lines[i]
        if len(line) <= LONG_LINE_CHARS:
            parts.append(line)
        elif sources is not None:
            parts.append(shorten_line(line, sources[i], ctx))
        else:
            parts.append(shorten_line(line, i, ctx, start_byte=doc.byte_starts[i]))
