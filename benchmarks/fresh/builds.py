"""Real compiler and linter runs over scratch code with seeded defects: gcc through make, cargo check, cargo
clippy, ruff, mypy and ShellCheck.

The scratch code is a seeded mix of clean functions and functions with common defects (an unused variable, a
sign comparison, a missing return, an undefined name...); which defects and how many are drawn with the seed,
the diagnostics are the tool's. The question asks for the error that stops the build when there is one, else
for a diagnostic that is rare in the run (at most 2 of its kind among at least 5); the needles are that
diagnostic's headline and location lines, plus the tool's summary line.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.fresh._core import Context, Found, Skip, Unavailable, generator, needles_of

__all__ = ["Diagnostic", "choose_question"]

_VERBS = ("parse", "merge", "scale", "count", "check", "render", "load", "split", "encode", "clamp", "sum", "find")
_NOUNS = ("header", "record", "amount", "token", "range", "config", "payload", "window", "batch", "price", "offset")


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One diagnostic: whether it is an error, what kind it is (flag, lint, code or message), its lines."""

    error: bool
    tag: str
    lines: tuple[str, ...]


def _names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = f"{rng.choice(_VERBS)}_{rng.choice(_NOUNS)}"
        if name not in names:
            names.append(name)
    return names


def _fill(rng: random.Random, templates: Sequence[str], count: int, defects: float) -> list[str]:
    """`count` snippets: the first template is the clean one, the others carry defects (a share `defects`)."""
    out = []
    for name in _names(rng, count):
        template = templates[rng.randrange(1, len(templates))] if rng.random() < defects else templates[0]
        n = rng.randint(2, 90)
        out.append(template.format(name=name, n=n, m=n + rng.randint(1, 50), noun=rng.choice(_NOUNS)))
    return out


def choose_question(
    rng: random.Random, diagnostics: Sequence[Diagnostic], summary: Sequence[str], describe: Callable[[str], str]
) -> tuple[str, list[str], str]:
    """The question, its needle lines and the rule: the error(s) when any, else a diagnostic kind seen 1-2 times.

    Raises:
        Skip: no error and no rare kind of diagnostic among at least 5.
    """
    errors = [d for d in diagnostics if d.error]
    if errors:
        lines = [line for d in errors for line in d.lines]
        return (
            "Which error stops the build, and where is it?",
            [*lines, *summary],
            "every error's headline and location",
        )
    counts = Counter(d.tag for d in diagnostics)
    rare = sorted(tag for tag, n in counts.items() if n <= 2)
    if len(diagnostics) < 5 or not rare:
        raise Skip(f"no rare diagnostic among {len(diagnostics)}")
    tag = rare[rng.randrange(len(rare))]
    lines = [line for d in diagnostics if d.tag == tag for line in d.lines]
    rule = "a kind of diagnostic seen at most twice drawn with the seed; its headline and location lines"
    return f"Where is {describe(tag)} reported, and what does it say?", [*lines, *summary], rule


def _found(
    rng: random.Random,
    text: str,
    source: str,
    parsed: tuple[list[Diagnostic], list[str]],
    describe: Callable[[str], str],
) -> Found:
    diagnostics, summary = parsed
    query, lines, rule = choose_question(rng, diagnostics, summary, describe)
    return Found(
        source=source,
        query=query,
        needles=needles_of(lines, text),
        notes=f"Scratch code with seeded defects; needles = {rule}, plus the summary line(s).",
        text=text,
    )


# ---- gcc through make -k ------------------------------------------------------------------------------------

_C_SNIPPETS = (
    "int {name}(int a, int b)\n{{\n    return a * b + {n};\n}}\n",
    "int {name}(int a)\n{{\n    int unused_{noun} = {n};\n    return a + 1;\n}}\n",
    "int {name}(int a, int {noun}_hint)\n{{\n    return a * {n};\n}}\n",
    "int {name}(const int *v, unsigned n)\n{{\n    int i, s = 0;\n    for (i = 0; i < n; i++)\n        s += v[i];\n"
    "    return s;\n}}\n",
    "int {name}(int a)\n{{\n    if (a > {n})\n        return a;\n}}\n",
    'void {name}(long v)\n{{\n    printf("{noun}=%d\\n", v);\n}}\n',
    "int {name}(int k)\n{{\n    int r = 0;\n    switch (k) {{\n    case 1:\n        r = {n};\n    case 2:\n"
    "        r += 1;\n        break;\n    default:\n        r = -1;\n    }}\n    return r;\n}}\n",
)
_C_ERRORS = (
    "int {name}(int a)\n{{\n    return a + missing_{noun};\n}}\n",
    "int {name}(int a)\n{{\n    struct {noun} *p = 0;\n    return p->size + a;\n}}\n",
)
_GCC = re.compile(r"^[^:\s]+:\d+:\d+: (?P<level>warning|error): (?P<msg>.*?)(?: \[(?P<tag>-W[^\]]+)\])?$")


