"""Running a Rust line compressor: choosing its budget, and turning its pieces into text with markers.

The core returns kept text and omissions; only this layer knows the handle,
so only it writes markers (through `ctx.marker`). When the caller gave a
budget, the rendered text is measured exactly and the core is asked again
with less room if per-line counting undershot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import rustcore
from compressors._base import CompressContext
from rustcore._lines import Piece

__all__ = ["DefaultBudget", "piece_marker", "render", "run_pieces"]

NativeCompressor = Callable[..., list[Piece]]

# Rounds of asking the core again when the exact count of the output overshoots the budget (with margins of
# 8, 32 and 128 tokens past the overshoot: none of 481 budgets over five real outputs fell to one marker; with
# three rounds and 8 each, 10 did).
_RETRIES = 4
# How much of a large input the default budget estimates first, and what cutting it may cost.
_PREFIX_CHARS = 256 * 1024
_CUT_SLACK = 8


@dataclass(frozen=True, slots=True)
class DefaultBudget:
    """How much output a compressor allows itself when the caller set no budget.

    Rules decide what is worth keeping; this only stops a pathological input
    (thousands of distinct errors) from producing a "compressed" text nearly as
    long as the original: a `share` of the input's estimated tokens, clamped.
    """

    share: float
    floor: int
    ceiling: int
    # The floor when a query is given, where that needs less room than the structure does without one.
    asked_floor: int | None = None

    def for_text(self, text: str, *, asked: bool = False) -> int:
        if len(text) > _PREFIX_CHARS:
            # A large input's ceiling is usually settled by its start: estimating that is
            # enough (the estimate of the whole is at least that of a prefix, give or take
            # the run the cut splits) and skips a pass over megabytes.
            cut = text.rfind("\n", 0, _PREFIX_CHARS) + 1 or _PREFIX_CHARS
            prefix = rustcore.estimate_tokens(text[:cut]) - _CUT_SLACK
            if int(prefix * self.share) >= self.ceiling:
                return self.ceiling
        estimate = rustcore.estimate_tokens(text)
        floor = self.asked_floor if asked and self.asked_floor is not None else self.floor
        return max(floor, min(self.ceiling, int(estimate * self.share)))


def _eol(text: str) -> str:
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def render(pieces: Sequence[Piece], ctx: CompressContext, eol: str = "\n") -> str:
    """The text of `pieces`: kept text as is, each omission as a marker on its own line.

    A `chars` omission shortens a kept line, so its marker stays inline.
    """
    out: list[str] = []
    for piece in pieces:
        if not piece.omitted:
            out.append(piece.text)
            continue
        marker = piece_marker(piece, ctx)
        out.append(marker if piece.unit == "chars" else marker + eol)
    return "".join(out)


def piece_marker(piece: Piece, ctx: CompressContext) -> str:
    """The marker for an omission the core returned, with the selector it carries."""
    lines = (piece.start, piece.end) if piece.start else None
    return ctx.marker(piece.count, piece.unit, lines, span=piece.bytes, template=piece.template)


def marker_tokens(text: str, ctx: CompressContext) -> int:
    """What the widest marker this text could need costs, with its line end."""
    n = max(text.count("\n") + 1, 1)
    return ctx.tokens(ctx.marker(n, "matches", (n, n)) + "\n")


def run_pieces(native: NativeCompressor, text: str, ctx: CompressContext, default: DefaultBudget) -> str:
    """Run `native` on `text` within the caller's budget (or `default`), and render the result."""
    budget = ctx.budget if ctx.budget is not None else default.for_text(text, asked=bool(ctx.query))
    cost = marker_tokens(text, ctx)
    eol = _eol(text)
    out = text
    for attempt in range(_RETRIES):
        pieces = native(
            text,
            query=ctx.query,
            budget=budget,
            encoding=ctx.encoding,
            marker_tokens=cost,
            exact=ctx.budget is not None,
        )
        out = render(pieces, ctx, eol)
        if ctx.budget is None:
            return out
        used = ctx.tokens(out)
        if used <= ctx.budget:
            return out
        # Per-line counts undershoot where tokens merge across line ends: ask again with less room, and with a
        # margin that grows, since a plan a few tokens over may not change for a few tokens less (a search of
        # 757 matches at 10,000 came back 2 over twice, then fell to one marker for everything).
        budget = max(0, budget - (used - ctx.budget) - 8 * 4**attempt)
    if ctx.budget is None or ctx.tokens(out) <= ctx.budget:
        return out
    # Even the leanest plan (e.g. its summary footer) overshoots a tiny budget: one marker stands for it all.
    n = text.count("\n") + (0 if text.endswith("\n") else 1)
    return ctx.marker(max(n, 1), "lines", (1, max(n, 1))) + eol
