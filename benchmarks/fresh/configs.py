"""Configuration files and JSON data as they are on this machine: /etc, installed packages' data, the project's own,
and the manifests, CI workflows and tool settings of the crates in cargo's registry.

Config: one file (`cat`) or several concatenated with `tail -n +1` (`==> path <==` headers), a `key = value` /
`key: value` line drawn with the seed among those occurring once whose key is set once in its file and section;
needles = that line, the section or parent key holding it, and the file's header when concatenated. JSON: a real
data file and a leaf drawn with the seed among those whose `"key": value` text occurs once; needles = that pair and
its parent's key.
"""

from __future__ import annotations

import functools
import json
import random
import re
import shlex
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.fresh._core import (
    MAX_INPUT_BYTES,
    Context,
    Found,
    Skip,
    generator,
    needle_of,
    needles_of,
    unique_in,
)
from benchmarks.fresh._places import PROJECT, cargo_registry, files_under, npm_files, pick, read_text, site_packages

__all__ = ["config_files", "key_lines"]

_CONFIG_SUFFIXES = (
    ".conf", ".cfg", ".ini", ".toml", ".yaml", ".yml", ".env", ".properties", ".rc", ".service", ".timer"
)  # fmt: skip
_KEY = re.compile(r"^(?P<indent>\s*)(?:-\s+)?(?P<key>[A-Za-z_][\w.-]*)\s*(?P<sep>=|:)\s*(?P<value>\S.*)$")
_SECTION = re.compile(r"^\s*\[+[^\]]+\]+\s*$")


@functools.lru_cache(maxsize=1)
def config_files() -> tuple[Path, ...]:
    """Config files of this machine and of the project (200 bytes to 60 KB) holding 3+ settings, sorted.

    /etc, systemd units, /etc/default, installed packages' config files, the project's pyproject and Cargo files.
    """
    out: list[Path] = []
    for root in (Path("/etc"), Path("/usr/lib/systemd/system"), site_packages()):
        if root.is_dir():
            out += files_under(root, _CONFIG_SUFFIXES, 200, 60_000)
    out += files_under(Path("/etc/default"), (), 200, 60_000) if Path("/etc/default").is_dir() else ()
    out += [p for p in (PROJECT / "pyproject.toml", PROJECT / "rustcore" / "Cargo.toml") if p.is_file()]
    usable = []
    for path in sorted(set(out)):
        text = read_text(path)
        if text is not None and " " not in str(path) and len(key_lines(text)) >= 3:
            usable.append(path)
    return tuple(usable)


