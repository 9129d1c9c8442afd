"""The syntax check of code outputs: plans that are not valid by construction are parsed and narrowed."""

from __future__ import annotations

from structure_helpers import context

from compressors._code_check import checked, checked_plan, read_source
from rustcore._code import CodeElision, CodePlan

# Lines an elision leaves out must cost more than its marker, or they are shown instead.
COMMENT = "  # " + "a comment long enough to cost more tokens than a marker does " * 2
SOURCE = (
    f"def f(a, b):\n    x = call({COMMENT}\n        a,\n        b,\n    )\n"
    f"    y = [\n        1,{COMMENT}\n        2,{COMMENT}\n        3,\n    ]\n    return x, y\n"
)


def test_an_elision_that_breaks_the_syntax_is_undone_and_the_rest_kept() -> None:
    source = read_source("python", SOURCE)
    ctx = context(SOURCE, language="python")
    # The list's items are safe to leave out; line 2 alone cuts `x = call(` away from its `)`.
    bad, good = CodeElision(1, 1, "    ", "", ""), CodeElision(6, 8, "        # ", "", "")
    accepted = checked(source, [bad, good], ctx)
    assert accepted is not None
    assert accepted.elisions == [good]
    assert "lines=7-9" in accepted.text


def test_an_elision_cheaper_than_its_marker_is_shown_and_not_reported_as_applied() -> None:
    text = "def f(a):\n    x = [\n        1,\n        2,\n    ]\n    return x\n"
    source = read_source("python", text)
    accepted = checked(source, [CodeElision(2, 3, "        # ", "", "")], context(text, language="python"))
    assert accepted is not None
    assert accepted.text == text
    assert accepted.elisions == []


def test_a_plan_without_bodies_whose_error_nobody_explains_is_refused_not_emptied() -> None:
    text = f"x = call(\n    a,\n    b,\n){COMMENT}\n"
    source = read_source("python", text)
    ctx = context(text, language="python")
    # Leaving out the closing line breaks the call where it opens, before any glue line.
    elision = CodeElision(3, 3, "# ", "", "")
    plan = CodePlan([elision], [False], False, ["x = call(\n    a,\n    b,\n", ""], ["\n"])
    assert checked(source, plan.elisions, ctx) is None
    assert checked_plan(source, plan, ctx) is None


def test_a_proven_plan_is_joined_from_the_kept_text() -> None:
    text = "def f(a, b):\n" + "".join(f"    v{i} = a * {i} + b\n" for i in range(12)) + "    return a\n"
    source = read_source("python", text)
    ctx = context(text, language="python")
    prepared = source.file.prepare("o200k_base", 20)
    whole, _ = prepared.whole()
    plan = prepared.plan(whole)
    assert plan.proven and source.provable
    accepted = checked_plan(source, plan, ctx)
    assert accepted is not None
    assert accepted.text == f"def f(a, b):\n    ...  # {ctx.marker(13, 'lines', (2, 14))}\n"
