"""The one line numbering of originals: split on newline, CR of a CRLF dropped, no line after a final newline."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ccr import count_lines, split_lines


def test_lines_split_on_newline_without_a_line_after_a_final_newline() -> None:
    assert split_lines("a\nb\n") == ["a", "b"]
    assert split_lines("a\nb") == ["a", "b"]
    assert split_lines("a\n\n") == ["a", ""]
    assert split_lines("\n") == [""]
    assert split_lines("") == []


def test_crlf_is_one_line_end_and_a_lone_cr_is_not() -> None:
    assert split_lines("a\r\nb\r\n") == ["a", "b"]
    assert split_lines("progress 10%\rprogress 100%\ndone") == ["progress 10%\rprogress 100%", "done"]


def test_other_unicode_line_breaks_do_not_split() -> None:
    assert split_lines("a\u2028b\x0cc\x1ed") == ["a\u2028b\x0cc\x1ed"]


@given(st.text(alphabet=st.sampled_from("ab\n\t "), max_size=200))
def test_joining_the_lines_gives_the_text_back(text: str) -> None:
    joined = "\n".join(split_lines(text))
    assert joined + ("\n" if text.endswith("\n") else "") == text


@given(st.binary(max_size=300))
def test_count_lines_of_bytes_agrees_with_split_lines_of_their_text(data: bytes) -> None:
    assert count_lines(data) == len(split_lines(data.decode("utf-8", errors="replace")))
