"""Source code: keep the outline (imports, signatures, types, decorators, doc first lines), elide bodies.

A body the question points at (its name, a name from the question inside it,
or most of its plain words) is kept whole. Every elision is one marker with the
original line range, placed so the output still parses in its language (see
`_code_check`). The outline and the plan come from the Rust core; this module
runs the policy. With a token budget the outline comes first (every signature),
then bodies by relevance; an outline over the budget gives up the lines between
signatures, then each class's members, then top-level definitions.
"""

from __future__ import annotations

from dataclasses import replace

from compressors._base import CompressContext, Compressor
from compressors._code_check import Source, checked_plan, read_source
from compressors._code_relevance import CodeQuery, parse_code_query
from compressors._languages import guess_language, looks_like_prose, normalize_language
from rustcore._code import PreparedCode

__all__ = ["CodeCompressor", "looks_like_code"]

# With a question that names definitions and no budget, the outline around them is cut to this share.
_FOCUS_SHARE = 0.2
_FOCUS_MIN = 400
_MAX_PARSE_CHARS = 2 * 1024 * 1024
_SNIFF_CHARS = 4 * 1024
# Plans for a budget: the first from the estimate, then cut by how far the output overshot.
_FIT_ROUNDS = 3


class CodeCompressor(Compressor):
    name = "code"
    description = "source outline: signatures, types, imports and doc first lines kept; bodies elided"

    def compress(self, text: str, ctx: CompressContext) -> str:
        if len(text) > _MAX_PARSE_CHARS:
            # The output check parses at a few MB/s: a file this large gets the line-based treatment instead.
            from compressors._registry import get_compressor

            return get_compressor("fallback").compress(text, ctx)
        if not text.strip():
            return text
        given = normalize_language(ctx.language)
        language = given or guess_language(text)
        if language is None:
            return _as_prose(text, ctx)
        source = read_source(language, text)
        if given is not None and source.file.problems:
            source = _better_read(source, text)
        if not source.file.definition_count and (
            (given is None and source.error_count) or (given is not None and looks_like_prose(text))
        ):
            # Nothing parsed as a definition and the text reads like prose (a changelog sent as code, say).
            return _as_prose(text, ctx)
        query = parse_code_query(ctx.query)
        prepared = source.file.prepare(
            ctx.encoding, source.marker_tokens(ctx.encoding), query.paths, sorted(query.strong), sorted(query.weak)
        )
        whole, named = prepared.whole()
        if ctx.budget is not None:
            return self._within_budget(source, prepared, query, whole, ctx)
        planned = prepared.plan(whole, collapse_types=query.types_only)
        if named:
            # The question names what it wants: the rest of the outline is context, and it gives way first.
            target = max(int(_FOCUS_SHARE * prepared.tokens), _FOCUS_MIN)
            focused = prepared.drop(planned.elisions, planned.proven, target, whole)
            if focused is not None:
                accepted = checked_plan(source, focused, ctx)
                if accepted is not None:
                    return accepted.text
        accepted = checked_plan(source, planned, ctx)
        return text if accepted is None else accepted.text

    def _within_budget(
        self, source: Source, prepared: PreparedCode, query: CodeQuery, whole: list[int], ctx: CompressContext
    ) -> str:
        """The outline first, then bodies by relevance, within the budget (see `rustcore.PreparedCode.fit`).

        The plan's sizes are estimates: an output still over the budget is planned again for a budget cut
        by the overshoot, and what is left over is cut by `fit_budget`.
        """
        assert ctx.budget is not None
        out = source.text
        target = float(ctx.budget)
        for _ in range(_FIT_ROUNDS):
            accepted = checked_plan(source, prepared.fit(target, whole), ctx)
            if accepted is None:
                break
            out = accepted.text
            tokens = ctx.tokens(out)
            if tokens <= ctx.budget:
                return out
            target *= 0.95 * ctx.budget / tokens
        return _fit(source.text, out, ctx)


def _better_read(source: Source, text: str) -> Source:
    """`source`, or `text` read in the language its patterns suggest when that reads it with fewer problems.

    The language a caller gives is a hint: a detector counting keywords can take a Rust file for JavaScript,
    whose tokenizer then reads its lifetimes as strings and matches no bracket after the first.
    """
    guessed = guess_language(text)
    if guessed is None or guessed == source.language:
        return source
    other = read_source(guessed, text)
    return other if other.file.problems < source.file.problems else source


def _as_prose(text: str, ctx: CompressContext) -> str:
    from compressors._registry import get_compressor

    return get_compressor("prose").compress(text, replace(ctx, content_type="text", language=None))


def looks_like_code(text: str) -> str | None:
    """The language `text` parses in as source code (definitions, hardly any errors), or None.

    Only a sample is parsed: error recovery on text that is not code is slow. The sample is the head, or,
    when a long module docstring or comment fills the head (heapq.py), the stretch where the outline's
    first definitions start.
    """
    language = guess_language(text)
    if language is None or len(text) > _MAX_PARSE_CHARS:
        return None
    if _parses_as_code(language, _window(text, 0)):
        return language
    if len(text) <= _SNIFF_CHARS:
        return None
    starts = sorted(d.first for d in read_source(language, text).file.definitions() if d.last > d.first)
    if len(starts) < 2:
        return None
    at = 0
    for _ in range(starts[0]):
        at = text.index("\n", at) + 1
    return language if _parses_as_code(language, _window(text, at)) else None


def _window(text: str, start: int) -> str:
    """About `_SNIFF_CHARS` of `text` from `start`, ending at a line end."""
    sample = text[start : start + _SNIFF_CHARS]
    if start + len(sample) < len(text):
        sample = sample[: sample.rfind("\n") + 1] or sample
    return sample


def _parses_as_code(language: str, sample: str) -> bool:
    source = read_source(language, sample)
    definitions = sum(1 for d in source.file.definitions() if d.last > d.first)
    return definitions >= 2 and source.error_count <= max(1, len(source.doc) // 100)


def _fit(original: str, out: str, ctx: CompressContext) -> str:
    from compressors._fit import fit_budget

    return out if ctx.budget is None else fit_budget(original, ctx.budget, ctx, out)
