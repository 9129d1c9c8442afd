"""The marker contract, checked on a real output against its stored original.

Every marker of ours in an output must redeem exactly what it says: a `lines`
marker its N lines (count = B-A+1), a `bytes` marker exactly the bytes cut
(for `chars`, the kept head and those bytes make the whole text again), a
`template` marker its N lines; none may cost more tokens than the text it
hides; each starts on its own line unless it is an inline `chars` marker or
sits inside JSON; and in line-shaped outputs every original line is shown or
marked, in order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import rustcore
from ccr import Marker, Store, escape_foreign_markers, find_markers, split_lines

__all__ = ["Violation", "check_markers"]

# Compressors whose outputs are the original's lines, in order, with markers standing for the rest.
LINE_SHAPED = frozenset({"log", "search", "diff", "fallback", "prose", "code", "mixed"})


@dataclass(frozen=True, slots=True)
class Violation:
    marker: str
    why: str


def check_markers(store: Store, digest: str, out: str, compressor: str) -> list[Violation]:
    """Every broken promise of the markers in `out`, the compressed text of original `digest`."""
    raw = store.get(digest)
    text = raw.decode("utf-8", errors="replace")
    exact = text.encode() == raw
    lines = split_lines(text)
    encoding = store.settings.encoding
    found: list[Violation] = []
    for m in find_markers(out):
        marker = out[m.span[0] : m.span[1]]
        if m.hash != digest:
            found.append(Violation(marker, "another original's handle"))
            continue
        hidden = _hidden(store, m, raw, text, lines, out, found, marker, exact)
        if hidden is None:
            continue
        # Shown instead, the hidden text would have its marker-like phrases quoted.
        shown = escape_foreign_markers(hidden)
        if rustcore.count_tokens(marker, encoding) > rustcore.count_tokens(shown, encoding) + 1:
            found.append(Violation(marker, f"costs more than the {hidden!r} it hides"))
        inline = m.unit == "chars" or compressor in ("json", "html")
        if not inline and m.span[0] > 0 and out[: m.span[0]].rsplit("\n", 1)[-1].strip(" \t#/*.-") != "":
            found.append(Violation(marker, "glued to the text before it"))
    if compressor in LINE_SHAPED:
        # Outputs show the input's marker-like text quoted.
        found += _coverage(out, split_lines(escape_foreign_markers(text)), digest)
    return found


def _hidden(
    store: Store,
    m: Marker,
    raw: bytes,
    text: str,
    lines: list[str],
    out: str,
    found: list[Violation],
    marker: str,
    exact: bool,
) -> str | None:
    if m.template is not None:
        excerpt = store.template(m.hash, m.template, lines=m.lines)
        if m.unit == "lines" and m.count != len(excerpt.rows):
            found.append(Violation(marker, f"counts {m.count} but its template redeems {len(excerpt.rows)} lines"))
        return "\n".join(row for _, row in excerpt.rows) + "\n"
    if m.bytes is not None:
        if not exact:
            found.append(Violation(marker, "a byte selector on an input that is not valid UTF-8"))
            return None
        a, b = m.bytes
        if not 0 <= a <= b < len(raw):
            found.append(Violation(marker, f"bytes outside the original's {len(raw)}"))
            return None
        part = store.byte_range(m.hash, a, b).data
        hidden = part.decode("utf-8", errors="replace")
        if m.unit == "chars":
            if m.count != len(hidden):
                found.append(Violation(marker, f"counts {m.count} chars but redeems {len(hidden)}"))
            head = out[: m.span[0]].rsplit("\n", 1)[-1].encode()[-40:]
            # The kept head (JSON adds one space before the marker) and the bytes cut are one stretch of the original.
            # Marker-like text in it is shown quoted.
            before = escape_foreign_markers(raw[:a].decode("utf-8", errors="replace")).encode()
            if head and not (before.endswith(head) or (head.endswith(b" ") and before.endswith(head[:-1]))):
                found.append(Violation(marker, "the bytes do not continue the text kept before it"))
        elif m.unit == "items":
            try:
                items = json.loads(f"[{hidden}]")
            except ValueError:
                found.append(Violation(marker, f"its bytes are not a run of JSON items: {hidden[:80]!r}"))
            else:
                if len(items) != m.count:
                    found.append(Violation(marker, f"counts {m.count} items but redeems {len(items)}"))
        return hidden
    if m.lines is not None:
        a, b = m.lines
        if not 1 <= a <= b <= len(lines):
            found.append(Violation(marker, f"lines outside the original's {len(lines)}"))
            return None
        if m.unit == "lines" and m.count != b - a + 1:
            found.append(Violation(marker, f"counts {m.count} lines but names {b - a + 1}"))
        store.lines(m.hash, a, b)
        hidden = "\n".join(lines[a - 1 : b]) + "\n"
        return hidden if m.unit in ("lines", "matches", "hunks", "files", "sections", "bodies") else None
    found.append(Violation(marker, "no selector"))
    return None


def _coverage(out: str, lines: list[str], digest: str) -> list[Violation]:
    """Every original line shown verbatim or named by a marker, in order (the compressor's own notes aside)."""
    cursor = 1
    last_marker_end = 0
    for line in split_lines(out):
        ours = [m for m in find_markers(line) if m.hash == digest]
        ranged = [m for m in ours if m.template is None and m.bytes is None and m.unit != "chars" and m.lines]
        if ranged:
            for m in ranged:
                assert m.lines is not None
                if m.lines[0] != cursor:
                    return [Violation(line, f"names lines from {m.lines[0]}, but line {cursor} is next")]
                cursor = m.lines[1] + 1
                last_marker_end = m.lines[1]
            continue
        if any(m.template is not None for m in ours):
            return []  # a collapsed template's lines are not a range: the redemption check covers them
        if cursor <= len(lines) and (line == lines[cursor - 1] or (ours and line[: ours[0].span[0]].strip())):
            cursor += 1
    if cursor <= len(lines):
        return [Violation(f"line {cursor}", f"neither shown nor marked (last marker ended at {last_marker_end})")]
    return []
