"""The position-keeping JSON walk agrees with `json.loads`; a splice changes the chosen string and no other byte."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mcp_server.proxy._scan import NotJson, array_elements, splice, string_span

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
layouts = st.sampled_from(
    [
        {},
        {"indent": 2},
        {"separators": (",", ":")},
        {"separators": (" , ", " : "), "ensure_ascii": False},
        {"indent": "\t", "ensure_ascii": False},
    ]
)


def string_paths(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in string_paths(v, (*path, i))]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in string_paths(v, (*path, k))]
    return []


def put(value: Any, path: tuple[str | int, ...], new: str) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = put(value[path[0]], path[1:], new)  # type: ignore[index]
    return copy


@given(
    before=st.dictionaries(st.text(max_size=6).filter(lambda k: k != "messages"), values, max_size=3),
    messages=st.lists(values, max_size=6),
    layout=layouts,
    new=st.text(),
    pick=st.integers(0, 10**6),
)
def test_elements_and_spans_agree_with_json_loads_and_a_splice_touches_only_its_string(
    before: dict[str, Any], messages: list[Any], layout: dict[str, Any], new: str, pick: int
) -> None:
    doc = {**before, "messages": messages, "after": [1, {"x": "y"}]}
    text = json.dumps(doc, **layout)
    elements = array_elements(text, "messages")
    assert elements is not None
    assert [e.value for e in elements] == messages
    for e in elements:
        assert json.loads(text[e.start : e.end]) == e.value
    choices = [(n, p, v) for n, e in enumerate(elements) for p, v in string_paths(e.value)]
    if not choices:
        return
    n, path, value = choices[pick % len(choices)]
    start, end = string_span(text, elements[n].start, path)
    assert json.loads(text[start:end]) == value
    spliced = splice(text, [(start, end, new)])
    expected = {**doc, "messages": [*messages[:n], put(messages[n], path, new), *messages[n + 1 :]]}
    assert json.loads(spliced) == expected
    tail = len(text) - end
    assert spliced[:start] == text[:start] and spliced[len(spliced) - tail :] == text[end:]


@pytest.mark.parametrize(
    "text",
    [
        '{"messages": [NaN]}',
        '{"messages": [1]} trailing',
        '{"messages": [1,]}',
        '{"messages": ["a\x01"]}',
        '["messages"]',
        '{"messages": [1]',
        "",
        '{"a": 1 "messages": []}',
    ],
)
def test_what_strict_parsers_refuse_is_not_json(text: str) -> None:
    with pytest.raises(NotJson):
        array_elements(text, "messages")


def test_a_name_given_twice_is_read_as_parsers_read_it_the_last_one() -> None:
    text = '{"messages": [1], "messages": [{"c": "a", "c": "b"}]}'
    (element,) = array_elements(text, "messages") or []
    assert element.value == {"c": "b"}
    start, end = string_span(text, element.start, ["c"])
    assert text[start:end] == '"b"'
    assert array_elements('{"messages": [1], "messages": "x"}', "messages") is None


def test_a_string_with_a_lone_surrogate_is_written_escaped() -> None:
    text = '{"messages": ["old"]}'
    (element,) = array_elements(text, "messages") or []
    start, end = string_span(text, element.start, [])
    out = splice(text, [(start, end, "caf\u00e9 \ud800")])
    assert out == '{"messages": ["caf\\u00e9 \\ud800"]}'
    assert splice(text, [(start, end, "caf\u00e9")]) == '{"messages": ["caf\u00e9"]}'
