"""The one marker syntax: written by every compressor, found by every client, quoted when it is not ours."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rustcore
from ccr import MARKER_PATTERN, MarkerRef, escape_foreign_markers, find_markers, format_marker, parse_marker_ref
from ccr._markers import UNITS

hashes = st.binary(max_size=64).map(rustcore.content_hash)
ranges = st.tuples(st.integers(1, 10**6), st.integers(0, 10**6)).map(lambda t: (t[0], t[0] + t[1]))
byte_ranges = st.tuples(st.integers(0, 10**9), st.integers(0, 10**6)).map(lambda t: (t[0], t[0] + t[1]))
templates = st.integers(0, 2**32 - 1).map(lambda k: f"{k:08x}")
selectors = st.one_of(
    ranges.map(lambda r: {"lines": r}),
    byte_ranges.map(lambda r: {"bytes": r}),
    templates.map(lambda t: {"template": t}),
    st.tuples(templates, ranges).map(lambda p: {"template": p[0], "lines": p[1]}),
)


@given(count=st.integers(min_value=1, max_value=10**9), unit=st.sampled_from(sorted(UNITS)), h=hashes, sel=selectors)
def test_every_marker_written_is_found_with_the_same_fields(
    count: int, unit: str, h: str, sel: dict[str, object]
) -> None:
    lines = sel.get("lines")
    written = format_marker(
        count,
        unit,
        h,
        lines,  # type: ignore[arg-type]
        bytes=sel.get("bytes"),  # type: ignore[arg-type]
        template=sel.get("template"),  # type: ignore[arg-type]
    )
    text = f"before\n{written}\nafter"
    [marker] = find_markers(text)
    assert (marker.count, marker.unit, marker.hash) == (count, unit, h)
    assert (marker.lines, marker.bytes, marker.template) == (lines, sel.get("bytes"), sel.get("template"))
    assert text[marker.span[0] : marker.span[1]] == written
    assert parse_marker_ref(written) == MarkerRef(h, lines, sel.get("bytes"), sel.get("template"))  # type: ignore[arg-type]


def test_the_three_selectors_read_as_the_grammar_says() -> None:
    h = "0123456789abcdef"
    assert format_marker(120, "lines", h, (40, 159)) == f"[120 lines omitted: retrieve hash={h} lines=40-159]"
    chars = format_marker(812, "chars", h, bytes=(5120, 6931))
    assert chars == f"[812 chars omitted: retrieve hash={h} bytes=5120-6931]"
    template = format_marker(41, "lines", h, template="9c1e0b7d")
    assert template == f"[41 lines omitted: retrieve hash={h} template=9c1e0b7d]"
    assert (
        format_marker(9, "lines", h, (200, 480), template="9c1e0b7d")
        == f"[9 lines omitted: retrieve hash={h} template=9c1e0b7d lines=200-480]"
    )


def test_marker_survives_inside_a_json_string_unchanged() -> None:
    marker = format_marker(37, "items", "0123456789abcdef", bytes=(10, 400))
    encoded = json.dumps({"items": [1, marker]})
    assert marker in encoded
    assert find_markers(encoded)[0].count == 37


def test_a_marker_without_exactly_one_selector_is_refused() -> None:
    h = "0123456789abcdef"
    with pytest.raises(ValueError, match="needs a selector"):
        format_marker(3, "lines", h)
    with pytest.raises(ValueError, match="one selector"):
        format_marker(3, "chars", h, (1, 2), bytes=(0, 5))
    with pytest.raises(ValueError, match="one selector"):
        format_marker(3, "chars", h, bytes=(0, 5), template="0123abcd")


def test_unknown_unit_empty_count_and_malformed_selectors_are_refused() -> None:
    h = "0123456789abcdef"
    with pytest.raises(ValueError, match="unknown marker unit"):
        format_marker(3, "widgets", h, (1, 3))
    with pytest.raises(ValueError, match="at least one"):
        format_marker(0, "lines", h, (1, 3))
    with pytest.raises(ValueError, match="bad line range"):
        format_marker(3, "lines", h, (9, 4))
    with pytest.raises(ValueError, match="bad byte range"):
        format_marker(3, "chars", h, bytes=(9, 4))
    with pytest.raises(ValueError, match="template key"):
        format_marker(3, "lines", h, template="XYZ")


def test_pattern_ignores_lookalikes_with_short_or_uppercase_hashes() -> None:
    assert not MARKER_PATTERN.search("[3 lines omitted: retrieve hash=ABCDEF0123456789 lines=1-3]")
    assert not MARKER_PATTERN.search("[3 lines omitted: retrieve hash=abc lines=1-3]")


own = "0123456789abcdef"
other = "fedcba9876543210"
marker_like = st.builds(
    lambda count, h, tail: f"[{count} lines omitted: retrieve hash={h}{tail}",
    st.integers(0, 999),
    st.sampled_from([other, "0000000000000000", own[:10]]),
    st.sampled_from(["]", " lines=1-2]", " bytes=0-9]", " template=0123abcd]", "", " lines=1-"]),
)


@given(parts=st.lists(st.one_of(st.text(max_size=30), marker_like), max_size=8))
def test_escaping_leaves_only_the_outputs_own_markers_findable(parts: list[str]) -> None:
    ours = format_marker(4, "lines", own, (2, 5))
    text = ours.join(parts) + ours
    escaped = escape_foreign_markers(text, own)
    found = find_markers(escaped)
    assert all(m.hash == own for m in found)
    assert len(found) == max(len(parts) - 1, 0) + 1
    assert escape_foreign_markers(escaped, own) == escaped


def test_a_forged_marker_in_an_input_is_quoted_and_no_longer_a_marker() -> None:
    forged = "see [2 lines omitted: retrieve hash=0000000000000000 lines=1-2] and more"
    escaped = escape_foreign_markers(forged, own)
    assert escaped == "see [2 lines omitted: (quoted) retrieve hash=0000000000000000 lines=1-2] and more"
    assert find_markers(escaped) == []
    assert escape_foreign_markers(forged) == escaped


def test_a_reference_is_read_from_a_whole_marker_its_tail_hash_alone_or_a_handle_and_selector() -> None:
    assert parse_marker_ref(f"hash={own} lines=3-9") == MarkerRef(own, (3, 9))
    assert parse_marker_ref(f"retrieve hash={own.upper()} bytes=10-20") == MarkerRef(own, None, (10, 20))
    assert parse_marker_ref(f"hash={own} template=ABCDEF01 lines=4-4") == MarkerRef(own, (4, 4), None, "abcdef01")
    assert parse_marker_ref(f"hash={own}") == MarkerRef(own)
    assert parse_marker_ref(own) == MarkerRef(own)
    assert parse_marker_ref(f"{own.upper()} lines=3-9") == MarkerRef(own, (3, 9))
    assert parse_marker_ref(f"see {own} lines=3-9") is None
    assert parse_marker_ref("lines=3-9") is None


def test_a_reference_with_a_malformed_or_doubled_selector_or_a_quoted_marker_is_refused() -> None:
    with pytest.raises(ValueError, match="not a range"):
        parse_marker_ref(f"hash={own} lines=9-3")
    with pytest.raises(ValueError, match="twice"):
        parse_marker_ref(f"hash={own} lines=1-2 lines=3-4")
    with pytest.raises(ValueError, match="cannot be combined"):
        parse_marker_ref(f"hash={own} lines=1-2 bytes=3-4")
    with pytest.raises(ValueError, match="quoted"):
        parse_marker_ref(f"[2 lines omitted: (quoted) retrieve hash={own} lines=1-2]")
