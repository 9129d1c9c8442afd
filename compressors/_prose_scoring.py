"""How much each sentence of prose is worth keeping: signals that each score a list of sentences.

A signal is any function ``(sentences, query) -> scores`` with scores in
[0, 1], one per sentence; `score_sentences` blends a weighted set of them.
Lexical relevance (BM25 from the store's retrieval module) and information
density are built in; another scorer (a neural one, say) is one more entry in
the tuple passed as `signals`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = [
    "DEFAULT_SIGNALS",
    "Signal",
    "density",
    "relevance",
    "score_sentences",
    "sentence_spans",
    "shingles",
    "word_set",
]

Signal = Callable[[Sequence[str], "str | None"], list[float]]

_WORD = re.compile(r"[^\W_]+(?:[._'’-][^\W_]+)*")
_PUNCT = ".,;:!?()[]{}\"'`*_<>“”‘’"
# A sentence ends at . ! or ? (with closing quotes or brackets), before white space and a likely opener.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]*_`]*\s+(?=[\"'“‘(\[*_`]?[A-Z0-9])")
_FILLER = frozenset(
    """
    a an and are as at be been but by can could do does for from had has have he her his how i if in into is it
    its may might more most not of on or our she should so such than that the their them then there these they
    this those to was we were what when where which while who will with would you your also just very
    """.split()  # noqa: SIM905
)


def word_set(text: str) -> frozenset[str]:
    """The distinct lower-cased words of `text`."""
    return frozenset(w.lower() for w in _WORD.findall(text))


def shingles(text: str, size: int = 3) -> frozenset[tuple[str, ...]]:
    """Word `size`-grams of `text` (the words themselves for shorter texts), for near-duplicate checks."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < size:
        return frozenset((w,) for w in words)
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text` (a paragraph, line breaks allowed inside)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start()
        if end - start >= 3:
            spans.append((start, match.end()))
            start = match.end()
    if start < len(text):
        if spans and len(text) - start < 3:
            spans[-1] = (spans[-1][0], len(text))
        else:
            spans.append((start, len(text)))
    return spans


def relevance(sentences: Sequence[str], query: str | None) -> list[float]:
    """BM25 of each sentence against `query`, scaled so the best scores 1.0 (all zero without a query)."""
    if not query or not sentences:
        return [0.0] * len(sentences)
    from ccr._retrieval import rank

    scores = rank(sentences, query)
    top = max(scores, default=0.0)
    return [s / top for s in scores] if top > 0 else [0.0] * len(sentences)


def density(sentences: Sequence[str], query: str | None) -> list[float]:
    """How much a sentence says per word: distinct content words, numbers and names, against its length."""
    del query
    out: list[float] = []
    for sentence in sentences:
        words = sentence.split()
        count = len(words)
        if not count:
            out.append(0.0)
            continue
        content = {w.strip(_PUNCT).lower() for w in words} - _FILLER
        specific = sum(1 for w in words if w[:1].isupper() or not w.strip(_PUNCT).isalpha())
        score = (len(content) + 0.5 * specific) / (count + 4)
        # Very short fragments say less than their ratio suggests.
        if count < 5:
            score *= count / 5
        out.append(min(score, 1.0))
    return out


DEFAULT_SIGNALS: tuple[tuple[Signal, float], ...] = ((relevance, 1.0), (density, 0.15))


def score_sentences(
    sentences: Sequence[str],
    query: str | None,
    signals: Sequence[tuple[Signal, float]] = DEFAULT_SIGNALS,
) -> list[float]:
    """The weighted sum of `signals` for each sentence."""
    totals = [0.0] * len(sentences)
    for signal, weight in signals:
        for i, value in enumerate(signal(sentences, query)):
            totals[i] += weight * value
    return totals
