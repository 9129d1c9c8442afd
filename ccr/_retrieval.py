"""Lexical ranking of chunks against a query: identifier-aware terms scored with BM25.

The interface is deliberately small, `rank(chunks, query) -> scores` (BM25, run
in the Rust core); where the semantic index has vectors, `line_similarities`
spreads the nearest chunks' cosine similarities over the ranked pieces and
`blend` mixes the two, so excerpts and searches are built the same way whichever
signals exist.

Terms: text is cut into words (runs of letters and digits, joined across
``. _ : / -`` so ``Session.get``, ``0.26.0`` and ``src/flask/app.py`` stay
whole); every word also yields its parts, split on those joiners and on
camelCase, so ``getUserName`` matches ``user``. Parts are lowercased and lightly
stemmed (``classes``/``class``, ``failed``/``fails``/``fail``); numbers are kept.
`terms` here is what the store's full-text index holds; the Rust ranker cuts text
the same way (`rustcore.index_terms`), except that it keeps combining vowel signs
inside words where Python's regex engine breaks them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import rustcore

__all__ = [
    "EXACT_CANDIDATES",
    "SEARCH_SEMANTIC_WEIGHT",
    "SEMANTIC_FLOOR",
    "SEMANTIC_MARGIN",
    "SEMANTIC_ONLY",
    "SEMANTIC_WEIGHT",
    "STOPWORDS",
    "blend",
    "line_similarities",
    "query_phrases",
    "query_terms",
    "rank",
    "terms",
]

# Past this many candidate chunks, term frequencies are counted as substrings (see `rank`).
EXACT_CANDIDATES = rustcore.RANK_EXACT_CANDIDATES

_WORD = re.compile(r"[^\W_]+(?:[._:/\-]+[^\W_]+)*")
_PIECE = re.compile(r"[^\W_]+")
# A quote opens after a space or bracket and closes before one, so "Gson's" and "don't" are not quotes.
_QUOTED = re.compile(r"(?:^|(?<=[\s(\[]))([`'\"])(.{2,120}?)\1(?=$|[\s).,;:?!\]])")
# camelCase parts: split where case changes (HTTPServer, getUserName), never between letters and digits
# (utf8, Base64, a hex digest stay whole).
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z0-9]+(?![a-z])|[^\W_]+")
# A query word like a commit or content hash: matched as a substring, since it is often abbreviated.
_HEXLIKE = re.compile(r"(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,64}")

# Function words that carry no topic; dropped from queries only, so chunk lengths stay honest.
_STOPWORD_TEXT = """
    a about above after again all also am an and any are as at be been before being below between both but by
    can could did do does doing done down during e each eg etc few for from further got had has have having he
    her here hers him his how i ie if in into is it its itself just let me more most my no nor now of off on once
    only or other our ours out over own please same she should show so some such tell than that the their theirs
    them then there these they this those through to too under until up us very was we were what whatever when where
    which while who whom whose why will with within would you your yours list give find see look shown
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def _stem(word: str) -> str:
    """A light suffix stripper: enough to make plural, past and -ing forms meet, no dictionary."""
    if len(word) < 4 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "shes", "ches", "xes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed", "ure"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The index terms of `text`, in order: whole compound words and their stemmed parts."""
    out: list[str] = []
    for m in _WORD.finditer(text):
        out.extend(_word_terms(m.group()))
    return out


@functools.lru_cache(maxsize=1 << 16)
def _word_terms(word: str) -> tuple[str, ...]:
    # Memoised: logs and code repeat the same words on line after line.
    out: list[str] = []
    pieces = _PIECE.findall(word)
    if len(pieces) > 1:
        out.append(word.lower())
    for piece in pieces:
        parts = _CAMEL.findall(piece)
        if len(parts) > 1:
            out.append(piece.lower())
        out.extend(_stem(p.lower()) for p in parts)
    return tuple(out)


def query_phrases(query: str) -> list[str]:
    """Parts of `query` matched as substrings, lowercased: quoted or backticked text (``'not ok'``,
    `` `Session.get` ``) and hash-like words (``53b8f08218``, often a prefix of the full hash)."""
    seen: dict[str, None] = {}
    for m in _QUOTED.finditer(query):
        phrase = m.group(2).strip().lower()
        if len(phrase) >= 2:
            seen.setdefault(phrase, None)
    for word in _WORD.findall(query):
        if _HEXLIKE.fullmatch(word.lower()):
            seen.setdefault(word.lower(), None)
    return list(seen)


def query_terms(query: str) -> list[str]:
    """The distinct terms of `query` worth looking for, in first-seen order (stopwords dropped)."""
    seen: dict[str, None] = {}
    for term in terms(query):
        # A lone letter is a fragment of a split word ("CPython" gives "c"), not something asked about.
        if term not in STOPWORDS and term not in seen and (len(term) > 1 or term.isdigit()):
            seen[term] = None
    if not seen:
        # A query made only of function words ("what is this") still deserves some signal.
        for term in terms(query):
            seen.setdefault(term, None)
    return list(seen)


def rank(chunks: Sequence[str], query: str) -> list[float]:
    """BM25 (k1 1.2, b 0.3) score of each chunk for `query`, in chunk order; 0.0 where a chunk shares
    nothing with it.

    Runs in the Rust core (`rustcore.rank_chunks`) over the same terms as `terms` and `query_terms`
    (a test keeps the two in step): query words are matched as terms, quoted or backticked phrases
    and hash-like words as case-insensitive substrings weighing twice a word. Length normalisation
    uses characters, so only chunks that can match (they hold a query word or phrase as a substring)
    are looked at closely. When more than `EXACT_CANDIDATES` chunks can match (a common word in a
    huge log), word frequencies too are counted as substring occurrences.
    """
    return rustcore.rank_chunks(chunks, query, EXACT_CANDIDATES)


# --- hybrid ranking: lexical scores blended with the semantic index's cosine similarities ----------------------

# A semantic match adds up to this share of the best lexical score: a line holding the query's words and lying in
# a chunk that means what the query asks ranks first, then either alone; the words still decide among the rest.
SEMANTIC_WEIGHT = 0.6
# Across originals (whole chunks against whole chunks, where BM25 already weighs the same unit) meaning counts less:
# on the dev corpus 0.3 kept search's top-1 at the lexical level, 0.6 lost two samples.
SEARCH_SEMANTIC_WEIGHT = 0.3
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
