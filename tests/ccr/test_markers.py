"""The one marker syntax: written by every compressor, found by every client."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rustcore
from ccr import MARKER_PATTERN, find_markers, format_marker
from ccr._markers import UNITS

hashes = st.binary(max_size=64).map(rustcore.content_hash)


@given(
    count=st.integers(min_value=1, max_value=10**9),
    unit=st.sampled_from(sorted(UNITS)),
    h=hashes,
    span=st.none() | st.tuples(st.integers(1, 10**6), st.integers(0, 10**6)).map(lambda t: (t[0], t[0] + t[1])),
)
def test_every_marker_written_is_found_with_the_same_fields(
    count: int, unit: str, h: str, span: tuple[int, int] | None
) -> None:
    text = f"before\n{format_marker(count, unit, h, span)}\nafter"
    [marker] = find_markers(text)
    assert (marker.count, marker.unit, marker.hash, marker.lines) == (count, unit, h, span)
    assert text[marker.span[0] : marker.span[1]] == format_marker(count, unit, h, span)


def test_marker_survives_inside_a_json_string_unchanged() -> None:
    marker = format_marker(37, "items", "0123456789abcdef")
    encoded = json.dumps({"items": [1, marker]})
    assert marker in encoded
    assert find_markers(encoded)[0].count == 37


def test_unknown_unit_and_empty_count_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown marker unit"):
        format_marker(3, "widgets", "0123456789abcdef")
    with pytest.raises(ValueError, match="at least one"):
        format_marker(0, "lines", "0123456789abcdef")


def test_a_backwards_line_range_is_refused() -> None:
    with pytest.raises(ValueError, match="bad line range"):
        format_marker(3, "lines", "0123456789abcdef", (9, 4))


def test_pattern_ignores_lookalikes_with_short_or_uppercase_hashes() -> None:
    assert not MARKER_PATTERN.search("[3 lines omitted: retrieve hash=ABCDEF0123456789]")
    assert not MARKER_PATTERN.search("[3 lines omitted: retrieve hash=abc]")
