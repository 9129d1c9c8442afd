"""The one marker syntax every compressor uses for what it left out, and how markers are read back.

A marker states how much was omitted, in which unit, the handle of the whole
original, and exactly one selector saying how to get the omitted text back:

    [120 lines omitted: retrieve hash=3f2a9c1e0b7d4a55 lines=40-159]     whole lines 40..159 (1-based)
    [812 chars omitted: retrieve hash=3f2a9c1e0b7d4a55 bytes=5120-6931]  bytes 5120..6931 (0-based, inclusive)
    [41 lines omitted: retrieve hash=3f2a9c1e0b7d4a55 template=9c1e0b7d]  every line of one collapsed template
    [9 lines omitted: retrieve hash=3f2a9c1e0b7d4a55 template=9c1e0b7d lines=200-480]   ...within lines 200..480

Redeeming the selector returns exactly what the marker hides (`Store.lines`,
`Store.byte_range`, `Store.template`). The text contains no quote or backslash,
so it can sit inside a JSON string or a source comment unchanged.

Marker-like text that comes from an input is not ours: `escape_foreign_markers`
quotes it (``omitted: (quoted) retrieve hash=``) so it never matches
`MARKER_PATTERN`, is never counted and is never redeemed as one of ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "MARKER_PATTERN",
    "QUOTED",
    "TEMPLATE_KEY_LEN",
    "UNITS",
    "Marker",
    "MarkerRef",
    "escape_foreign_markers",
    "find_markers",
    "format_marker",
    "parse_marker_ref",
]

UNITS = frozenset({"lines", "items", "keys", "chars", "hunks", "files", "sentences", "sections", "matches", "bodies"})

# A template key: 8 lowercase hex digits (see `rustcore.template_keys`).
TEMPLATE_KEY_LEN = 8

_LITERAL = "omitted: retrieve hash="
QUOTED = "omitted: (quoted) retrieve hash="

_SELECTOR = (
    r"(?:(?: template=(?P<template>[0-9a-f]{8}))?(?: lines=(?P<start>\d+)-(?P<end>\d+))?"
    r"| bytes=(?P<bstart>\d+)-(?P<bend>\d+))"
)
MARKER_PATTERN = re.compile(
    r"\[(?P<count>\d+) (?P<unit>[a-z]+) omitted: retrieve hash=(?P<hash>[0-9a-f]{16})" + _SELECTOR + r"\]"
)
_TEMPLATE_KEY = re.compile(r"[0-9a-f]{8}")


@dataclass(frozen=True, slots=True)
class Marker:
    """A marker found in a text.

    `lines` is the line selector, or the span a `template` selector is restricted to;
    `bytes` the byte selector; `span` where the marker text lies in the searched text.
    A marker with none of `lines`, `bytes`, `template` is malformed: nothing redeems it.
    """

    count: int
    unit: str
    hash: str
    lines: tuple[int, int] | None
    span: tuple[int, int]
    bytes: tuple[int, int] | None = None
    template: str | None = None

    @property
    def selector(self) -> str:
        """The selector as written (``lines=A-B``, ``bytes=A-B``, ``template=T [lines=A-B]``), or ""."""
        return _selector_text(self.lines, self.bytes, self.template)


def _selector_text(lines: tuple[int, int] | None, span: tuple[int, int] | None, template: str | None) -> str:
    parts = []
    if template is not None:
        parts.append(f"template={template}")
    if lines is not None:
        parts.append(f"lines={lines[0]}-{lines[1]}")
    if span is not None:
        parts.append(f"bytes={span[0]}-{span[1]}")
    return " ".join(parts)


def format_marker(
    count: int,
    unit: str,
    hash: str,
    lines: tuple[int, int] | None = None,
    *,
    bytes: tuple[int, int] | None = None,
    template: str | None = None,
) -> str:
    """The marker for `count` `unit` omitted from the original `hash`.

    Exactly one selector: `lines` (1-based, inclusive), `bytes` (0-based, inclusive byte
    offsets into the original), or `template` (a key of `rustcore.template_keys`, which
    `lines` may then restrict to a span).

    Raises:
        ValueError: an unknown unit, a count below 1, a malformed or backwards range, or
            not exactly one selector.
    """
    if unit not in UNITS:
        raise ValueError(f"unknown marker unit {unit!r}; use one of {sorted(UNITS)}")
    if count < 1:
        raise ValueError("a marker must stand for at least one omitted unit")
    if lines is not None:
        start, end = lines
        if not 1 <= start <= end:
            raise ValueError(f"bad line range {start}-{end}")
    if bytes is not None:
        start, end = bytes
        if not 0 <= start <= end:
            raise ValueError(f"bad byte range {start}-{end}")
        if lines is not None or template is not None:
            raise ValueError("a marker has one selector: bytes= goes alone")
    if template is not None and not _TEMPLATE_KEY.fullmatch(template):
        raise ValueError(f"bad template key {template!r}: {TEMPLATE_KEY_LEN} lowercase hex digits expected")
    if lines is None and bytes is None and template is None:
        raise ValueError("a marker needs a selector (lines=, bytes= or template=) that redeems what it hides")
    return f"[{count} {unit} omitted: retrieve hash={hash} {_selector_text(lines, bytes, template)}]"


def find_markers(text: str) -> list[Marker]:
    """Every marker in `text`, in order (quoted ones are not markers)."""
    if _LITERAL not in text:
        return []
    return [_marker(m) for m in MARKER_PATTERN.finditer(text)]


def _marker(m: re.Match[str]) -> Marker:
    lines = (int(m["start"]), int(m["end"])) if m["start"] is not None else None
    span = (int(m["bstart"]), int(m["bend"])) if m["bstart"] is not None else None
    return Marker(int(m["count"]), m["unit"], m["hash"], lines, m.span(), span, m["template"])


def escape_foreign_markers(text: str, own: str | None = None) -> str:
    """`text` with every marker-like phrase not written for the original `own` quoted.

    ``omitted: retrieve hash=`` becomes ``omitted: (quoted) retrieve hash=``, so the
    phrase no longer matches `MARKER_PATTERN`: never counted, never redeemed as ours.
    Markers whose hash is `own` (the handle of the output's own original) stay as they are.
    """
    if _LITERAL not in text:
        return text
    if own is None:
        return text.replace(_LITERAL, QUOTED)
    out: list[str] = []
    at = 0
    for m in MARKER_PATTERN.finditer(text):
        if m["hash"] != own:
            continue
        out.append(text[at : m.start()].replace(_LITERAL, QUOTED))
        out.append(m.group())
        at = m.end()
    out.append(text[at:].replace(_LITERAL, QUOTED))
    return "".join(out)


@dataclass(frozen=True, slots=True)
class MarkerRef:
    """What a retrieval was asked for in marker words: a handle and at most one selector."""

    hash: str
    lines: tuple[int, int] | None = None
    bytes: tuple[int, int] | None = None
    template: str | None = None


# `hash=H` anywhere, or a bare handle opening the text (``H lines=A-B``, as a person types it).
_REF_HASH = re.compile(r"(?:(?:^|[\s\[:,])hash=|^)(?P<hash>[0-9a-fA-F]{16})(?![0-9a-zA-Z])")
_REF_PARTS = re.compile(
    r"(?:^|\s)(?P<key>lines|bytes|template)=(?P<value>[0-9a-fA-F]+(?:-[0-9]+)?)(?=$|[\s\]])",
)


def parse_marker_ref(text: str) -> MarkerRef | None:
    """The handle and selector `text` names, when it is written the way markers say them.

    Accepts a whole marker (``[12 lines omitted: retrieve hash=H lines=A-B]``), its tail
    (``hash=H lines=A-B``, ``retrieve hash=H template=T``), ``hash=H`` alone, or a handle
    followed by a selector (``H lines=A-B``). Returns None for anything else.

    Raises:
        ValueError: the text is a quoted marker (it came from an input, not from headroom), or
            names a selector that is malformed or more than one selector.
    """
    stripped = text.strip()
    if "(quoted) retrieve" in stripped:
        raise ValueError(
            "that marker was quoted from a compressed input, not written by headroom; "
            "to read what it names anyway, pass its hash and lines/bytes/template as separate arguments"
        )
    found = _REF_HASH.search(stripped)
    if found is None:
        return None
    values: dict[str, str] = {}
    for part in _REF_PARTS.finditer(stripped[found.end() :]):
        key = part["key"]
        if key in values:
            raise ValueError(f"{key}= is given twice in {stripped!r}")
        values[key] = part["value"]
    lines = _range(values["lines"], "lines") if "lines" in values else None
    span = _range(values["bytes"], "bytes") if "bytes" in values else None
    template = values.get("template")
    if template is not None and not _TEMPLATE_KEY.fullmatch(template.lower()):
        raise ValueError(f"template={template} is not a template key ({TEMPLATE_KEY_LEN} hex digits)")
    if span is not None and (lines is not None or template is not None):
        raise ValueError("bytes= cannot be combined with lines= or template=")
    return MarkerRef(found["hash"].lower(), lines, span, template.lower() if template else None)


def _range(value: str, name: str) -> tuple[int, int]:
    start_s, sep, end_s = value.partition("-")
    if not start_s.isdigit() or (sep and not end_s.isdigit()):
        raise ValueError(f"{name}={value} is not a range A-B")
    start = int(start_s)
    end = int(end_s) if sep else start
    if end < start or (name == "lines" and start < 1):
        raise ValueError(f"{name}={value} is not a range: A <= B is needed" + (", from 1" if name == "lines" else ""))
    return start, end
