"""The splicing JSON / JSON-with-comments editor."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mcp_server.install._jsonc import JsonShapeError, JsonSyntaxError, get_member, remove_member, set_member

ENTRY = {"command": "/opt/h/bin/headroom", "args": ["mcp", "serve"], "env": {"HEADROOM_CLIENT": "zed"}}
PATH = ("mcpServers", "headroom")

keys = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8)
scalars = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=10)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=12,
)
documents = st.dictionaries(keys.filter(lambda k: k != "mcpServers"), values, max_size=5)
indents = st.sampled_from([None, 1, 2, 4, "\t"])


def _with_path(doc: dict[str, Any], value: Any) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(doc))
    out.setdefault("mcpServers", {})["headroom"] = value
    return out


@given(documents, indents, values)
def test_setting_a_member_parses_back_to_the_document_with_that_member(
    doc: dict[str, Any], indent: int | str | None, value: Any
) -> None:
    text = json.dumps(doc, indent=indent)
    edited = set_member(text, PATH, value, comments=False)
    assert json.loads(edited) == _with_path(doc, value)


@given(documents, st.dictionaries(keys.filter(lambda k: k != "headroom"), values, max_size=3), indents)
def test_removing_what_was_set_restores_the_text_byte_for_byte(
    doc: dict[str, Any], servers: dict[str, Any], indent: int | str | None
) -> None:
    text = json.dumps({**doc, "mcpServers": servers}, indent=indent)
    edited = set_member(text, PATH, ENTRY, comments=False)
    assert remove_member(edited, PATH, comments=False) == text


@given(documents, st.dictionaries(keys.filter(lambda k: k != "headroom"), values, min_size=1, max_size=3))
def test_comments_on_every_line_survive_an_install_and_an_uninstall(
    doc: dict[str, Any], servers: dict[str, Any]
) -> None:
    lines = json.dumps({**doc, "mcpServers": servers}, indent=2).splitlines()
    text = "\n".join(f"{line} // note {i}" for i, line in enumerate(lines)) + "\n"
    edited = set_member(text, PATH, ENTRY)
    assert get_member(edited, PATH) == ENTRY
    for i in range(len(lines)):
        assert f"// note {i}" in edited
    assert remove_member(edited, PATH) == text


@given(documents, indents)
def test_the_inserted_entry_follows_the_files_indentation(doc: dict[str, Any], indent: int | str | None) -> None:
    text = json.dumps({**doc, "mcpServers": {"other": 1}}, indent=indent)
    edited = set_member(text, PATH, ENTRY, comments=False)
    expected = json.dumps({**doc, "mcpServers": {"other": 1, "headroom": ENTRY}}, indent=indent)
    assert edited == expected


def test_comments_and_trailing_commas_elsewhere_in_a_jsonc_file_are_kept() -> None:
    text = """// Zed settings
{
  /* theme */ "theme": "One Dark", // my theme
  "context_servers": {
    "other": { "command": "x", "args": ["//not a comment"] }, // keep me
  },
}
"""
    edited = set_member(text, ("context_servers", "headroom"), ENTRY)
    assert get_member(edited, ("context_servers", "headroom")) == ENTRY
    assert get_member(edited, ("context_servers", "other", "args")) == ["//not a comment"]
    for fragment in ("// Zed settings", "/* theme */", "// my theme", "// keep me"):
        assert fragment in edited
    assert remove_member(edited, ("context_servers", "headroom")) == text


def test_replacing_an_existing_entry_changes_only_that_entry() -> None:
    text = '{\n  "mcpServers": {\n    "a": 1,\n    "headroom": {"command": "old"},\n    "b": 2\n  }\n}\n'
    edited = set_member(text, PATH, {"command": "new"})
    expected = (
        '{\n  "mcpServers": {\n    "a": 1,\n    "headroom": {\n      "command": "new"\n    },\n    "b": 2\n  }\n}\n'
    )
    assert edited == expected


def test_removing_a_middle_member_keeps_its_neighbours_and_their_commas() -> None:
    text = '{\n  "mcpServers": {\n    "a": 1,\n    "headroom": {"command": "x"},\n    "b": 2\n  }\n}\n'
    assert remove_member(text, PATH) == '{\n  "mcpServers": {\n    "a": 1,\n    "b": 2\n  }\n}\n'


def test_removing_the_only_member_leaves_an_empty_object() -> None:
    text = '{\n  "mcpServers": {\n    "headroom": {"command": "x"}\n  },\n  "z": 0\n}'
    assert remove_member(text, PATH) == '{\n  "mcpServers": {},\n  "z": 0\n}'


def test_removing_an_absent_member_returns_the_text_unchanged() -> None:
    text = '{"mcpServers": {"a": 1}} '
    assert remove_member(text, PATH) is text


def test_an_empty_or_comment_only_file_becomes_a_new_document_keeping_the_comment() -> None:
    assert json.loads(set_member("", PATH, ENTRY)) == {"mcpServers": {"headroom": ENTRY}}
    edited = set_member("// settings go here\n", PATH, ENTRY)
    assert edited.startswith("// settings go here\n")
    assert get_member(edited, PATH) == ENTRY


def test_a_minified_file_stays_on_one_line() -> None:
    edited = set_member('{"a":1,"mcpServers":{}}', PATH, ENTRY, comments=False)
    assert "\n" not in edited
    assert json.loads(edited) == {"a": 1, "mcpServers": {"headroom": ENTRY}}


def test_crlf_files_keep_crlf_line_endings() -> None:
    text = '{\r\n  "mcpServers": {\r\n    "a": 1\r\n  }\r\n}\r\n'
    edited = set_member(text, PATH, ENTRY, comments=False)
    assert "\n" not in edited.replace("\r\n", "")
    assert remove_member(edited, PATH, comments=False) == text


def test_escaped_quotes_in_strings_do_not_end_the_string_early() -> None:
    text = r'{"k": "a \"quoted\" \\", "mcpServers": {}}'
    edited = set_member(text, PATH, ENTRY, comments=False)
    assert json.loads(edited)["k"] == 'a "quoted" \\'


@pytest.mark.parametrize(
    ("text", "line", "column", "problem"),
    [
        ('{\n  "a": 1\n  "b": 2\n}', 3, 3, "expected ',' or '}'"),
        ('{\n  "a": [1, 2,\n}', 3, 1, "unexpected character"),
        ('{"a": 1} x', 1, 10, "unexpected text after the end"),
        ('{\n  "a": "unterminated\n}', 2, 8, "unterminated string"),
        ('{\n  "a": "raw\nnewline"\n}', 2, 12, "invalid string"),
        ("{\n  /* open\n}", 2, 3, "unterminated /* comment"),
        ('{"a": tru}', 1, 7, "unexpected character"),
        ("", 0, 0, ""),
    ],
)
def test_syntax_errors_name_the_line_and_column(text: str, line: int, column: int, problem: str) -> None:
    if not text:
        assert get_member(text, PATH) is None  # an empty file is an empty document, not an error
        return
    with pytest.raises(JsonSyntaxError) as caught:
        set_member(text, PATH, ENTRY)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert problem in caught.value.problem


def test_comments_and_trailing_commas_are_errors_in_plain_json() -> None:
    with pytest.raises(JsonSyntaxError, match="comments are not allowed"):
        set_member('{\n  // c\n  "a": 1\n}', PATH, ENTRY, comments=False)
    with pytest.raises(JsonSyntaxError, match="trailing comma") as caught:
        set_member('{\n  "a": 1,\n}', PATH, ENTRY, comments=False)
    assert (caught.value.line, caught.value.column) == (2, 9)


@pytest.mark.parametrize("text", ['{"mcpServers": []}', '{"mcpServers": "x"}', "[1, 2]", "3"])
def test_a_non_object_on_the_way_to_the_entry_is_a_shape_error(text: str) -> None:
    with pytest.raises(JsonShapeError):
        set_member(text, PATH, ENTRY)
    with pytest.raises(JsonShapeError):
        remove_member(text, PATH)


def test_duplicate_keys_edit_the_last_one_as_json_parsers_read_it() -> None:
    text = '{"mcpServers": {"headroom": 1, "headroom": 2}}'
    assert get_member(text, PATH) == 2
    edited = set_member(text, PATH, 3)
    assert edited == '{"mcpServers": {"headroom": 1, "headroom": 3}}'
