"""grep/ripgrep results: the matches the query points at, per-file markers for the rest."""

from __future__ import annotations

from compressors._base import CompressContext, Compressor
from compressors._pieces import DefaultBudget, run_pieces
from rustcore._lines import compress_search

__all__ = ["SearchCompressor"]

# As for logs, the floor is only what a few lines and their markers cost: the core gives the definitions asked
# about (or of the word searched for) room beyond the share, so a short search is cut like a long one.
_DEFAULT = DefaultBudget(share=0.25, floor=150, ceiling=10_000)


class SearchCompressor(Compressor):
    """Keeps definitions of the names the query asks about (or of the word every result holds),
    the best-matching results and every line that is not a result; a text many results repeat
    shows once; marks what each file lost. Without a query, also the first results of every file."""

    name = "search"
    description = "grep/ripgrep results: query-relevant matches first, grouped by file, omissions marked per file"

    def compress(self, text: str, ctx: CompressContext) -> str:
        return run_pieces(compress_search, text, ctx, _DEFAULT)
