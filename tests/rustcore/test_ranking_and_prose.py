"""The Python face of the Rust ranker and prose selector: inputs, errors, and the invariants callers rely on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rustcore
from rustcore._prose import prose_blocks, prose_gaps, prose_select, prose_texts, sentence_spans

_LEXICAL = [("relevance", 1.0, None), ("density", 0.15, None)]
_LINES = st.lists(st.text(alphabet=st.sampled_from(list("ab .#-*=|`>1A")), max_size=24), max_size=40).map(
    lambda lines: [line + "\n" for line in lines]
)


def _select(lines: list[str], query: str | None = None, target: int | None = None) -> tuple[list[bool], list[int]]:
    return prose_select(lines, query, target, exact=True, encoding="o200k_base", marker_tokens=20, signals=_LEXICAL)


def test_an_unknown_signal_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match='unknown signal "novelty"'):
        prose_select(
            ["a\n"], None, None, exact=True, encoding="o200k_base", marker_tokens=20, signals=[("novelty", 1.0, None)]
        )


def test_an_unknown_encoding_is_refused_with_the_available_ones() -> None:
    with pytest.raises(ValueError, match="o200k_base"):
        prose_select(["a\n"], None, None, exact=True, encoding="gpt2", marker_tokens=20, signals=_LEXICAL)


def test_text_with_lone_surrogates_keeps_its_positions() -> None:
    text = "Caf\udce9 au lait. Next one here."
    assert [text[a:b].strip() for a, b in sentence_spans(text)] == ["Caf\udce9 au lait.", "Next one here."]
    assert rustcore.rank_chunks(["x \udcff y", "the lait"], "lait")[0] == 0.0
    assert prose_blocks(["# T\udcff\n", "body\n"])[0][0].title == "T?"


def test_past_the_candidate_limit_words_are_counted_as_substrings() -> None:
    chunks = ["networkerd started", "worker crashed", "nothing"]
    exact = rustcore.rank_chunks(chunks, "worker")
    by_substring = rustcore.rank_chunks(chunks, "worker", exact_candidates=0)
    assert exact[0] == 0.0 < by_substring[0]
    assert exact[1] > 0.0 and by_substring[1] > 0.0
    assert exact[2] == by_substring[2] == 0.0


@given(lines=_LINES, query=st.none() | st.sampled_from(["a", "ab b", "'a b'"]), target=st.none() | st.integers(0, 80))
def test_every_heading_is_kept_and_every_gap_holds_only_lines_not_kept(
    lines: list[str], query: str | None, target: int | None
) -> None:
    kept, headings = _select(lines, query, target)
    assert len(kept) == len(lines)
    assert all(kept[h] for h in headings)
    gaps = prose_gaps(lines, kept, headings, 0, "o200k_base")
    previous = -1
    for gap in gaps:
        assert previous < gap.first <= gap.last < len(lines)
        assert all(gap.first < k < gap.last for k in gap.shown)
        hidden = [k for k in range(gap.first, gap.last + 1) if k not in gap.shown]
        assert not any(kept[k] for k in hidden if lines[k].strip())
        previous = gap.last
    covered = {k for gap in gaps for k in range(gap.first, gap.last + 1) if k not in gap.shown}
    assert all(k in covered for k, line in enumerate(lines) if line.strip() and not kept[k])


@given(lines=_LINES)
def test_the_texts_signals_score_are_one_per_unit_then_one_per_section(lines: list[str]) -> None:
    texts = prose_texts(lines)
    blocks, sections = prose_blocks(lines)
    assert len(texts) >= len(sections)
    kept, _ = prose_select(
        lines,
        None,
        None,
        exact=False,
        encoding="o200k_base",
        marker_tokens=20,
        signals=[*_LEXICAL, ("values", 1.0, [0.5] * len(texts))],
    )
    assert len(kept) == len(lines)
    assert all(block.kind in {"heading", "paragraph", "item", "fence", "table", "rule"} for block in blocks)
