"""Logs and build/test output: failures and anomalies kept verbatim, repeats collapsed into counted templates."""

from __future__ import annotations

import rustcore
from compressors._base import CompressContext, Compressor
from compressors._pieces import DefaultBudget, run_pieces

__all__ = ["LogCompressor"]

# Without a budget: at most a fifth of the input, never less than a screenful, never a novel.
_DEFAULT = DefaultBudget(share=0.25, floor=1500, ceiling=10_000)


class LogCompressor(Compressor):
    """Keeps final results, failing test ids, exceptions, errors, query matches, warnings,
    rare templates and one line of every template; collapses the rest into markers and a
    footer that counts the most repeated templates."""

    name = "log"
    description = "logs and build/test output: errors, failures, anomalies and summaries kept, repeats counted"

    def compress(self, text: str, ctx: CompressContext) -> str:
        return run_pieces(rustcore.compress_log, text, ctx, _DEFAULT)
