"""Plain-English questions about real source: the body that answers them must survive the code compressor.

The questions come from the standard library's own docstrings (`benchmarks.fresh.code_questions`): the first
sentence of a seeded random function's docstring with its name taken out, so the question names no identifier.
The needles are the function's `def` line and the last line of its body: the body is kept only when the
question's words lead to it. Without the question the same bodies are left out (the outline keeps signatures,
not bodies), which shows it is the question that keeps them. The seed is today's date (HEADROOM_FRESH_SEED
repeats a failing draw).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from benchmarks.fresh import default_seed
from benchmarks.fresh._core import Skip
from benchmarks.fresh._places import stdlib
from benchmarks.fresh.code_questions import doc_question
from ccr import Store
from compressors import compress

SEED = os.environ.get("HEADROOM_FRESH_SEED") or default_seed()
SAMPLES = 16
# Measured 96-99% over 137 questions on 28 stdlib modules (2026-12-05), minus a margin for a hard draw.
FLOOR_WITH_QUESTION = 0.8
# Without the question at most this share of the bodies is kept (measured 1-2%).
CEILING_WITHOUT = 0.25


def test_a_plain_english_question_keeps_the_body_that_answers_it(tmp_path: Path) -> None:
    kept = {"query": 0, "none": 0}
    asked: list[str] = []
    missed: list[str] = []
    with Store(path=tmp_path / "store.sqlite3") as store:
        for draw in range(SAMPLES):
            rng = random.Random(f"{SEED}:code_questions:{draw}")
            try:
                path, text, target = doc_question(rng, [stdlib()])
            except Skip:
                continue
            asked.append(target.name)
            for mode, query in (("query", target.question), ("none", None)):
                out = compress(text, store=store, query=query, name_hint="code").compressed
                if target.def_line in out and target.last_line in out:
                    kept[mode] += 1
                elif mode == "query":
                    missed.append(f"{path.name}:{target.name}: {target.question!r}")
    if len(asked) < SAMPLES // 2:
        pytest.skip(f"only {len(asked)} documented functions drawn from {stdlib()}")
    report = f"seed {SEED} (repeat with HEADROOM_FRESH_SEED={SEED}); missed: " + "; ".join(missed)
    assert kept["query"] / len(asked) >= FLOOR_WITH_QUESTION, report
    assert kept["none"] / len(asked) <= CEILING_WITHOUT, report
