"""The Python face of the source outline and planner in the Rust core."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rustcore
from rustcore._code import CODE_LANGUAGES, CodeFile

SOURCE = '''class Store:
    """Keeps values."""

    def get(self, key):
        value = self.items[key]
        self.hits += 1
        return value


def helper(x):
    y = x * 2
    z = y + 1
    return z
'''


def test_an_unknown_language_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="python"):
        CodeFile("x", "cobol")


def test_definitions_carry_their_names_lines_and_bodies() -> None:
    file = CodeFile(SOURCE, "python")
    defs = file.definitions()
    assert [(d.kind, d.name, d.qualifiers) for d in defs] == [
        ("container", "Store", ()),
        ("function", "get", ("Store",)),
        ("function", "helper", ()),
    ]
    assert (defs[1].first, defs[1].last, defs[1].body_span) == (3, 6, (4, 6))
    assert file.definition_count == 3
    assert file.problems == 0


def test_the_file_weighs_as_many_tokens_as_its_lines() -> None:
    file = CodeFile(SOURCE, "python")
    total = file.prepare("o200k_base", 20).tokens
    assert total == sum(rustcore.count_tokens(line) for line in SOURCE.splitlines(keepends=True))


def test_a_question_naming_a_method_keeps_it_whole() -> None:
    file = CodeFile(SOURCE, "python")
    prepared = file.prepare("o200k_base", 20, paths=[("Store", "get")], strong=["Store", "get"])
    whole, named = prepared.whole()
    assert named
    assert whole == [1]
    plan = prepared.plan(whole)
    assert all(not (3 <= elision.first <= 6) for elision in plan.elisions)


@given(st.text(max_size=300), st.sampled_from(CODE_LANGUAGES))
def test_a_plan_and_the_lines_it_leaves_out_rebuild_the_text(text: str, language: str) -> None:
    plan = CodeFile(text, language).prepare("o200k_base", 20).plan([], collapse_types=True)
    clean = text.encode("utf-8", errors="replace").decode("utf-8")
    lines = clean.split("\n")
    lines = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    rebuilt = [plan.kept[0]]
    for elision, kept in zip(plan.elisions, plan.kept[1:], strict=True):
        rebuilt += lines[elision.first : elision.last + 1]
        rebuilt.append(kept)
    assert "".join(rebuilt) == clean


def test_two_questions_on_one_file_are_weighed_apart() -> None:
    file = CodeFile(SOURCE, "python")
    about_get = file.prepare("o200k_base", 20, paths=[("Store", "get")], strong=["Store", "get"])
    about_helper = file.prepare("o200k_base", 20, paths=[("helper",)], strong=["helper"])
    assert about_get.whole()[0] == [1]
    assert about_helper.whole()[0] == [2]
