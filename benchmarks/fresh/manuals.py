"""Documentation as its tools print it: `man -P cat` pages, `python -m pydoc` text of a stdlib module or of a module
of an installed package, the
machine-readable Debian copyright files (`/usr/share/doc/*/copyright`) alone or concatenated, and the V8 flags
`node --v8-options` lists.

Man page: an option (an indented line starting with `-`) drawn with the seed among those whose line occurs once;
needles = the option line and the first line of its description. pydoc: a public function or method of the module
(found by Python's `ast` in its source) whose signature line occurs once in the text; needles = that line and the
first line of its documentation. Copyright: a `Files:` stanza drawn with the seed whose `Files:` line occurs once;
needles = that line and its first `Copyright:` line when that occurs once. V8: a flag drawn with the seed; needles
= its line and its `type: ... default: ...` line.
"""

from __future__ import annotations

import random
import re
import shlex
from collections import Counter
from pathlib import Path

from benchmarks.fresh._core import (
    MAX_INPUT_BYTES,
    Context,
    Found,
    Skip,
    Unavailable,
    generator,
    needles_of,
    unique_in,
)
from benchmarks.fresh._places import files_under, pick, read_text, site_packages, stdlib
from benchmarks.fresh.sources import python_definitions

__all__ = ["man_pages"]

# An option as a man page lists it: indented, a dash, a name (`-r`, `--recursive`, `-C, --directory=DIR`).
_OPTION = re.compile(r"^ {3,12}(?:-[A-Za-z0-9?]|--[A-Za-z0-9][\w-]*)")
_MAN_SECTIONS = ("man1", "man8")
# Modules whose import opens a window or a browser, prints, reads the terminal or needs a display.
_NO_IMPORT = frozenset(
    {"antigravity", "this", "turtle", "idlelib", "tkinter", "pydoc", "pydoc_data", "lib2to3", "ensurepip", "venv",
     "webbrowser", "pty", "tty", "getpass", "crypt", "__main__", "__hello__", "__phello__", "_pydecimal"}
)  # fmt: skip


def man_pages() -> list[str]:
    """Names of the installed man pages of sections 1 and 8 (commands), sorted."""
    names: set[str] = set()
    for section in _MAN_SECTIONS:
        folder = Path("/usr/share/man") / section
        if folder.is_dir():
            for path in folder.iterdir():
                name = path.name.removesuffix(".gz")
                if name.endswith((".1", ".8")) and re.fullmatch(r"[\w.+-]+", name[:-2]):
                    names.add(name[:-2])
    return sorted(names)


@generator("man_page", "prose")
def man_page(ctx: Context, rng: random.Random) -> Found:
    man = ctx.tool("man")
    # Pages grouped by the command they document (`git-log` under git; one SDK may ship thousands): a group is
    # drawn first, so no single tool's pages crowd out the rest.
    groups: dict[str, list[str]] = {}
    for page in man_pages():
        groups.setdefault(re.split(r"[-_.]", page, maxsplit=1)[0], []).append(page)
    for _ in range(8):
        group = pick(rng, sorted(groups), "man pages under /usr/share/man", machine=True)
        name = pick(rng, groups[group], "man pages")
        text = ctx.run([man, "-P", "cat", name], env={"MANWIDTH": "100", "MAN_KEEP_FORMATTING": ""}, ok=lambda c: True)
        lines = text.splitlines()
        if len(lines) < 60 or len(text.encode()) > MAX_INPUT_BYTES or "\b" in text:
            continue
        options = []
        for i, line in enumerate(lines[:-1]):
            description = lines[i + 1]
            deeper = len(description) - len(description.lstrip()) > len(line) - len(line.lstrip())
            if _OPTION.match(line) and deeper and description.strip() and unique_in(line.strip(), text):
                options.append((line, description))
        if len(options) < 3:
            continue
        line, description = pick(rng, options, "options")
        # A short option's description may start on its own line, after a gap: the option is what precedes it.
        option = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
        return Found(
            source=f"MANWIDTH=100 man -P cat {name}",
            query=f"What does the option {option} of {name} do?",
            needles=needles_of([line, description], text, once=True),
            notes="A man page of sections 1/8 drawn with the seed (60+ lines, 3+ options); an option whose line "
            "occurs once drawn with the seed; needles = its line and its description's first line.",
            text=text,
        )
    raise Skip("no man page with 3+ described options in 8 draws")


def _stdlib_modules() -> list[tuple[Path, str]]:
    root = stdlib()
    return [
        (p, p.stem)
        for p in sorted(root.glob("*.py"))
        if p.stem not in _NO_IMPORT and 8_000 <= p.stat().st_size <= 200_000
    ]