def key_lines(text: str) -> list[tuple[int, str, str | None]]:
    """(line index, key line, the section header or parent key line holding it) of every setting in `text`."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;/!" or stripped.startswith("==>"):
            continue
        m = _KEY.match(line)
        if not m or m["key"].lower() in ("http", "https") or m["value"].startswith("//") or m["value"] in "{[(":
            continue
        indent = len(m["indent"])
        holder = None
        for j in range(i - 1, -1, -1):
            above = lines[j]
            if above.startswith("==>"):
                break
            if _SECTION.match(above):
                holder = above
                break
            parent = indent and above.strip() and not above.lstrip().startswith("#") and above.rstrip().endswith(":")
            if parent and len(above) - len(above.lstrip()) < indent:
                holder = above
                break
        out.append((i, line, holder))
    return out


@generator("config_files", "config")
def config(ctx: Context, rng: random.Random) -> Found:
    # Drawn source first (/etc, systemd units, installed packages, the project), then a file: no source crowds out
    # the others because it holds more files.
    groups: dict[str, list[Path]] = {}
    for path in config_files():
        source = "project" if path.is_relative_to(PROJECT) else "/".join(path.parts[:3])
        groups.setdefault(source, []).append(path)
    return _config_sample(ctx, rng, groups, "config files of this machine/project")


@generator("crate_configs", "config")
def crate_configs(ctx: Context, rng: random.Random) -> Found:
    # The manifests, CI workflows and tool settings that crates ship, grouped by what they are (Cargo.toml, YAML,
    # other TOML) so the many manifests do not crowd out the few workflows.
    groups: dict[str, list[Path]] = {}
    for crate in cargo_registry("src"):
        for path in files_under(crate, (".toml", ".yml", ".yaml", ".cfg", ".ini"), 200, 60_000):
            text = read_text(path)
            if text is not None and " " not in str(path) and len(key_lines(text)) >= 3:
                kind = path.name if path.name == "Cargo.toml" else path.suffix.replace(".yaml", ".yml")
                groups.setdefault(kind, []).append(path)
    return _config_sample(ctx, rng, groups, "config files of the crates in cargo's registry")


def _config_sample(ctx: Context, rng: random.Random, groups: dict[str, list[Path]], what: str) -> Found:
    sources = sorted(groups)
    count = 1 if rng.random() < 0.3 else rng.randint(2, 12)
    chosen = sorted(
        {pick(rng, groups[pick(rng, sources, "config files", machine=True)], "config files") for _ in range(count)}
    )
    argv = ["cat", str(chosen[0])] if len(chosen) == 1 else ["tail", "-n", "+1", *map(str, chosen)]
    text = ctx.run(argv)
    while len(text.encode()) > MAX_INPUT_BYTES and len(chosen) > 1:
        chosen = chosen[: len(chosen) // 2]
        argv = ["tail", "-n", "+1", *map(str, chosen)]
        text = ctx.run(argv)
    lines = text.splitlines()
    headers: list[str | None] = []
    for line in lines:
        headers.append(line if line.startswith("==> ") else (headers[-1] if headers else None))
    settings = key_lines(text)
    # The question names the file, the key and its section: only a key that one line of that file and section
    # sets has one answer (test data repeats `name = ...` under hundreds of `[[test]]` tables).
    asked = Counter((headers[i], _key_of(line), holder) for i, line, holder in settings)
    candidates = [
        (i, line, holder)
        for i, line, holder in settings
        if (piece := needle_of(line)) is not None
        and text.count(piece) == 1
        and asked[(headers[i], _key_of(line), holder)] == 1
    ]
    i, line, holder = pick(rng, candidates, "settings whose key occurs once in its section")
    header = headers[i]
    file = header[4:-4] if header else str(chosen[0])
    key = _KEY.match(line)
    assert key is not None
    where = f" (under {holder.strip()})" if holder else ""
    return Found(
        source=shlex.join(argv),
        query=f"What is {key['key']} set to in {file}{where}?",
        needles=needles_of([line, *([holder] if holder else []), *([header] if header else [])], text),
        notes=f"1-12 {what} drawn with the seed (a group, then a file); a setting line occurring once drawn with "
        "the seed among those whose key is set once in its file and section; needles = that line, its section or "
        "parent key, the file's ==> header <== when concatenated.",
        text=text,
    )


def _key_of(line: str) -> str:
    m = _KEY.match(line)
    return m["key"] if m else line


_IDENTIFYING = ("name", "id", "ref", "bom-ref", "key", "title", "login", "slug", "type")


def _label(item: Any, index: int) -> tuple[str, tuple[str, Any] | None]:
    """How a question names a list item: by an identifying field when it has one, else by its position."""
    if isinstance(item, dict):
        for key in _IDENTIFYING:
            value = item.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                return f"the item whose {key} is {_dump(value)}", (key, value)
    return f"item {index}", None


Leaf = tuple[tuple[str, ...], str, Any, tuple[str, Any] | None]


def _leaves(value: Any, path: tuple[str, ...] = (), ident: tuple[str, Any] | None = None) -> list[Leaf]:
    """Every scalar under `value`: its path (keys, list items by name), key, value and the item's identifying pair."""
    out: list[Leaf] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list):
                out += _leaves(item, (*path, str(key)), ident)
            elif (str(key), item) != ident:
                out.append((path, str(key), item, ident))
    elif isinstance(value, list):
        for i, item in enumerate(value[:200]):
            label, pair = _label(item, i)
            out += _leaves(item, (*path, label), pair or ident)
    return out


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _pair_pattern(key: str, value: Any) -> str:
    return re.escape(_dump(key)) + r"\s*:\s*" + re.escape(_dump(value))


