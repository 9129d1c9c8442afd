"""Source code: keep the outline (imports, signatures, types, decorators, doc first lines), elide bodies.

A body the question points at (its name, or a name from the question inside
it) is kept whole. Every elision is one marker with the original line range,
placed so the output still parses in its language; the output is parsed again
and any elision that broke the syntax is undone. With a token budget the
compressor gives up, in order: extra whole bodies, then whole definitions,
least relevant first.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import rustcore
from ccr import format_marker
from compressors._base import CompressContext, Compressor
from compressors._code_outline import Definition, Outline, build_outline
from compressors._code_relevance import EXACT, PARTIAL, CodeQuery, body_mentions, parse_code_query, score_name
from compressors._elision import Elision, Lines, Rendered, encode_utf8, render, split_keepends
from compressors._languages import LANGUAGES, guess_language, looks_like_prose, normalize_language, parse

if TYPE_CHECKING:
    import tree_sitter

__all__ = ["CodeCompressor", "looks_like_code"]

# Whole bodies kept for a question may take this share of the input's tokens (unless the question names them).
_MENTION_SHARE = 0.2
_NAMED_SHARE = 0.35
_MAX_MENTIONED = 3
# An elision must save at least this many tokens beyond its own marker to be worth it.
_MIN_SAVING = 6
_FIX_ROUNDS = 4
# In a long run of one-line siblings, this many lead it and gaps shorter than the minimum stay.
_RUN_HEAD = 3
_MIN_RUN_GAP = 6
# With a question that names definitions and no budget, the outline around them is cut to this share.
_FOCUS_SHARE = 0.2
_FOCUS_MIN = 400
_MAX_ERRORS = 256
_MAX_PARSE_CHARS = 2 * 1024 * 1024
_SNIFF_CHARS = 4 * 1024


@dataclass(frozen=True, slots=True)
class _Parsed:
    language: str
    doc: Lines
    data: bytes
    outline: Outline
    error_lines: frozenset[int]
    error_count: int
    marker_tokens: int


class CodeCompressor(Compressor):
    name = "code"
    description = "tree-sitter outline: signatures, types, imports and doc first lines kept; bodies elided"

    def compress(self, text: str, ctx: CompressContext) -> str:
        if len(text) > _MAX_PARSE_CHARS:
            # Parsing runs at a few MB/s: a file this large gets the line-based treatment instead.
            from compressors._registry import get_compressor

            return get_compressor("fallback").compress(text, ctx)
        if not text.strip():
            return text
        given = normalize_language(ctx.language)
        language = given or guess_language(text)
        if language is None:
            return _as_prose(text, ctx)
        parsed = _parse(language, text, ctx.encoding)
        if not parsed.outline.definitions and (
            (given is None and parsed.error_count) or (given is not None and looks_like_prose(text))
        ):
            # Nothing parsed as a definition and the text reads like prose (a changelog sent as code, say).
            return _as_prose(text, ctx)
        query = parse_code_query(ctx.query)
        _score(parsed, query, ctx)
        total = ctx.tokens(text)
        whole = _choose_whole(parsed, total, ctx)
        mentions = query.mention_terms()
        if ctx.budget is None:
            planned = _plan(parsed, whole, ctx, collapse_types=query.types_only, mentions=mentions)
            if any(d.score >= EXACT for d in whole):
                # The question names what it wants: the rest of the outline is context, and it gives way first.
                target = max(int(_FOCUS_SHARE * total), _FOCUS_MIN)
                focused = _drop_definitions(parsed, planned, target, ctx, whole)
                if focused is not None:
                    accepted = _validated(parsed, focused, ctx)
                    if accepted is not None:
                        return render(parsed.doc, accepted, ctx).text
            accepted = _validated(parsed, planned, ctx) or _validated(parsed, _bodies(parsed, planned), ctx)
            return text if accepted is None else render(parsed.doc, accepted, ctx).text
        return self._within_budget(parsed, query, whole, ctx)

    def _within_budget(self, parsed: _Parsed, query: CodeQuery, whole: list[Definition], ctx: CompressContext) -> str:
        """Fewer whole bodies, then fewer definitions, least relevant first, until the budget holds."""
        assert ctx.budget is not None
        out = parsed.doc.text
        elisions: list[Elision] = []
        for level in range(3):
            keep = whole if level == 0 else whole[:1] if level == 1 else []
            planned = _plan(parsed, keep, ctx, collapse_types=query.types_only, mentions=query.mention_terms())
            accepted = _validated(parsed, planned, ctx) or _validated(parsed, _bodies(parsed, planned), ctx)
            if accepted is None:
                return _fit(out, ctx)
            elisions = accepted
            out = render(parsed.doc, elisions, ctx).text
            if ctx.tokens(out) <= ctx.budget:
                return out
        dropped = _drop_definitions(parsed, elisions, ctx.budget, ctx, whole)
        if dropped is not None:
            accepted = _validated(parsed, dropped, ctx)
            if accepted is not None:
                out = render(parsed.doc, accepted, ctx).text
        return _fit(out, ctx)


def _as_prose(text: str, ctx: CompressContext) -> str:
    from compressors._registry import get_compressor

    return get_compressor("prose").compress(text, replace(ctx, content_type="text", language=None))


def looks_like_code(text: str) -> str | None:
    """The language `text` parses in as source code (definitions, hardly any errors), or None.

    Only a sample is parsed: error recovery on text that is not code is slow.
    """
    language = guess_language(text)
    if language is None or len(text) > _MAX_PARSE_CHARS:
        return None
    sample = text[:_SNIFF_CHARS]
    if len(sample) < len(text):
        sample = sample[: sample.rfind("\n") + 1] or sample
    parsed = _parse(language, sample)
    definitions = sum(1 for d in parsed.outline.definitions if d.last > d.first)
    if definitions >= 2 and parsed.error_count <= max(1, len(parsed.doc) // 100):
        return language
    return None


def _parse(language: str, text: str, encoding: str = rustcore.DEFAULT_ENCODING) -> _Parsed:
    doc = Lines(text)
    data = encode_utf8(text)
    tree = parse(language, data)
    outline = build_outline(tree, doc, data, LANGUAGES[language])
    error_lines: set[int] = set()
    errors = _errors(tree.root_node) if tree.root_node.has_error else []
    for node in errors:
        line = doc.line_of_byte(node.start_byte)
        error_lines.update((line - 1, line, line + 1))
    widest = max(len(doc), 1)
    marker = format_marker(widest, "lines", "0" * 16, (widest, widest))
    marker_tokens = rustcore.count_tokens(marker, encoding)
    return _Parsed(language, doc, data, outline, frozenset(error_lines), len(errors), marker_tokens)


def _errors(root: tree_sitter.Node) -> list[tree_sitter.Node]:
    """The error and missing nodes under `root` (at most `_MAX_ERRORS`), in document order."""
    found: list[tree_sitter.Node] = []
    stack = [root]
    while stack and len(found) < _MAX_ERRORS:
        node = stack.pop()
        if node.is_error or node.is_missing:
            found.append(node)
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return found


def _body_text(parsed: _Parsed, d: Definition) -> str:
    if d.body_span is None:
        return ""
    first, last = d.body_span
    return "".join(parsed.doc.lines[first : last + 1])


def _score(parsed: _Parsed, query: CodeQuery, ctx: CompressContext) -> None:
    if query.empty:
        return
    terms = query.mention_terms()
    for d in parsed.outline.definitions:
        d.score = score_name(d.name, d.qualifiers, query)
        if d.kind == "function" and d.score < PARTIAL and terms and not d.wrapper:
            d.score += min(body_mentions(_body_text(parsed, d), terms), 3) * 0.5


def _choose_whole(parsed: _Parsed, total: int, ctx: CompressContext) -> list[Definition]:
    """The functions to keep whole, most relevant first."""
    functions = [d for d in parsed.outline.definitions if d.kind == "function" and d.body is not None]
    if not functions:
        return []
    named = [d for d in functions if d.score >= EXACT] or [d for d in functions if d.score >= PARTIAL]
    if named:
        pool, share, limit = named, _NAMED_SHARE, len(named)
    else:
        pool = [d for d in functions if d.score > 0]
        share, limit = _MENTION_SHARE, _MAX_MENTIONED
    pool.sort(key=lambda d: (-d.score, d.index))
    chosen: list[Definition] = []
    used = 0
    for d in pool:
        cost = ctx.tokens(_body_text(parsed, d))
        if chosen and (used + cost > share * total or len(chosen) >= limit):
            continue
        chosen.append(d)
        used += cost
    return chosen


def _plan(
    parsed: _Parsed,
    whole: Sequence[Definition],
    ctx: CompressContext,
    *,
    collapse_types: bool = False,
    mentions: frozenset[str] = frozenset(),
) -> list[Elision]:
    """The elisions for one level of detail: every body but the `whole` ones, comment tails, long literals.

    A type defined inside a function body keeps its header: the body is elided around it. With
    `collapse_types`, the bodies of types that hold no other type go too (a question about which types
    exist needs their headers, not their members).
    """
    outline = parsed.outline
    kept = {d.index for d in whole}
    candidates: list[Elision] = []
    for d in outline.definitions:
        if d.body is None or d.wrapper or d.index in kept:
            continue
        if d.kind == "function":
            # Types are structure even inside a function: their headers stay, the code around them goes.
            inner = _inner_types(outline, d)
            candidates += _split_around(d.body, inner) if inner else [d.body]
        elif collapse_types and not _holds_types(outline, d):
            candidates.append(d.body)
    for run in outline.comments:
        if run.tail is not None and run.doc_for not in kept:
            candidates.append(run.tail)
    candidates += outline.literals
    candidates += _run_elisions(parsed, mentions)
    kept_spans = sorted(d.body_span for d in whole if d.body_span is not None)
    chosen: list[Elision] = []
    reach = -1
    for el in sorted(candidates, key=lambda e: (e.first, -e.last)):
        if el.first <= reach or _inside(kept_spans, el):
            continue
        if _saving(parsed, el, ctx) < _MIN_SAVING:
            continue
        chosen.append(el)
        reach = el.last
    return chosen


def _run_elisions(parsed: _Parsed, mentions: frozenset[str]) -> list[Elision]:
    """The middles of long runs of one-line siblings; the first few, the last and those the question names stay."""
    out: list[Elision] = []
    doc = parsed.doc
    for run in parsed.outline.runs:
        items = run.items
        keep = set(items[:_RUN_HEAD]) | {items[-1]}
        if mentions:
            keep |= {i for i in items if body_mentions(doc.lines[i], mentions)}
        gap: list[int] = []
        for i in [*items, -1]:
            if i >= 0 and i not in keep:
                gap.append(i)
                continue
            if len(gap) >= _MIN_RUN_GAP:
                out.append(
                    Elision(
                        gap[0],
                        gap[-1],
                        before=f"{doc.indent(gap[0])}{run.before[len(doc.indent(items[0])) :]}",
                        after=run.after,
                    )
                )
            gap = []
    return out


def _inner_types(outline: Outline, function: Definition) -> list[tuple[int, int]]:
    """The line spans of the outermost types defined inside a function's body."""
    if function.body_span is None:
        return []
    first, last = function.body_span
    spans = sorted(
        (d.first, d.last) for d in outline.definitions if d.kind == "container" and first < d.first and d.last < last
    )
    outer: list[tuple[int, int]] = []
    for span in spans:
        if not outer or span[0] > outer[-1][1]:
            outer.append(span)
    return outer