def _package_modules() -> list[tuple[Path, str]]:
    """Modules of installed packages (site-packages), as `pkg.sub.mod` (a package's own `__init__.py` as `pkg.sub`),
    8-200 KB of source, public names only (no part starting with `_` but `__init__`)."""
    root = site_packages()
    out = []
    for path in files_under(root, (".py",), 8_000, 200_000, skip_tests=True):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if parts and all(p.isidentifier() and not p.startswith("_") for p in parts) and parts[0] not in _NO_IMPORT:
            out.append((path, ".".join(parts)))
    return out


def _pydoc(ctx: Context, rng: random.Random, modules: list[tuple[Path, str]], what: str) -> Found:
    """A module drawn from `modules` documented by `python -m pydoc`, and one of its functions or methods."""
    for _ in range(6):
        path, module = pick(rng, modules, what, machine=True)
        source = read_text(path) or ""
        env = {"PAGER": "cat", "MANPAGER": "cat", "TERM": "dumb"}
        try:
            text = ctx.run([ctx.python, "-m", "pydoc", module], env=env, ok=lambda c: c == 0, timeout_s=30)
        except Skip:
            continue
        if len(text.encode()) > MAX_INPUT_BYTES or text.count("\n") < 80 or not text.startswith("Help on "):
            continue
        lines = text.splitlines()
        # The class each line documents (pydoc prints members under `class Name(...)` behind a `|` gutter).
        holders: list[str | None] = []
        holder = None
        for line in lines:
            if m := re.match(r"^\s*class (\w+)", line):
                holder = m[1]
            elif not line.lstrip().startswith("|") and line.strip():
                holder = None
            holders.append(holder)
        found = []
        for definition in python_definitions(source):
            if definition.kind == "class":
                continue
            owner = definition.qualified.split(".")[0] if definition.kind == "method" else None
            for i, line in enumerate(lines[:-1]):
                body = line.lstrip(" |").rstrip()
                member = line.lstrip().startswith("|")
                if member != (owner is not None) or (member and holders[i] != owner):
                    continue
                if body.startswith(f"{definition.name}(") and unique_in(body, text):
                    doc = lines[i + 1].lstrip(" |").strip()
                    found.append((definition, body, doc))
        if not found:
            continue
        definition, signature, doc = pick(rng, found, "documented functions")
        return Found(
            source=f"python -m pydoc {module}",
            query=f"What are the parameters of {definition.qualified} in {module}, and what does it do?",
            needles=needles_of([signature, *([doc] if doc else [])], text, once=True),
            notes=f"A module of the {what} drawn with the seed (its text 80+ lines); a public function or method "
            "whose signature line occurs once in the text drawn with the seed; needles = that line and the first "
            "line of its documentation.",
            text=text,
        )
    raise Skip(f"no module of the {what} with a uniquely listed function in 6 draws")


@generator("pydoc_text", "prose")
def pydoc_text(ctx: Context, rng: random.Random) -> Found:
    return _pydoc(ctx, rng, _stdlib_modules(), "stdlib modules")


@generator("pydoc_package", "prose", slow=True)
def pydoc_package(ctx: Context, rng: random.Random) -> Found:
    return _pydoc(ctx, rng, _package_modules(), "installed packages")


def _copyright_files() -> list[Path]:
    doc = Path("/usr/share/doc")
    if not doc.is_dir():
        return []
    out = []
    for path in files_under(doc, (), 300, 200_000):
        if path.name == "copyright" and (read_text(path) or "").startswith("Format:"):
            out.append(path)
    return out


@generator("debian_copyright", "prose")
def debian_copyright(ctx: Context, rng: random.Random) -> Found:
    files = _copyright_files()
    if not files:
        raise Unavailable("no machine-readable copyright files under /usr/share/doc")
    count = 1 if rng.random() < 0.4 else rng.randint(2, 8)
    chosen = sorted({pick(rng, files, "copyright files") for _ in range(count)})
    argv = ["cat", str(chosen[0])] if len(chosen) == 1 else ["tail", "-n", "+1", *map(str, chosen)]
    text = ctx.run(argv)
    if len(text.encode()) > MAX_INPUT_BYTES:
        raise Skip("the copyright files are over the size bound")
    lines = text.splitlines()
    stanzas = []
    for i, line in enumerate(lines):
        if line.startswith("Files: ") and unique_in(line, text):
            holder = next((x for x in lines[i + 1 : i + 4] if x.startswith("Copyright: ")), None)
            header = next((lines[j] for j in range(i, -1, -1) if lines[j].startswith("==> ")), None)
            stanzas.append((line, holder, header))
    line, holder, header = pick(rng, stanzas, "Files: stanzas")
    package = Path((header or f"==> {chosen[0]} <==")[4:-4]).parent.name
    return Found(
        source=" ".join(shlex.quote(a) for a in argv),
        query=f"Who holds the copyright of {line[7:].strip()[:80]} in {package}, and under which license?",
        needles=needles_of([line, *([holder] if holder else []), *([header] if header else [])], text, once=True),
        notes="1-8 machine-readable Debian copyright files drawn with the seed; a Files: stanza whose line occurs "
        "once drawn with the seed; needles = that line, its first Copyright: line and the file header, each when "
        "it occurs once.",
        text=text,
    )


