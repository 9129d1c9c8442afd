"""Source code: keep the outline (imports, signatures, types, decorators, doc first lines), elide bodies.

A body the question points at (its name, or a name from the question inside
it) is kept whole. Every elision is one marker with the original line range,
placed so the output still parses in its language (see `_code_check`). The
outline and the plan come from the Rust core; this module runs the policy. With
a token budget the compressor gives up, in order: extra whole bodies, then whole
definitions, least relevant first.
"""

from __future__ import annotations

from dataclasses import replace

from compressors._base import CompressContext, Compressor
from compressors._code_check import Accepted, Source, checked, checked_plan, read_source
from compressors._code_relevance import CodeQuery, parse_code_query
from compressors._languages import guess_language, looks_like_prose, normalize_language
from rustcore._code import PreparedCode

__all__ = ["CodeCompressor", "looks_like_code"]

# With a question that names definitions and no budget, the outline around them is cut to this share.
_FOCUS_SHARE = 0.2
_FOCUS_MIN = 400
_MAX_PARSE_CHARS = 2 * 1024 * 1024
_SNIFF_CHARS = 4 * 1024


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
        """Fewer whole bodies, then fewer definitions, least relevant first, until the budget holds."""
        assert ctx.budget is not None
        out = source.text
        accepted: Accepted | None = None
        proven = False
        for level in range(3):
            keep = whole if level == 0 else whole[:1] if level == 1 else []
            planned = prepared.plan(keep, collapse_types=query.types_only)
            accepted = checked_plan(source, planned, ctx)
            if accepted is None:
                return _fit(source.text, out, ctx)
            proven = planned.proven
            out = accepted.text
            if ctx.tokens(out) <= ctx.budget:
                return out
        assert accepted is not None
        dropped = prepared.drop(accepted.elisions, proven, ctx.budget, whole)
        if dropped is not None:
            narrowed = checked(source, dropped.elisions, ctx, proven=dropped.proven)
            if narrowed is not None:
                out = narrowed.text
        return _fit(source.text, out, ctx)


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
    source = read_source(language, sample)
    definitions = sum(1 for d in source.file.definitions() if d.last > d.first)
    if definitions >= 2 and source.error_count <= max(1, len(source.doc) // 100):
        return language
    return None


def _fit(original: str, out: str, ctx: CompressContext) -> str:
    from compressors._fit import fit_budget

    return out if ctx.budget is None else fit_budget(original, ctx.budget, ctx, out)
