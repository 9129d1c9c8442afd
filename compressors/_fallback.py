"""For content no other compressor understands: drop repeated lines, keep the head and the tail."""

from __future__ import annotations

from compressors._base import CompressContext, Compressor
from compressors._pieces import DefaultBudget, run_pieces
from rustcore._lines import compress_fallback

__all__ = ["FallbackCompressor"]

# The fallback knows least about its input, so it keeps the largest share of it.
_DEFAULT = DefaultBudget(share=0.3, floor=1500, ceiling=12_000)


class FallbackCompressor(Compressor):
    """Keeps the lines the query mentions, the first 60 and the last 30 lines; exact repeats of a
    line already shown are dropped; every gap is one marker with its line range."""

    name = "fallback"
    description = "line dedup, then the first and last lines with a marker for the middle"

    def compress(self, text: str, ctx: CompressContext) -> str:
        return run_pieces(compress_fallback, text, ctx, _DEFAULT)
