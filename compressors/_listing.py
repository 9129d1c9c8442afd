"""Listings and tables: headers, the rows asked about with their parents, extremes and a sample kept."""

from __future__ import annotations

from compressors._base import CompressContext, Compressor
from compressors._pieces import DefaultBudget, run_pieces
from rustcore._lines import compress_listing

__all__ = ["ListingCompressor"]

# A listing's rows are alike: a sample and the rows asked about say what a larger share would.
# A question names rows or keys: they, their parents and a sample fit in far less than the structure needs
# without one, so a small listing asked about is still cut to a share of itself.
_DEFAULT = DefaultBudget(share=0.2, floor=1000, ceiling=8000, asked_floor=200)


class ListingCompressor(Compressor):
    """`tree`, `npm ls`, `du`, `find`, `ls -lR`, `git log --stat`, column tables (`pip list`, `ps`, `df`) and
    CSV: keeps the header, the rows the query names with the lines above them in the hierarchy (a package's
    dependent, a file's directory), the largest values of size-like columns, and a breadth-first sample;
    every other run of rows is one marker, cut at the boundaries of top-level groups."""

    name = "listing"
    description = "tables and listings: header, the rows asked about with their parents, extremes, a sample"

    def compress(self, text: str, ctx: CompressContext) -> str:
        return run_pieces(compress_listing, text, ctx, _DEFAULT)
