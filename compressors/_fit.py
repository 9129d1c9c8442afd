"""Cutting a text to a token budget with one more marker, keeping every marker true.

When a compressor's output is still over the caller's budget, its middle lines
are dropped and one `lines=A-B` marker stands for them. That marker must redeem
exactly the original lines the dropped output stood for, so the output is first
mapped onto the original: each of its lines is a verbatim original line, a line
carrying markers (which say which original lines they stand for), a shortened
original line (an inline `chars` marker), or text of the compressor's own (a
footer, a note), which stands for nothing. When every original line is accounted
for exactly once, the dropped lines stand for the original lines between what
the head and the tail still show. When the output cannot be mapped (its lines
are rewritten, as JSON's are), the original itself is cut instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ccr import LineIndex, Marker, escape_foreign_markers, find_markers
from ccr._numbered import template_lines as numbered_template_lines
from compressors._base import CompressContext

__all__ = ["fit_budget"]

# Rounds of cutting deeper when the exact count of a cut text still overshoots.
_ROUNDS = 4


def _eol(text: str) -> str:
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


@dataclass(frozen=True, slots=True)
class _Mapped:
    """Output lines and the original lines (1-based) each stands for."""

    lines: Sequence[str]
    stands_for: list[list[int]]


def _map_output(out: str, original: str, shown: str, ctx: CompressContext) -> _Mapped | None:
    """`out` mapped onto `original` line by line, or None when some original line is not accounted for once.

    `shown` is the original as outputs show it (foreign markers quoted): what verbatim lines are compared with.
    """
    orig = LineIndex(shown)
    output = LineIndex(out)
    lines = output.lines
    claimed = bytearray(len(orig) + 2)
    per_line: list[list[Marker]] = []
    for line in lines:
        ours = [m for m in find_markers(line) if m.hash == ctx.hash]
        per_line.append(ours)
        for m in ours:
            for n in _claims(m, original):
                if not 1 <= n <= len(orig) or claimed[n]:
                    return None
                claimed[n] = 1
    stands_for: list[list[int]] = []
    cursor = 1
    for content, ours in zip(output, per_line, strict=True):
        while cursor <= len(orig) and claimed[cursor]:
            cursor += 1
        whole = [m for m in ours if m.unit != "chars" or m.bytes is None]
        if whole:
            stands_for.append([n for m in whole for n in _claims(m, original)])
            continue
        if cursor > len(orig):
            stands_for.append([])
            continue
        if ours:
            # A shortened line: its kept head is the start of the original line, the marker stands for the rest.
            head = content[: ours[0].span[0]].rstrip(" ")
            if head and orig[cursor - 1].startswith(head):
                claimed[cursor] = 1
                stands_for.append([cursor])
                continue
            return None
        if content == orig[cursor - 1]:
            claimed[cursor] = 1
            stands_for.append([cursor])
            continue
        stands_for.append([])  # text of the compressor's own
    if not all(claimed[1 : len(orig) + 1]):
        return None
    return _Mapped(lines, stands_for)


def _claims(m: Marker, original: str) -> list[int]:
    """The original lines marker `m` stands for as a whole-line selector."""
    if m.template is not None:
        found = numbered_template_lines(original, m.template)
        if m.lines is not None:
            found = [n for n in found if m.lines[0] <= n <= m.lines[1]]
        return found
    if m.lines is not None and m.bytes is None:
        return list(range(m.lines[0], m.lines[1] + 1))
    return []


def fit_budget(original: str, budget: int, ctx: CompressContext, out: str | None = None) -> str:
    """The compressed `out` (default: `original` itself) cut to at most `budget` tokens, foreign markers quoted.

    Head and tail lines are kept (two from the head for each one from the tail) and one
    marker names the original lines the dropped middle stood for. An output that cannot be
    mapped onto the original line by line is replaced by a cut of the original. A single
    line too long for the budget is cut inside, with a `bytes=` marker for the rest.
    """
    shown = escape_foreign_markers(original)
    text = shown if out is None else escape_foreign_markers(out, ctx.hash)
    if ctx.tokens(text) <= budget:
        return text
    mapped = _map_output(text, original, shown, ctx) if out is not None else None
    if mapped is None:
        lines = LineIndex(shown).lines
        mapped = _Mapped(lines, [[n] for n in range(1, len(lines) + 1)])
    eol = _eol(original)
    room = budget
    for _ in range(_ROUNDS):
        cut = _cut(mapped, room, ctx, eol)
        if cut is None:
            break
        used = ctx.tokens(cut)
        if used <= budget:
            return cut
        room -= used - budget + 4
    if mapped.lines and out is not None:
        return fit_budget(original, budget, ctx)
    return _cut_inside(original, budget, ctx, eol)


def _cut(mapped: _Mapped, budget: int, ctx: CompressContext, eol: str) -> str | None:
    """Head and tail of the mapped lines within `budget`, the middle marked; None when no line fits."""
    lines = mapped.lines
    total = sum(len(s) for s in mapped.stands_for)
    marker_cost = ctx.tokens(ctx.marker(max(total, 1), "lines", (max(total, 1), max(total, 1))) + eol)
    used = marker_cost
    lo, hi = 0, len(lines) - 1
    keep_head = keep_tail = 0
    take_head = True
    while lo <= hi:
        idx = lo if take_head else hi
        cost = ctx.tokens(lines[idx])
        if used + cost > budget:
            if take_head and keep_tail == 0 and hi > lo:
                take_head = False  # the next head line is too long: the tail may still fit
                continue
            break
        used += cost
        if take_head:
            keep_head, lo = keep_head + 1, lo + 1
        else:
            keep_tail, hi = keep_tail + 1, hi - 1
        take_head = keep_head < 2 * (keep_tail + 1)
    if keep_head == keep_tail == 0:
        return None
    middle = sorted(n for k in range(keep_head, len(lines) - keep_tail) for n in mapped.stands_for[k])
    head = "".join(lines[:keep_head])
    tail = "".join(lines[len(lines) - keep_tail :])
    if not middle:
        return head + tail
    first, last = middle[0], middle[-1]
    if last - first + 1 != len(middle):
        return None  # the dropped lines stand for no one range (a collapsed template runs through it)
    if head and not head.endswith("\n"):
        head += eol
    return f"{head}{ctx.marker(len(middle), 'lines', (first, last))}{eol}{tail}"


def _cut_inside(original: str, budget: int, ctx: CompressContext, eol: str) -> str:
    """The start of the first line of `original` within `budget`, a marker for the rest of that line and one for
    the lines after it (or one marker for everything): a `chars` marker hides text inside one line only."""
    index = LineIndex(original)
    n = max(len(index), 1)
    everything = ctx.marker(n, "lines", (1, n)) + eol
    if not ctx.exact_bytes:
        return everything
    line = index.lines[0] if len(index) else original
    line = line[: -len(eol)] if line.endswith(eol) else line.rstrip("\n")
    rest = f"{ctx.marker(n - 1, 'lines', (2, n))}{eol}" if n > 1 else ""
    line_len = len(line.encode("utf-8", errors="surrogatepass"))
    widest = ctx.tokens(ctx.marker(len(line), "chars", span=(line_len, line_len)))
    room = budget - widest - ctx.tokens(rest) - 2
    if room <= 0:
        return everything
    keep = min(len(line), room * 4)
    while keep > 0 and ctx.tokens(line[:keep]) > room:
        keep = keep * 3 // 4
    if keep <= 0:
        return everything
    head = line[:keep]
    start = len(head.encode("utf-8", errors="surrogatepass"))
    if start == line_len:
        cut = f"{escape_foreign_markers(head)}{eol}{rest}"
    else:
        marker = ctx.marker(len(line) - keep, "chars", span=(start, line_len - 1))
        cut = f"{escape_foreign_markers(head)} {marker}{eol}{rest}"
    return cut if ctx.tokens(cut) <= budget else everything