def _split_around(body: Elision, keep: list[tuple[int, int]]) -> list[Elision]:
    """`body` cut into the stretches between the `keep` spans (a docstring's glue cannot be cut)."""
    if body.closing or body.shown or body.after.strip() not in ("", "*/"):
        return [body]
    pieces: list[Elision] = []
    at = body.first
    for first, last in [*keep, (body.last + 1, body.last + 1)]:
        if first > at:
            pieces.append(Elision(at, min(first - 1, body.last), before=body.before, after=body.after))
        at = max(at, last + 1)
    return pieces


def _holds_types(outline: Outline, container: Definition) -> bool:
    return any(
        d.kind == "container" and d.index != container.index and container.first <= d.first and d.last <= container.last
        for d in outline.definitions
    )


def _inside(spans: list[tuple[int, int]], el: Elision) -> bool:
    return any(first <= el.first and el.last <= last for first, last in spans)


def _saving(parsed: _Parsed, el: Elision, ctx: CompressContext) -> int:
    removed = ctx.tokens("".join(parsed.doc.lines[el.first : el.last + 1]))
    # The marker's size hardly varies: counted once per file (its widest form), glue text added by length.
    glue = parsed.marker_tokens + (len(el.before.strip()) + len(el.after.strip()) + len(el.closing) + 3) // 3
    return removed - glue


