"""Lexical ranking of chunks against a query: identifier-aware terms scored with BM25.

The interface is deliberately small, `rank(chunks, query) -> scores` (BM25, run
in the Rust core). Meaning takes part only in a search across originals, which
fuses rankings (`ccr._hybrid`).

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
