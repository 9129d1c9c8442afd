"""The audit's additions to the fresh generators: kinds with a known gap stay out of the floored draws, and the
rules the search and diff generators use to pick a question with one answer."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from benchmarks.fresh import REGISTRY, generate, generators
from benchmarks.fresh.__main__ import main as fresh_main
from benchmarks.fresh._core import Context, Found, FreshSample, Generator
from benchmarks.fresh._score import score_samples
from benchmarks.fresh.history import STAT_ROW
from benchmarks.fresh.searches import declares, defined_once


def test_a_kind_with_a_known_gap_is_drawn_by_write_and_sweep_but_not_by_the_floored_tests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def make(ctx: Context, rng: random.Random) -> Found:
        text = "".join(f"line {i} of a probe\n" for i in range(20))
        return Found("probe", "What is line 7?", ("line 7 of a probe",), "a probe", text)

    monkeypatch.setitem(REGISTRY, "probe_gap", Generator("probe_gap", "logs", make, gap="owner: what it loses"))
    assert [s.kind for s in generate("gap-seed", per_category=1, kinds=["probe_gap"]).samples] == ["probe_gap"]
    assert generate("gap-seed", per_category=1, kinds=["probe_gap"], gaps=False).samples == ()
    assert "probe_gap" not in {g.kind for g in generators(["logs"], gaps=False)}


def test_write_floored_leaves_the_kinds_with_a_gap_out_of_the_corpus(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def make(ctx: Context, rng: random.Random) -> Found:
        text = "".join(f"line {i} of a probe\n" for i in range(20))
        return Found("probe", "What is line 7?", ("line 7 of a probe",), "a probe", text)

    monkeypatch.setitem(REGISTRY, "probe_gap", Generator("probe_gap", "logs", make, gap="owner: what it loses"))
    args = ["write", "--seed", "gap-seed", "--kind", "probe_gap", "--kind", "pip_list"]
    assert fresh_main([*args[:1], str(tmp_path / "all"), *args[1:]]) == 0
    assert fresh_main([*args[:1], str(tmp_path / "floored"), *args[1:], "--floored"]) == 0
    assert any(p.name.startswith("logs-probe_gap") for p in (tmp_path / "all").iterdir())
    assert not any(p.name.startswith("logs-probe_gap") for p in (tmp_path / "floored").iterdir())


def test_a_search_question_needs_one_declaration_of_its_name_among_the_results() -> None:
    one = "a/x.go:10:func (h *handler) Available() bool {\na/x.go-11-\treturn true\na/y.go:40:\tok := h.Available()\n"
    two = one + "b/z.go:7:func (c *conn) Available() int {\n"
    assert defined_once(one, "Available")
    assert not defined_once(two, "Available")


def test_a_diffstat_row_gives_its_path_and_count() -> None:
    row = STAT_ROW.match(" compressors/_pieces.py       |  6 +++-")
    assert row is not None and (row["path"].strip(), row["count"]) == ("compressors/_pieces.py", "6")
    assert STAT_ROW.match(" 5 files changed, 107 insertions(+), 5 deletions(-)") is None


def test_a_line_declares_something_by_a_keyword_or_a_c_signature_not_by_prose_or_a_call() -> None:
    declarations = ("    def run(self):", "pub(crate) fn parse(", "func (h *T) Serve(w io.Writer) {", "int f(int a)")
    for line in (*declarations, "impl PartialOrd for Record {", "#define MAX_LEN 4"):
        assert declares(line), line
    for line in ("This returns an instance of a class with the following public methods:", "    return f(x)",
                 "where", "from .x import ("):  # fmt: skip
        assert not declares(line), line


def test_an_input_compress_refuses_scores_nothing_kept_and_says_why() -> None:
    # NUL bytes: refused as binary whatever else compress() learns to read.
    text = "".join(f"a/x.py:{i}:def f{i}():\x00\x00\n" for i in range(40))
    sample = FreshSample("s", "search", "probe", "probe", "Where is f7 defined?", ("def f7():",), "n", text)
    (score,) = score_samples([sample], modes=("query",))
    assert (score.kept, score.with_retrieval, score.tokens_after, score.round_trip) == (
        0,
        0,
        score.tokens_before,
        False,
    )
    assert score.missing[0].startswith("(refused: ") and score.missing[1:] == ("def f7():",)
