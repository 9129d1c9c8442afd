"""The full benchmark of `make bench`: `headroom bench` on a corpus, beside the peer and with the server's figures.

    .venv/bin/python -m benchmarks.compare [CORPUS_DIR] [--runs N] [--no-query] [--peer-python PATH | --no-peer]
                                           [--skip-server] [--out DIR] [--update-readme README] [--json]

Our figures are `headroom bench`'s (the same run, tables and outputs). The peer (headroom-ai) runs when
`.venv-peer` exists (`make bench-peer`) or `--peer-python` is given; a missing `.venv-peer` is a notice, a failing
`--peer-python` exits 1 after our figures are printed and written. The server is measured as real subprocesses
(start-up, stdio round trips, idle memory), ours and the peer's.
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks.peer import PeerRunError, find_peer_python, measure_peer_server, run_peer
from benchmarks.server_measure import measure_server
from ccr import HeadroomError
from mcp_server.bench import (
    BenchOptions,
    BenchReport,
    ServerNumbers,
    load_corpus,
    run_bench,
)
from mcp_server.bench.cli import default_corpus, publish


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def compare(
    options: BenchOptions, *, peer: bool = True, peer_python: Path | None = None, server: bool = True
) -> BenchReport:
    """Our run of `options`, then the peer's on the same samples and the servers' figures, in one report.

    Raises:
        InputError: the corpus is unusable, or `peer_python` is not an executable file.
    """
    python = find_peer_python(peer_python) if peer or peer_python else None
    report = run_bench(options, say=_say)
    systems = list(report.systems)
    peer_error = None
    if python is not None:
        _say(f"peer: {python}")
        try:
            systems.append(run_peer(python, load_corpus(options.corpus).samples, runs=options.runs))
        except PeerRunError as exc:
            peer_error = str(exc)
    elif peer:
        peer_error = "no .venv-peer here (create it with `make bench-peer`) and no --peer-python given"
    ours_server = peer_server = None
    if server:
        _say("server: start-up, stdio round trips, idle memory")
        ours_server = measure_server(runs=options.runs)
        if python is not None and peer_error is None:
            _say("peer server: start-up, idle memory")
            try:
                peer_server = measure_peer_server(python, runs=options.runs)
            except PeerRunError as exc:
                peer_server = ServerNumbers(measured=False, reason=str(exc))
    return dataclasses.replace(
        report, systems=tuple(systems), server=ours_server, peer_server=peer_server, peer_error=peer_error
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.compare", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", nargs="?", type=Path, metavar="CORPUS_DIR", help="default ../shared/corpus/dev")
    parser.add_argument("--runs", type=int, default=5, metavar="N", help="timed runs per sample (default 5)")
    parser.add_argument("--no-query", action="store_true", help="only compress without the sample's query")
    parser.add_argument("--peer-python", type=Path, metavar="PATH", help="the peer's interpreter (default .venv-peer)")
    parser.add_argument("--no-peer", action="store_true", help="do not run the peer even when .venv-peer exists")
    parser.add_argument("--skip-server", action="store_true", help="do not measure the MCP servers")
    parser.add_argument("--out", type=Path, metavar="DIR", help="write bench.json, bench.png and README-table.md here")
    parser.add_argument("--update-readme", type=Path, metavar="README", help="replace the README's bench section")
    parser.add_argument("--json", action="store_true", help="print the full results as JSON on stdout")
    args = parser.parse_args(argv)
    if args.no_peer and args.peer_python is not None:
        parser.error("give either --no-peer or --peer-python, not both")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    corpus = args.corpus if args.corpus is not None else default_corpus()
    if corpus is None:
        parser.error("give the corpus folder (../shared/corpus/dev is not here)")
    options = BenchOptions(corpus=corpus, runs=args.runs, with_query=not args.no_query)
    try:
        report = compare(options, peer=not args.no_peer, peer_python=args.peer_python, server=not args.skip_server)
        command = shlex.join(["python", "-m", "benchmarks.compare", *(argv if argv is not None else sys.argv[1:])])
        publish(report, command, as_json=args.json, out=args.out, readme=args.update_readme)
    except HeadroomError as exc:
        _say(f"compare: {exc}")
        return 1
    if report.peer_error:
        _say(f"peer: {report.peer_error}")
        return 1 if args.peer_python is not None else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
