"""One benchmark run from start to finish: the corpus, our compressor in each mode, the outputs.

The comparison with the peer and the server's own figures are measured from a source checkout
(`benchmarks/compare.py`, run by `make bench`), which adds them to the report this module builds.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ccr import InputError
from mcp_server.bench._corpus import Corpus, load_corpus
from mcp_server.bench._plot import plot_reduction_vs_retention
from mcp_server.bench._report import render_markdown
from mcp_server.bench._results import MODES, BenchReport, MachineInfo, SystemRun
from mcp_server.bench._runner import ENCODING, run_headroom

__all__ = ["BENCH_JSON", "PLOT_PNG", "README_TABLE", "BenchOptions", "run_bench", "write_outputs"]

BENCH_JSON = "bench.json"
PLOT_PNG = "bench.png"
README_TABLE = "README-table.md"


@dataclass(frozen=True, slots=True)
class BenchOptions:
    corpus: Path
    runs: int = 5
    with_query: bool = True

    def command(self, out: Path | None = None) -> str:
        """The `headroom bench` command line that repeats this run."""
        argv = ["headroom", "bench", str(self.corpus), "--runs", str(self.runs)]
        if not self.with_query:
            argv.append("--no-query")
        if out is not None:
            argv += ["--out", str(out)]
        return shlex.join(argv)


def _usable(corpus: Corpus) -> Corpus:
    if corpus.samples:
        return corpus
    if corpus.problems:
        raise InputError(
            f"no usable sample in {corpus.root}: all {len(corpus.problems)} sample folders are malformed "
            "(each needs input.txt and a meta.json with category, query and needles)"
        )
    raise InputError(
        f"no samples in {corpus.root}: expected one folder per sample, each with input.txt and meta.json "
        "(category, query, needles)"
    )


def run_bench(
    options: BenchOptions,
    say: Callable[[str], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> BenchReport:
    """Measure every usable sample of the corpus with our compressor, with the sample's question and without.

    `say` hears each phase and each skipped sample, `progress` each sample.

    Raises:
        InputError: the corpus cannot be read or holds no usable sample.
    """

    def note(text: str) -> None:
        if say is not None:
            say(text)

    corpus = load_corpus(options.corpus)
    for problem in corpus.problems:
        note(f"skipped {problem.name}: {problem.reason}")
    corpus = _usable(corpus)
    modes = MODES if options.with_query else ("no-query",)
    date = dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")
    note(f"headroom-mcp: {len(corpus.samples)} samples x {len(modes)} mode(s), {options.runs} runs each")
    systems: list[SystemRun] = run_headroom(corpus.samples, modes=modes, runs=options.runs, progress=progress)
    return BenchReport(
        corpus=str(options.corpus),
        date=date,
        machine=MachineInfo.current(),
        encoding=ENCODING,
        runs=options.runs,
        samples=len(corpus.samples),
        problems=corpus.problems,
        systems=tuple(systems),
    )


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_outputs(report: BenchReport, out: Path, command: str, say: Callable[[str], None] | None = None) -> list[Path]:
    """`bench.json`, `README-table.md` and `bench.png` in `out` (created if needed); returns the paths written.

    The plot needs matplotlib (the `bench` extra); without it the plot is left out and `say` hears how to get it.

    Raises:
        InputError: `out` cannot be created or written.
    """
    json_path, table_path, plot_path = out / BENCH_JSON, out / README_TABLE, out / PLOT_PNG
    try:
        out.mkdir(parents=True, exist_ok=True)
        _write_atomic(json_path, json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
        _write_atomic(table_path, render_markdown(report, command))
    except OSError as exc:
        raise InputError(f"cannot write the results to {out}: {exc.strerror or exc}") from exc
    try:
        plot_reduction_vs_retention(report.systems, plot_path, title=f"{report.corpus}, {report.date}")
    except ModuleNotFoundError as exc:
        if exc.name != "matplotlib":
            raise
        if say is not None:
            say(f"{PLOT_PNG} not written: matplotlib is not installed (pip install 'headroom-mcp[bench]')")
        return [json_path, table_path]
    return [json_path, table_path, plot_path]