def _bodies(parsed: _Parsed, elisions: list[Elision]) -> list[Elision]:
    """The safer form: only the function bodies among `elisions`."""
    bodies = {id(d.body) for d in parsed.outline.definitions if d.body is not None}
    return [el for el in elisions if id(el) in bodies]


def _validated(parsed: _Parsed, elisions: list[Elision], ctx: CompressContext) -> list[Elision] | None:
    """`elisions` minus those that left a syntax error the input did not have; None if that does not converge."""
    current = list(elisions)
    for _ in range(_FIX_ROUNDS):
        rendered = render(parsed.doc, current, ctx, long_lines=False)
        blamed = _blame(parsed, rendered)
        if not blamed:
            return current
        if None in blamed:
            return None
        current = [el for k, el in enumerate(current) if k not in blamed]
    return None


def _blame(parsed: _Parsed, rendered: Rendered) -> set[int | None]:
    """Indexes of the elisions next to syntax errors the input did not have (None: an error nobody caused).

    Where the input parses cleanly the output must too. Where it does not, tree-sitter's error recovery
    is not local (one broken macro can turn a whole file into one error node), so the output is held to
    the input's number of errors instead.
    """
    tree = parse(parsed.language, encode_utf8(rendered.text))
    if not tree.root_node.has_error:
        return set()
    errors = _errors(tree.root_node)
    if parsed.error_count and len(errors) <= parsed.error_count:
        return set()
    out_doc = Lines(rendered.text)
    blamed: set[int | None] = set()
    glue_lines = [j for j, o in enumerate(rendered.origin) if o < 0]
    for node in errors:
        first = out_doc.line_of_byte(node.start_byte)
        if first >= len(rendered.origin):
            continue
        origin = rendered.origin[first]
        if origin >= 0 and origin in parsed.error_lines:
            continue
        at = bisect.bisect_right(glue_lines, first + 1)
        near = [j for j in glue_lines[max(at - 3, 0) : at] if j >= first - 1] or glue_lines[max(at - 1, 0) : at]
        if not near:
            blamed.add(None)
        blamed.update(-1 - rendered.origin[j] for j in near)
    return blamed or {None}


