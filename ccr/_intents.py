"""What a question asks beyond its words: the extremes of a listing, the newest lines of a log, definitions.

"Which file takes the most disk space?" and "What are the newest entries?" name nothing the
answer's lines hold, so word ranking cannot find them. A superlative ranks the rows of a listing's
size column (read by the listing compressor's own reader, `rustcore.listing_extremes`) in the order
asked, among all rows and among the leaves (files, not the folder totals that outweigh them),
within the paths the question names; a question for the newest ranks the last lines of the text; one asking
where something is defined ranks the lines defining it (`ccr._hybrid.definition_pattern`, what search uses)
above its mere uses.
Both are raised above every word match, so they are shown first with their structure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import rustcore
from ccr._hybrid import definition_pattern, identifiers

__all__ = ["EXTREME_ROWS", "RECENT_LINES", "intent_scores"]

# Rows of the size column ranked in for a superlative, among all rows and again among the leaves.
EXTREME_ROWS = 12
# The last lines ranked in for a question about the newest entries.
RECENT_LINES = 30
# Past this size the listing is not read a second time for its extremes.
MAX_INTENT_CHARS = 32 << 20
_DEFINED = re.compile(r"\b(?:defin(?:ed|es|ition)|declared?|implemented)\b", re.IGNORECASE)
_RECENT = re.compile(r"\b(?:newest|latest|most recent|recent(?:ly)?)\b", re.IGNORECASE)


def intent_scores(text: str, lines: Sequence[str], query: str, scores: Sequence[float]) -> list[float]:
    """`scores` (one per line) with the rows a superlative asks for, or the newest lines, raised above the
    best word match: the most extreme or newest first."""
    out = list(scores)
    if len(text) > MAX_INTENT_CHARS or len(out) != len(lines):
        return out
    base = max(max(out, default=0.0), 1.0)
    extremes = rustcore.listing_extremes(text, query)
    if extremes:
        names = [n for n in identifiers(query) if "/" in n or "." in n]
        rows = [(i, leaf) for i, _, leaf in extremes if all(n in lines[i].lower() for n in names)]
        picked = [i for i, _ in rows[:EXTREME_ROWS]]
        picked += [i for i, leaf in rows if leaf][:EXTREME_ROWS]
        for rank, i in enumerate(dict.fromkeys(picked)):
            out[i] = max(out[i], base * (2.0 - rank / (2 * EXTREME_ROWS)))
    if _DEFINED.search(query) and (pattern := definition_pattern(query)) is not None:
        # "Where is X defined?": every line defining X (grep output lists usages beside them) first.
        for i, line in enumerate(lines):
            if out[i] > 0 and pattern.search(line):
                out[i] = max(out[i], base * 1.5)
    if _RECENT.search(query):
        tail = [i for i in range(len(lines) - 1, -1, -1) if lines[i].strip()][:RECENT_LINES]
        for rank, i in enumerate(tail):
            out[i] = max(out[i], base * (2.0 - rank / RECENT_LINES))
    return out
