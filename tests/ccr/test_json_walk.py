"""Walking JSON containers without building them: ends found by brackets, members by offsets."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccr import Settings, Store
from ccr._json_walk import iter_members, members, value_end

_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab[]{}",:\\ \n\u00e9'),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(alphabet="k[]{}\"'", max_size=3), inner),
    max_leaves=20,
)


@given(_values, st.booleans())
def test_a_value_ends_where_the_decoder_says_and_its_members_are_the_decoded_ones(value: object, pretty: bool) -> None:
    text = json.dumps(value, indent=2 if pretty else None) + "  "
    decoded_end = json.JSONDecoder().raw_decode(text, 0)[1]
    assert value_end(text, 0) == decoded_end
    if isinstance(value, list | dict):
        found, end = members(text, 0)
        assert end == decoded_end
        assert len(found) == len(value)
        values = [json.loads(text[m.value : m.end]) for m in found]
        assert values == (list(value.values()) if isinstance(value, dict) else value)
        assert list(iter_members(text, 0)) == found


def test_nesting_deeper_than_the_decoder_recurses_is_matched_by_its_brackets() -> None:
    depth = 100_000
    text = "[" * depth + '"]"' + "]" * depth
    assert value_end(text, 0) == len(text)
    assert [(m.start, m.end) for m in iter_members(text, 0)] == [(1, len(text) - 1)]


@pytest.mark.parametrize("text", ["[1, 2", '["a]', "[}", '{"a": [1, 2}', '["' + "x" * 100_000])
def test_an_unclosed_or_mismatched_container_is_not_json(text: str) -> None:
    with pytest.raises(ValueError):
        value_end(text, 0)


def test_a_deeply_nested_json_original_is_queried_and_indexed_as_lines() -> None:
    text = ("[" * 5000 + '{"k": "needle-4c1d"}' + "]" * 5000 + "\n").encode()
    with Store(Settings.from_env()) as store:
        digest = store.put(text, content_type="json")
        assert store.index_for_search(digest)
        assert store.search("needle-4c1d").hits[0].hash == digest
        # Before, the query's JSON walk raised RecursionError here; now the one line is what it ranks.
        assert [n for n, _ in store.query(digest, "needle-4c1d").rows] == [1]


def test_a_minified_array_of_tiny_values_keeps_few_breaks_and_no_item_chunks() -> None:
    from ccr._chunks import _json_breaks
    from ccr._lines import LineIndex, _json_item_spans

    text = "[" + ",".join(str(i % 10) for i in range(300_000)) + "]"
    breaks = _json_breaks(LineIndex(text), 1000)
    # One in-line break per 125 characters at most (a dict entry each), not one per number.
    assert 0 < len(breaks.inside) <= len(text) // 125 + 1
    assert _json_item_spans(text) is None
    records = json.dumps([{"id": i, "name": f"package-{i}", "ok": True} for i in range(300)])
    spans = _json_item_spans(records)
    assert spans is not None and len(spans[0]) == 300