def _drop_definitions(
    parsed: _Parsed,
    elisions: list[Elision],
    target: int,
    ctx: CompressContext,
    whole: Sequence[Definition],
) -> list[Elision] | None:
    """`elisions` plus whole definitions left out, least relevant and farthest from the relevant ones
    first, until the output would fit `target` (None when nothing can go)."""
    doc = parsed.doc
    defs = parsed.outline.definitions
    protected = {d.index for d in whole}
    protected |= {
        c.index for c in defs for d in whole if c.kind == "container" and c.first <= d.first and d.last <= c.last
    }
    doc_start = {run.doc_for: run.first for run in parsed.outline.comments if run.doc_for >= 0}
    anchors = [d.first for d in whole] or [0]
    units = sorted(
        (d for d in defs if not d.wrapper and d.last > d.first and d.index not in protected),
        key=lambda d: (d.score > 0, d.score, -min(abs(d.first - a) for a in anchors), d.index),
    )
    if not units:
        return None
    rendered = render(doc, elisions, ctx)
    # Each line's tokens as its share of the whole count by characters: the choice needs no more precision,
    # and the caller measures the result exactly.
    total: float = ctx.tokens(rendered.text)
    per_char = total / max(len(rendered.text), 1)
    per_original: dict[int, float] = {}
    for j, line in enumerate(split_keepends(rendered.text)):
        if j < len(rendered.origin) and rendered.origin[j] >= 0:
            per_original[rendered.origin[j]] = len(line) * per_char
    marker_cost = parsed.marker_tokens + 4
    dropped: list[tuple[int, int]] = []
    for d in units:
        if total <= target:
            break
        if any(a <= d.first and d.last <= b for a, b in dropped):
            continue
        inner = [(a, b) for a, b in dropped if d.first <= a and b <= d.last]
        saved = sum(per_original.get(i, 0.0) for i in range(d.first, d.last + 1))
        saved -= sum(sum(per_original.get(i, 0.0) for i in range(a, b + 1)) for a, b in inner)
        dropped = [span for span in dropped if span not in inner]
        first = doc_start.get(d.index, d.first)
        saved += sum(per_original.get(i, 0.0) for i in range(first, d.first))
        dropped.append((first, d.last))
        total -= saved - marker_cost * (1 - len(inner))
    if not dropped:
        return None
    comment_lines = {i for run in parsed.outline.comments for i in range(run.first, run.last + 1)}
    merged = _merge(doc, sorted(dropped), comment_lines)
    python = LANGUAGES[parsed.language].python
    drops = [
        Elision(a, b, before=f"{doc.indent(a)}...  # ")
        if python
        else Elision(a, b, before=f"{doc.indent(a)}/* ", after=" */")
        for a, b in merged
    ]
    combined = [el for el in elisions if not any(a <= el.first and el.last <= b for a, b in merged)]
    return sorted(combined + drops, key=lambda e: (e.first, -e.last))


def _merge(doc: Lines, spans: list[tuple[int, int]], fillers: set[int]) -> list[tuple[int, int]]:
    """Spans joined when only blank lines and `fillers` (comment lines) separate them."""
    merged: list[tuple[int, int]] = []
    for first, last in spans:
        if merged:
            prev_first, prev_last = merged[-1]
            if first <= prev_last + 1 or all(doc.is_blank(i) or i in fillers for i in range(prev_last + 1, first)):
                merged[-1] = (prev_first, max(prev_last, last))
                continue
        merged.append((first, last))
    return merged


def _fit(text: str, ctx: CompressContext) -> str:
    from compressors._pipeline import fit_budget

    return text if ctx.budget is None else fit_budget(text, ctx.budget, ctx)
