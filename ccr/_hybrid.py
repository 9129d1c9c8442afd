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

from ccr._retrieval import query_phrases, query_terms, terms

__all__ = ["PARTS_IN_ONE_LINE", "RRF_K", "definition_pattern", "exact_counts", "fuse_ranks", "identifiers"]

# The usual constant of reciprocal rank fusion: large enough that rank 1 and rank 3 differ by a little.
RRF_K = 60
# What a name counts in a text that holds its parts in one line but not the name as written.
PARTS_IN_ONE_LINE = 0.5
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# A definition keyword of a common language, then a Go receiver or a pointer mark, then the name defined.
_DEFINES = (
    r"\b(?:class|def|func|fn|struct|interface|type|function|trait|enum|module|object|record|protocol|impl|const|let"
    r"|var|val|fun)\s+(?:\([^)]*\)\s*)?[*&]?"
)
_NAME = re.compile(r"[A-Za-z_$][\w$]+")
# A code: a few letters then digits, as a diagnostic, a rule or an encoding is named (F401, E0425, SC2086, sha256).
_CODE = re.compile(r"[A-Za-z]{1,4}[0-9]+[A-Za-z0-9]*")
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
    (``Session.get``, ``src/app.py``, ``tun_filter``, ``getUserName``, ``1.7.18``), codes (letters then
    digits: ``F401``, ``E0425``), quoted text and hash-like words."""
    found: dict[str, None] = {}
    for match in _TYPED_WORD.finditer(query):
        word = match.group().strip(_EDGE)
        parts = terms(word)
        # Abbreviations (e.g, i.e) split into lone letters only: they name nothing.
        if (len(parts) > 1 and any(len(part) > 1 for part in parts[1:])) or _CODE.fullmatch(word):
            found.setdefault(word.lower(), None)
    for phrase in query_phrases(query):
        found.setdefault(phrase, None)
    return list(found)


def definition_pattern(query: str) -> re.Pattern[str] | None:
    """A pattern for lines that define something `query` names (``class Extension``, ``def get``,
    ``func (c *Context) Render``): a definition keyword, then one of the query's words as typed (case counts),
    the last part of its dotted names included; None when the query names nothing (only stopwords)."""
    wanted = set(query_terms(query))  # no stopwords
    words: dict[str, None] = {}
    for match in _TYPED_WORD.finditer(query):
        word = match.group().strip(_EDGE)
        for part in (word, word.rsplit(".", 1)[-1]):
            if _NAME.fullmatch(part) and wanted.intersection(terms(part)):
                words.setdefault(part, None)
    if not words:
        return None
    return re.compile(_DEFINES + "(" + "|".join(map(re.escape, words)) + r")\b")


def exact_counts(texts: Sequence[str], names: Sequence[str]) -> list[float]:
    """How many of `names` (lowercased, see `identifiers`) each text holds, ignoring case: 1 for each name held
    as written, `PARTS_IN_ONE_LINE` for one whose parts all lie in one line of the text instead (a dotted name
    where it is defined: ``Context.Render`` as ``func (c *Context) Render``, ``Session.get`` under ``class
    Session``'s ``def get`` does not count)."""
    if not names:
        return [0.0] * len(texts)
    parts = {name: [p for p in _NOT_ALNUM.split(name) if p] for name in names}
    out = []
    for text in texts:
        low = text.lower()
        count = 0.0
        for name in names:
            if name in low:
                count += 1
            elif (
                len(parts[name]) > 1
                and all(p in low for p in parts[name])
                and any(all(p in line for p in parts[name]) for line in low.splitlines())
            ):
                count += PARTS_IN_ONE_LINE
        out.append(count)
    return out
