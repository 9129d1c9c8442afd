"""Inputs with more lines than the other compressors can keep facts about, in memory bounded by what is kept.

Every other compressor keeps a few dozen bytes per line (a Python object per
line, or a kind, template, cost and priority per line in the Rust core); on
the largest inputs (64 MB of two-byte lines is 32 million lines) that is
gigabytes. Past `BOUNDED_FROM_LINES` lines the pipeline hands the input to
this one whatever its type: one pass in the Rust core (`rustcore/src/bounded.rs`)
keeping the head, the tail and the lines the query names, exact repeats shown
once, every gap one marker. A document that long is not read for its
structure anyway.
"""

from __future__ import annotations

from compressors._base import CompressContext, Compressor
from compressors._pieces import DefaultBudget, run_pieces
from rustcore._lines import compress_bounded

__all__ = ["BOUNDED_FROM_LINES", "BoundedCompressor"]

# Past a million lines per-line facts outgrow the memory bound (4x the input + 150 MB) on short lines.
BOUNDED_FROM_LINES = 1 << 20
# As the fallback's: it knows as little about its input.
_DEFAULT = DefaultBudget(share=0.3, floor=1500, ceiling=12_000)


class BoundedCompressor(Compressor):
    """The first and last lines and the lines the query names, in one pass, memory bounded by what is kept."""

    name = "bounded"
    description = "inputs of over a million lines: head, tail and query matches, repeats once, in bounded memory"

    def compress(self, text: str, ctx: CompressContext) -> str:
        return run_pieces(compress_bounded, text, ctx, _DEFAULT)