@generator("v8_options", "prose")
def v8_options(ctx: Context, rng: random.Random) -> Found:
    text = ctx.run([ctx.tool("node"), "--v8-options"], cache=True)
    lines = text.splitlines()
    flags = [
        (line, lines[i + 1])
        for i, line in enumerate(lines[:-1])
        if re.match(r"^  --[\w-]+ \(", line) and lines[i + 1].lstrip().startswith("type: ")
    ]
    if len(flags) < 50:
        raise Unavailable(f"node --v8-options listed {len(flags)} flags")
    line, kind = pick(rng, flags, "flags")
    return Found(
        source="node --v8-options",
        query=f"What does the V8 flag {line.split()[0]} do, and what is its type and default?",
        needles=needles_of([line, kind], text, once=True),
        notes="V8's flags as node prints them (a flag with its description, then its type and default); a flag "
        "drawn with the seed; needles = its two lines, those occurring once.",
        text=text,
    )


# Commands whose help lists their options, as a user would ask for it; missing tools are skipped.
_HELP_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("ls", "--help"), ("tar", "--help"), ("grep", "--help"), ("sed", "--help"), ("cp", "--help"),
    ("find", "--help"), ("sort", "--help"), ("du", "--help"), ("diff", "--help"), ("date", "--help"),
    ("xargs", "--help"), ("ps", "--help", "all"), ("curl", "--help", "all"), ("wget", "--help"),
    ("rsync", "--help"), ("cargo", "build", "--help"), ("cargo", "test", "--help"), ("rustc", "--help", "-v"),
    ("rustc", "-C", "help"), ("python3", "--help"), ("node", "--help"), ("gcc", "--help"),
    ("gcc", "--help=warnings"), ("go", "help", "build"), ("javac", "--help"), ("java", "-X"),
    ("openssl", "req", "-help"), ("sqlite3", "-help"), ("git", "log", "-h"), ("git", "commit", "-h"),
    ("pip", "install", "--help"), ("pip", "download", "--help"), ("python3", "-m", "pytest", "--help"),
    ("npm", "help", "install"), ("cargo", "--help"),
)  # fmt: skip
# An option line of a help text: indented, then `-x`, `--name` (`-a, --all`, `--color[=WHEN]`), then its text.
_HELP_OPTION = re.compile(r"^ {1,12}(?P<spec>(?:-[A-Za-z0-9?](?:, |\s)?)?--?[A-Za-z0-9][\w-]*\S*(?: <[^>]+>)?)")


@generator("cli_help", "prose")
def cli_help(ctx: Context, rng: random.Random) -> Found:
    for _ in range(6):
        argv = list(pick(rng, _HELP_COMMANDS, "commands"))
        try:
            argv[0] = ctx.python if argv[0] == "python3" else ctx.tool(argv[0])
        except Unavailable:
            continue
        text = ctx.run(argv, ok=lambda c: True, timeout_s=30)
        lines = text.splitlines()
        options = [
            (line, m["spec"].split(", ")[-1].split()[0].split("=")[0].split("[")[0].rstrip(","))
            for line in lines
            # The description on the option's own line, after a gap.
            if (m := _HELP_OPTION.match(line)) and re.search(r"\S {2,}\S", line.strip()) and unique_in(line, text)
        ]
        # A name several lines share (`rustc -C help` lists every codegen option as `-C  name=val`) asks no one.
        names = Counter(option for _, option in options)
        options = [(line, option) for line, option in options if names[option] == 1]
        if len(options) < 10 or len(text.encode()) > MAX_INPUT_BYTES:
            continue
        line, option = pick(rng, options, "options")
        command = " ".join([Path(argv[0]).name, *argv[1:]])
        return Found(
            source=command,
            query=f"What does the option {option} of {Path(argv[0]).name} do?",
            needles=needles_of([line], text, once=True),
            notes="A command's own help (a list of common tools, those installed) drawn with the seed; an option "
            "line with its description on it, occurring once, drawn with the seed; needle = that line.",
            text=text,
        )
    raise Skip("no installed command printed 10+ described options in 6 draws")
