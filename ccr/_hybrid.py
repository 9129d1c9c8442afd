"""Hybrid ranking: lexical and semantic rankings fused by rank, with exact identifier matches first.

Scores from BM25 and cosine similarities live on different scales that move
with the query, the corpus and the model, so they are not added: each ranking
contributes ``1 / (RRF_K + rank)`` for every item it ranks (reciprocal rank
fusion, Cormack, Clarke and Buettcher, SIGIR 2009). An item ranked well by
both beats one ranked first by either alone; an item only one ranking has
still gets that ranking's share.

A question that names something exactly (a dotted name, a path, a
``snake_case`` or ``camelCase`` word, a version, a hash, quoted text) is
answered by text that holds it: `identifiers` finds those names in a query and
`exact_counts` counts how many of them a text holds; rankers order by that
count first, so meaning reorders what holds the names and fills in after them.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

from ccr._retrieval import query_phrases, terms

__all__ = ["RRF_K", "exact_counts", "fuse_ranks", "identifiers"]

# The usual constant of reciprocal rank fusion: large enough that rank 1 and rank 3 differ by a little.
RRF_K = 60
# Query words as typed: runs of word characters and the joiners that make compound names.
_TYPED_WORD = re.compile(r"[\w./:\-]+")
_EDGE = "./:-"

K = TypeVar("K", bound=Hashable)


def fuse_ranks(rankings: Iterable[Sequence[K]], k: int = RRF_K) -> dict[K, float]:
    """Reciprocal rank fusion: each item's sum over `rankings` (best first) of ``1 / (k + rank)``."""
    fused: dict[K, float] = {}
    for ranking in rankings:
        for place, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + place)
    return fused


def identifiers(query: str) -> list[str]:
    """What `query` names exactly, lowercased, in order: words the term splitter cuts into several parts
    (``Session.get``, ``src/app.py``, ``tun_filter``, ``getUserName``, ``1.7.18``), quoted text and
    hash-like words."""
    found: dict[str, None] = {}
    for match in _TYPED_WORD.finditer(query):
        word = match.group().strip(_EDGE)
        parts = terms(word)
        # Abbreviations (e.g, i.e) split into lone letters only: they name nothing.
        if len(parts) > 1 and any(len(part) > 1 for part in parts[1:]):
            found.setdefault(word.lower(), None)
    for phrase in query_phrases(query):
        found.setdefault(phrase, None)
    return list(found)


def exact_counts(texts: Sequence[str], names: Sequence[str]) -> list[int]:
    """How many of `names` (lowercased, see `identifiers`) each text holds, ignoring case."""
    if not names:
        return [0] * len(texts)
    return [sum(1 for name in names if name in text.lower()) for text in texts]
