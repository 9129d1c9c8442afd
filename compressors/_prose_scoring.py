"""How much each sentence of prose is worth keeping: signals that each score a list of sentences.

A signal is any function ``(sentences, query) -> scores`` with scores in
[0, 1], one per sentence; `score_sentences` blends a weighted set of them.
Lexical relevance (BM25, as the store ranks lines) and information density are
built in; the prose selector computes those two in the Rust core without
calling these functions, and calls any other signal in the tuple it is given
(a neural one, say) with the sentences.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ccr._retrieval import rank
from rustcore import _prose as core

__all__ = [
    "DEFAULT_SIGNALS",
    "Signal",
    "density",
    "relevance",
    "score_sentences",
    "sentence_spans",
]

Signal = Callable[[Sequence[str], "str | None"], list[float]]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text` (a paragraph, line breaks allowed inside).

    A sentence ends at ``.``, ``!`` or ``?`` (with closing quotes or brackets)
    before white space and a likely opener: a capital or a digit, maybe after a
    quote or bracket. A sentence under three characters joins the next.
    """
    return core.sentence_spans(text)


def relevance(sentences: Sequence[str], query: str | None) -> list[float]:
    """BM25 of each sentence against `query`, scaled so the best scores 1.0 (all zero without a query)."""
    if not query or not sentences:
        return [0.0] * len(sentences)
    scores = rank(sentences, query)
    top = max(scores, default=0.0)
    return [s / top for s in scores] if top > 0 else [0.0] * len(sentences)


def density(sentences: Sequence[str], query: str | None) -> list[float]:
    """How much a sentence says per word: distinct content words, numbers and names, against its length."""
    del query
    return core.sentence_density(sentences)


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
