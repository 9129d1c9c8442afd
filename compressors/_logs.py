"""Logs and build/test output: failures and anomalies kept verbatim, repeats collapsed into counted templates."""

from __future__ import annotations

from compressors._base import CompressContext, Compressor
from compressors._pieces import DefaultBudget, run_pieces
from rustcore._lines import compress_log

__all__ = ["LogCompressor"]

# Without a budget: a quarter of the input, never a novel. The floor is only what a few lines and
# their markers cost: a small output is cut like a large one, and the core gives its errors,
# failures, first warnings, closing lines and query matches room beyond this share
# (`rustcore/src/logs.rs`, `must_keep_extra`).
_DEFAULT = DefaultBudget(share=0.25, floor=150, ceiling=10_000)


class LogCompressor(Compressor):
    """Keeps final results, the failure digest, failing test ids and why they failed, exceptions,
    errors, query matches, warnings, the end of the output, rare lines and one line of every group
    of lines sharing a template; a repeated group collapses into one `template=T` marker that
    redeems all of its lines, and any other stretch left out into a `lines=A-B` marker."""

    name = "log"
    description = "logs and build/test output: errors, failures, anomalies and summaries kept, repeats counted"

    def compress(self, text: str, ctx: CompressContext) -> str:
        return run_pieces(compress_log, text, ctx, _DEFAULT)
