"""One benchmark run from start to finish: corpus, our compressor, the peer, the server, the outputs."""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ccr import InputError, PeerRunError
from mcp_server.bench._corpus import Corpus, load_corpus
from mcp_server.bench._peer import find_peer_python, measure_peer_server, run_peer
from mcp_server.bench._plot import plot_reduction_vs_retention
from mcp_server.bench._report import render_markdown
from mcp_server.bench._results import MODES, BenchReport, MachineInfo, SystemRun
from mcp_server.bench._runner import ENCODING, run_headroom
from mcp_server.bench._server import ServerNumbers, measure_server

__all__ = ["BENCH_JSON", "PLOT_PNG", "README_TABLE", "BenchOptions", "run_bench", "write_outputs"]

BENCH_JSON = "bench.json"
PLOT_PNG = "bench.png"
README_TABLE = "README-table.md"


@dataclass(frozen=True, slots=True)
class BenchOptions:
    corpus: Path
    runs: int = 5
    with_query: bool = True
    peer: bool = True
    peer_python: Path | None = None
    server: bool = True

    def command(self, out: Path | None = None) -> str:
        """The `headroom bench` command line that repeats this run."""
        argv = ["headroom", "bench", str(self.corpus), "--runs", str(self.runs)]
        if not self.with_query:
            argv.append("--no-query")
        if self.peer_python is not None:
            argv += ["--peer-python", str(self.peer_python)]
        elif not self.peer:
            argv.append("--no-peer")
        if not self.server:
            argv.append("--skip-server")
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
    """Measure every usable sample of the corpus; the peer and the server too unless switched off.

    `say` hears each phase and each skipped sample, `progress` each sample. A peer
    that fails to run is recorded in `peer_error`, not raised: our figures still stand.

    Raises:
        InputError: the corpus cannot be read, holds no usable sample, or `peer_python` is not executable.
    """

    def note(text: str) -> None:
        if say is not None:
            say(text)

    corpus = load_corpus(options.corpus)
    for problem in corpus.problems:
        note(f"skipped {problem.name}: {problem.reason}")
    corpus = _usable(corpus)
    peer_python = find_peer_python(options.peer_python) if options.peer or options.peer_python else None
    modes = MODES if options.with_query else ("no-query",)
    date = dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")
    note(f"headroom-mcp: {len(corpus.samples)} samples x {len(modes)} mode(s), {options.runs} runs each")
    systems: list[SystemRun] = run_headroom(corpus.samples, modes=modes, runs=options.runs, progress=progress)
    peer_error = None
    if peer_python is not None:
        note(f"peer: {peer_python}")
        try:
            systems.append(run_peer(peer_python, corpus.samples, runs=options.runs))
        except PeerRunError as exc:
            peer_error = str(exc)
    elif options.peer:
        peer_error = "no .venv-peer here (create it with `make bench-peer`) and no --peer-python given"
    server = peer_server = None
    if options.server:
        note("server: start-up, stdio round trips, idle memory")
        server = measure_server(runs=options.runs)
        if peer_python is not None and peer_error is None:
            note("peer server: start-up, idle memory")
            try:
                peer_server = measure_peer_server(peer_python, runs=options.runs)
            except PeerRunError as exc:
                peer_server = ServerNumbers(measured=False, reason=str(exc))
    return BenchReport(
        corpus=str(options.corpus),
        date=date,
        machine=MachineInfo.current(),
        encoding=ENCODING,
        runs=options.runs,
        samples=len(corpus.samples),
        problems=corpus.problems,
        systems=tuple(systems),
        server=server,
        peer_server=peer_server,
        peer_error=peer_error,
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


def write_outputs(report: BenchReport, out: Path, command: str) -> list[Path]:
    """`bench.json`, `README-table.md` and `bench.png` in `out` (created if needed); returns their paths.

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
    plot_reduction_vs_retention(report.systems, plot_path, title=f"{report.corpus}, {report.date}")
    return [json_path, table_path, plot_path]
