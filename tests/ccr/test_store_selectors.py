"""Redeeming the `bytes=` and `template=` selectors: exactly the bytes, exactly the template's lines, paged."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rustcore
from ccr import RangeError, Store, find_markers, split_lines


def _log(n: int) -> str:
    rows = []
    for i in range(n):
        if i % 7 == 3:
            rows.append(f"2024-03-01 10:{i % 60:02d}:00 ERROR disk /dev/sd{i % 4} failed after {i} retries")
        else:
            rows.append(f"2024-03-01 10:{i % 60:02d}:00 INFO request {i} served in {i * 3} ms")
    return "\n".join(rows) + "\n"


def test_a_byte_range_returns_exactly_those_bytes(store: Store) -> None:
    data = "héllo wörld\nsecond line\n".encode()
    h = store.put(data)
    part = store.byte_range(h, 1, 6)
    assert part.data == data[1:7]
    assert (part.start, part.end, part.size, part.truncated) == (1, 6, len(data), False)
    assert part.render() == data[1:7].decode()


def test_a_byte_range_past_the_end_is_clamped_and_one_outside_is_refused(store: Store) -> None:
    h = store.put(b"0123456789")
    part = store.byte_range(h, 5, 99)
    assert part.data == b"56789"
    assert "clamped" in part.notes[0]
    with pytest.raises(RangeError, match="outside"):
        store.byte_range(h, 10, 12)
    with pytest.raises(RangeError, match="not a range"):
        store.byte_range(h, 4, 2)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(alphabet=st.sampled_from("ab é中\n😀"), min_size=50, max_size=3000),
    cap=st.integers(40, 300),
)
def test_paging_a_capped_byte_range_through_its_markers_gives_the_range_back(store: Store, text: str, cap: int) -> None:
    data = text.encode()
    h = store.put(data)
    got = b""
    start, end = 0, len(data) - 1
    for _ in range(len(data) + 1):
        part = store.byte_range(h, start, end, max_tokens=cap)
        assert part.tokens <= cap or not part.data
        assert part.tokens == rustcore.count_tokens(part.render(), store.settings.encoding)
        got += part.data
        if not part.truncated:
            break
        [marker] = find_markers(part.render())
        assert marker.bytes is not None and marker.bytes[0] == start + len(part.data)
        assert marker.count == len(data[marker.bytes[0] : end + 1].decode())
        start = marker.bytes[0]
    assert got == data


def test_a_template_returns_every_line_of_that_template_as_numbered_rows(store: Store) -> None:
    text = _log(60)
    h = store.put(text)
    key = rustcore.template_keys(text)[3]
    assert key is not None
    excerpt = store.template(h, key)
    assert excerpt.line_numbers == [n for n in range(1, 61) if (n - 1) % 7 == 3]
    assert all("ERROR disk" in row for _, row in excerpt.rows)
    within = store.template(h, key, lines=(10, 30))
    assert within.line_numbers == [n for n in range(10, 31) if (n - 1) % 7 == 3]


def test_a_template_key_with_no_lines_or_malformed_is_refused(store: Store) -> None:
    h = store.put(_log(20))
    with pytest.raises(RangeError, match="no lines"):
        store.template(h, "00000000")
    with pytest.raises(RangeError, match="template key"):
        store.template(h, "xyz")
    with pytest.raises(RangeError, match="not a range"):
        store.template(h, "00000000", lines=(5, 2))


def test_a_capped_template_ends_with_a_marker_that_pages_through_the_rest(store: Store) -> None:
    text = _log(700)
    h = store.put(text)
    key = rustcore.template_keys(text)[0]
    assert key is not None
    expected = rustcore.template_lines(text, key)
    seen: list[int] = []
    span: tuple[int, int] | None = None
    for _ in range(len(expected)):
        excerpt = store.template(h, key, lines=span, max_tokens=400)
        assert excerpt.tokens <= 400
        seen += excerpt.line_numbers
        if not excerpt.truncated:
            break
        [marker] = find_markers(excerpt.render())
        assert marker.template == key and marker.lines is not None
        assert marker.count == sum(1 for n in expected if marker.lines[0] <= n <= marker.lines[1])
        span = marker.lines
    assert seen == expected


log_rows = st.sampled_from(["GET /a/1 200", "GET /b/22 404", "\x1b[1mPOST /x\x1b[0m ok", "", "  ", "id=7 done"])


@settings(max_examples=40)
@given(st.lists(log_rows, max_size=40))
def test_template_lines_group_exactly_the_lines_whose_key_matches(rows: list[str]) -> None:
    text = "\r\n".join(rows)
    keys = rustcore.template_keys(text)
    assert len(keys) == len(split_lines(text))
    for key in set(keys) - {None}:
        assert key is not None
        assert rustcore.template_lines(text, key) == [n for n, k in enumerate(keys, start=1) if k == key]
