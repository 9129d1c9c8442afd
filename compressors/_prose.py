"""Prose, Markdown, reStructuredText, changelogs and plain text: the outline and the sentences that matter.

Every heading line stays, so the outline survives. Then units (sentences of
paragraphs, list items, table rows, fenced blocks) are added most valuable
first until a token target is reached: the ones the question is about, or
that sit in a section whose heading it names, then the first sentence of each
section, then dense ones. Near-duplicates are skipped. Lines are kept whole
and verbatim; each run of left-out lines becomes one marker with its line
range, and a run of sections whose bodies all went becomes one marker under
their headings. Structure, scoring and selection run in the Rust core
(`rustcore._prose.prose_select`, `rustcore._prose.prose_gaps`); only signals other than the
built-in lexical ones are computed here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from ccr import LineIndex
from compressors._base import CompressContext, Compressor
from compressors._elision import Elision, render
from compressors._prose_scoring import DEFAULT_SIGNALS, Signal, density, relevance
from rustcore._prose import prose_gaps, prose_select, prose_texts

__all__ = ["ProseCompressor", "Selection", "prose_elisions", "reads_as_prose", "select_lines"]

# Under a budget, the selection is redone this many times with a target lowered by the overshoot.
_BUDGET_ROUNDS = 4
# Plain text is judged prose or structured lines on its first lines (at least a few of them).
_SHAPE_LINES = 400
_SHAPE_MIN_LINES = 10
_SENTENCE_WORDS = 6
# A line is judged by its head: its first fields and words say whether it is a record or a sentence, and
# splitting one 64 MB line into words took 600 MB (issue 12's bound for it is 406 MB, the whole compression).
_SHAPE_LINE_CHARS = 2_000
# Words a sentence has and a log line, a table row or a listing seldom does.
_FUNCTION_WORDS_TEXT = """the a an of to in is are was were be it this that these with for on as by and or not but
from at
which who can will would should you we they he she its their there"""
_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())


@dataclass(frozen=True, slots=True)
class Selection:
    """The lines to keep, and which lines are headings (always kept)."""

    kept: list[bool]
    headings: frozenset[int]


class ProseCompressor(Compressor):
    """Prose by the sentence signals it is given (`DEFAULT_SIGNALS` unless another scorer is added)."""

    name = "prose"
    description = "headings kept; query-relevant, leading and dense sentences kept; near-duplicates dropped"

    def __init__(self, signals: Sequence[tuple[Signal, float]] = DEFAULT_SIGNALS) -> None:
        self.signals = tuple(signals)

    def compress(self, text: str, ctx: CompressContext) -> str:
        doc = LineIndex(text)
        if not doc.lines:
            return text
        from compressors._code import looks_like_code

        language = looks_like_code(text)
        if language is not None:
            # Source code that reached us as text: its outline says more than its "sentences".
            from compressors._registry import get_compressor

            return get_compressor("code").compress(text, replace(ctx, content_type="code", language=language))
        if ctx.content_type == "text" and not reads_as_prose(text):
            # Few sentences, mostly short structured lines (a log no scan recognised, a report):
            # picking "sentences" would gut it; the line path keeps its rare lines and its end.
            from compressors._registry import get_compressor

            return get_compressor("log").compress(text, ctx)
        target = ctx.budget
        out = text
        for _ in range(_BUDGET_ROUNDS):
            selection = select_lines(doc, ctx, target=target, signals=self.signals)
            out = render(doc, prose_elisions(doc, selection, ctx), ctx).text
            if ctx.budget is None:
                return out
            over = ctx.tokens(out) - ctx.budget
            if over <= 0:
                return out
            target = max((target or ctx.budget) - over - 8, 0)
        from compressors._fit import fit_budget

        return fit_budget(text, ctx.budget, ctx, out) if ctx.budget is not None else out


def reads_as_prose(text: str) -> bool:
    """Whether `text` reads as prose rather than structured lines, judged on its first `_SHAPE_LINES`
    non-blank lines: it does not when under a fifth are sentences (six words or more, two of them function
    words: `the`, `of`, `is`) and seven in ten are records (a first field with a digit or in brackets, `key=value`
    fields, or mostly fields holding digits: a log's counters and stamps, a report's rows)."""
    lines = sentences = records = 0
    for line in _line_heads(text):
        t = line.strip()
        if not t:
            continue
        lines += 1
        words = t.split()
        if len(words) >= _SENTENCE_WORDS:
            sentences += sum(w.lower() in _FUNCTION_WORDS for w in words) >= 2
        records += _is_record(words)
        if lines >= _SHAPE_LINES:
            break
    return lines < _SHAPE_MIN_LINES or sentences * 5 >= lines or records * 10 < lines * 7


def _line_heads(text: str) -> Iterator[str]:
    """The first `_SHAPE_LINE_CHARS` characters of each line of `text`, one at a time (never a list of its lines,
    never a whole long line)."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start)
        if stop < 0:
            stop = end
        yield text[start : min(stop, start + _SHAPE_LINE_CHARS)]
        start = stop + 1


