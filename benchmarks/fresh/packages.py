"""Package managers' views of what is installed: `cargo tree` and `cargo metadata` of the project's Rust core,
`pip show -f` of an installed distribution, `tar -tzvf` of a crate cargo downloaded, and `diff -ru` between two
versions of one crate that cargo's registry holds side by side.

Each question names one entry drawn with the seed (a crate, a file, a hunk) among those whose line occurs once,
so its needles name one answer.
"""

from __future__ import annotations

import glob
import importlib.metadata
import itertools
import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from benchmarks.fresh._core import (
    MAX_INPUT_BYTES,
    Context,
    Found,
    Skip,
    Unavailable,
    generator,
    needle_of,
    needles_of,
    unique_in,
)
from benchmarks.fresh._places import PROJECT, cargo_registry, pick, stdlib
from benchmarks.fresh.history import parse_hunks

__all__: list[str] = []


def _rust_core() -> Path:
    folder = PROJECT / "rustcore"
    if not (folder / "Cargo.toml").is_file():
        raise Unavailable(f"{folder} holds no Cargo.toml")
    return folder


_TREE = re.compile(r"^(?P<indent>[│├└─ ]*)(?P<name>[\w-]+) v(?P<version>\S+)(?P<rest>.*)$")


@generator("cargo_tree", "shell_listing")
def cargo_tree(ctx: Context, rng: random.Random) -> Found:
    edges = rng.choice(((), ("-e", "normal"), ("-e", "features"), ("-e", "all")))
    argv = [ctx.tool("cargo"), "tree", "--offline", *edges]
    text = ctx.run(argv, cwd=_rust_core(), cache=True, env={"CARGO_TERM_COLOR": "never"})
    lines = text.splitlines()
    entries = [(i, len(m["indent"]), m) for i, line in enumerate(lines) if (m := _TREE.match(line))]
    nested = [
        (i, d, m)
        for i, d, m in entries
        if d > 0 and not m["rest"].rstrip().endswith("(*)") and unique_in(lines[i].strip("│├└─ "), text)
    ]
    i, depth, m = pick(rng, nested, "nested crates")
    parent = next(lines[j] for j, d, _ in reversed(entries) if j < i and d < depth)
    return Found(
        source=f"cargo tree --offline {' '.join(edges)} (in {PROJECT.name}/rustcore)".replace("  ", " "),
        query=f"Which version of the crate {m['name']} is used, and which crate pulls it in?",
        needles=needles_of([lines[i].strip("│├└─ "), parent.strip("│├└─ ")], text, once=True),
        notes="The Rust core's dependency tree (edge kinds drawn with the seed); a nested entry that is not a "
        "repeat `(*)` and whose line occurs once drawn with the seed; needles = its line and its parent's "
        "(tree glyphs cut), those occurring once.",
        text=text,
    )


@generator("cargo_metadata", "json_api")
def cargo_metadata(ctx: Context, rng: random.Random) -> Found:
    argv = [ctx.tool("cargo"), "metadata", "--offline", "--format-version", "1"]
    printed = ctx.run(argv, cwd=_rust_core(), cache=True)
    # stdout is the one JSON line; cargo may add notes on stderr (`Blocking waiting for file lock ...`).
    text = next((line + "\n" for line in printed.splitlines() if line.startswith("{")), "")
    if not text:
        raise Skip("cargo metadata printed no JSON")
    if len(text.encode()) > MAX_INPUT_BYTES:
        raise Unavailable(f"cargo metadata printed over {MAX_INPUT_BYTES:,} bytes")
    packages = json.loads(text).get("packages", [])
    spots = []
    for package in packages:
        piece = json.dumps({"name": package["name"], "version": package["version"]}, separators=(",", ":"))[1:-1]
        if unique_in(piece, text):
            spots.append((package, piece))
    package, piece = pick(rng, spots, "packages")
    license_text = f'"license":{json.dumps(package.get("license"), separators=(",", ":"))}'
    return Found(
        source=f"cargo metadata --offline --format-version 1 (in {PROJECT.name}/rustcore)",
        query=f"Which version of the crate {package['name']} does the build use, and under which license?",
        needles=(piece,),
        notes="The Rust core's metadata (one line of JSON); a package drawn with the seed; needle = its "
        f'`"name":...,"version":...` pair as printed (its {license_text} is not a needle: licenses repeat).',
        text=text,
    )