def _parse_gcc(text: str) -> tuple[list[Diagnostic], list[str]]:
    out = []
    for line in text.splitlines():
        m = _GCC.match(line)
        if m:
            tag = m["tag"] or re.sub(r"‘[^’]*’|'[^']*'", "X", m["msg"])
            out.append(Diagnostic(m["level"] == "error", tag, (line,)))
    summary = [line for line in text.splitlines() if line.startswith(("make: ***", "make: Target"))]
    return out, summary


@generator("gcc_make", "build_output")
def gcc_make(ctx: Context, rng: random.Random) -> Found:
    gcc, make = ctx.tool("gcc"), ctx.tool("make")
    folder = ctx.scratch("gcc_make")
    files = [f"{noun}.c" for noun in rng.sample(_NOUNS, rng.randint(3, 11))]
    broken = rng.choice(files) if rng.random() < 0.5 else None
    for name in files:
        snippets = _fill(rng, _C_SNIPPETS, rng.randint(4, 16), 0.5)
        if name == broken:
            snippets.insert(rng.randrange(len(snippets) + 1), _fill(rng, ("", *_C_ERRORS), 1, 1.0)[0])
        (folder / name).write_text("#include <stdio.h>\n\n" + "\n".join(snippets), encoding="utf-8")
    objects = " ".join(f.replace(".c", ".o") for f in files)
    (folder / "Makefile").write_text(
        f"CC = {gcc}\nCFLAGS = -Wall -Wextra -O2\n\nall: {objects}\n\n%.o: %.c\n\t$(CC) $(CFLAGS) -c $< -o $@\n",
        encoding="utf-8",
    )
    text = ctx.run([make, "-k", "--no-print-directory"], cwd=folder, ok=lambda c: c in (0, 2))
    return _found(
        rng,
        text,
        f"make -k (gcc -Wall -Wextra -O2 over {len(files)} scratch files)",
        _parse_gcc(text),
        lambda tag: f"gcc's {tag} warning" if tag.startswith("-W") else f"“{tag}”",
    )


