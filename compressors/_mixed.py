"""Mixed content: Markdown with fenced code, or logs with JSON documents embedded between their lines.

A document with fences gets the prose treatment as a whole (headings, relevant
sentences), and each fenced block it keeps is compressed by the compressor its
content needs (code by its fence language, JSON, logs), fences kept. Text
without fences is cut into runs of plain lines and embedded multi-line JSON
values, each compressed on its own. Every sub-compressor's markers are moved
to the original's line numbers; a segment whose compressor fails or does not
shrink it stays as it was.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

from ccr import LineIndex, find_markers, format_marker
from compressors._base import CompressContext, Compressor
from compressors._elision import render
from compressors._languages import normalize_language
from compressors._neural import NEURAL_SIGNALS
from compressors._prose import prose_elisions, select_lines
from rustcore._prose import prose_blocks

__all__ = ["MixedCompressor", "split_segments"]

_log = logging.getLogger(__name__)

# A fenced block or embedded JSON value shorter than this stays as it is.
_MIN_SEGMENT_LINES = 8
# What a fenced block is expected to shrink to when its compressor runs (for planning only).
_EXPECTED_SHARE = 0.4
# How far the search for the end of an embedded JSON value looks.
_MAX_JSON_LINES = 20_000
_DECODER = json.JSONDecoder()
_JSON_WHITESPACE = " \t\n\r"
_JSON_START = re.compile(r"^\s*[\[{]\s*$|^\s*[\[{]\s*[\"\[{\d-]")
_FENCE_INFO = re.compile(r"^\s*(?:`{3,}|~{3,})\s*([\w+#.-]*)")


@dataclass(frozen=True, slots=True)
class Segment:
    """Lines `first`..`last` (0-based, inclusive) of one kind: ``text``, ``json`` or ``code``."""

    kind: str
    first: int
    last: int
    language: str | None = None


class MixedCompressor(Compressor):
    name = "mixed"
    description = "Markdown with fenced blocks or logs with embedded JSON: each part by the compressor it needs"

    def compress(self, text: str, ctx: CompressContext) -> str:
        doc = LineIndex(text)
        if not doc.lines:
            return text
        blocks, _ = prose_blocks(doc.text)
        fences = [(block.first, block.last) for block in blocks if block.kind == "fence"]
        out = self._document(doc, fences, ctx) if fences else self._segments(doc, ctx)
        if ctx.budget is not None and ctx.tokens(out) > ctx.budget:
            from compressors._fit import fit_budget

            out = fit_budget(text, ctx.budget, ctx, out)
        return out

    def _document(self, doc: LineIndex, fences: list[tuple[int, int]], ctx: CompressContext) -> str:
        """The prose treatment of the whole text, then each kept fenced block (`fences`: first and last
        lines, fences included) compressed."""
        segments: dict[int, Segment] = {}
        costs: dict[int, int] = {}
        for first, last in fences:
            inner_first, inner_last = first + 1, last - 1
            if inner_last - inner_first + 1 < _MIN_SEGMENT_LINES:
                continue
            info = _FENCE_INFO.match(doc.lines[first])
            language = info.group(1) if info else ""
            segments[inner_first] = Segment(
                _kind_of_fence(language), inner_first, inner_last, normalize_language(language)
            )
            # Compressing every block up front would cost more than it tells: the selection plans with
            # an estimate, and only the blocks it keeps are compressed.
            size = ctx.tokens("".join(doc.lines[first : last + 1]))
            costs[first] = int(size * _EXPECTED_SHARE)
        selection = select_lines(doc, ctx, target=ctx.budget, signals=NEURAL_SIGNALS, fence_costs=costs)
        rendered = render(doc, prose_elisions(doc, selection, ctx), ctx)
        replacements = {
            first: (segment.last, _compress_segment(doc, segment, ctx, None))
            for first, segment in segments.items()
            if all(selection.kept[i] for i in range(first, segment.last + 1))
        }
        if not replacements:
            return rendered.text
        out_lines = LineIndex(rendered.text).lines
        parts: list[str] = []
        j = 0
        while j < len(out_lines):
            origin = rendered.origin[j] if j < len(rendered.origin) else -1
            if origin in replacements:
                last, replacement = replacements[origin]
                parts.append(replacement)
                while j < len(out_lines) and j < len(rendered.origin) and 0 <= rendered.origin[j] <= last:
                    j += 1
                continue
            parts.append(out_lines[j])
            j += 1
        return "".join(parts)

    def _segments(self, doc: LineIndex, ctx: CompressContext) -> str:
        segments = split_segments(doc)
        if len(segments) == 1 and segments[0].kind == "text":
            return _compress_segment(doc, segments[0], ctx, ctx.budget)
        total = max(sum(ctx.tokens("".join(doc.lines[s.first : s.last + 1])) for s in segments), 1)
        parts: list[str] = []
        for segment in segments:
            share = None
            if ctx.budget is not None:
                size = ctx.tokens("".join(doc.lines[segment.first : segment.last + 1]))
                share = max(int(ctx.budget * size / total), 40)
            parts.append(_compress_segment(doc, segment, ctx, share))
        return "".join(parts)


def split_segments(doc: LineIndex) -> list[Segment]:
    """Runs of plain lines and the multi-line JSON values embedded between them, in order."""
    segments: list[Segment] = []
    start = 0
    i = 0
    n = len(doc.lines)
    while i < n:
        end = _json_end(doc, i) if _JSON_START.match(doc.lines[i]) else None
        if end is not None and end - i + 1 >= _MIN_SEGMENT_LINES:
            if start < i:
                segments.append(Segment("text", start, i - 1))
            segments.append(Segment("json", i, end))
            start = i = end + 1
            continue
        i += 1
    if start < n:
        segments.append(Segment("text", start, n - 1))
    return segments


def _json_end(doc: LineIndex, start: int) -> int | None:
    """The last line of a JSON value that opens on line `start` and ends its line, or None when none does."""
    window = doc.span(start, min(len(doc), start + _MAX_JSON_LINES))
    at = len(window) - len(window.lstrip(_JSON_WHITESPACE))
    try:
        _, end = _DECODER.raw_decode(window, at)
    except (ValueError, RecursionError):
        return None
    last = doc.line_of(doc.start(start) + end - 1)
    if window[end : doc.start(last + 1) - doc.start(start)].strip(_JSON_WHITESPACE):
        return None
    return last


def _kind_of_fence(language: str) -> str:
    lowered = language.lower()
    if lowered in ("json", "jsonl", "json5", "geojson"):
        return "json"
    if normalize_language(lowered):
        return "code"
    return "text"


def _compress_segment(doc: LineIndex, segment: Segment, ctx: CompressContext, budget: int | None) -> str:
    """The segment compressed by the compressor its kind needs, markers moved to the original's lines."""
    from compressors._registry import get_compressor
    from compressors._router import COMPRESSOR_FOR_TYPE, detect

    text = "".join(doc.lines[segment.first : segment.last + 1])
    if segment.last - segment.first + 1 < _MIN_SEGMENT_LINES:
        return text
    name = "detection"
    try:
        if segment.kind == "text":
            detected = detect(text).content_type
            content_type = detected if detected in ("log", "search", "diff", "json", "code") else "text"
            name = "prose" if content_type == "text" else COMPRESSOR_FOR_TYPE.get(content_type, "fallback")
        else:
            content_type = segment.kind
            name = COMPRESSOR_FOR_TYPE.get(content_type, "fallback")
        if name == MixedCompressor.name:
            name = "prose"
        sub = CompressContext(
            hash=ctx.hash,
            query=ctx.query,
            budget=budget,
            content_type=content_type,
            language=segment.language,
            encoding=ctx.encoding,
            exact_bytes=ctx.exact_bytes,
        )
        out = get_compressor(name).compress(text, sub)
    except Exception:
        # Another compressor's failure costs this segment its compression, never the whole answer.
        _log.exception("%s failed on a %s segment; kept as it was", name, segment.kind)
        return text
    shifted = _shift_markers(
        out,
        ctx.hash,
        segment.first,
        segment.last - segment.first + 1,
        doc.byte_starts[segment.first],
        doc.byte_starts[segment.last + 1] - doc.byte_starts[segment.first],
    )
    if shifted is None or ctx.tokens(shifted) >= ctx.tokens(text):
        return text
    if text.endswith("\n") and not shifted.endswith("\n"):
        shifted += "\n"
    return shifted


def _shift_markers(out: str, handle: str, offset: int, length: int, byte_offset: int, size: int) -> str | None:
    """`out`, a segment's compressed text, with its markers for `handle` moved to the whole original: line
    ranges by `offset` lines, byte ranges by `byte_offset` bytes, and a template restricted to the segment's
    lines. None if a marker leaves the segment (`length` lines, `size` bytes)."""
    parts: list[str] = []
    at = 0
    for marker in find_markers(out):
        if marker.hash != handle:
            continue
        if marker.bytes is not None:
            first, last = marker.bytes
            if last >= size:
                return None
            moved = format_marker(marker.count, marker.unit, handle, bytes=(first + byte_offset, last + byte_offset))
        else:
            first, last = marker.lines if marker.lines is not None else (1, length)
            if last > length:
                return None
            lines = (first + offset, last + offset)
            moved = format_marker(marker.count, marker.unit, handle, lines, template=marker.template)
        parts.append(out[at : marker.span[0]])
        parts.append(moved)
        at = marker.span[1]
    parts.append(out[at:])
    return "".join(parts)