@generator("pip_show_files", "shell_listing")
def pip_show_files(ctx: Context, rng: random.Random) -> Found:
    # Distributions that list 20+ files (the RECORD `pip show -f` prints), read without starting pip per draw.
    names = sorted(
        {
            d.metadata["Name"]
            for d in importlib.metadata.distributions()
            if d.metadata["Name"] and len(d.files or ()) >= 20
        }
    )
    if ctx.python != sys.executable:
        listed = json.loads(ctx.run([ctx.python, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"]))
        names = sorted(r["name"] for r in listed if isinstance(r, dict) and "name" in r)
    for _ in range(6):
        name = pick(rng, names, "installed distributions", machine=True)
        text = ctx.run([ctx.python, "-m", "pip", "show", "-f", "--disable-pip-version-check", name])
        lines = text.splitlines()
        if "Files:" not in lines or len(text.encode()) > MAX_INPUT_BYTES:
            continue
        files = [line for line in lines[lines.index("Files:") + 1 :] if line.startswith("  ") and "/" in line]
        files = [line for line in files if unique_in(line.strip(), text) and len(line.strip()) >= 8]
        if len(files) < 20:
            continue
        row = pick(rng, files, "files")
        location = next((line for line in lines if line.startswith("Location: ")), None)
        return Found(
            source=f"pip show -f {name}",
            query=f"Is {row.strip().rsplit('/', 1)[-1]} part of {name}, at which path, and where is {name} installed?",
            needles=needles_of([row, *([location] if location else [])], text, once=True),
            notes="An installed distribution with 20+ files drawn with the seed; one of its files drawn with the "
            "seed; needles = the file's row and the Location line.",
            text=text,
        )
    raise Skip("no distribution with 20+ listed files in 6 draws")


@generator("crate_archive", "shell_listing")
def crate_archive(ctx: Context, rng: random.Random) -> Found:
    crates = [p for p in cargo_registry("cache") if p.suffix == ".crate"]
    for _ in range(6):
        crate = pick(rng, crates, "downloaded .crate archives", machine=True)
        text = ctx.run(["tar", "-tzvf", str(crate)])
        rows = [line for line in text.splitlines() if line.startswith("-") and unique_in(line, text)]
        if len(rows) < 15 or len(text.encode()) > MAX_INPUT_BYTES:
            continue
        row = pick(rng, rows, "files")
        path = row.split()[-1]
        return Found(
            source=f"tar -tzvf {crate}",
            query=f"How large is {path} in {crate.name}, and when was it last modified?",
            needles=needles_of([row], text, once=True),
            notes="A .crate archive from cargo's registry cache with 15+ files drawn with the seed; a file drawn "
            "with the seed; needle = its row.",
            text=text,
        )
    raise Skip("no .crate archive with 15+ files in 6 draws")


def _crate_pairs() -> list[tuple[Path, Path]]:
    """Two versions of one crate unpacked in cargo's registry (sorted by name)."""
    by_name: dict[str, list[Path]] = defaultdict(list)
    for folder in cargo_registry("src"):
        m = re.fullmatch(r"(?P<name>.+?)-(?P<version>\d+\.\d+\.\d+\S*)", folder.name)
        if m and folder.is_dir():
            by_name[m["name"]].append(folder)

    def version(folder: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", folder.name.rsplit("-", 1)[-1])[:3])

    pairs = []
    for _, found in sorted(by_name.items()):
        found.sort(key=version)
        pairs += list(itertools.pairwise(found))
    return pairs


@generator("crate_diff", "diff")
def crate_diff(ctx: Context, rng: random.Random) -> Found:
    pairs = _crate_pairs()
    for _ in range(6):
        old, new = pick(rng, pairs, "crates held at two versions", machine=True)
        argv = ["diff", "-ru", old.name, new.name]
        text = ctx.run(argv, cwd=old.parent, ok=lambda c: c in (0, 1))
        if len(text.encode()) > MAX_INPUT_BYTES:
            continue
        # `diff -ru` names each file on a `diff -ru a b` line; parse_hunks reads `diff --git` lines for that.
        hunks = parse_hunks(re.sub(r"(?m)^diff -ru \S+ (\S+)$", r"diff --git a/x b/\1", text))
        # Plain `diff -u` hunk headers name no function: a question naming the file is specific only when the
        # file's change is one or two hunks.
        per_file = Counter(h.path for h in hunks)
        hunks = [
            h
            for h in hunks
            if 2 <= len(h.changes) <= 12 and per_file[h.path] <= 2 and not h.path.endswith((".lock", ".json", ".orig"))
        ]
        if not hunks:
            continue
        hunk = pick(rng, hunks, "hunks changing 2-12 lines")
        pieces = [p for p in (needle_of(line) for line in hunk.changes) if p is not None and len(p) > 9]
        needles = tuple(p for p in pieces if unique_in(p, text))
        if not needles:
            continue
        return Found(
            source=f"diff -ru {old.name} {new.name} (in {old.parent})",
            query=f"How did {hunk.path.split('/', 1)[-1]} change between {old.name} and {new.name}?",
            needles=needles,
            notes="Two versions of one crate unpacked in cargo's registry drawn with the seed; a hunk changing "
            "2-12 lines of a file changed in at most 2 hunks (no lock, JSON or .orig file) drawn with the seed; "
            "needles = its +/- lines of 10+ characters that occur once.",
            text=text,
        )
    raise Skip("no crate pair with a fitting hunk in 6 draws")


def _stdlib_versions() -> list[Path]:
    """The standard libraries of the Python 3 interpreters installed beside this one (pyenv, /usr/lib), by version."""
    found: dict[tuple[int, int], Path] = {}
    for pattern in (str(stdlib().parents[2] / "*" / "lib" / "python3.*"), "/usr/lib/python3.*"):
        for folder in map(Path, glob.glob(pattern)):
            match = re.fullmatch(r"python3\.(\d+)", folder.name)
            if match and (folder / "os.py").is_file():
                found.setdefault((3, int(match[1])), folder)
    return [found[v] for v in sorted(found)]


@generator(
    "stdlib_diff",
    "diff",
    gap="query (diff): a plain `diff -u` (`--- path<TAB>date` headers, no `diff --git`) asked about its file can "
    "come back as one marker; without a question the +/- lines go first and context stays (46% kept)",
)
def stdlib_diff(ctx: Context, rng: random.Random) -> Found:
    """`diff -u` of one stdlib module, or `diff -ru` of one stdlib package, between two installed Python versions
    next to each other: a unified diff outside any repository (`--- path<TAB>date` headers, no `diff --git`)."""
    versions = _stdlib_versions()
    if len(versions) < 2:
        raise Unavailable("fewer than two Python 3 standard libraries are installed")
    for _ in range(8):
        at = rng.randrange(len(versions) - 1)
        old, new = versions[at], versions[at + 1]
        packages = sorted(p.name for p in old.iterdir() if p.is_dir() and (p / "__init__.py").is_file())
        modules = sorted(p.name for p in old.glob("*.py"))
        if rng.random() < 0.5 and packages:
            name = pick(rng, packages, "packages")
            argv = ["diff", "-ru", "-x", "__pycache__", "-x", "test*", f"{old}/{name}", f"{new}/{name}"]
        else:
            name = pick(rng, modules, "modules")
            argv = ["diff", "-u", f"{old}/{name}", f"{new}/{name}"]
        if not (Path(argv[-1]).exists()):
            continue
        text = ctx.run(argv, ok=lambda c: c in (0, 1, 2))
        if not text.strip() or len(text.encode()) > MAX_INPUT_BYTES:
            continue
        # parse_hunks reads a file's name from `diff --git` lines; plain diff names it on `+++ path<TAB>date`.
        marked = re.sub(r"(?m)^\+\+\+ (\S+)\t.*$", lambda m: f"diff --git a/x b/{m[1]}\n+++ {m[1]}", text)
        hunks = parse_hunks(marked)
        per_file = Counter(h.path for h in hunks)
        hunks = [h for h in hunks if 2 <= len(h.changes) <= 12 and per_file[h.path] <= 2]
        if not hunks:
            continue
        hunk = pick(rng, hunks, "hunks changing 2-12 lines")
        pieces = [p for p in (needle_of(line) for line in hunk.changes) if p is not None and len(p) > 9]
        needles = tuple(p for p in pieces if unique_in(p, text))
        if not needles:
            continue
        file = hunk.path.split("/lib/", 1)[-1].split("/", 1)[-1]
        return Found(
            source=" ".join(argv),
            query=f"How did {file} change between Python {old.name[6:]} and {new.name[6:]}?",
            needles=needles,
            notes="Two installed Python standard libraries of consecutive versions and a module or package "
            "drawn with the seed (diff -u / diff -ru, tests left out); a hunk changing 2-12 lines of a file "
            "changed in at most 2 hunks drawn with the seed; needles = its +/- lines of 10+ characters that occur "
            "once.",
            text=text,
        )
    raise Skip("no stdlib pair with a fitting hunk in 8 draws")
