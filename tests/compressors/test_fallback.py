"""The fallback: repeated lines dropped, the head and the tail kept, the middle marked."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import rustcore
from ccr import find_markers
from tests.compressors.lines_helpers import (
    assert_compresses_within_budget,
    assert_every_line_accounted_for,
    assert_kept_lines_verbatim,
    assert_markers_resolve,
    compress_with,
)


def _run(text: str, query: str | None = None, budget: int | None = None) -> str:
    return compress_with("fallback", text, query, budget)


def _numbered(n: int) -> str:
    return "".join(f"row {i}: the quick brown fox jumps over the lazy dog, variant {i * 7 % 13}\n" for i in range(n))


def test_the_head_and_the_tail_are_kept_and_the_middle_is_one_marker() -> None:
    text = _numbered(1000)
    out = _run(text)
    assert out.startswith("row 0: ")
    assert "row 999: " in out
    middle = [m for m in find_markers(out) if m.lines is not None]
    assert len(middle) == 1
    first, last = middle[0].lines  # type: ignore[misc]
    assert first > 1 and last < 1000
    assert_every_line_accounted_for(text, out)


def test_exact_repeats_of_a_shown_line_are_dropped() -> None:
    # Long enough that showing a repeat costs more than the marker standing for it.
    repeated = "the same long notice repeats here, word for word, " * 4
    block = "".join(f"{repeated}\nentry {i} with some text\n" for i in range(40))
    out = _run(block)
    assert out.count(repeated) == 1
    assert_kept_lines_verbatim(block, out)


def test_lines_the_query_names_survive_from_the_middle() -> None:
    text = _numbered(2000)
    out = _run(text, query="what is in row 1234?")
    assert "row 1234: " in out


def test_short_inputs_come_back_unchanged() -> None:
    text = _numbered(20)
    assert _run(text) == text
    assert _run("") == ""


def test_a_budget_is_honoured() -> None:
    out = _run(_numbered(3000), budget=200)
    assert rustcore.count_tokens(out) <= 200


def test_crlf_and_lone_surrogates_never_break_it() -> None:
    text = _numbered(500).replace("\n", "\r\n") + "tail \udce9 byte\r\n"
    out = _run(text)
    assert "\r\n" in out
    assert_markers_resolve(text, out, rustcore.content_hash(text))


@given(
    text=st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=3000),
    query=st.one_of(st.none(), st.text(max_size=20)),
    budget=st.one_of(st.none(), st.integers(min_value=40, max_value=2000)),
)
def test_any_text_stays_within_budget_with_every_line_accounted_for(
    text: str, query: str | None, budget: int | None
) -> None:
    assert_compresses_within_budget("fallback", text, query, budget)
