"""`A-B` line ranges, as markers write them and both the CLI and the server read them."""

from __future__ import annotations

import pytest

from ccr import RangeError, parse_line_range


@pytest.mark.parametrize(("text", "expected"), [("40-159", (40, 159)), (" 7 ", (7, 7)), ("3-3", (3, 3))])
def test_a_marker_range_parses_to_inclusive_bounds(text: str, expected: tuple[int, int]) -> None:
    assert parse_line_range(text) == expected


@pytest.mark.parametrize("text", ["", "a-b", "9-4", "0-3", "1-2-3"])
def test_a_malformed_or_backwards_range_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(RangeError, match=r"A-B|<="):
        parse_line_range(text)
