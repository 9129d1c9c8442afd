"""The Python face of the line compressors and the detector in the Rust core."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rustcore
from compressors import CONTENT_TYPES
from rustcore._lines import Piece, compress_diff, compress_fallback, compress_log, compress_search, detect_content

NATIVE = (compress_log, compress_search, compress_diff, compress_fallback)


def _log(n: int) -> str:
    return "".join(f"10:00:{i % 60:02d} INFO tick {i}\n" for i in range(n)) + "10:59:59 ERROR disk full\n"


@pytest.mark.parametrize("fn", NATIVE)
def test_pieces_are_kept_text_or_omissions_with_line_ranges(fn: Callable[..., list[Piece]]) -> None:
    text = _log(500)
    pieces = fn(text, query=None, budget=300, encoding="o200k_base", marker_tokens=26)
    assert any(p.omitted for p in pieces)
    n_lines = text.count("\n")
    for p in pieces:
        if p.omitted:
            assert p.text == ""
            assert p.unit in {"lines", "matches", "hunks", "files", "chars"}
            if p.template is None:
                assert 1 <= p.start <= p.end <= n_lines
            else:
                # A collapsed template: every line of it, where ever it is.
                assert p.start == p.end == 0 and p.count == len(rustcore.template_lines(text, p.template))
        else:
            assert p.count == 0 and p.text


def test_kept_text_is_the_original_lines_in_order() -> None:
    text = _log(300)
    pieces = compress_log(text, query="disk", budget=500, encoding="o200k_base", marker_tokens=26)
    lines = text.splitlines(keepends=True)
    kept = "".join(p.text for p in pieces if not p.omitted)
    for line in kept.splitlines(keepends=True):
        assert line in lines
    assert any("ERROR disk full" in p.text for p in pieces)


def test_an_unknown_encoding_or_a_negative_budget_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="o200k_base"):
        compress_log("x\n", query=None, budget=10, encoding="gpt2", marker_tokens=20)
    with pytest.raises(ValueError, match="budget"):
        compress_search("x\n", query=None, budget=-1, encoding="o200k_base", marker_tokens=20)
    with pytest.raises(ValueError, match="marker_tokens"):
        compress_diff("x\n", query=None, budget=10, encoding="o200k_base", marker_tokens=0)


def test_lone_surrogates_cross_into_the_core_as_replacement_characters() -> None:
    text = "a\udce9b\n" * 300
    assert compress_fallback(text, query="\udce9", budget=100, encoding="cl100k_base", marker_tokens=20)
    assert detect_content(text)[0] in CONTENT_TYPES


@given(st.text(max_size=500), st.one_of(st.none(), st.text(max_size=40)))
def test_no_input_or_query_makes_the_core_raise(text: str, query: str | None) -> None:
    for fn in NATIVE:
        fn(text, query=query, budget=200, encoding="o200k_base", marker_tokens=20)
    kind, language = detect_content(text)
    assert kind in CONTENT_TYPES
    assert language is None or kind == "code"
