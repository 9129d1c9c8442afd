"""The one line model: `LineIndex` numbers lines as markers and `Store.lines` do, holding only offsets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ccr import LineIndex, count_lines, split_lines

# Line breaks and look-alikes that must not break a line (lone \r, form feed, U+2028), ASCII, two-,
# three- and four-byte UTF-8 characters.
TEXTS = st.text(alphabet=st.sampled_from(["a", " ", "\n", "\r", "\f", "\u2028", "é", "€", "😀"]), max_size=60)


def reference_lines(text: str) -> list[str]:
    """The numbering as docs/design.md states it: split on \\n, a \\r before it belongs to the line end, a
    final newline starts no line."""
    if text == "":
        return []
    pieces = text.split("\n")
    if pieces[-1] == "":
        pieces.pop()
    return [p[:-1] if p.endswith("\r") else p for p in pieces]


@given(TEXTS)
def test_lines_are_the_documented_numbering(text: str) -> None:
    index = LineIndex(text)
    assert list(index) == reference_lines(text)
    assert [index[i] for i in range(len(index))] == reference_lines(text)
    assert split_lines(text) == reference_lines(text)
    assert count_lines(text.encode()) == len(index)


@given(TEXTS)
def test_raw_lines_join_back_into_the_text(text: str) -> None:
    index = LineIndex(text)
    assert "".join(index.lines) == text
    assert "".join(index.lines[: len(index)]) == text
    assert index.span(0, len(index)) == text
    for i, raw in enumerate(index.lines):
        assert raw == index.raw(i) == text[index.start(i) : index.start(i + 1)]
        assert raw.startswith(index[i]) and raw.endswith(index.ending(i))
        assert index.ending(i) in ("\r\n", "\n", "")


@given(TEXTS)
def test_offsets_map_to_the_line_holding_them(text: str) -> None:
    index = LineIndex(text)
    for offset in range(len(text)):
        line = index.line_of(offset)
        assert index.start(line) <= offset < index.start(line + 1)
    data = text.encode()
    for offset in range(len(data)):
        line = index.line_of_byte(offset)
        assert index.byte_starts[line] <= offset < index.byte_starts[line + 1]
        assert data[index.byte_starts[line] : index.byte_starts[line + 1]] == index.raw(line).encode()


def test_negative_and_sliced_access_behave_as_a_sequence() -> None:
    index = LineIndex("a\r\nb\nc")
    assert index[-1] == "c" and index.lines[-1] == "c"
    assert index[1:] == ["b", "c"]
    assert index.lines[::2] == ["a\r\n", "c"]
    assert "b" in index
    try:
        index[3]
    except IndexError:
        pass
    else:
        raise AssertionError("line 3 of 3 lines must be out of range")


def test_a_million_short_lines_cost_four_bytes_each_beside_the_text() -> None:
    text = "y\n" * 1_000_000
    index = LineIndex(text)
    assert len(index) == 1_000_000
    assert index.nbytes == 4 * (1_000_000 + 1)
    assert index.text is text
