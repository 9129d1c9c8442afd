"""Lexical ranking of chunks against a query: identifier-aware terms scored with BM25.

The interface is deliberately small, `rank(chunks, query) -> scores` (BM25, run
in the Rust core); with semantic ranking on, `line_similarities` spreads the
similarities of windows around the best lines over the ranked pieces and
`blend` mixes the two into a query-scoped retrieval's ranking (a search across
originals fuses rankings instead: `ccr._hybrid`).

Terms come from the one term splitter, in the Rust core (`rustcore/src/terms.rs`;
the ranker, the line compressors and the JSON compressor cut text the same way):
text is cut into words (runs of letters and digits, joined across ``. _ : / -``
so ``Session.get``, ``0.26.0`` and ``src/flask/app.py`` stay whole); every word
also yields its parts, split on those joiners and on camelCase, so
``getUserName`` matches ``user``. Parts are lowercased and stemmed
(``classes``/``class``, ``failed``/``failure``/``fail``,
``configured``/``configuration``); numbers are kept. `terms` is what the store's
full-text index holds.
"""

from __future__ import annotations

from collections.abc import Sequence

import rustcore

__all__ = [
    "EXACT_CANDIDATES",
    "SEMANTIC_FLOOR",
    "SEMANTIC_MARGIN",
    "SEMANTIC_ONLY",
    "SEMANTIC_WEIGHT",
    "blend",
    "line_similarities",
    "query_phrases",
    "query_terms",
    "rank",
    "terms",
]

# Past this many candidate chunks, term frequencies are counted as substrings (see `rank`).
EXACT_CANDIDATES = rustcore.RANK_EXACT_CANDIDATES


def terms(text: str) -> list[str]:
    """The index terms of `text`, in order: whole compound words and their stemmed parts."""
    return rustcore.index_terms(text)


def query_phrases(query: str) -> list[str]:
    """Parts of `query` matched as substrings, lowercased: quoted or backticked text (``'not ok'``,
    `` `Session.get` ``) and hash-like words (``53b8f08218``, often a prefix of the full hash)."""
    return rustcore.query_parts(query)[1]


def query_terms(query: str) -> list[str]:
    """The distinct terms of `query` worth looking for, in first-seen order: stop words, lone letters
    and numbers that only part a compound (``13`` of ``13.7.0``) dropped; a query made only of
    function words keeps them all."""
    return rustcore.query_parts(query)[0]


def rank(chunks: Sequence[str], query: str) -> list[float]:
    """BM25 (k1 1.2, b 0.3) score of each chunk for `query`, in chunk order; 0.0 where a chunk shares
    nothing with it.

    Runs in the Rust core (`rustcore.rank_chunks`) over `terms` and `query_terms`: query words are
    matched as terms, quoted or backticked phrases and hash-like words as case-insensitive substrings
    weighing twice a word. Length normalisation uses characters, so only chunks that can match (they
    hold a query word or phrase as a substring) are looked at closely. When more than `EXACT_CANDIDATES`
    chunks can match (a common word in a huge log), word frequencies too are counted as substring
    occurrences.
    """
    return rustcore.rank_chunks(chunks, query, EXACT_CANDIDATES)


# --- hybrid ranking of one original: lexical scores blended with cosine similarities ------------------------

# A semantic match adds up to this share of the best lexical score: a line holding the query's words and lying in
# a chunk that means what the query asks ranks first, then either alone; the words still decide among the rest.
SEMANTIC_WEIGHT = 0.6
# Only chunks this close (cosine) to the best one count as semantic matches, and never one below the floor:
# all-MiniLM-L6-v2 gives unrelated texts about 0.0-0.1, and a chunk that mixes the answer with other things 0.2.
SEMANTIC_MARGIN = 0.12
SEMANTIC_FLOOR = 0.15
# What a semantic match without any of the query's words weighs, against 1 for the best lexical match.
SEMANTIC_ONLY = 0.15


def semantic_strengths(similarities: Sequence[float | None]) -> list[float]:
    """Each similarity as a strength in [0, 1]: 1 for the best, falling to 0 at `SEMANTIC_MARGIN` below it;
    0 below `SEMANTIC_FLOOR` and where there is none."""
    present = [s for s in similarities if s is not None]
    if not present:
        return [0.0] * len(similarities)
    top = max(present)
    bottom = max(top - SEMANTIC_MARGIN, SEMANTIC_FLOOR)
    out: list[float] = []
    for s in similarities:
        if s is None or s < bottom or top < SEMANTIC_FLOOR:
            out.append(0.0)
        else:
            out.append(1.0 if top == bottom else 0.25 + 0.75 * (s - bottom) / (top - bottom))
    return out


def blend(lexical: Sequence[float], similarities: Sequence[float | None], weight: float | None = None) -> list[float]:
    """Hybrid scores: lexical scores scaled so the best is 1, plus `weight` (default `SEMANTIC_WEIGHT`) times
    each semantic strength (see `semantic_strengths`).

    `similarities` are cosine similarities to the query (None: no vector for that piece). A piece with
    no lexical match weighs `SEMANTIC_ONLY` of its strength, so it ranks after the good lexical matches:
    meaning reorders what the words found and fills in after them, and decides alone when the words find
    nothing.
    """
    weight = SEMANTIC_WEIGHT if weight is None else weight
    top = max(lexical, default=0.0)
    strengths = semantic_strengths(similarities)
    out: list[float] = []
    for lex, sem in zip(lexical, strengths, strict=True):
        if lex > 0:
            out.append(lex / top + weight * sem)
        else:
            out.append((SEMANTIC_ONLY if top > 0 else 1.0) * sem)
    return out


def line_similarities(spans: Sequence[tuple[int, int]], hits: Sequence[tuple[int, int, float]]) -> list[float | None]:
    """For each piece spanning lines ``spans[i]`` (1-based, inclusive), the best similarity among `hits`
    (``(start_line, end_line, similarity)`` of indexed chunks) whose lines overlap it; None where none does."""
    best: dict[int, float] = {}
    for start, end, similarity in hits:
        for line in range(start, end + 1):
            if similarity > best.get(line, -2.0):
                best[line] = similarity
    out: list[float | None] = []
    for first, last in spans:
        values = [best[n] for n in range(first, last + 1) if n in best]
        out.append(max(values) if values else None)
    return out