def _is_record(fields: list[str]) -> bool:
    first = fields[0]
    if any(c.isdigit() for c in first) or first.startswith("["):
        return True
    if sum("=" in f[1:-1] for f in fields) >= 2:
        return True
    return len(fields) >= 3 and sum(any(c.isdigit() for c in f) for f in fields) * 2 >= len(fields)


def select_lines(
    lines: LineIndex,
    ctx: CompressContext,
    *,
    target: int | None = None,
    signals: Sequence[tuple[Signal, float]] = DEFAULT_SIGNALS,
    fence_costs: Mapping[int, int] | None = None,
) -> Selection:
    """Which lines of the text `lines` indexes to keep: every heading, then the best units until `target` tokens.

    `target` defaults to a share of the input's tokens (12%, with a floor for
    the content on top of the outline). Units are scored by `signals`: the
    built-in relevance and density run in the Rust core, any other signal is
    called here with the unit texts (and the section paths after them, see
    `rustcore._prose.prose_texts`). `fence_costs` maps the first line of a fenced
    block to what keeping it costs when that is not its size (a caller that
    will compress the block's content). Blank lines are not decided here (see
    `prose_elisions`).
    """
    plan: list[tuple[str, float, Sequence[float] | None]] = []
    texts: list[str] | None = None
    for signal, weight in signals:
        if signal is relevance:
            plan.append(("relevance", weight, None))
        elif signal is density:
            plan.append(("density", weight, None))
        else:
            if texts is None:
                texts = prose_texts(lines.text)
            values = signal(texts, ctx.query)
            if any(values):
                # A signal that scores nothing (its model absent, say) would add only zeros.
                plan.append(("values", weight, values))
    kept, headings = prose_select(
        lines.text,
        ctx.query,
        target,
        exact=ctx.budget is not None,
        encoding=ctx.encoding,
        marker_tokens=_marker_tokens(len(lines), ctx) + 1,
        signals=plan,
        fence_costs=fence_costs,
    )
    return Selection(kept, frozenset(headings))


def prose_elisions(lines: LineIndex, selection: Selection, ctx: CompressContext) -> list[Elision]:
    """Markers for the lines not kept: blank lines go with their gap, gaps cheaper than a marker are
    kept, and runs of gaps separated only by headings share one marker under those headings."""
    gaps = prose_gaps(
        lines.text, selection.kept, sorted(selection.headings), _marker_tokens(len(lines), ctx), ctx.encoding
    )
    return [Elision(gap.first, gap.last, shown=tuple(gap.shown)) for gap in gaps]


def _marker_tokens(n: int, ctx: CompressContext) -> int:
    """What a marker for a text of `n` lines costs at most (the widest line numbers it can hold)."""
    widest = max(n, 1)
    return ctx.tokens(ctx.marker(widest, "lines", (widest, widest)))
