"""Hybrid ranking in ccr._retrieval: how vector similarity is spread over lines and blended with BM25."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ccr._retrieval import (
    SEMANTIC_FLOOR,
    SEMANTIC_MARGIN,
    SEMANTIC_ONLY,
    SEMANTIC_WEIGHT,
    blend,
    line_similarities,
    semantic_strengths,
)

scores = st.lists(st.floats(min_value=0.0, max_value=50.0, allow_nan=False), min_size=1, max_size=40)
similarity = st.one_of(st.none(), st.floats(min_value=-1.0, max_value=1.0, allow_nan=False))


def order(values: list[float]) -> list[int]:
    return sorted(range(len(values)), key=lambda i: (-values[i], i))


@given(scores)
def test_without_semantic_matches_the_lexical_order_is_kept(lexical: list[float]) -> None:
    blended = blend(lexical, [None] * len(lexical))
    top = max(lexical)
    assert blended == ([s / top for s in lexical] if top > 0 else [0.0] * len(lexical))


@given(st.data())
def test_a_semantic_match_never_lowers_a_score(data: st.DataObject) -> None:
    lexical = data.draw(scores)
    sims = data.draw(st.lists(similarity, min_size=len(lexical), max_size=len(lexical)))
    top = max(lexical)
    for value, base in zip(blend(lexical, sims), lexical, strict=True):
        assert value >= (base / top if top > 0 else 0.0) - 1e-12


@given(st.lists(similarity, min_size=1, max_size=40))
def test_strengths_are_between_0_and_1_with_the_best_match_at_1(sims: list[float | None]) -> None:
    strengths = semantic_strengths(sims)
    assert all(0.0 <= s <= 1.0 for s in strengths)
    present = [s for s in sims if s is not None]
    if present and max(present) >= SEMANTIC_FLOOR:
        assert strengths[sims.index(max(present))] == 1.0
    for s, strength in zip(sims, strengths, strict=True):
        if s is None or s < SEMANTIC_FLOOR or (present and s < max(present) - SEMANTIC_MARGIN):
            assert strength == 0.0


def test_a_line_with_the_words_and_the_meaning_ranks_first_then_the_words_then_the_meaning_alone() -> None:
    lexical = [0.0, 3.0, 3.0, 0.0]
    sims = [0.6, 0.6, None, None]
    blended = blend(lexical, sims)
    assert order(blended) == [1, 2, 0, 3]
    assert blended[1] == 1.0 + SEMANTIC_WEIGHT
    assert blended[0] == SEMANTIC_ONLY


def test_when_no_word_matches_the_meaning_alone_orders_the_lines() -> None:
    blended = blend([0.0, 0.0, 0.0], [0.2, 0.5, 0.45])
    assert order(blended)[:2] == [1, 2]
    assert blended[1] == 1.0
    assert blended[0] == 0.0  # more than the margin below the best


def test_similarities_far_below_the_floor_count_for_nothing() -> None:
    assert blend([0.0, 0.0], [0.05, 0.1]) == [0.0, 0.0]


def test_chunk_similarities_are_spread_over_the_lines_they_cover_taking_the_best() -> None:
    spans = [(1, 1), (2, 2), (3, 5), (6, 6), (7, 7)]
    hits = [(2, 4, 0.3), (4, 6, 0.5), (1, 1, -0.2)]
    assert line_similarities(spans, hits) == [-0.2, 0.3, 0.5, 0.5, None]
