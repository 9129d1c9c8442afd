"""Listings of this machine: `pip list` (table and JSON), `find -printf`, `du -ak`, `ls -laR`, `npm ls` (tree, JSON).

Trees are drawn among the installed packages' and the stdlib's folders; the question names one entry (a
package, a file, a folder) drawn with the seed, or asks for the largest file, and the needles are the rows
that answer it.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path

from benchmarks.fresh._core import MAX_INPUT_BYTES, Context, Found, Skip, Unavailable, generator, needle_of, needles_of
from benchmarks.fresh._places import PROJECT, files_under, node_modules, pick, site_packages, stdlib

__all__ = ["draw_tree"]


def _pip_list(ctx: Context, *extra: str) -> str:
    return ctx.run([ctx.python, "-m", "pip", "list", "--disable-pip-version-check", *extra], cache=True)


@generator("pip_list", "shell_listing")
def pip_list(ctx: Context, rng: random.Random) -> Found:
    text = _pip_list(ctx)
    lines = text.splitlines()
    rule = next((i for i, line in enumerate(lines) if line.startswith("---")), None)
    if rule is None:
        raise Skip("pip list printed no table")
    rows = [line for line in lines[rule + 1 :] if len(line.split()) >= 2]
    row = pick(rng, rows, "pip list rows")
    name = row.split()[0]
    return Found(
        source=f"{ctx.python} -m pip list",
        query=f"Which version of {name} is installed?",
        needles=needles_of([row], text),
        notes="Package drawn with the seed among the table's rows; needle = its row.",
        text=text,
    )


@generator("pip_list_json", "json_api")
def pip_list_json(ctx: Context, rng: random.Random) -> Found:
    text = _pip_list(ctx, "--format=json")
    records = json.loads(text)
    record = pick(rng, [r for r in records if isinstance(r, dict) and "name" in r], "pip list records")
    piece = json.dumps({k: record[k] for k in ("name", "version")})[1:-1]
    return Found(
        source=f"{ctx.python} -m pip list --format=json",
        query=f"Which version of {record['name']} is installed?",
        needles=(piece,) if piece in text else (),
        notes='Record drawn with the seed; needle = its `"name": ..., "version": ...` pairs as printed.',
        text=text,
    )


def draw_tree(rng: random.Random, min_files: int = 20, max_files: int = 1500) -> Path:
    """A folder of real files: an installed package or a stdlib package, with a bounded number of files."""
    roots = [site_packages(), stdlib()]
    root = roots[rng.randrange(2)]
    files = files_under(root, (), 1, 1 << 40)
    counts: Counter[Path] = Counter()
    for path in files:
        rel = path.relative_to(root)
        if len(rel.parts) > 1 and rel.parts[0] != "site-packages":
            counts[root / rel.parts[0]] += 1
    trees = sorted(p for p, n in counts.items() if min_files <= n <= max_files)
    return pick(rng, trees, f"folder with {min_files}-{max_files} files under {root}")


@generator("find_printf", "shell_listing")
def find_printf(ctx: Context, rng: random.Random) -> Found:
    tree = draw_tree(rng)
    fmt = "%M %10s %TY-%Tm-%Td %TH:%TM %p\\n"
    text = ctx.run(["find", str(tree), "-printf", fmt.replace("\\n", "\n")])
    # The answer comes from the output itself: regular files' rows, as (size, path, row).
    files = []
    for line in text.splitlines():
        fields = line.split(None, 4)
        if line.startswith("-") and len(fields) == 5 and " " not in fields[4]:
            files.append((int(fields[1]), Path(fields[4]), line))
    if rng.random() < 0.5:
        folder = pick(rng, sorted({path.parent for _, path, _ in files}), "folders")
        inside = sorted((f for f in files if f[1].is_relative_to(folder)), reverse=True)
        if len(inside) < 3 or inside[0][0] == inside[1][0]:
            raise Skip(f"{folder} has no single largest file")
        row = inside[0][2]
        query = f"Which is the largest file under {folder}?"
        rule = "a folder of the tree drawn with the seed; needle = the row of its largest file (a unique maximum)"
    else:
        _, target, row = pick(rng, files, "files")
        query = f"How big is {target}, and when was it last modified?"
        rule = "a file drawn with the seed; needle = its row"
    return Found(
        source=f"find {tree} -printf '{fmt}'",
        query=query,
        needles=needles_of([row], text),
        notes=f"Tree drawn among installed and stdlib packages; {rule}.",
        text=text,
    )


@generator("du_ak", "shell_listing")
def du_ak(ctx: Context, rng: random.Random) -> Found:
    tree = draw_tree(rng)
    text = ctx.run(["du", "-ak", str(tree)])
    rows = [line.split("\t", 1) for line in text.splitlines() if "\t" in line]
    by_path = {path: line for line, path in ((f"{k}\t{p}", p) for k, p in rows)}
    dirs = [Path(p) for _, p in rows if Path(p).is_dir() and Path(p) != tree]
    if dirs and rng.random() < 0.5:
        folder = pick(rng, sorted(dirs), "sub-folders")
        query = f"How much disk space does {folder} use?"
        target = str(folder)
        rule = "a sub-folder drawn with the seed; needle = its row"
    else:
        files = [(int(k), p) for k, p in rows if Path(p).is_file()]
        files.sort(reverse=True)
        if len(files) < 3 or files[0][0] == files[1][0]:
            raise Skip(f"{tree} has no single largest file in whole KB")
        target = files[0][1]
        query = f"Which file under {tree} takes the most disk space?"
        rule = "needle = the row of the largest file (a unique maximum in KB)"
    return Found(
        source=f"du -ak {tree}",
        query=query,
        needles=needles_of([by_path[target]], text),
        notes=f"Tree drawn among installed and stdlib packages; {rule}.",
        text=text,
    )


@generator("ls_laR", "shell_listing")
def ls_lar(ctx: Context, rng: random.Random) -> Found:
    tree = draw_tree(rng, 10, 600)
    text = ctx.run(["ls", "-laR", "--time-style=long-iso", str(tree)])
    sections: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.endswith(":") and line.startswith("/"):
            sections.append((line, []))
        elif sections and line.startswith("-"):
            sections[-1][1].append(line)
    sections = [(head, rows) for head, rows in sections if rows]
    head, rows = pick(rng, sections, "folders with files")
    row = pick(rng, rows, "files")
    name = row.split(maxsplit=7)[-1]
    return Found(
        source=f"ls -laR --time-style=long-iso {tree}",
        query=f"What are the permissions and size of {name} in {head[:-1]}?",
        needles=needles_of([head, row], text),
        notes="Folder, then a file in it, drawn with the seed; needles = the folder's header line and the file's row.",
        text=text,
    )


_TREE_ENTRY = re.compile(r"^(?P<indent>[│├└─┬ ]*)(?P<name>(?:@[^@\s/]+/)?[^@\s]+)@(?P<version>\S+)(?P<rest>.*)$")


@generator("npm_ls", "shell_listing")
def npm_ls(ctx: Context, rng: random.Random) -> Found:
    modules = node_modules()
    text = ctx.run([ctx.tool("npm"), "ls", "--all"], cwd=modules.parent, ok=lambda c: c in (0, 1), cache=True)
    entries = []
    for i, line in enumerate(text.splitlines()):
        m = _TREE_ENTRY.match(line)
        if m and i > 0:
            entries.append((i, len(m["indent"]), m))
    lines = text.splitlines()
    nested = [(i, depth, m) for i, depth, m in entries if depth > 2 and "deduped" not in m["rest"]]
    i, depth, m = pick(rng, nested, "nested npm packages")
    parent = next(lines[j] for j, d, _ in reversed(entries) if j < i and d < depth)
    return Found(
        source=f"npm ls --all (in {modules.parent})",
        query=f"Which version of {m['name']} is installed, and which package depends on it?",
        needles=needles_of([line.strip("│├└─┬ ") for line in (lines[i], parent)], text),
        notes="A nested, not deduped entry drawn with the seed; needles = its line and its parent's (tree glyphs cut).",
        text=text,
    )


@generator("npm_ls_json", "json_api")
def npm_ls_json(ctx: Context, rng: random.Random) -> Found:
    modules = node_modules()
    text = ctx.run([ctx.tool("npm"), "ls", "--all", "--json"], cwd=modules.parent, ok=lambda c: c in (0, 1), cache=True)
    spots = [m for m in re.finditer(r'"(?P<name>[^"]+)": \{\n\s*"version": "(?P<version>[^"]+)"', text)]
    spot = pick(rng, spots, "packages with a version")
    return Found(
        source=f"npm ls --all --json (in {modules.parent})",
        query=f"Which version of {spot['name']} does the dependency tree hold?",
        needles=(spot[0],) if needle_of(spot[0]) == spot[0] else (),
        notes='An entry drawn with the seed among those with a "version"; needle = its name and version lines.',
        text=text,
    )


@generator("package_lock", "json_api")
def package_lock(ctx: Context, rng: random.Random) -> Found:
    path = PROJECT / "package-lock.json"
    if not path.is_file():
        raise Unavailable(f"{path} is absent")
    text = path.read_text(encoding="utf-8")
    if len(text) > MAX_INPUT_BYTES:
        raise Skip("package-lock.json is too large")
    spots = list(re.finditer(r'(?m)^ *"(node_modules/[^"]+)": \{\n *"version": "([^"]+)",\n', text))
    spot = pick(rng, spots, "locked packages")
    package = spot[1].rsplit("node_modules/", 1)[-1]
    return Found(
        source=f"cat {path}",
        query=f"Which version of {package} does the lock file pin at {spot[1]}?",
        needles=needles_of([spot[0].strip()], text),
        notes="A locked package drawn with the seed; needle = its key line and its version line.",
        text=text,
    )
