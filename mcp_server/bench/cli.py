"""`headroom bench`: token reduction, needle retention and speed on a corpus of your own.

Exit status: 0 when the run completed (malformed samples are listed on stderr
and skipped; a sample our compressor failed on is listed and counted apart);
1 when no corpus was given and the default is absent, when the corpus cannot be
read or holds no usable sample (an empty corpus is an error: a benchmark that
measured nothing must not pass for one that did), or when an output cannot be
written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mcp_server.bench._results import BenchReport

__all__ = ["add_parser", "default_corpus", "publish"]

_EPILOG = """\
samples: one folder per sample holding input.txt and meta.json {"category", "query", "needles"}.
needles kept: found verbatim once whitespace runs are collapsed (a needle made only of JSON
"key": value pairs also counts when each key and value occurs as a whole token); strict: byte for
byte; kept + 1 retrieval: also found in one store.query(hash, query, max_tokens=2000) excerpt.
Without CORPUS_DIR: ../shared/corpus/dev (beside the working folder or the source checkout) when present.
The comparison with the peer (headroom-ai) and the MCP server's own figures run from a source
checkout: `make bench` (python -m benchmarks.compare).
"""

# Where the project's development corpus sits beside a checkout (and beside the working folder, as the README runs it).
DEV_CORPUS = Path("..", "shared", "corpus", "dev")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "bench",
        help="measure reduction, needle retention and speed on a corpus (and the peer's)",
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "corpus", nargs="?", type=Path, metavar="CORPUS_DIR", help=f"folder of sample folders (default {DEV_CORPUS})"
    )
    p.add_argument("--json", action="store_true", help="print the full results as JSON on stdout")
    p.add_argument("--out", type=Path, metavar="DIR", help="write bench.json, bench.png and README-table.md here")
    p.add_argument("--runs", type=_positive_int, default=5, metavar="N", help="timed runs per sample (default 5)")
    p.add_argument("--no-query", action="store_true", help="only compress without the sample's query")
    p.add_argument(
        "--update-readme",
        type=Path,
        metavar="README",
        help="replace the text between <!-- bench:start --> and <!-- bench:end --> with the tables",
    )
    p.set_defaults(func=_bench)


def _progress(text: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\r\033[K{text[:100]}")
        sys.stderr.flush()


def _say(text: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    print(text, file=sys.stderr, flush=True)


def default_corpus(cwd: Path | None = None) -> Path | None:
    """The development corpus beside the working folder or beside this source checkout, if either has it."""
    checkout = Path(__file__).resolve().parents[2]
    for base in (cwd or Path.cwd(), checkout):
        candidate = base / DEV_CORPUS
        if candidate.is_dir():
            # Shown in reports and README tables: relative to where the command runs, never a machine's path.
            return Path(os.path.relpath(candidate))
    return None


def publish(report: BenchReport, command: str, *, as_json: bool, out: Path | None, readme: Path | None) -> None:
    """Print `report` (one JSON object, or the terminal tables), then write the outputs to `out` and the
    tables into the README `readme` where asked; `command` is how to reproduce it, shown with the tables."""
    from mcp_server.bench._bench import write_outputs
    from mcp_server.bench._report import render_markdown, render_terminal, update_readme

    print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) if as_json else render_terminal(report))
    if out is not None:
        for path in write_outputs(report, out, command, say=_say):
            _say(f"wrote {path}")
    if readme is not None:
        backup = update_readme(readme, render_markdown(report, command), backup_dir=out)
        _say(f"updated {readme}" + (f" (previous copy: {backup})" if backup else " (unchanged)"))


def _bench(args: argparse.Namespace) -> int:
    from ccr import InputError
    from mcp_server.bench._bench import BenchOptions, run_bench

    corpus = args.corpus if args.corpus is not None else default_corpus()
    if corpus is None:
        raise InputError(
            "give the corpus folder: one sub-folder per sample holding input.txt and meta.json "
            f'{{"category", "query", "needles"}} (the default {DEV_CORPUS} is not here)'
        )
    options = BenchOptions(corpus=corpus, runs=args.runs, with_query=not args.no_query)
    report = run_bench(options, say=_say, progress=_progress)
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    publish(report, options.command(args.out), as_json=args.json, out=args.out, readme=args.update_readme)
    for run in report.systems:
        for result in run.samples:
            if result.error:
                _say(f"{run.label}: {result.name} failed: {result.error}")
    return 0
