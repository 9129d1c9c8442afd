"""Walking JSON containers without building them (the Rust core's one pass): members by offsets, any depth."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rustcore
from ccr import Settings, Store
from ccr._chunks import chunk_text

_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(alphabet='ab[]{}",:\\ \n\u00e9\U0001f600'),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(alphabet="k[]{}\"'\u00e9", max_size=3), inner),
    max_leaves=20,
)


@given(_values, st.booleans(), st.integers(min_value=0, max_value=5))
def test_a_containers_members_and_end_are_the_decoders(value: object, pretty: bool, limit: int) -> None:
    text = "  " + json.dumps(value, indent=2 if pretty else None) + "  "
    decoded_end = json.JSONDecoder().raw_decode(text, 2)[1]
    level = rustcore.json_members(text, 2, limit=limit)
    if not isinstance(value, list | dict):
        assert level is None
        return
    assert level is not None
    assert level.end == decoded_end
    assert level.count == len(value)
    spans = list(zip(level.starts, level.ends, strict=True))
    assert len(spans) == min(limit, len(value))
    if isinstance(value, dict):
        decoded = [json.loads("{" + text[a:b] + "}") for a, b in spans]
        expected: list[object] = [{k: v} for k, v in list(value.items())[:limit]]
    else:
        decoded, expected = [json.loads(text[a:b]) for a, b in spans], value[:limit]
    # Compared as written: NaN is not equal to itself.
    assert json.dumps(decoded) == json.dumps(expected)


@pytest.mark.parametrize("text", ["[1, 2", '["a]', "[}", '{"a": [1, 2}', '["' + "x" * 100_000, "[1,]", "{1: 2}"])
def test_an_unclosed_mismatched_or_loose_container_is_not_json(text: str) -> None:
    assert rustcore.json_members(text, 0, limit=10) is None
    assert rustcore.json_chunk_breaks(text, max_chars=10, gap=1, max_depth=32) is None


def test_nesting_deeper_than_the_decoder_recurses_is_walked_in_one_pass() -> None:
    depth = 100_000
    text = "[" * depth + '"]"' + "]" * depth
    level = rustcore.json_members(text, 0, limit=10)
    assert level is not None
    assert (level.end, list(level.starts), list(level.ends)) == (len(text), [1], [len(text) - 1])


@pytest.mark.timeout(60)
def test_chunking_16_mb_of_pathological_nesting_is_one_pass() -> None:
    # 64 MB of [[[...]]] took 688 s to index: every level the chunker walked (32) was scanned again, in Python;
    # 16 MB took minutes that way, past this test's limit. One pass takes well under a second.
    depth = 8 << 20
    text = "[" * depth + "1" + "]" * depth
    from ccr._chunks import _json_breaks
    from ccr._lines import LineIndex

    breaks = _json_breaks(LineIndex(text), 1000)
    # Each walked level has one member, its first: only the document's own member is a break.
    assert (bytes(breaks.lines), breaks.inside) == (bytes([3, 0]), {1: 0})
    chunks = chunk_text(text, "json")
    assert "".join(c.text for c in chunks) == text
    assert max(len(c.text) for c in chunks) <= 1000


def test_a_deeply_nested_json_original_is_queried_and_indexed_as_lines() -> None:
    text = ("[" * 5000 + '{"k": "needle-4c1d"}' + "]" * 5000 + "\n").encode()
    with Store(Settings.from_env()) as store:
        digest = store.put(text, content_type="json")
        assert store.index_for_search(digest)
        assert store.search("needle-4c1d").hits[0].hash == digest
        # One item (the outer list's one member) is no better than the one line, which is what it ranks.
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


def test_an_api_page_is_ranked_by_the_items_of_its_largest_list() -> None:
    from ccr._lines import _json_item_spans

    items = [{"id": i, "title": f"issue {i} about the widget"} for i in range(20)]
    text = json.dumps({"total_count": 20, "items": items, "incomplete_results": False})
    spans = _json_item_spans(text)
    assert spans is not None
    assert [json.loads(text[a:b]) for a, b in zip(*spans, strict=True)] == items
