"""Python face of the lexical ranker and the prose selector in the Rust core.

`rank_chunks` scores chunks against a query with BM25 over identifier-aware terms
(`index_terms`, `query_parts`). The prose functions work on a text's lines
(a whole text, split here as the store numbers lines, or its lines each with
or without its line ending): its blocks and sections
(`prose_blocks`), the documentation entries a question names (`named_entries`), the texts
sentence signals score (`prose_texts`), the lines
to keep within a token target (`prose_select`) and the runs left out that
become markers (`prose_gaps`). Lines are 0-based.

Text crosses into Rust as UTF-8; lone surrogates (which a decoded file never
holds) are replaced first, one character for one, so positions still hold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from rustcore import _native
from rustcore._text import replace_surrogates, with_text, with_texts

__all__ = [
    "RANK_EXACT_CANDIDATES",
    "ProseBlock",
    "ProseGap",
    "ProseSection",
    "index_terms",
    "named_entries",
    "prose_blocks",
    "prose_gaps",
    "prose_select",
    "prose_texts",
    "query_parts",
    "rank_chunks",
    "sentence_density",
    "sentence_spans",
]

_T = TypeVar("_T")

# Past this many chunks that can match, term frequencies are counted as substring occurrences.
RANK_EXACT_CANDIDATES = 20_000

# The records the core makes (frozen; see `rustcore/src/py/records.rs`): a block of lines of one
# kind, a section a heading opens, a run of lines left out as one marker.
ProseBlock = _native.ProseBlock
ProseSection = _native.ProseSection
ProseGap = _native.ProseGap


def rank_chunks(chunks: Sequence[str], query: str, exact_candidates: int = RANK_EXACT_CANDIDATES) -> list[float]:
    """BM25 score of each chunk for `query`, in chunk order; 0.0 where a chunk shares nothing with it."""
    query = replace_surrogates(query)
    return with_texts(lambda texts: _native.rank_chunks(texts, query, max(exact_candidates, 0)), chunks)


def index_terms(text: str) -> list[str]:
    """The terms `rank_chunks` sees in `text`, in order: whole compound words and their stemmed parts."""
    return with_text(_native.index_terms, text)


def query_parts(query: str) -> tuple[list[str], list[str]]:
    """What `rank_chunks` looks for in `query`: its distinct terms (stopwords dropped) and its phrases."""
    return with_text(_native.query_parts, query)


def _with_lines(call: Callable[[str | Sequence[str]], _T], lines: str | Sequence[str]) -> _T:
    """`call` on a whole text (the core splits it into the store's lines) or on lines with their endings."""
    if isinstance(lines, str):
        return with_text(call, lines)
    return with_texts(call, lines)


def prose_blocks(lines: str | Sequence[str]) -> tuple[list[ProseBlock], list[ProseSection]]:
    """The blocks of a text (whole, or its lines with their endings) and the sections its headings open."""
    return _with_lines(_native.prose_blocks, lines)


def prose_texts(lines: str | Sequence[str]) -> list[str]:
    """What sentence signals score for `prose_select`: each unit's text, then each section's path."""
    return _with_lines(_native.prose_texts, lines)


def prose_select(
    lines: str | Sequence[str],
    query: str | None,
    target: int | None,
    *,
    exact: bool,
    encoding: str,
    marker_tokens: int,
    signals: Sequence[tuple[str, float, Sequence[float] | None]],
    fence_costs: Mapping[int, int] | None = None,
) -> tuple[list[bool], list[int]]:
    """The lines to keep (flags) and the heading lines (always kept).

    `target` is in tokens (None: a share of the input's); `exact` counts each
    line's tokens rather than estimating them; `marker_tokens` is what one more
    marker line costs. `signals` are ``(name, weight, values)``: ``"relevance"``
    and ``"density"`` are built in, ``"values"`` brings one value per
    `prose_texts` entry. `fence_costs` maps a fenced block's first line to what
    keeping it costs when that is not its size.

    Raises:
        ValueError: an unknown signal, values of the wrong length, or an unknown encoding.
    """
    plan = [(name, weight, None if values is None else list(values)) for name, weight, values in signals]
    costs = sorted((fence_costs or {}).items())
    query = None if query is None else replace_surrogates(query)
    bound = None if target is None else max(target, 0)
    return _with_lines(
        lambda texts: _native.prose_select(texts, query, bound, exact, encoding, marker_tokens, plan, costs), lines
    )


def prose_gaps(
    lines: str | Sequence[str], kept: Sequence[bool], headings: Sequence[int], marker_tokens: int, encoding: str
) -> list[ProseGap]:
    """The runs of lines not `kept` that become markers: `first`..`last`, with the lines inside `shown`.

    Blank lines go with their run, runs cheaper than `marker_tokens` are shown instead, and runs
    separated only by `headings` and blank lines share one marker with those lines shown under it.
    """
    flags = list(kept)
    marks = list(headings)
    return _with_lines(lambda texts: _native.prose_gaps(texts, flags, marks, marker_tokens, encoding), lines)


def named_entries(lines: str | Sequence[str], query: str) -> list[tuple[int, int]]:
    """The documentation entries `query` names (an option it spells, a function or `Class.method`, a stanza
    whose value it quotes), each as the 0-based span of its head line and description."""
    query = replace_surrogates(query)
    return [(int(a), int(b)) for a, b in _with_lines(lambda texts: _native.named_entries(texts, query), lines)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text` (a paragraph, line breaks allowed inside)."""
    return with_text(_native.sentence_spans, text)


def sentence_density(sentences: Sequence[str]) -> list[float]:
    """How much each sentence says per word, from 0 to 1: distinct content words, numbers and names."""
    return with_texts(_native.sentence_density, sentences)
