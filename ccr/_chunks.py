"""Chunking of originals for the semantic index: bounded pieces that keep their line spans.

A chunking is a partition of the text into consecutive pieces: joined in order
they give the text back exactly, so every line of the original lies in some
chunk. Lines are numbered as markers and ``Store.lines`` number them (split on
``\n``; see ``ccr._lines``), 1-based and inclusive. A chunk ends where the structure of its
content type suggests (a JSON item, a definition, a section, a hunk, a log
entry), and never holds more than ``max_chars`` characters or ``max_lines``
lines: the embedding model reads about 256 tokens, so larger chunks would be
indexed by their beginning only. A single line longer than ``max_chars`` (a
minified JSON document, an unwrapped paragraph) is cut into several chunks
that all span that one line; otherwise every line lies in exactly one chunk.

Breaks are chosen in order of preference: structural starts (a definition, a
heading, a JSON item, a diff file), then secondary ones (a paragraph, a hunk, a
nested JSON member, a log entry in a log), then the start of an unindented line,
then any line start, and only inside an over-long line, at a character. Within
a preference the furthest break that fits wins, so chunks are as full as the
structure allows.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

import rustcore
from ccr._chunk_context import heading_level, is_directory_header
from ccr._lines import LineIndex

__all__ = ["DEFAULT_MAX_CHARS", "DEFAULT_MAX_LINES", "Chunk", "chunk_text", "iter_chunks"]

DEFAULT_MAX_CHARS = 1000
DEFAULT_MAX_LINES = 40

_STRUCTURE, _SECONDARY, _ENTRY, _LINE = 0, 1, 2, 3


class Chunk(NamedTuple):
    """A piece of an original: its first and last line (1-based, inclusive) and its exact text."""

    start_line: int
    end_line: int
    text: str


class _Breaks:
    """Where a chunk may start, each with a preference level (lower is better).

    Every line start is a break (at least `_LINE`), so each line's level is one byte, and only the few
    offsets inside a line (JSON members sharing one) are kept one by one: a dict of every line start cost
    about 100 bytes a line, 3 GB for 32 million short lines.
    """

    __slots__ = ("_doc", "inside", "lines")

    def __init__(self, doc: LineIndex) -> None:
        self._doc = doc
        # One more than the lines: the end of the text, where the last chunk ends.
        self.lines = bytearray([_LINE]) * (len(doc) + 1)
        self.lines[len(doc)] = _STRUCTURE
        self.inside: dict[int, int] = {}

    def add_line(self, index: int, level: int) -> None:
        """Line `index` (0-based) may start a chunk at `level`."""
        if level < self.lines[index]:
            self.lines[index] = level

    def add(self, offset: int, level: int) -> None:
        """A chunk may start at character `offset` at `level`."""
        index = self._doc.line_of(offset)
        if offset >= len(self._doc.text):
            return
        if self._doc.starts[index] == offset:
            self.add_line(index, level)
        elif level < self.inside.get(offset, _LINE + 1):
            self.inside[offset] = level

    def between(self, start: int, limit: int, inside: list[int]) -> dict[int, int]:
        """The breaks after `start` up to `limit` and their levels (`inside`: the sorted in-line offsets)."""
        starts = self._doc.starts
        found = {
            int(starts[i]): self.lines[i]
            for i in range(self._doc.line_of(start) + 1, bisect.bisect_right(starts, limit))
        }
        for at in inside[bisect.bisect_right(inside, start) : bisect.bisect_right(inside, limit)]:
            found[at] = min(found.get(at, _LINE + 1), self.inside[at])
        return found


# --- break finders, one per content family -------------------------------------------------------

# Lines that continue the entry above: indented, stack frames, and the exception line a trace begins with.
_LOG_CONTINUATION = re.compile(
    r"[ \t]|at |Caused by|\.\.\. \d+ more|Traceback|During handling|[\w$.]*(Exception|Error|Throwable)\b"
)


def _entry_breaks(doc: LineIndex, level: int) -> _Breaks:
    """Starts of lines that do not continue the one above (stack frames, wrapped text do)."""
    breaks = _Breaks(doc)
    for i, line in enumerate(doc.lines):
        if line.strip() and not _LOG_CONTINUATION.match(line):
            breaks.add_line(i, level)
    return breaks


def _paragraph_breaks(doc: LineIndex, breaks: _Breaks) -> _Breaks:
    blank_above = False
    for i, line in enumerate(doc.lines):
        blank = not line.strip()
        if blank_above and not blank:
            breaks.add_line(i, _SECONDARY)
        blank_above = blank
    return breaks


def _log_breaks(doc: LineIndex) -> _Breaks:
    return _paragraph_breaks(doc, _entry_breaks(doc, _SECONDARY))


def _text_breaks(doc: LineIndex) -> _Breaks:
    return _paragraph_breaks(doc, _entry_breaks(doc, _ENTRY))


def _listing_breaks(doc: LineIndex) -> _Breaks:
    """A listing's paragraphs, and a recursive listing's directories as its structure."""
    breaks = _text_breaks(doc)
    lines = doc.lines
    for i in range(len(lines)):
        if is_directory_header(lines, i):
            breaks.add_line(i, _STRUCTURE)
    return breaks


_FENCE = re.compile(r" {0,3}(```|~~~)")
_HEADING = re.compile(r" {0,3}#{1,6}(\s|$)")


def _markdown_breaks(doc: LineIndex) -> _Breaks:
    breaks = _Breaks(doc)
    fenced = False
    for i, line in enumerate(doc.lines):
        if _FENCE.match(line):
            if not fenced:
                breaks.add_line(i, _SECONDARY)
            fenced = not fenced
            continue
        if fenced:
            continue
        if heading_level(doc.lines, i):
            breaks.add_line(i, _STRUCTURE)
        elif i > 0 and not doc.lines[i - 1].strip() and line.strip():
            breaks.add_line(i, _SECONDARY)
    return breaks


# Lines at column 0 that continue the statement above rather than begin a definition.
_CODE_CLOSER = re.compile(r"[)}\]]|(else|elif|except|finally|catch|end)\b")
# Lines at column 0 that belong to the definition below them.
_CODE_PREFIX = re.compile(r"@|#\[|//|/\*|\*|#(?!include|define|if|endif|pragma)|--|;")
_INDENTED_DEFINITION = re.compile(
    r"[ \t]+(async def|def|class|fn|pub(\(\w+\))? fn|func|function|public|private|protected|static|override|impl)\b"
)


def _code_breaks(doc: LineIndex) -> _Breaks:
    breaks = _Breaks(doc)
    previous_is_prefix = False
    for i, line in enumerate(doc.lines):
        stripped = line.strip()
        at_column_0 = bool(stripped) and line[0] not in " \t"
        if at_column_0 and not _CODE_CLOSER.match(line):
            if not previous_is_prefix:
                breaks.add_line(i, _STRUCTURE)
            previous_is_prefix = bool(_CODE_PREFIX.match(line))
            continue
        previous_is_prefix = False
        blank_above = i > 0 and not doc.lines[i - 1].strip()
        if stripped and (blank_above or _INDENTED_DEFINITION.match(line)):
            breaks.add_line(i, _SECONDARY)
    return breaks


_DIFF_FILE = re.compile(r"diff --git |Index: |commit [0-9a-f]{7,40}\b|From [0-9a-f]{40} ")


def _diff_breaks(doc: LineIndex) -> _Breaks:
    breaks = _Breaks(doc)
    for i, line in enumerate(doc.lines):
        if _DIFF_FILE.match(line):
            breaks.add_line(i, _STRUCTURE)
        elif line.startswith("@@"):
            breaks.add_line(i, _SECONDARY)
        elif line.startswith("--- ") and i + 1 < len(doc.lines) and doc.lines[i + 1].startswith("+++ "):
            previous = doc.lines[i - 1] if i else ""
            if not previous.startswith(
                ("diff --git ", "index ", "new file", "deleted file", "similarity", "rename", "old mode")
            ):
                breaks.add_line(i, _STRUCTURE)
    return breaks


_SEARCH_PATH = re.compile(r"([^\n:]+?)[:-]\d+[:-]|([^\n:]+):")


def _search_breaks(doc: LineIndex) -> _Breaks:
    breaks = _Breaks(doc)
    previous: str | None = None
    for i, line in enumerate(doc.lines):
        match = _SEARCH_PATH.match(line)
        path = (match.group(1) or match.group(2)) if match else None
        level = _STRUCTURE if path is not None and path != previous else _SECONDARY
        if line.strip():
            breaks.add_line(i, level)
        if path is not None:
            previous = path
    return breaks


# --- JSON: item boundaries found by the Rust core's walk; JSON Lines by the standard decoder ---------------


class _NotJSON(Exception):
    pass


# Containers deeper than this are not walked for breaks: a chunk inside the 33rd level of a document says
# little that the levels above it do not.
_MAX_JSON_DEPTH = 32


def _json_breaks(doc: LineIndex, max_chars: int) -> _Breaks:
    """Breaks at the members of a JSON document (`rustcore.json_chunk_breaks`: one pass in the Rust core, so
    64 MB of ``[[[[`` is walked once, not once a level): its own members at `_STRUCTURE`, those of a nested
    container larger than a chunk at `_SECONDARY`."""
    # Items sharing a line are kept as breaks at most one per `gap` characters: a break is an entry of a dict,
    # and a minified array of millions of numbers would make millions (1.7 GB for 16 MB). A chunk still ends
    # within `gap` of the furthest item boundary that fits.
    found = rustcore.json_chunk_breaks(
        doc.text, max_chars=max_chars, gap=max(1, max_chars // 8), max_depth=_MAX_JSON_DEPTH
    )
    if found is None:
        raise _NotJSON
    breaks = _Breaks(doc)
    for at, nested in zip(found.offsets, found.nested, strict=True):
        breaks.add(at, _SECONDARY if nested else _STRUCTURE)
    return breaks


def _jsonl_breaks(doc: LineIndex) -> _Breaks:
    breaks = _Breaks(doc)
    records = 0
    for i, line in enumerate(doc.lines):
        if not line.strip():
            continue
        records += 1
        if records <= 20:
            try:
                value = json.loads(line)
            except ValueError as exc:
                raise _NotJSON from exc
            if not isinstance(value, dict | list):
                raise _NotJSON
        breaks.add_line(i, _STRUCTURE)
    if records < 2:
        raise _NotJSON
    return breaks


# --- choosing the breaks -------------------------------------------------------------------------


def _structure(doc: LineIndex, content_type: str | None, max_chars: int) -> _Breaks:
    kind = (content_type or "auto").lower()
    if kind == "auto":
        kind = _sniff(doc)
    if kind == "json":
        try:
            return _json_breaks(doc, max_chars)
        except _NotJSON:
            try:
                return _jsonl_breaks(doc)
            except _NotJSON:
                return _text_breaks(doc)
    finders: dict[str, Callable[[LineIndex], _Breaks]] = {
        "log": _log_breaks,
        "code": _code_breaks,
        "diff": _diff_breaks,
        "search": _search_breaks,
        "markdown": _markdown_breaks,
        "listing": _listing_breaks,
        "mixed": _markdown_breaks,  # prose with fenced blocks: Markdown's sections and fences
    }
    finder = finders.get(kind)
    return finder(doc) if finder is not None else _text_breaks(doc)


def _sniff(doc: LineIndex) -> str:
    """A cheap guess for callers that did not say what the text is."""
    head = doc.text.lstrip()[:1]
    if head in ("[", "{"):
        return "json"
    sample = doc.lines[:200]
    if any(_DIFF_FILE.match(line) or line.startswith("@@ ") for line in sample):
        return "diff"
    if any(_HEADING.match(line) for line in sample) or any(_FENCE.match(line) for line in sample):
        return "markdown"
    return "text"


def _cut_inside_line(text: str, start: int, limit: int) -> int:
    """Where to cut a line too long for one chunk: after the last space or comma in the window's back half."""
    floor = start + (limit - start) // 2
    for at in range(limit - 1, floor - 1, -1):
        if text[at] in " \t,;":
            return at + 1
    return limit


def chunk_text(
    text: str,
    content_type: str | None = None,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    max_lines: int = DEFAULT_MAX_LINES,
) -> list[Chunk]:
    """Split `text` into bounded chunks along the structure of its content type.

    Args:
        text: the original, decoded.
        content_type: one of the router's types (``json``, ``code``, ``log``, ``search``, ``diff``,
            ``markdown``, ``html``, ``text``, ``mixed``); ``None`` or ``"auto"`` guesses; any other
            name is chunked as plain text. JSON that does not parse falls back to JSONL, then to lines.
        max_chars: the most characters a chunk holds.
        max_lines: the most lines a chunk spans.

    Returns:
        The chunks in order; ``"".join(c.text for c in chunks) == text``. Empty text gives no chunks.

    Raises:
        ValueError: a bound below 1.
    """
    if max_chars < 1 or max_lines < 1:
        raise ValueError(f"max_chars and max_lines must be at least 1, not {max_chars} and {max_lines}")
    if not text:
        return []
    return list(iter_chunks(LineIndex(text), content_type, max_chars=max_chars, max_lines=max_lines))


def iter_chunks(
    doc: LineIndex,
    content_type: str | None = None,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    max_lines: int = DEFAULT_MAX_LINES,
) -> Iterator[Chunk]:
    """`chunk_text` of `doc.text`, one chunk at a time (an original of millions of lines is never held as a
    list of chunks)."""
    if max_chars < 1 or max_lines < 1:
        raise ValueError(f"max_chars and max_lines must be at least 1, not {max_chars} and {max_lines}")
    text = doc.text
    if not text:
        return
    breaks = _structure(doc, content_type, max_chars)
    inside = sorted(breaks.inside)
    min_fill = max(1, max_chars // 4)

    start = 0
    while start < len(text):
        first_line = doc.line_of(start)
        limit = min(start + max_chars, doc.starts[min(first_line + max_lines, len(doc.lines))])
        levels = breaks.between(start, limit, inside)
        candidates = sorted(levels)
        if not candidates:
            end = _cut_inside_line(text, start, limit)
        elif candidates[-1] == len(text):
            end = len(text)
        else:
            filled = [at for at in candidates if at - start >= min_fill]
            crossing = doc.line_of(candidates[-1])  # the line that runs past the limit
            if (
                not filled
                and limit - start == max_chars
                and doc.starts[crossing + 1] - doc.starts[crossing] > max_chars
                and min(levels[at] for at in candidates) > _STRUCTURE
            ):
                # Only a sliver fits before an over-long line: join it to that line's beginning.
                end = _cut_inside_line(text, start, limit)
            else:
                filled = filled or candidates
                best = min(levels[at] for at in filled)
                end = max(at for at in filled if levels[at] == best)
        last_line = doc.line_of(end - 1)
        yield Chunk(first_line + 1, last_line + 1, text[start:end])
        start = end
