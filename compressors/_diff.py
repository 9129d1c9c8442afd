"""Unified diffs and `git log -p`: the hunks the query points at, headers kept, noise summarised."""

from __future__ import annotations

from compressors._base import CompressContext, Compressor
from compressors._pieces import DefaultBudget, run_pieces
from rustcore._lines import compress_diff

__all__ = ["DiffCompressor"]

_DEFAULT = DefaultBudget(share=0.2, floor=1500, ceiling=10_000)


class DiffCompressor(Compressor):
    """Keeps commit headers (hash, author, date, subject) and file headers; shows the hunks the
    query points at whole, with long runs of unchanged context trimmed; without a query, the
    first changed lines of every hunk. Lock files, generated files, whitespace-only hunks and
    huge deletions are summarised by markers."""

    name = "diff"
    description = "diffs and git log -p: relevant hunks whole, commit and file headers kept, noise summarised"

    def compress(self, text: str, ctx: CompressContext) -> str:
        return run_pieces(compress_diff, text, ctx, _DEFAULT)
