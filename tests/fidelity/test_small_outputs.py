"""Small real outputs are cut like large ones: a build or test run of a thousand tokens shrinks to a share of
itself, and what it is about (errors, failures and why, the closing lines) survives without a query.

The outputs are made at test time on this machine (`benchmarks.fresh` runs gcc, unittest and ruff on scratch code
with seeded defects); the seed is today's date, printed on failure (HEADROOM_FRESH_SEED repeats it).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

from benchmarks.fresh import default_seed, generate
from ccr import Settings, Store
from compressors import compress

SEED = os.environ.get("HEADROOM_FRESH_SEED") or default_seed()
# A problem line as compilers, linters and test runners print it (`file.c:3:5: error: ...`, `FAIL: test_x (...)`,
# `x.py:3:5: F821 Undefined name ...`), and what kind of problem it is: a failing test by its id, a linter finding by
# its rule code, a compiler's by its message with the names in it left out.
_PROBLEM = re.compile(
    r"^(?P<fail>(FAIL|ERROR): .*)|^\S+:\d+:\d+: (?P<rule>[A-Z]+\d+) "
    r"|(^|: )(error|fatal error)(\[\w+\])?: (?P<message>.*)"
)
# A source excerpt under a diagnostic (`  12 |     x = 1`, `     |     ^~~~`): not an output's closing words.
_EXCERPT = re.compile(r"^\s*(\d+\s*)?\|")


def _kind(match: re.Match[str]) -> str:
    if match["fail"]:
        return match["fail"]
    if match["rule"]:
        return match["rule"]
    return re.sub(r"[‘'`\"].*?[’'`\"]", "_", match["message"])


@pytest.mark.parametrize("kind", ["gcc_make", "unittest_run", "ruff_check"])
def test_a_small_build_or_test_run_is_cut_to_a_share_keeping_its_problems_and_last_line(kind: str) -> None:
    run = generate(SEED, per_category=3, kinds=[kind], slow=False)
    if kind in run.unavailable:
        pytest.skip(f"{kind} cannot run here: {run.skipped}")
    samples = [s for s in run.samples if len(s.text) // 4 >= 600]
    assert samples, f"seed {SEED}: no {kind} sample of 600+ tokens; skipped {run.skipped}"
    with tempfile.TemporaryDirectory(prefix="headroom-small-") as home, Store(Settings(home=Path(home))) as store:
        for sample in samples:
            result = compress(sample.text, store=store)
            where = f"seed {SEED} {sample.name}"
            assert result.tokens_after <= 0.6 * result.tokens_before, (
                f"{where}: {result.tokens_before} -> {result.tokens_after} tokens"
            )
            lines = [line for line in sample.text.splitlines() if line.strip() and not _EXCERPT.match(line)]
            assert lines[-1] in result.compressed, f"{where}: the closing line {lines[-1]!r} is gone"
            # One line of each kind of problem at least (a linter's hundredth E501 is told by its template marker).
            found = [(line, m) for line in lines if (m := _PROBLEM.search(line))]
            kinds = {_kind(m) for _, m in found}
            kept = {_kind(m) for line, m in found if line in result.compressed}
            assert kinds <= kept, f"{where}: problems lost: {sorted(kinds - kept)}"
