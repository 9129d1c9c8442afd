"""Budgets keep a source file's structure: the outline first (every signature), then bodies by relevance.

Checked on a real stdlib module of more than 2,000 lines (argparse): at every budget each top-level `def` and
`class` line is in the output or inside a marker's range (a group of signatures left out when the outline itself
is over the budget), every marker redeems exactly the lines it names, and the budget holds.
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

import pytest
from structure_helpers import assert_kept_lines_verbatim, omitted_lines, store_lines, through_pipeline

from compressors._code_relevance import parse_code_query
from rustcore._code import CodeFile

SOURCE = Path(argparse.__file__).read_text(encoding="utf-8")
TOP_LEVEL = [
    node.lineno
    for node in ast.parse(SOURCE).body
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
]


def _def_lines(first_line: int) -> int:
    """The line of the `def`/`class` keyword (decorators come before it)."""
    lines = store_lines(SOURCE)
    at = first_line
    while not lines[at - 1].lstrip().startswith(("def ", "async def ", "class ")):
        at += 1
    return at


@pytest.mark.parametrize("budget", [500, 2000, 8000])
def test_a_budget_keeps_every_top_level_signature_or_a_marker_for_it(budget: int) -> None:
    assert len(store_lines(SOURCE)) > 2000
    result, _ = through_pipeline(SOURCE, "code", budget=budget)
    assert result.compressor == "code"
    out = result.compressed
    shown = set(store_lines(out))
    hidden = omitted_lines(out)
    lines = store_lines(SOURCE)
    missing = [lines[n - 1] for n in map(_def_lines, TOP_LEVEL) if lines[n - 1] not in shown and n not in hidden]
    assert not missing
    assert_kept_lines_verbatim(SOURCE, out)


@pytest.mark.parametrize("budget", [2000, 8000])
def test_a_budget_that_holds_the_outline_shows_every_top_level_signature(budget: int) -> None:
    out = through_pipeline(SOURCE, "code", budget=budget)[0].compressed
    shown = set(store_lines(out))
    lines = store_lines(SOURCE)
    assert all(lines[n - 1] in shown for n in map(_def_lines, TOP_LEVEL))


def test_a_larger_budget_shows_more_signatures_and_bodies() -> None:
    outs = [through_pipeline(SOURCE, "code", budget=b)[0].compressed for b in (500, 2000, 8000)]
    signatures = [sum(1 for line in out.splitlines() if line.lstrip().startswith(("def ", "class "))) for out in outs]
    assert signatures[0] < signatures[1] < signatures[2]


def test_under_a_budget_the_bodies_the_question_points_at_come_first() -> None:
    question = "How are mutually exclusive groups checked for conflicts?"
    code = CodeFile(SOURCE, "python")
    asked = parse_code_query(question)
    prepared = code.prepare("o200k_base", 20, asked.paths, sorted(asked.strong), sorted(asked.weak))
    whole, named = prepared.whole()
    assert whole
    assert not named
    lines = store_lines(SOURCE)
    last_lines = {lines[code.definitions()[k].last] for k in whole}
    out = set(store_lines(through_pipeline(SOURCE, "code", query=question, budget=8000)[0].compressed))
    assert last_lines <= out
    plain = set(store_lines(through_pipeline(SOURCE, "code", budget=8000)[0].compressed))
    assert not last_lines <= plain