def _rust_snippet_sets(clippy: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if clippy:
        return (
            "pub fn {name}(a: i64, b: i64) -> i64 {{\n    a * b + {n}\n}}\n",
            "pub fn {name}(a: i64) -> i64 {{\n    return a + {n};\n}}\n",
            "pub fn {name}(v: &[i64]) -> bool {{\n    v.len() == 0\n}}\n",
            "pub fn {name}(a: i64) -> bool {{\n    a >= {n} && a <= {m}\n}}\n",
            "pub fn {name}(a: i64) -> i64 {{\n    if a > 0 {{\n        if a < {n} {{\n            return 1;\n"
            "        }}\n    }}\n    0\n}}\n",
            "pub fn {name}(v: &[i64]) -> i64 {{\n    let mut s = 0;\n    for i in 0..v.len() {{\n        s += v[i];\n"
            "    }}\n    s\n}}\n",
            "pub fn {name}(a: bool) -> bool {{\n    a == true\n}}\n",
        ), ()
    return (
        "pub fn {name}(a: i64, b: i64) -> i64 {{\n    a * b + {n}\n}}\n",
        "pub fn {name}(a: i64) -> i64 {{\n    let {noun}_tmp = {n};\n    a + 1\n}}\n",
        "fn {name}(a: i64) -> i64 {{\n    a * {n}\n}}\n",
        "pub fn {name}(a: i64) -> i64 {{\n    let mut b = a;\n    b + {n}\n}}\n",
    ), (
        "pub fn {name}(a: i64) -> String {{\n    a + {n}\n}}\n",
        "pub fn {name}(a: i64) -> i64 {{\n    a + missing_{noun}\n}}\n",
    )


def _without_names(message: str) -> str:
    """A message with the names it quotes left out (`return`, `if` and other plain words stay)."""
    kept = re.sub(r"`([^`]*)`", lambda m: m[0] if re.fullmatch(r"[a-z]+", m[1]) else "", message)
    return " ".join(kept.split()).strip(" :")


_RUST_HEAD = re.compile(r"^(?P<level>warning|error)(?:\[(?P<code>E\d+)\])?: (?P<msg>.*)$")


def _parse_cargo(text: str) -> tuple[list[Diagnostic], list[str]]:
    lines = text.splitlines()
    out = []
    summary = []
    for i, line in enumerate(lines):
        m = _RUST_HEAD.match(line)
        if not m:
            continue
        if re.search(r"generated \d+ warnings?|could not compile|aborting due to", m["msg"]):
            summary.append(line)
            continue
        location = lines[i + 1] if i + 1 < len(lines) and lines[i + 1].lstrip().startswith("-->") else None
        tag = m["code"] or _without_names(m["msg"])
        out.append(Diagnostic(m["level"] == "error", tag, (line, *([location] if location else []))))
    return out, summary


def _describe_rust(tag: str) -> str:
    return f"the {tag} error" if re.fullmatch(r"E\d+", tag) else f"“{tag}”"


def _cargo(ctx: Context, rng: random.Random, kind: str, clippy: bool) -> Found:
    cargo = ctx.tool("cargo")
    folder = ctx.scratch(kind)
    (folder / "src").mkdir()
    (folder / "Cargo.toml").write_text(
        '[package]\nname = "scratch"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n'
    )
    clean, errors = _rust_snippet_sets(clippy)
    modules = list(rng.sample(_NOUNS, rng.randint(2, 8)))
    broken = rng.choice(modules) if errors and rng.random() < 0.6 else None
    for module in modules:
        snippets = _fill(rng, clean, rng.randint(4, 14), 0.5)
        if module == broken:
            snippets.insert(rng.randrange(len(snippets) + 1), _fill(rng, ("", *errors), 1, 1.0)[0])
        head = "use std::collections::HashMap;\n\n" if not clippy and rng.random() < 0.3 else ""
        (folder / "src" / f"{module}.rs").write_text(head + "\n".join(snippets), encoding="utf-8")
    (folder / "src" / "lib.rs").write_text("".join(f"pub mod {m};\n" for m in modules), encoding="utf-8")
    argv = [cargo, "clippy" if clippy else "check", "--offline", "--color", "never"]
    env = {"CARGO_TARGET_DIR": str(folder / "target"), "CARGO_TERM_PROGRESS_WHEN": "never", "RUSTFLAGS": ""}
    text = ctx.run(argv, cwd=folder, env=env, ok=lambda c: c in (0, 101), timeout_s=120)
    if "no such command" in text:
        raise Unavailable(f"cargo {argv[1]} is not installed")
    source = f"cargo {argv[1]} --offline (scratch crate of {len(modules)} modules)"
    return _found(rng, text, source, _parse_cargo(text), _describe_rust)


@generator("cargo_check", "build_output")
def cargo_check(ctx: Context, rng: random.Random) -> Found:
    return _cargo(ctx, rng, "cargo_check", clippy=False)


@generator("cargo_clippy", "build_output")
def cargo_clippy(ctx: Context, rng: random.Random) -> Found:
    return _cargo(ctx, rng, "cargo_clippy", clippy=True)


_PY_SNIPPETS = (
    "def {name}(a: int, b: int) -> int:\n    return a * b + {n}\n",
    "def {name}(a: int) -> int:\n    tmp_{noun} = {n}\n    return a + 1\n",
    "def {name}(a: int) -> int:\n    return a + missing_{noun}\n",
    "def {name}(a: int | None) -> bool:\n    return a == None\n",
    "def {name}(a: str) -> int:\n    try:\n        return int(a)\n    except:\n        return {n}\n",
    "def {name}(items: list[int] = []) -> int:\n    return len(items) + {n}\n",
    'def {name}(a: int) -> str:\n    return f"{noun}"\n',
    "def {name}(a: int) -> str:\n    return a + {n}\n",
    "def {name}(a):\n    return a * {n}\n",
    'def {name}(a: int) -> int:\n    return {name}("{noun}")\n',
    "def {name}(a: int) -> int:\n    return a.{noun}_size\n",
)


def _python_project(ctx: Context, rng: random.Random, kind: str) -> tuple[Path, list[str]]:
    folder = ctx.scratch(kind)
    files = [f"{noun}.py" for noun in rng.sample(_NOUNS, rng.randint(3, 11))]
    for name in files:
        imports = "import os\nimport sys\n\n\n" if rng.random() < 0.4 else "import sys\n\n\n"
        body = "\n\n".join(_fill(rng, _PY_SNIPPETS, rng.randint(5, 20), 0.5))
        (folder / name).write_text(f'"""Scratch module {name}."""\n\n{imports}{body}\n\nprint(sys.argv)\n')
    return folder, files


_RUFF_FULL = re.compile(r"^(?P<code>[A-Z]+\d+) (?:\[\*\] )?(?P<msg>.*)$")
_RUFF_CONCISE = re.compile(r"^[^:\s]+:\d+:\d+: (?P<code>[A-Z]+\d+) (?:\[\*\] )?(?P<msg>.*)$")


def _parse_ruff(text: str) -> tuple[list[Diagnostic], list[str]]:
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        m = _RUFF_CONCISE.match(line)
        if m:
            out.append(Diagnostic(False, m["code"], (line,)))
            continue
        m = _RUFF_FULL.match(line)
        if m and i + 1 < len(lines) and lines[i + 1].lstrip().startswith("-->"):
            out.append(Diagnostic(False, m["code"], (line, lines[i + 1])))
    return out, [line for line in lines if re.match(r"^Found \d+ errors?", line)]


@generator("ruff_check", "build_output")
def ruff_check(ctx: Context, rng: random.Random) -> Found:
    ruff = ctx.tool("ruff")
    folder, files = _python_project(ctx, rng, "ruff_check")
    style = rng.choice(("full", "concise"))
    argv = [ruff, "check", "--isolated", "--no-cache", "--select", "E,F,W,B,UP,SIM", f"--output-format={style}", *files]
    text = ctx.run(argv, cwd=folder, ok=lambda c: c in (0, 1))
    return _found(
        rng,
        text,
        f"ruff check --output-format={style} (scratch modules)",
        _parse_ruff(text),
        lambda tag: f"ruff's {tag}",
    )


_MYPY = re.compile(r"^[^:\s]+:\d+: (?P<level>error|note): (?P<msg>.*?)(?:  \[(?P<code>[a-z-]+)\])?$")


def _parse_mypy(text: str) -> tuple[list[Diagnostic], list[str]]:
    out = []
    for line in text.splitlines():
        m = _MYPY.match(line)
        if m and m["level"] == "error":
            out.append(Diagnostic(False, m["code"] or m["msg"], (line,)))
    return out, [line for line in text.splitlines() if re.match(r"^Found \d+ errors? in", line)]


@generator("mypy_strict", "build_output", slow=True)
def mypy_strict(ctx: Context, rng: random.Random) -> Found:
    mypy = ctx.tool("mypy")
    folder, files = _python_project(ctx, rng, "mypy_strict")
    argv = [mypy, "--strict", "--no-incremental", "--cache-dir", str(folder / ".cache"), "--no-color-output", *files]
    text = ctx.run(argv, cwd=folder, ok=lambda c: c in (0, 1), timeout_s=120)
    return _found(rng, text, "mypy --strict (scratch modules)", _parse_mypy(text), lambda tag: f"mypy's [{tag}]")


_SH_SNIPPETS = (
    '{name}() {{\n  local target="$1"\n  echo "{noun}: $target"\n}}\n',
    "{name}() {{\n  for f in $(ls $1); do\n    echo $f\n  done\n}}\n",
    '{name}() {{\n  cd "$1"\n  rm -rf "$2"/*\n}}\n',
    '{name}() {{\n  if [ $1 == "{noun}" ]; then\n    return {n}\n  fi\n}}\n',
    "{name}() {{\n  local out=`cat $1`\n  echo $out\n}}\n",
)
_SHELLCHECK = re.compile(r"^In (?P<file>\S+) line \d+:$")


def _parse_shellcheck(text: str) -> tuple[list[Diagnostic], list[str]]:
    out = []
    location = ""
    for line in text.splitlines():
        if _SHELLCHECK.match(line):
            location = line
        m = re.search(r"\bSC(?P<code>\d{4}) \((?P<level>\w+)\): (?P<msg>.*)$", line)
        if m:
            out.append(Diagnostic(m["level"] == "error", f"SC{m['code']}", (location, line.strip("^- "))))
    return out, []


@generator("shellcheck", "build_output")
def shellcheck(ctx: Context, rng: random.Random) -> Found:
    tool = ctx.tool("shellcheck")
    folder = ctx.scratch("shellcheck")
    name = f"{rng.choice(_VERBS)}-{rng.choice(_NOUNS)}.sh"
    body = "\n".join(_fill(rng, _SH_SNIPPETS, rng.randint(4, 14), 0.6))
    (folder / name).write_text(f"#!/bin/bash\nset -u\n\n{body}", encoding="utf-8")
    text = ctx.run([tool, name], cwd=folder, ok=lambda c: c in (0, 1))
    return _found(rng, text, f"shellcheck {name} (scratch script)", _parse_shellcheck(text), lambda tag: tag)


# ---- javac -Xlint ---------------------------------------------------------------------------------------------

_JAVA_SNIPPETS = (
    "    static int {name}(int a, int b) {{ return a * b + {n}; }}",
    '    static List {name}() {{ List items = new ArrayList(); items.add("{noun}"); return items; }}',
    "    @Deprecated static int {name}(int a) {{ return a + {n}; }}",
    "    static int {name}(int k) {{ int r = 0; switch (k) {{ case 1: r = {n}; case 2: r += 1; break; "
    "default: r = -1; }} return r; }}",
    "    static long {name}(Object o) {{ return (long) (Integer) o + {n}; }}",
    "    static int {name}(int a) {{ int unused = {m}; return a + (int) (long) a; }}",
)
_JAVA_ERRORS = (
    "",
    "    static int {name}(int a) {{ return a + missing{n}; }}",
    "    static String {name}(int a) {{ return a + {n}; }}",
    "    static int {name}(String s) {{ return s.lengthOf(); }}",
)
# `Main.java:12: error: cannot find symbol` / `Main.java:8: warning: [rawtypes] found raw type: List`.
_JAVAC = re.compile(r"^\S+\.java:\d+: (?P<level>warning|error): (?:\[(?P<tag>[\w-]+)\] )?(?P<msg>.*)$")


def _parse_javac(text: str) -> tuple[list[Diagnostic], list[str]]:
    out = []
    for line in text.splitlines():
        m = _JAVAC.match(line)
        if m:
            tag = m["tag"] or re.sub(r":.*", "", m["msg"])
            out.append(Diagnostic(m["level"] == "error", tag, (line,)))
    summary = [line for line in text.splitlines() if re.match(r"^\d+ (errors?|warnings?)$", line)]
    return out, summary


@generator("javac_lint", "build_output")
def javac_lint(ctx: Context, rng: random.Random) -> Found:
    """`javac -Xlint:all` over scratch classes with seeded lint defects (raw types, unchecked calls, deprecation,
    fall-through, redundant casts) and, half the time, one compile error."""
    javac = ctx.tool("javac")
    folder = ctx.scratch("javac_lint")
    classes = [noun.title() + rng.choice(("Util", "Service", "Codec", "Store")) for noun in rng.sample(_NOUNS, 4)]
    broken = rng.choice(classes) if rng.random() < 0.5 else None
    for name in classes:
        methods = _fill(rng, _JAVA_SNIPPETS, rng.randint(4, 14), 0.4)
        if name == broken:
            methods.insert(rng.randrange(len(methods) + 1), _fill(rng, _JAVA_ERRORS, 1, 1.0)[0])
        body = "\n".join(m.replace("_", "") for m in methods)
        source = f"import java.util.*;\n\npublic class {name} {{\n{body}\n}}\n"
        (folder / f"{name}.java").write_text(source, encoding="utf-8")
    files = [f"{name}.java" for name in classes]
    text = ctx.run([javac, "-Xlint:all", "-d", "out", *files], cwd=folder, ok=lambda c: c in (0, 1), timeout_s=120)
    return _found(
        rng,
        text,
        f"javac -Xlint:all ({len(classes)} scratch classes)",
        _parse_javac(text),
        lambda tag: f"javac's [{tag}] warning" if tag.islower() else f"“{tag}”",
    )


# ---- cmake configure ------------------------------------------------------------------------------------------

# C library functions a configure step probes for; which exist is this machine's answer.
_LIBC_FUNCTIONS = (
    "strlcpy", "strndup", "memfd_create", "getrandom", "qsort_r", "posix_fadvise", "arc4random", "reallocarray",
    "explicit_bzero", "pipe2", "accept4", "copy_file_range", "closefrom", "strtonum", "getentropy", "timegm",
    "setproctitle", "fdatasync", "posix_spawn", "sigtimedwait", "malloc_usable_size", "issetugid", "strsep",
)  # fmt: skip
_CMAKE_ERROR = re.compile(r"^CMake Error at \S+:\d+ \(\w+\):$")


@generator(
    "cmake_configure",
    "build_output",
    slow=True,
    gap="code (detection) + lines (build): cmake's configure output reads as prose; its `CMake Error at "
    "CMakeLists.txt:N (find_package):` headline and `-- Looking for X - not found` lines are dropped (23% kept)",
)
def cmake_configure(ctx: Context, rng: random.Random) -> Found:
    """`cmake -S . -B build` of a scratch project whose CMakeLists.txt probes headers (some of /usr/include, some
    that do not exist) and C library functions, finds real packages and, half the time, one that is not installed
    (REQUIRED): the configure step's `-- Looking for X - found/not found` lines and its `CMake Error` block."""
    cmake = ctx.tool("cmake")
    ctx.tool("cc")
    folder = ctx.scratch("cmake_configure")
    headers = sorted(p.name for p in Path("/usr/include").glob("*.h")) if Path("/usr/include").is_dir() else []
    present = rng.sample(headers, min(len(headers), rng.randint(5, 30)))
    missing = [f"{rng.choice(_NOUNS)}_{rng.choice(_VERBS)}.h" for _ in range(rng.randint(0, 3))]
    checks = [f"check_include_file({h} HAVE_{re.sub(r'[^A-Za-z0-9]', '_', h).upper()})" for h in present + missing]
    checks += [f"check_function_exists({f} HAVE_{f.upper()})" for f in rng.sample(_LIBC_FUNCTIONS, rng.randint(3, 12))]
    rng.shuffle(checks)
    packages = ["find_package(Threads)", *rng.sample(["find_package(ZLIB)", "find_package(PkgConfig)"], 1)]
    absent = rng.random() < 0.5
    if absent:
        packages.append(f"find_package({rng.choice(_NOUNS).title()}{rng.choice(('Lib', 'Kit', 'SDK'))} REQUIRED)")
    lines = ["cmake_minimum_required(VERSION 3.10)", f"project(scratch_{rng.choice(_NOUNS)} C)",
             "include(CheckIncludeFile)", "include(CheckFunctionExists)", *checks, *packages,
             "add_library(scratch scratch.c)"]  # fmt: skip
    (folder / "CMakeLists.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "scratch.c").write_text("int scratch(void) { return 1; }\n", encoding="utf-8")
    text = ctx.run([cmake, "-S", ".", "-B", "build"], cwd=folder, ok=lambda c: c in (0, 1), timeout_s=240)
    out = text.splitlines()
    errors = [i for i, line in enumerate(out) if _CMAKE_ERROR.match(line)]
    if errors:
        wanted = [out[errors[0]], *(line for line in out[errors[0] + 1 : errors[0] + 12] if "Could not find" in line)]
        query = "Which error stops the configuration, and where?"
        rule = "the CMake Error line and its `Could not find ...` line"
    else:
        wanted = [line for line in out if line.startswith("-- Looking for ") and line.endswith(" - not found")]
        query, rule = "Which of the checked headers and functions were not found?", "the `- not found` lines"
    if not wanted:
        raise Skip("every check passed and nothing failed")
    return Found(
        source=f"cmake -S . -B build (scratch project: {len(checks)} checks, {len(packages)} find_package)",
        query=query,
        needles=needles_of(wanted[:6], text),
        notes="A scratch CMake project drawn with the seed: header checks (of /usr/include and 0-3 names that do "
        "not exist), C library function checks, packages found and (half the time) one REQUIRED that is not "
        f"installed; needles = {rule} (the first 6).",
        text=text,
    )
