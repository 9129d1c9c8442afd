"""grep/ripgrep results: the matches the query points at, per-file markers for the rest."""

from __future__ import annotations

from compressors._base import CompressContext, Compressor
from compressors._pieces import DefaultBudget, run_pieces
from rustcore._lines import compress_search

__all__ = ["SearchCompressor"]

# Search results are what the agent asked for; a larger share survives than of a log.
_DEFAULT = DefaultBudget(share=0.25, floor=1500, ceiling=10_000)


class SearchCompressor(Compressor):
    """Keeps definitions of the names the query asks about, the best-matching results and
    every line that is not a result; marks what each file lost. Without a query, the
    first results of every file."""

    name = "search"
    description = "grep/ripgrep results: query-relevant matches first, grouped by file, omissions marked per file"

    def compress(self, text: str, ctx: CompressContext) -> str:
        return run_pieces(compress_search, text, ctx, _DEFAULT)
