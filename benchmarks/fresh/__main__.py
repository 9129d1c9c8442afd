"""Fresh-output fidelity samples from the command line.

    python -m benchmarks.fresh write DIR [--seed S] [--per-category N] [--category C]... [--kind K]... [--quick]
                                         [--floored]    # only kinds with no known gap, as the floored tests draw
    headroom bench DIR                                  # scores them like any corpus
    python -m benchmarks.fresh kinds BENCH_JSON         # the same scores per generator (from bench.json)
    python -m benchmarks.fresh sweep [--seeds N]        # per-category rates over N seeds (--floored: as the tests)
    python -m benchmarks.fresh list                     # generators and their categories

The default seed is today's date; the seed is printed, and `--seed` repeats a run's draws.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.fresh import CATEGORIES, default_seed, generate, generators, write_corpus


def _write(args: argparse.Namespace) -> int:
    seed = args.seed or default_seed()
    print(f"seed {seed} (repeat with --seed {seed})", file=sys.stderr)
    run = generate(
        seed,
        per_category=args.per_category,
        categories=args.category,
        kinds=args.kind,
        slow=not args.quick,
        gaps=not args.floored,
        progress=lambda text: print(text, file=sys.stderr),
    )
    try:
        write_corpus(run, args.out)
    except FileExistsError as exc:
        print(f"fresh: {exc}", file=sys.stderr)
        return 1
    counts = run.categories()
    drawn = generators(args.category, args.kind, slow=not args.quick, gaps=not args.floored)
    for category in sorted({g.category for g in drawn}):
        print(f"  {category:<14} {counts.get(category, 0)} samples", file=sys.stderr)
    for kind, reason in run.skipped:
        print(f"  skipped {kind}: {reason}", file=sys.stderr)
    slowest = sorted(run.seconds.items(), key=lambda kv: -kv[1])[:5]
    print("  slowest generators: " + ", ".join(f"{k} {v:.1f} s" for k, v in slowest), file=sys.stderr)
    print(
        f"wrote {len(run.samples)} samples to {args.out}; score them with: headroom bench {args.out}", file=sys.stderr
    )
    return 0 if run.samples else 1


def _rate(part: int, whole: int) -> str:
    return f"{part / whole * 100:.0f}%" if whole else "n/a"


def kind_rows(report: dict[str, Any], corpus: Path) -> list[list[str]]:
    """Per mode and generator: samples, reduction, needles kept / strict / with one retrieval, median ms."""
    kinds: dict[str, str] = {}
    for folder in sorted(p for p in corpus.iterdir() if (p / "meta.json").is_file()):
        kinds[folder.name] = str(json.loads((folder / "meta.json").read_text(encoding="utf-8")).get("kind", "?"))
    rows = []
    for system in report["systems"]:
        if system["system"] != "headroom-mcp":
            continue
        groups: dict[str, list[dict[str, Any]]] = {}
        for sample in system["samples"]:
            if sample["error"] is None:
                groups.setdefault(kinds.get(sample["name"], "?"), []).append(sample)
        for kind in sorted(groups):
            items = groups[kind]
            before = sum(s["tokens_before"] for s in items)
            after = sum(s["tokens_after"] for s in items)
            total = sum(s["needles"]["total"] for s in items)
            found = sum(s["needles"]["with_retrieval"] or 0 for s in items)
            rows.append(
                [
                    system["mode"],
                    kind,
                    str(len(items)),
                    _rate(before - after, before),
                    _rate(sum(s["needles"]["kept"] for s in items), total),
                    _rate(sum(s["needles"]["strict"] for s in items), total),
                    _rate(found, total),
                    f"{statistics.median(s['median_ms'] for s in items):.1f}",
                ]
            )
    return rows


def _kinds(args: argparse.Namespace) -> int:
    report = json.loads(args.bench_json.read_text(encoding="utf-8"))
    corpus = Path(report["corpus"])
    headers = ["mode", "generator", "samples", "reduction", "kept", "strict", "kept + 1 retrieval", "median ms"]
    rows = kind_rows(report, corpus)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print(f"per generator ({corpus}):")
    for row in [headers, *rows]:
        print("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from benchmarks.fresh._score import score_samples, summarize_scores

    base = args.seed or default_seed()
    per_seed: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for i in range(args.seeds):
        seed = f"{base}/{i}"
        run = generate(
            seed, per_category=args.per_category, categories=args.category, slow=False, gaps=not args.floored
        )
        rows = summarize_scores(score_samples(run.samples))
        print(f"seed {seed}: {len(run.samples)} samples", file=sys.stderr)
        for row in rows:
            per_seed.setdefault((row.category, row.mode), []).append((row.kept, row.with_retrieval, row.reduction))
            if args.verbose:
                print("  " + row.line(), file=sys.stderr)
    print(f"{args.seeds} seeds ({base}/0..{args.seeds - 1}), {args.per_category} samples per category each:")
    print(f"{'category':<14} {'mode':<8}  kept min/median      +1 retrieval min/median   reduction min/median")
    for (category, mode), values in sorted(per_seed.items()):
        kept, found, reduction = zip(*values, strict=True)
        print(
            f"{category:<14} {mode:<8}  {min(kept):5.0%} {statistics.median(kept):5.0%}          "
            f"{min(found):5.0%} {statistics.median(found):5.0%}              "
            f"{min(reduction):5.0%} {statistics.median(reduction):5.0%}"
        )
    return 0


def _list(args: argparse.Namespace) -> int:
    for g in generators():
        gap = f"  [gap: {g.gap}]" if g.gap else ""
        print(f"{g.category:<14} {g.kind}{' (slow)' if g.slow else ''}{gap}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.fresh", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    write = sub.add_parser("write", help="generate samples and write them as a corpus folder")
    write.add_argument("out", type=Path, metavar="DIR", help="folder to write (absent, empty, or an earlier run)")
    write.add_argument("--seed", help="seed of the draws (default: today's date)")
    write.add_argument("--per-category", type=int, default=4, metavar="N", help="samples per category (default 4)")
    write.add_argument("--category", action="append", choices=CATEGORIES, help="only this category (repeatable)")
    write.add_argument("--kind", action="append", metavar="KIND", help="only this generator (repeatable)")
    write.add_argument("--quick", action="store_true", help="leave out the slow generators (mypy)")
    write.add_argument(
        "--floored", action="store_true", help="leave out the kinds with a known gap (as the floored tests do)"
    )
    write.set_defaults(func=_write)
    kinds = sub.add_parser("kinds", help="per-generator rates from a `headroom bench --out` bench.json")
    kinds.add_argument("bench_json", type=Path, metavar="BENCH_JSON")
    kinds.set_defaults(func=_kinds)
    sweep = sub.add_parser("sweep", help="per-category rates over several seeds (where the test floors stand)")
    sweep.add_argument("--seeds", type=int, default=10, metavar="N", help="number of seeds (default 10)")
    sweep.add_argument("--seed", help="base of the seeds (default: today's date); seeds are BASE/0..BASE/N-1")
    sweep.add_argument("--per-category", type=int, default=4, metavar="N", help="samples per category (default 4)")
    sweep.add_argument("--category", action="append", choices=CATEGORIES, help="only this category (repeatable)")
    sweep.add_argument(
        "--floored", action="store_true", help="only the kinds the test floors draw (no known gap), as the tests do"
    )
    sweep.add_argument("-v", "--verbose", action="store_true", help="print each seed's rows too")
    sweep.set_defaults(func=_sweep)
    sub.add_parser("list", help="the generators and their categories").set_defaults(func=_list)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ValueError as exc:
        print(f"fresh: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