def _json_files() -> list[Path]:
    found = [
        *files_under(site_packages(), (".json",), 2000, MAX_INPUT_BYTES),
        *npm_files((".json",), 2000, MAX_INPUT_BYTES),
    ]
    out = [p for p in found if p.name != "package.json"]
    return out


@generator("json_file", "json_api")
def json_file(ctx: Context, rng: random.Random) -> Found:
    for _ in range(10):
        path = pick(rng, _json_files(), "JSON data files", machine=True)
        text = read_text(path)
        if text is None:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        leaves = _leaves(data)
        rng.shuffle(leaves)
        found = []
        for parents, key, value, ident in leaves[:200]:
            spots = re.findall(_pair_pattern(key, value), text)
            if len(spots) == 1 and needle_of(spots[0]) == spots[0] and parents:
                found.append((parents, key, spots[0], ident))
        if not found:
            continue
        parents, key, pair, ident = pick(rng, found, "leaves")
        parent = next((p for p in reversed(parents) if not p.startswith(("the item", "item "))), None)
        holder = re.findall(re.escape(_dump(parent)) + r"\s*:\s*[\[{]", text) if parent else []
        named = re.findall(_pair_pattern(*ident), text) if ident else []
        return Found(
            source=f"cat {path}",
            query=f"In {path.name}, what is “{key}” set to under {' > '.join(parents)}?",
            needles=needles_of(
                [pair, *(holder if len(holder) == 1 else []), *(named if len(named) == 1 else [])], text
            ),
            notes='A JSON data file of an installed package drawn with the seed; a leaf whose `"key": value` text '
            "occurs once drawn with the seed (list items named by an identifying field where they have one); "
            "needles = that pair, and its parent's key and its item's identifying pair where those occur once.",
            text=text,
        )
    raise Skip("no JSON data file with a unique leaf found in 10 draws")


# A key and a scalar value on one line of a printed literal: `'key': 'value',` (Python), `key: 'value',` (Node).
_PRINTED_PAIR = re.compile(
    r"""^\s*[{\[]?\s*(?P<q>'?)(?P<key>[A-Za-z_$][\w$.-]*)(?P=q): (?P<value>[^\s{\[(].*?),?\s*[}\]]*$"""
)


@generator("printed_literal", "json_api")
def printed_literal(ctx: Context, rng: random.Random) -> Found:
    """A real JSON data file as a program prints it once loaded: Python's `pprint` or Node's `console.dir`, whose
    output is not JSON (single quotes, unquoted keys, True/None) though it holds the same data."""
    for _ in range(6):
        path = pick(rng, _json_files(), "JSON data files", machine=True)
        if rng.random() < 0.5:
            code = f"import json, pprint; pprint.pprint(json.load(open({str(path)!r}, encoding='utf-8')), width=100)"
            argv = [ctx.python, "-c", code]
            how = "python -c 'pprint.pprint(json.load(open(PATH)))'"
        else:
            code = "console.dir(JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')), "
            code += "{depth: null, maxArrayLength: null, maxStringLength: null, breakLength: 100})"
            try:
                argv = [ctx.tool("node"), "-e", code, str(path)]
            except Skip:
                continue
            how = "node -e 'console.dir(JSON.parse(readFileSync(PATH)), {depth: null, ...})'"
        text = ctx.run(argv, ok=lambda c: c == 0)
        if len(text.encode()) > MAX_INPUT_BYTES or text.count("\n") < 20:
            continue
        pairs = [(m["key"], line) for line in text.splitlines() if (m := _PRINTED_PAIR.match(line))]
        keys = Counter(key for key, _ in pairs)
        once = [(key, line) for key, line in pairs if keys[key] == 1 and unique_in(line.strip(), text)]
        if not once:
            continue
        key, line = pick(rng, once, "keys printed once")
        return Found(
            source=how.replace("PATH", str(path)),
            query=f"What is {key} set to in the data loaded from {path.name}?",
            needles=needles_of([line], text),
            notes="A JSON data file of the installed packages drawn with the seed, printed by Python's pprint or "
            "Node's console.dir (drawn with the seed); a key printed once with a scalar value on its line drawn "
            "with the seed; needle = that line.",
            text=text,
        )
    raise Skip("no printed literal with a key printed once in 6 draws")
