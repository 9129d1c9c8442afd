"""Documentation is a list of entries, each a head line and its description: the options of a man page, a command's
`--help` and `node --v8-options`, the functions and methods of `python -m pydoc` text, the `Files:` stanzas of
Debian copyright files. A question that names an entry (`-r`, `--halt`, `Class.method`, `*.c *.h`) keeps that
entry whole, and one query retrieval brings it back.

The samples are real output captured at test time by the `benchmarks.fresh` generators (a man page of this machine,
a stdlib module's pydoc text, installed tools' help, installed packages' copyright files), with the option, method
or stanza drawn mechanically; the seeds are fixed here.

Floors: over seeds `entries-a`..`entries-c` (2 samples per kind each, 30 samples, 2026-12-05) every needle was kept
with the question and every one came back within one retrieval with or without it (before the entries: 90.6% kept
with the question, 96.2% within one retrieval); the floors leave a margin for hard draws on another machine.
"""

from __future__ import annotations

import pytest

from benchmarks.fresh import FreshSample, generate
from benchmarks.fresh._score import score_samples, summarize_scores

SEEDS = ("entries-a", "entries-b", "entries-c")
KINDS = ("man_page", "pydoc_text", "cli_help", "v8_options", "debian_copyright")
KEPT_FLOOR, FOUND_FLOOR = 0.9, 0.95


@pytest.fixture(scope="module")
def samples() -> list[FreshSample]:
    out: list[FreshSample] = []
    for seed in SEEDS:
        for kind in KINDS:
            out += generate(seed, per_category=2, kinds=[kind], slow=False).samples
    if not out:
        pytest.skip("no man pages, pydoc, help texts or copyright files here")
    return out


def test_a_question_naming_an_option_a_method_or_a_stanza_keeps_that_entry_and_one_retrieval_brings_it_back(
    samples: list[FreshSample],
) -> None:
    scores = score_samples(samples)
    rows = {row.category: row for row in summarize_scores(scores, key="mode")}
    missing = [f"  {s.mode} {s.name}: " + " | ".join(m[:80] for m in s.missing) for s in scores if s.missing]
    report = "\n".join([*(row.line() for row in rows.values()), *missing])
    assert all(s.round_trip for s in scores), report
    assert rows["query"].kept >= KEPT_FLOOR, report
    assert rows["query"].with_retrieval >= FOUND_FLOOR, report
    assert rows["no-query"].with_retrieval >= FOUND_FLOOR, report
