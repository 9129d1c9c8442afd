"""What every generator shares: the sample record, the run context (seed, scratch folder, commands), needle rules.

A generator turns real output captured on this machine into one `FreshSample`: the input text exactly as the
command printed it (or the file as it is), a question and the needles that answer it, both picked by a rule
stated in `notes` from a `random.Random` seeded with the run's seed and the sample's place, never by looking
at what any compressor keeps. Where its tool or data is absent a generator raises `Skip` with the reason.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "CATEGORIES",
    "MAX_INPUT_BYTES",
    "MAX_NEEDLE",
    "MIN_NEEDLE",
    "REGISTRY",
    "Context",
    "Found",
    "FreshSample",
    "Generator",
    "Skip",
    "Unavailable",
    "generator",
    "needle_of",
    "needles_of",
    "unique_in",
]

# The dev corpus' categories (see ../shared/corpus/README.md); every generator files its samples under one.
CATEGORIES = (
    "build_output",
    "code",
    "config",
    "diff",
    "html",
    "issue_thread",
    "json_api",
    "logs",
    "prose",
    "search",
    "shell_listing",
    "test_output",
)
# Needles as the corpus defines them: a line's (or sentence's) first 200 characters, at least 8.
MIN_NEEDLE = 8
MAX_NEEDLE = 200
# Inputs stay below this so a run is bounded in time; a generator shrinks its window or picks another source.
MAX_INPUT_BYTES = 400_000


class Skip(Exception):
    """This draw made no sample (nothing fitting the rule, output too large); `str()` says why."""


class Unavailable(Skip):
    """The generator cannot run on this machine at all (its tool or its data is absent); `str()` says which."""


@dataclass(frozen=True, slots=True)
class Found:
    """What a generator returns: the input, the question, its needles, where it came from and the rule used."""

    source: str
    query: str
    needles: tuple[str, ...]
    notes: str
    text: str

    def __post_init__(self) -> None:
        if not self.needles:
            raise Skip("no needle fits the rule")
        for piece in self.needles:
            if piece not in self.text:
                raise AssertionError(f"needle not in the input: {piece[:80]!r}")
        if len(self.text.encode("utf-8")) > MAX_INPUT_BYTES:
            raise Skip(f"the output is over {MAX_INPUT_BYTES:,} bytes")


@dataclass(frozen=True, slots=True)
class FreshSample:
    """One question over one real output: what `headroom bench` reads, plus where it came from."""

    name: str
    category: str
    kind: str
    source: str
    query: str
    needles: tuple[str, ...]
    notes: str
    text: str

    def meta(self, seed: str) -> dict[str, object]:
        """The sample's `meta.json` (the corpus fields, plus the generator and the seed that reproduce it)."""
        return {
            "category": self.category,
            "source": self.source,
            "query": self.query,
            "needles": list(self.needles),
            "notes": self.notes,
            "kind": self.kind,
            "seed": seed,
        }


def needle_of(text: str) -> str | None:
    """The needle a line (or sentence) gives: stripped, its first `MAX_NEEDLE` characters; None when too short."""
    piece = text.strip()[:MAX_NEEDLE].rstrip()
    return piece if len(piece) >= MIN_NEEDLE else None


def needles_of(lines: Iterable[str], text: str, *, once: bool = False) -> tuple[str, ...]:
    """Needles of `lines` that occur in `text` (with `once`: exactly once, so each names one answer), each listed
    once, in order."""
    out: list[str] = []
    for line in lines:
        piece = needle_of(line)
        if piece is not None and (unique_in(piece, text) if once else piece in text) and piece not in out:
            out.append(piece)
    return tuple(out)


def unique_in(piece: str, text: str) -> bool:
    """Whether `piece` occurs exactly once in `text`."""
    first = text.find(piece)
    return first >= 0 and text.find(piece, first + 1) < 0


@dataclass
class Context:
    """One generation run: its seed, a scratch folder, the project checkout, and a cache of command outputs."""

    seed: str
    workdir: Path
    project: Path
    python: str
    timeout_s: float = 60.0
    _outputs: dict[tuple[str, ...], str] = field(default_factory=dict)
    _tools: dict[str, str | None] = field(default_factory=dict)

    def rng(self, *parts: object) -> random.Random:
        """A generator's own random stream: adding or removing another generator changes nothing here."""
        return random.Random(":".join([self.seed, *(str(p) for p in parts)]))

    def scratch(self, name: str) -> Path:
        """An empty folder for one sample's files (scratch code, a tool's cache)."""
        folder = self.workdir / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        return folder

    def tool(self, name: str) -> str:
        """The path of command `name` (this interpreter's scripts folder first).

        Raises:
            Skip: not installed.
        """
        if name not in self._tools:
            beside = Path(self.python).parent / name
            self._tools[name] = str(beside) if beside.is_file() else shutil.which(name)
        path = self._tools[name]
        if path is None:
            raise Unavailable(f"{name} is not installed")
        return path

    def run(
        self,
        argv: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        ok: Callable[[int], bool] = lambda code: code == 0,
        cache: bool = False,
        timeout_s: float | None = None,
    ) -> str:
        """stdout and stderr of a real command, merged as a terminal shows them, decoded as UTF-8.

        `LC_ALL=C.UTF-8` keeps its wording and sort order the same on every machine; `env` adds to the
        environment. `cache` reuses an earlier identical run's output within this context.

        Raises:
            Skip: the command is missing, ran past the timeout, exited with a status `ok` refuses, or printed
                something that is not UTF-8.
        """
        key = (str(cwd), *argv)
        if cache and key in self._outputs:
            return self._outputs[key]
        environ = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "COLUMNS": "100", "NO_COLOR": "1"}
        environ.pop("PYTHONWARNINGS", None)
        environ.update(env or {})
        limit = timeout_s or self.timeout_s
        try:
            done = subprocess.run(
                list(argv),
                cwd=cwd,
                env=environ,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=limit,
                check=False,
            )
        except FileNotFoundError as exc:
            raise Unavailable(f"{argv[0]} is not installed") from exc
        except subprocess.TimeoutExpired as exc:
            raise Skip(f"`{' '.join(argv[:3])} ...` ran longer than {limit:.0f} s") from exc
        if not ok(done.returncode):
            tail = done.stdout.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise Skip(f"`{' '.join(argv[:3])} ...` exited {done.returncode}: {' | '.join(tail)[:300]}")
        try:
            text = done.stdout.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Skip(f"`{' '.join(argv[:3])} ...` printed bytes that are not UTF-8") from exc
        if cache:
            self._outputs[key] = text
        return text


Make = Callable[[Context, random.Random], Found]


@dataclass(frozen=True, slots=True)
class Generator:
    """A named way of making samples of one category; `make` finds one sample or raises `Skip`."""

    kind: str
    category: str
    make: Make
    # Costly generators (a compiler or type checker start, a large tree walk) are left out of quick runs.
    slow: bool = False
    # A failure known today (who owns it, what is lost; one line of notes/gaps.md): such a kind is measured by
    # `fresh write` and `sweep` but left out of the floored tests until its owner fixes it and removes this.
    gap: str | None = None


REGISTRY: dict[str, Generator] = {}


def generator(kind: str, category: str, *, slow: bool = False, gap: str | None = None) -> Callable[[Make], Make]:
    """Register `make` under `kind`; one registry holds every generator, keyed by kind."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}; use one of {CATEGORIES}")

    def register(make: Make) -> Make:
        if kind in REGISTRY:
            raise ValueError(f"generator {kind!r} is registered twice")
        REGISTRY[kind] = Generator(kind, category, make, slow, gap)
        return make

    return register
