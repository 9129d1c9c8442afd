"""Running the generators: a fixed number of samples per category, round-robin over the category's generators in
a seeded order, and writing them as a corpus folder `headroom bench` reads."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.fresh._core import CATEGORIES, REGISTRY, Context, FreshSample, Generator, Skip, Unavailable
from benchmarks.fresh._places import PROJECT

__all__ = ["Generated", "default_seed", "generate", "generators", "write_corpus"]

# Each generator may fail this many draws in a row (nothing fitting its rule) before its category stops asking it.
_MISSES = 5


def default_seed() -> str:
    """Today's date: the samples change every day, and a failure names the seed that reproduces it."""
    return dt.date.today().isoformat()


def generators(
    categories: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
    *,
    slow: bool = True,
    gaps: bool = True,
) -> list[Generator]:
    """The registered generators, filtered, sorted by category then kind (`gaps=False`: only those without a
    known failure, the ones the floored tests draw).

    Raises:
        ValueError: an unknown category or kind (the message lists the known ones).
    """
    wanted_categories = set(categories or CATEGORIES)
    unknown = wanted_categories - set(CATEGORIES)
    if unknown:
        raise ValueError(f"unknown categories {sorted(unknown)}; known: {', '.join(CATEGORIES)}")
    wanted_kinds = set(kinds) if kinds is not None else set(REGISTRY)
    unknown = wanted_kinds - set(REGISTRY)
    if unknown:
        raise ValueError(f"unknown generators {sorted(unknown)}; known: {', '.join(sorted(REGISTRY))}")
    chosen = [
        g
        for g in REGISTRY.values()
        if g.category in wanted_categories and g.kind in wanted_kinds and (slow or not g.slow) and (gaps or not g.gap)
    ]
    return sorted(chosen, key=lambda g: (g.category, g.kind))


@dataclass(frozen=True, slots=True)
class Generated:
    """One run's samples, the generators that gave up and why, and how long each generator took.

    `unavailable` names the generators this machine cannot run at all (a tool or its data absent).
    """

    seed: str
    samples: tuple[FreshSample, ...]
    skipped: tuple[tuple[str, str], ...]
    seconds: dict[str, float]
    unavailable: tuple[str, ...] = ()

    def categories(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.samples:
            out[s.category] = out.get(s.category, 0) + 1
        return out


def _category_samples(
    ctx: Context,
    category: str,
    gens: list[Generator],
    count: int,
    skipped: list[tuple[str, str]],
    unavailable: list[str],
    seconds: dict[str, float],
) -> list[FreshSample]:
    order = list(gens)
    ctx.rng("order", category).shuffle(order)
    misses = dict.fromkeys((g.kind for g in order), 0)
    draws = dict.fromkeys((g.kind for g in order), 0)
    seen: set[tuple[str, str]] = set()
    out: list[FreshSample] = []
    turn = 0
    while len(out) < count and order:
        gen = order[turn % len(order)]
        turn += 1
        draw = draws[gen.kind]
        draws[gen.kind] += 1
        started = time.perf_counter()
        try:
            found = gen.make(ctx, ctx.rng(gen.kind, draw))
        except Skip as exc:
            misses[gen.kind] += 1
            if misses[gen.kind] >= _MISSES or isinstance(exc, Unavailable):
                skipped.append((gen.kind, str(exc)))
                if isinstance(exc, Unavailable):
                    unavailable.append(gen.kind)
                order.remove(gen)
            continue
        finally:
            seconds[gen.kind] = seconds.get(gen.kind, 0.0) + time.perf_counter() - started
        key = (found.query, hashlib.sha256(found.text.encode()).hexdigest())
        if key in seen:
            misses[gen.kind] += 1
            if misses[gen.kind] >= _MISSES:
                order.remove(gen)
            continue
        seen.add(key)
        misses[gen.kind] = 0
        out.append(
            FreshSample(
                name=f"{category}-{gen.kind}-{draw:02d}",
                category=category,
                kind=gen.kind,
                source=found.source,
                query=found.query,
                needles=found.needles,
                notes=found.notes,
                text=found.text,
            )
        )
    return out


def generate(
    seed: str | None = None,
    *,
    per_category: int = 4,
    categories: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
    slow: bool = True,
    gaps: bool = True,
    timeout_s: float = 60.0,
    progress: Callable[[str], None] | None = None,
) -> Generated:
    """`per_category` fresh samples of each category (fewer where its generators cannot make them; see `skipped`).

    The same seed on the same machine draws the same targets; outputs that carry times (test runs, logs) differ
    in those. Scratch files live in a temporary folder removed before returning.

    Raises:
        ValueError: an unknown category or kind.
    """
    seed = seed or default_seed()
    gens = generators(categories, kinds, slow=slow, gaps=gaps)
    skipped: list[tuple[str, str]] = []
    unavailable: list[str] = []
    seconds: dict[str, float] = {}
    samples: list[FreshSample] = []
    with tempfile.TemporaryDirectory(prefix="headroom-fresh-") as tmp:
        ctx = Context(seed=seed, workdir=Path(tmp), project=PROJECT, python=sys.executable, timeout_s=timeout_s)
        for category in sorted({g.category for g in gens}):
            if progress is not None:
                progress(f"{category}: generating")
            members = [g for g in gens if g.category == category]
            samples += _category_samples(ctx, category, members, per_category, skipped, unavailable, seconds)
    return Generated(seed, tuple(samples), tuple(skipped), seconds, tuple(unavailable))


def write_corpus(generated: Generated, out: Path) -> list[Path]:
    """Each sample as `out/NAME/input.txt` + `meta.json` (the layout `headroom bench` reads), plus `fresh.json`.

    `out` must be absent or empty, or hold only an earlier run of this command (then it is replaced).

    Raises:
        FileExistsError: `out` holds something else.
    """
    if out.exists() and any(out.iterdir()):
        if not (out / "fresh.json").is_file():
            raise FileExistsError(f"{out} is not empty and holds no fresh.json from an earlier run; give a new folder")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    folders = []
    for sample in generated.samples:
        folder = out / sample.name
        folder.mkdir()
        (folder / "input.txt").write_bytes(sample.text.encode("utf-8"))
        meta = json.dumps(sample.meta(generated.seed), indent=2, ensure_ascii=False)
        (folder / "meta.json").write_text(meta + "\n", encoding="utf-8")
        folders.append(folder)
    summary = {
        "seed": generated.seed,
        "samples": {s.name: s.kind for s in generated.samples},
        "skipped": [{"kind": k, "reason": r} for k, r in generated.skipped],
        "seconds": {k: round(v, 3) for k, v in sorted(generated.seconds.items())},
        "command": f"python -m benchmarks.fresh write {out} --seed {generated.seed}",
    }
    (out / "fresh.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return folders
