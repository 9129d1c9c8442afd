"""Reading a benchmark corpus: one folder per sample with `input.txt` and `meta.json`.

A malformed sample is reported and skipped so one bad folder never hides the
scores of the others; only a corpus folder that cannot be read at all, or one
with no usable sample, is an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ccr import InputError

__all__ = ["BenchSample", "Corpus", "SampleProblem", "load_corpus"]

_REQUIRED = {"category": str, "query": str, "needles": list}


@dataclass(frozen=True, slots=True)
class BenchSample:
    """One sample: the tool output exactly as bytes, what the agent asks, what the answer needs."""

    name: str
    category: str
    query: str
    needles: tuple[str, ...]
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


@dataclass(frozen=True, slots=True)
class SampleProblem:
    """A sample folder that was skipped, and why."""

    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class Corpus:
    root: Path
    samples: tuple[BenchSample, ...]
    problems: tuple[SampleProblem, ...]

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(sorted({s.category for s in self.samples}))


def _read_meta(folder: Path) -> dict[str, object] | str:
    path = folder / "meta.json"
    if not path.is_file():
        return "missing meta.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return "meta.json is not UTF-8"
    except json.JSONDecodeError as exc:
        return f"meta.json is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    except OSError as exc:
        return f"cannot read meta.json: {exc.strerror or exc}"
    if not isinstance(meta, dict):
        return "meta.json must hold a JSON object"
    for field, kind in _REQUIRED.items():
        if field not in meta:
            return f"meta.json has no {field!r} field"
        if not isinstance(meta[field], kind):
            return f"meta.json field {field!r} must be a {kind.__name__}"
    if not str(meta["category"]).strip():
        return "meta.json field 'category' is empty"
    return meta


def _load_sample(folder: Path) -> BenchSample | SampleProblem:
    name = folder.name
    meta = _read_meta(folder)
    if isinstance(meta, str):
        return SampleProblem(name, meta)
    input_path = folder / "input.txt"
    if not input_path.is_file():
        return SampleProblem(name, "missing input.txt")
    try:
        data = input_path.read_bytes()
    except OSError as exc:
        return SampleProblem(name, f"cannot read input.txt: {exc.strerror or exc}")
    if not data:
        return SampleProblem(name, "input.txt is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return SampleProblem(name, f"input.txt is not UTF-8 (byte {exc.start})")
    needles = meta["needles"]
    assert isinstance(needles, list)
    for i, needle in enumerate(needles):
        if not isinstance(needle, str) or not needle.strip():
            return SampleProblem(name, f"needle {i + 1} is not a non-empty string")
        if needle not in text:
            return SampleProblem(name, f"needle {i + 1} does not occur in input.txt: {needle[:60]!r}")
    return BenchSample(
        name=name,
        category=str(meta["category"]).strip(),
        query=str(meta["query"]).strip(),
        needles=tuple(needles),
        data=data,
    )


def load_corpus(root: Path) -> Corpus:
    """Every sample folder under `root`, in name order; malformed ones land in `problems`.

    Hidden entries and plain files at the top level (a README, a checker
    script) are not samples and are ignored.

    Raises:
        InputError: `root` is not a readable folder.
    """
    if not root.exists():
        raise InputError(f"corpus folder {root} does not exist")
    if not root.is_dir():
        raise InputError(f"{root} is not a folder; give the folder that holds one sub-folder per sample")
    try:
        entries = sorted(root.iterdir())
    except OSError as exc:
        raise InputError(f"cannot list corpus folder {root}: {exc.strerror or exc}") from exc
    samples: list[BenchSample] = []
    problems: list[SampleProblem] = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        loaded = _load_sample(entry)
        if isinstance(loaded, BenchSample):
            samples.append(loaded)
        else:
            problems.append(loaded)
    return Corpus(root=root, samples=tuple(samples), problems=tuple(problems))
