"""JSON, JSON Lines and API responses: the records that matter, verbatim; the rest marked.

The Rust core (`rustcore._json.compress_json`) does the work: it scans the document
tolerantly, keeps every record that is odd (a status off the majority, a rare
value, an outlier), matches the question or holds the extreme it asks for,
plus the first and last as samples; it writes fields shared by all records
once, cuts long strings after their start, and copies everything it keeps
from the input byte for byte so `"key": value` reads as it did. Omissions
come back as pieces, and this layer writes them as markers (it knows the
handle): inside a JSON string, so valid JSON stays valid JSON.

What does not parse as JSON (not even as JSON Lines with a bad line) goes to
the line-level fallback compressor.
"""

from __future__ import annotations

from collections.abc import Sequence

from compressors._base import CompressContext, Compressor
from compressors._fit import fit_budget
from compressors._pieces import piece_marker
from rustcore._json import JSON_MAX_LEVEL, compress_json
from rustcore._lines import Piece

__all__ = ["JsonCompressor", "render_json_pieces"]


def render_json_pieces(pieces: Sequence[Piece], ctx: CompressContext) -> str:
    """The text of `pieces`: kept text as is, each omission as a marker in place (the core quoted it)."""
    out: list[str] = []
    for piece in pieces:
        if piece.omitted:
            out.append(piece_marker(piece, ctx))
        else:
            out.append(piece.text)
    return "".join(out)


def _marker_tokens(text: str, ctx: CompressContext) -> int:
    """What a marker for this text costs at most: the largest line number it could name."""
    n = max(text.count("\n") + 1, 1)
    return ctx.tokens(ctx.marker(max(n, 999), "items", (n, n)))


class JsonCompressor(Compressor):
    name = "json"
    description = (
        "JSON and JSON Lines: odd, matching and sample records kept verbatim, shared fields said once, "
        "long strings cut after their start"
    )

    def compress(self, text: str, ctx: CompressContext) -> str:
        cost = _marker_tokens(text, ctx)
        level = 0
        while True:
            plan = compress_json(
                text,
                query=ctx.query,
                budget=ctx.budget,
                encoding=ctx.encoding,
                marker_tokens=cost,
                min_level=level,
            )
            if plan.mode == "not-json":
                from compressors._registry import get_compressor

                return get_compressor("fallback").compress(text, ctx)
            out = render_json_pieces(plan.pieces, ctx)
            if ctx.budget is None or ctx.tokens(out) <= ctx.budget:
                return out
            if plan.level >= JSON_MAX_LEVEL:
                # A small document that has no list left to thin out: cut its lines instead.
                return fit_budget(text, ctx.budget, ctx, out)
            # Counted with estimated markers the core undershot: ask for the next level down.
            level = plan.level + 1
