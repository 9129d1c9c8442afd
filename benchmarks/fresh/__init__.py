"""Fresh-output fidelity samples: real output captured on this machine at run time, with questions and needles
picked by stated rules from a seeded random stream, so no compressor can be tuned to them.

    from benchmarks.fresh import generate, write_corpus
    run = generate(seed="2026-12-05", per_category=4)      # default seed: today's date
    for sample in run.samples: sample.text, sample.query, sample.needles
    write_corpus(run, Path("fresh-corpus"))                 # then: headroom bench fresh-corpus

`python -m benchmarks.fresh --help` for the command line. Not shipped in the wheel.
"""

from __future__ import annotations

# Importing the generator modules registers them (one registry, keyed by kind).
from benchmarks.fresh import (
    apis,
    builds,
    code_questions,
    configs,
    docs,
    history,
    listings,
    logs,
    machine,
    manuals,
    packages,
    pages,
    runs,
    searches,
    sources,
    traces,
    xmlfiles,
)
from benchmarks.fresh._core import CATEGORIES, REGISTRY, FreshSample, Generator, Skip, Unavailable
from benchmarks.fresh._generate import Generated, default_seed, generate, generators, write_corpus

__all__ = [
    "CATEGORIES",
    "REGISTRY",
    "FreshSample",
    "Generated",
    "Generator",
    "Skip",
    "Unavailable",
    "apis",
    "builds",
    "code_questions",
    "configs",
    "default_seed",
    "docs",
    "generate",
    "generators",
    "history",
    "listings",
    "logs",
    "machine",
    "manuals",
    "packages",
    "pages",
    "runs",
    "searches",
    "sources",
    "traces",
    "write_corpus",
    "xmlfiles",
]
