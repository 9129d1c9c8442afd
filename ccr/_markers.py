"""The one marker syntax every compressor uses for what it left out.

A marker states how much was omitted, in which unit, and the handle that
retrieves it; for line-addressable omissions it also names the original line
range, so ``headroom_retrieve(hash, lines="A-B")`` returns exactly that part:

    [120 lines omitted: retrieve hash=3f2a9c1e0b7d4a55 lines=40-159]
    [37 items omitted: retrieve hash=3f2a9c1e0b7d4a55]

The text contains no quote or backslash, so it can sit inside a JSON string
or a source comment unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MARKER_PATTERN", "UNITS", "Marker", "find_markers", "format_marker"]

UNITS = frozenset(
    {"lines", "items", "keys", "chars", "bytes", "hunks", "files", "sentences", "sections", "matches", "bodies"}
)

MARKER_PATTERN = re.compile(
    r"\[(?P<count>\d+) (?P<unit>[a-z]+) omitted: retrieve hash=(?P<hash>[0-9a-f]{16})"
    r"(?: lines=(?P<start>\d+)-(?P<end>\d+))?\]"
)


@dataclass(frozen=True, slots=True)
class Marker:
    count: int
    unit: str
    hash: str
    lines: tuple[int, int] | None
    span: tuple[int, int]


def format_marker(count: int, unit: str, hash: str, lines: tuple[int, int] | None = None) -> str:
    """The marker for `count` `unit` omitted from the original `hash` (lines 1-based, inclusive)."""
    if unit not in UNITS:
        raise ValueError(f"unknown marker unit {unit!r}; use one of {sorted(UNITS)}")
    if count < 1:
        raise ValueError("a marker must stand for at least one omitted unit")
    text = f"[{count} {unit} omitted: retrieve hash={hash}"
    if lines is not None:
        start, end = lines
        if not 1 <= start <= end:
            raise ValueError(f"bad line range {start}-{end}")
        text += f" lines={start}-{end}"
    return text + "]"


def find_markers(text: str) -> list[Marker]:
    """Every marker in `text`, in order."""
    out = []
    for m in MARKER_PATTERN.finditer(text):
        lines = (int(m["start"]), int(m["end"])) if m["start"] is not None else None
        out.append(Marker(int(m["count"]), m["unit"], m["hash"], lines, m.span()))
    return out
