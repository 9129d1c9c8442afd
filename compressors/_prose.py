"""Prose, Markdown, reStructuredText, changelogs and plain text: the outline and the sentences that matter.

Every heading line stays, so the outline survives. Then units (sentences of
paragraphs, list items, table rows, fenced blocks) are added most valuable
first until a token target is reached: the ones the question is about, or
that sit in a section whose heading it names, then the first sentence of each
section, then dense ones. Near-duplicates are skipped. Lines are kept whole
and verbatim; each run of left-out lines becomes one marker with its line
range, and a run of sections whose bodies all went becomes one marker under
their headings.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from compressors._base import CompressContext, Compressor
from compressors._elision import Elision, Lines, render
from compressors._prose_blocks import Block, Section, parse_blocks
from compressors._prose_scoring import (
    DEFAULT_SIGNALS,
    Signal,
    density,
    score_sentences,
    sentence_spans,
    shingles,
    word_set,
)

__all__ = ["ProseCompressor", "Selection", "prose_elisions", "select_lines"]

# Without a budget, aim for this share of the input's tokens (headings come on top when they alone exceed it).
_DEFAULT_SHARE = 0.12
_MIN_TARGET = 300
_CONTENT_FLOOR = 0.05
# A section whose heading matches the question lends its units this share of the heading's relevance.
_SECTION_WEIGHT = 0.9
_LEAD_BONUS = 0.15
_RELEVANT_LEAD_BONUS = 0.1
# Units more alike than this (word-trigram Jaccard) to one already kept are dropped as near-duplicates.
_DUPLICATE = 0.7
# List items longer than this many lines are split into sentences like paragraphs.
_LONG_ITEM_LINES = 4
_BUDGET_ROUNDS = 4
_MANY_UNITS = 20_000
_EXACT_LINES = 5_000


@dataclass(frozen=True, slots=True)
class Selection:
    """The lines to keep, and which lines are headings (always kept)."""

    kept: list[bool]
    headings: frozenset[int]


@dataclass(slots=True)
class _Unit:
    first: int
    last: int
    text: str
    section: int
    lead: float
    kind: str = "sentence"


class ProseCompressor(Compressor):
    """Prose by the sentence signals it is given (`DEFAULT_SIGNALS` unless another scorer is added)."""

    name = "prose"
    description = "headings kept; query-relevant, leading and dense sentences kept; near-duplicates dropped"

    def __init__(self, signals: Sequence[tuple[Signal, float]] = DEFAULT_SIGNALS) -> None:
        self.signals = tuple(signals)

    def compress(self, text: str, ctx: CompressContext) -> str:
        doc = Lines(text)
        if not doc.lines:
            return text
        from compressors._code import looks_like_code

        language = looks_like_code(text)
        if language is not None:
            # Source code that reached us as text: its outline says more than its "sentences".
            from compressors._registry import get_compressor

            return get_compressor("code").compress(text, replace(ctx, content_type="code", language=language))
        target = ctx.budget
        out = text
        for _ in range(_BUDGET_ROUNDS):
            selection = select_lines(doc.lines, ctx, target=target, signals=self.signals)
            out = render(doc, prose_elisions(doc.lines, selection, ctx), ctx).text
            if ctx.budget is None:
                return out
            over = ctx.tokens(out) - ctx.budget
            if over <= 0:
                return out
            target = max((target or ctx.budget) - over - 8, 0)
        from compressors._pipeline import fit_budget

        return fit_budget(out, ctx.budget, ctx) if ctx.budget is not None else out


def _units(lines: Sequence[str], blocks: list[Block], sections: list[Section]) -> list[_Unit]:
    units: list[_Unit] = []
    first_content: set[int] = set()
    for section in sections:
        content = [b for b in section.blocks if blocks[b].kind not in ("heading", "rule")]
        if content:
            first_content.add(content[0])
    leading_done = False
    for index, block in enumerate(blocks):
        if block.kind in ("heading", "rule"):
            continue
        is_lead = index in first_content or (block.section < 0 and not leading_done)
        leading_done = leading_done or block.section < 0
        lead = 1.0 if is_lead else 0.3 if block.kind == "paragraph" else 0.0
        span_lines = lines[block.first : block.last + 1]
        if block.kind == "paragraph" or (block.kind == "item" and block.last - block.first + 1 > _LONG_ITEM_LINES):
            units += _sentence_units(span_lines, block, lead)
        else:
            units.append(_Unit(block.first, block.last, "".join(span_lines), block.section, lead, block.kind))
    return units


def _sentence_units(span_lines: Sequence[str], block: Block, lead: float) -> list[_Unit]:
    """One unit per sentence of a paragraph, each spanning the lines it touches."""
    starts = [0]
    for line in span_lines:
        starts.append(starts[-1] + len(line))
    joined = "".join(span_lines)
    out: list[_Unit] = []
    for k, (a, b) in enumerate(sentence_spans(joined)):
        first = bisect.bisect_right(starts, a) - 1
        last = bisect.bisect_right(starts, max(b - 1, a)) - 1
        out.append(
            _Unit(
                block.first + first,
                block.first + min(last, len(span_lines) - 1),
                joined[a:b],
                block.section,
                lead if k == 0 else 0.0,
            )
        )
    return out


def _scores(
    units: list[_Unit], sections: list[Section], query: str | None, signals: Sequence[tuple[Signal, float]]
) -> list[float]:
    paths = [section.path(sections) for section in sections]
    joint = score_sentences([u.text for u in units] + paths, query, signals)
    own, by_section = joint[: len(units)], joint[len(units) :]
    out: list[float] = []
    for u, value in zip(units, own, strict=True):
        section = by_section[u.section] if u.section >= 0 and query else 0.0
        score = max(value, _SECTION_WEIGHT * section) + _LEAD_BONUS * u.lead
        if section >= 0.5 and u.lead >= 1.0:
            score += _RELEVANT_LEAD_BONUS
        out.append(score)
    return out


def select_lines(
    lines: Sequence[str],
    ctx: CompressContext,
    *,
    target: int | None = None,
    signals: Sequence[tuple[Signal, float]] = DEFAULT_SIGNALS,
    fence_costs: Mapping[int, int] | None = None,
) -> Selection:
    """Which lines of `lines` to keep: every heading, then the best units until `target` tokens.

    `target` defaults to a share of the input's tokens. `fence_costs` maps the
    first line of a fenced block to what keeping it costs when that is not its
    size (a caller that will compress the block's content). Blank lines are not
    decided here (see `prose_elisions`).
    """
    blocks, sections = parse_blocks(list(lines))
    n = len(lines)
    cost = _line_costs(lines, ctx, exact=ctx.budget is not None)
    total = sum(cost)
    kept = [False] * n
    headings = frozenset(i for b in blocks if b.kind == "heading" for i in range(b.first, b.last + 1))
    for i in headings:
        kept[i] = True
    if target is None:
        # The outline is kept whatever it costs; the content gets at least a floor of its own on top.
        outline = sum(cost[i] for i in headings)
        floor = max(_MIN_TARGET, int(_CONTENT_FLOOR * total))
        target = max(int(_DEFAULT_SHARE * total), outline + floor)
    marker_cost = ctx.tokens(ctx.marker(max(n, 1), "lines", (max(n, 1), max(n, 1)))) + 1
    # Gaps are counted as the output will show them: headings do not split a gap (see `prose_elisions`),
    # so only kept content lines and content still to decide take part.
    content = [0]
    for i, line in enumerate(lines):
        content.append(content[-1] + (1 if line.strip() and i not in headings else 0))
    kept_sorted: list[int] = []
    used = sum(cost[i] for i in headings) + marker_cost * _gap_count(kept_sorted, content, n)
    units = _units(lines, blocks, sections)
    if len(units) > _MANY_UNITS:
        # Past this size only the cheap signals run; relevance and position still order the units.
        signals = [(signal, weight) for signal, weight in signals if signal is not density]
    scores = _scores(units, sections, ctx.query, signals)
    order = sorted(range(len(units)), key=lambda k: (-scores[k], units[k].first))
    kept_shingles: list[frozenset[tuple[str, ...]]] = []
    heading_index = _HeadingIndex([b.title for b in blocks if b.kind == "heading"])
    for k in order:
        if used >= target:
            break
        unit = units[k]
        new = [i for i in range(unit.first, unit.last + 1) if not kept[i]]
        if not new:
            continue
        delta = _marker_delta(kept_sorted, content, n, unit.first, unit.last)
        size = sum(cost[i] for i in new)
        if fence_costs and unit.kind == "fence" and unit.first in fence_costs:
            size = min(size, fence_costs[unit.first])
        extra = size + marker_cost * delta
        if used + extra > target:
            continue
        grams = shingles(unit.text)
        if _duplicate(grams, kept_shingles) or heading_index.repeats(unit.text):
            continue
        for i in new:
            kept[i] = True
            if i not in headings:
                bisect.insort(kept_sorted, i)
        kept_shingles.append(grams)
        used += extra
    return Selection(kept, headings)


def _line_costs(lines: Sequence[str], ctx: CompressContext, *, exact: bool) -> list[int]:
    """Tokens per line: counted (under a budget, for texts of moderate length), else each line's share
    of the whole text's count by characters."""
    if exact and len(lines) <= _EXACT_LINES:
        return [ctx.tokens(line) if line.strip() else 0 for line in lines]
    text = "".join(lines)
    per_char = ctx.tokens(text) / max(len(text), 1)
    return [max(1, round(len(line) * per_char)) if line.strip() else 0 for line in lines]


def _gaps_between(kept_sorted: list[int], nonblank: list[int], lo: int, hi: int) -> bool:
    """Whether lines lo..hi (inclusive) hold a non-blank line (none of them is kept)."""
    return hi >= lo and nonblank[hi + 1] - nonblank[lo] > 0


def _gap_count(kept_sorted: list[int], nonblank: list[int], n: int) -> int:
    count = 0
    previous = -1
    for i in [*kept_sorted, n]:
        if _gaps_between(kept_sorted, nonblank, previous + 1, i - 1):
            count += 1
        previous = i
    return count


def _marker_delta(kept_sorted: list[int], nonblank: list[int], n: int, first: int, last: int) -> int:
    """How many more markers the output needs once lines first..last are kept (-1, 0 or 1)."""
    at = bisect.bisect_left(kept_sorted, first)
    before = kept_sorted[at - 1] if at > 0 else -1
    after_at = bisect.bisect_right(kept_sorted, last)
    after = kept_sorted[after_at] if after_at < len(kept_sorted) else n
    had = _gaps_between(kept_sorted, nonblank, before + 1, after - 1)
    left = _gaps_between(kept_sorted, nonblank, before + 1, first - 1)
    right = _gaps_between(kept_sorted, nonblank, last + 1, after - 1)
    return int(left) + int(right) - int(had)


def _duplicate(grams: frozenset[tuple[str, ...]], kept: list[frozenset[tuple[str, ...]]]) -> bool:
    if len(grams) < 3:
        return False
    for other in kept:
        shared = len(grams & other)
        if shared and shared / len(grams | other) >= _DUPLICATE:
            return True
    return False


class _HeadingIndex:
    """The word sets of the headings, found by word, to spot table-of-contents entries that repeat one."""

    def __init__(self, titles: list[str]) -> None:
        self.sets = [word_set(t) for t in titles if t.strip()]
        self.by_word: dict[str, list[int]] = {}
        for k, words in enumerate(self.sets):
            for w in words:
                self.by_word.setdefault(w, []).append(k)

    def repeats(self, text: str) -> bool:
        """Whether `text` is short and its words are (nearly) all in one heading."""
        words = word_set(text)
        if not words or len(words) > 12:
            return False
        allowed = max(1, len(words) // 5)
        counts: dict[int, int] = {}
        for w in words:
            for k in self.by_word.get(w, ())[:64]:
                counts[k] = counts.get(k, 0) + 1
        return any(len(words) - c <= allowed for c in counts.values())


def prose_elisions(lines: Sequence[str], selection: Selection, ctx: CompressContext) -> list[Elision]:
    """Markers for the lines not kept: blank lines go with their gap, gaps cheaper than a marker are
    kept, and runs of gaps separated only by headings share one marker under those headings."""
    n = len(lines)
    shown = list(selection.kept)
    blank = [not line.strip() for line in lines]
    previous_kept = False
    for i in range(n):
        if not blank[i]:
            previous_kept = shown[i]
            continue
        nxt = next((j for j in range(i + 1, n) if not blank[j]), None)
        shown[i] = previous_kept and (nxt is None or shown[nxt])
    marker_cost = ctx.tokens(ctx.marker(max(n, 1), "lines", (max(n, 1), max(n, 1))))
    gaps: list[tuple[int, int]] = []
    i = 0
    while i < n:
        if shown[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and not shown[j + 1]:
            j += 1
        if any(not blank[k] for k in range(i, j + 1)) and _costs_more(lines[i : j + 1], marker_cost, ctx):
            gaps.append((i, j))
        else:
            for k in range(i, j + 1):
                shown[k] = True
        i = j + 1
    out: list[Elision] = []
    for first, last in gaps:
        if out:
            prev = out[-1]
            between = range(prev.last + 1, first)
            if all(shown[k] and (blank[k] or k in selection.headings) for k in between):
                out[-1] = Elision(prev.first, last, shown=(*prev.shown, *between))
                continue
        out.append(Elision(first, last))
    return out


def _costs_more(lines: Sequence[str], tokens: int, ctx: CompressContext) -> bool:
    """Whether `lines` hold more than `tokens` tokens (long text is not counted: no token spans 16 characters)."""
    size = sum(len(line) for line in lines)
    return size > 16 * tokens or ctx.tokens("".join(lines)) > tokens
