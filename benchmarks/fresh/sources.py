"""Source files and searches over them: Python (stdlib, installed packages), JavaScript/TypeScript (node_modules),
Rust (the project's core and the crates cargo fetched), Go (the toolchain's standard library), C and C++ headers
(/usr/include), shell scripts (the system's commands written in sh or bash, bash completions), and `grep -rn` for a
seeded identifier.

A definition is found by the language's own structure (Python's `ast`, a per-language definition pattern for
the others); the target is drawn with the seed among the names defined exactly once in the file, so the
question has one answer.
"""

from __future__ import annotations

import ast
import os
import random
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchmarks.fresh._core import Context, Found, Skip, Unavailable, generator, needle_of, needles_of
from benchmarks.fresh._places import PROJECT, files_under, node_modules, pick, read_text, site_packages, stdlib

__all__ = [
    "Definition",
    "c_definitions",
    "go_definitions",
    "javascript_definitions",
    "python_definitions",
    "rust_definitions",
    "shell_definitions",
]


@dataclass(frozen=True, slots=True)
class Definition:
    """A named definition in a file: its kind (`function`, `method`, `class`...), signature lines and container."""

    name: str
    kind: str
    lines: tuple[str, ...]
    container: str | None = None
    qualified: str = ""


def python_definitions(text: str) -> list[Definition]:
    """Public module-level functions and classes and the public methods of module-level classes."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    source = text.splitlines()

    def signature(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> tuple[str, ...]:
        start = node.lineno - 1
        first_body = node.body[0].lineno - 1
        end = max(start + 1, first_body)
        lines = [line for line in source[start:end] if line.strip() and not line.strip().startswith("#")]
        return tuple(lines[:8])

    out: list[Definition] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            out.append(Definition(node.name, "function", signature(node), None, node.name))
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            out.append(Definition(node.name, "class", signature(node), None, node.name))
            header = source[node.lineno - 1]
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and not item.name.startswith("_"):
                    out.append(Definition(item.name, "method", signature(item), header, f"{node.name}.{item.name}"))
    return out


_JS_DEF = re.compile(
    r"^\s*(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:async\s+)?"
    r"(?:function\s*\*?\s*(?P<fn>[A-Za-z_$][\w$]*)\s*[<(]"
    r"|(?:const|let|var)\s+(?P<var>[A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[\w$]+\s*=>)"
    r"|(?:abstract\s+)?(?P<kind>class|interface)\s+(?P<cls>[A-Za-z_$][\w$]*))"
)
_JS_METHOD = re.compile(r"^\s+(?:static\s+)?(?:async\s+)?(?P<name>[A-Za-z_$][\w$]*)\s*\([^)]*\)\s*\{")
_NOT_METHODS = frozenset({"if", "for", "while", "switch", "catch", "function", "return", "with", "constructor"})


def javascript_definitions(text: str) -> list[Definition]:
    """Functions, arrow functions bound to a name, classes, interfaces and class methods, by pattern."""
    out: list[Definition] = []
    for line in text.splitlines():
        m = _JS_DEF.match(line)
        if m:
            name = m["fn"] or m["var"] or m["cls"]
            kind = m["kind"] or "function"
            out.append(Definition(name, kind, (line,), None, name))
            continue
        m = _JS_METHOD.match(line)
        if m and m["name"] not in _NOT_METHODS:
            out.append(Definition(m["name"], "method", (line,), None, m["name"]))
    return out


_RUST_FN = re.compile(
    r"^(?P<indent>\s*)(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?"
    r"(?:extern\s+\"[^\"]*\"\s+)?fn\s+(?P<name>[A-Za-z_]\w*)"
)
_RUST_TYPE = re.compile(r"^(?:pub(?:\([^)]*\))?\s+)?(?P<kind>struct|enum|trait)\s+(?P<name>[A-Za-z_]\w*)")
_RUST_IMPL = re.compile(r"^(?P<indent>\s*)(?:unsafe\s+)?impl\b")


def rust_definitions(text: str) -> list[Definition]:
    """Functions (with their signature up to the body or `;`, and the `impl` holding them) and types."""
    source = text.splitlines()
    out: list[Definition] = []
    impl: tuple[int, str] | None = None
    for i, line in enumerate(source):
        m = _RUST_IMPL.match(line)
        if m and line.rstrip().endswith("{"):
            impl = (len(m["indent"]), line)
            continue
        if impl is not None and line.strip() == "}" and len(line) - len(line.lstrip()) <= impl[0]:
            impl = None
        m = _RUST_TYPE.match(line)
        if m:
            out.append(Definition(m["name"], m["kind"], (line,), None, m["name"]))
            continue
        m = _RUST_FN.match(line)
        if not m:
            continue
        lines = []
        for follow in source[i : i + 8]:
            lines.append(follow)
            if "{" in follow or follow.rstrip().endswith(";"):
                break
        inside = impl is not None and len(m["indent"]) > impl[0]
        container = impl[1] if inside and impl is not None else None
        out.append(Definition(m["name"], "method" if container else "function", tuple(lines), container, m["name"]))
    return out


_GO_DEF = re.compile(
    r"^func\s+(?:\((?P<recv>[^)]*)\)\s*)?(?P<fn>[A-Za-z_]\w*)\s*[\[(]"
    r"|^type\s+(?P<type>[A-Za-z_]\w*)(?:\[[^\]]*\])?\s+(?P<kind>struct|interface)\b"
)


def go_definitions(text: str) -> list[Definition]:
    """Top-level functions, methods (`func (r *T) Name(`) and struct and interface types."""
    out: list[Definition] = []
    for line in text.splitlines():
        m = _GO_DEF.match(line)
        if m is None:
            continue
        if m["fn"]:
            kind = "method" if m["recv"] is not None else "function"
            out.append(Definition(m["fn"], kind, (line,), None, m["fn"]))
        else:
            out.append(Definition(m["type"], m["kind"], (line,), None, m["type"]))
    return out


# A prototype at file scope: a return type, the name, its parameters, and `;` by the end of its statement.
_C_PROTOTYPE = re.compile(r"^(?:extern\s+)?(?:[A-Za-z_]\w*[\s*]+)+?\**(?P<name>[A-Za-z_]\w*)\s*\(")
_C_TYPE = re.compile(r"^(?:typedef\s+)?(?P<kind>struct|union|enum)\s+(?P<name>[A-Za-z_]\w*)\s*\{")
_C_NOT_TYPES = frozenset(
    {
        "return",
        "if",
        "while",
        "for",
        "switch",
        "typedef",
        "sizeof",
        "else",
        "do",
        "case",
        "namespace",
        "using",
        "template",
    }
)


def c_definitions(text: str) -> list[Definition]:
    """Function prototypes and definitions at file scope, and named struct, union and enum types."""
    source = text.splitlines()
    out: list[Definition] = []
    for i, line in enumerate(source):
        m = _C_TYPE.match(line)
        if m:
            out.append(Definition(m["name"], m["kind"], (line,), None, m["name"]))
            continue
        m = _C_PROTOTYPE.match(line)
        if m is None or line.split(None, 1)[0] in _C_NOT_TYPES or m["name"] in _C_NOT_TYPES:
            continue
        statement = " ".join(source[i : i + 8])
        end = min((at for at in (statement.find(";"), statement.find("{")) if at >= 0), default=-1)
        if end < 0 or statement.find("=") in range(0, end):
            continue
        out.append(Definition(m["name"], "function", (line,), None, m["name"]))
    return out


_SHELL_FUNCTION = re.compile(
    r"^\s*(?:function\s+(?P<kw>[A-Za-z_][\w:.-]*)\s*(?:\(\s*\))?|(?P<name>[A-Za-z_][\w:.-]*)\s*\(\s*\))\s*[{(]?\s*$"
)


def shell_definitions(text: str) -> list[Definition]:
    """Shell functions (`name() {`, `function name {`), whose header line is the signature."""
    out: list[Definition] = []
    for line in text.splitlines():
        m = _SHELL_FUNCTION.match(line)
        if m:
            name = m["kw"] or m["name"]
            out.append(Definition(name, "function", (line,), None, name))
    return out


_SHELL_SHEBANG = re.compile(rb"#! ?/\S*/(?:env +)?(?:ba|da|k)?sh\b")
# Where a system keeps its commands written in shell, and bash's completion functions (sourced, no `#!`).
_SHELL_PLACES = ("/usr/bin", "/usr/sbin", "/usr/lib/git-core", "/etc")
_COMPLETIONS = Path("/usr/share/bash-completion/completions")


def _shell_files() -> list[Path]:
    """Scripts whose first line names sh, bash, dash or ksh under `_SHELL_PLACES`, and bash completions."""
    out: list[Path] = []
    for place in _SHELL_PLACES:
        for path in files_under(Path(place), (), 2000, 150_000):
            try:
                with path.open("rb") as f:
                    head = f.read(64)
            except OSError:
                continue
            if _SHELL_SHEBANG.match(head):
                out.append(path)
    if _COMPLETIONS.is_dir():
        out.extend(files_under(_COMPLETIONS, (), 2000, 150_000))
    return out


def _go_root() -> Path | None:
    go = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None)
    if go is None:
        return None
    src = Path(go).resolve().parent.parent / "src"
    return src if src.is_dir() else None


def _roots(language: str) -> list[Path]:
    if language == "python":
        return [stdlib(), site_packages()]
    if language == "javascript":
        return [node_modules()]
    if language == "go":
        root = _go_root()
        return [root] if root is not None else []
    if language == "c":
        return [p for p in (Path("/usr/include"),) if p.is_dir()]

    if language == "shell":
        return [Path(p) for p in (*_SHELL_PLACES, str(_COMPLETIONS)) if Path(p).is_dir()]

    roots = [PROJECT / "rustcore" / "src"]
    registry = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo")) / "registry" / "src"
    if registry.is_dir():
        roots += sorted(p for p in registry.iterdir() if p.is_dir())
    return [r for r in roots if r.is_dir()]


# A `grep -rn` result: its text after `path:N:`.
_RESULT = re.compile(r"^.*?:\d+:(.*)$")
_SUFFIXES = {
    "python": (".py",),
    "javascript": (".js", ".mjs", ".cjs", ".ts"),
    "rust": (".rs",),
    "go": (".go",),
    "c": (".h",),
}
_DEFINITIONS = {
    "python": python_definitions,
    "javascript": javascript_definitions,
    "rust": rust_definitions,
    "go": go_definitions,
    "c": c_definitions,
    "shell": shell_definitions,
}


def _definitions(language: str, text: str) -> list[Definition]:
    return _DEFINITIONS[language](text)


def _readable_source(text: str) -> bool:
    """Not minified or generated into one line: what a person would open."""
    lines = text.splitlines()
    return len(lines) >= 40 and max(len(line) for line in lines) < 400


def _draw_file(rng: random.Random, language: str, min_bytes: int = 3000) -> tuple[Path, str, list[Definition]]:
    roots = _roots(language)
    if not roots:
        raise Unavailable(f"no {language} sources on this machine")
    scripts = _shell_files() if language == "shell" else []
    if language == "shell" and not scripts:
        raise Unavailable("no shell scripts on this machine")
    for _ in range(12):
        if scripts:
            path = scripts[rng.randrange(len(scripts))]
        else:
            root = roots[rng.randrange(len(roots))]
            files = files_under(root, _SUFFIXES[language], min_bytes, 150_000, True)
            if not files:
                continue
            path = files[rng.randrange(len(files))]
        text = read_text(path)
        if text is None or not _readable_source(text):
            continue
        defs = _definitions(language, text)
        counts = Counter(d.name for d in defs)
        once = [d for d in defs if counts[d.name] == 1 and len(d.name) >= 3 and needle_of(d.lines[0])]
        if once:
            return path, text, once
    raise Skip(f"no readable {language} file with a definition found")


def _code_sample(ctx: Context, rng: random.Random, language: str) -> Found:
    path, text, defs = _draw_file(rng, language)
    target = pick(rng, defs, "definitions")
    if language == "shell":
        query = f"Where is the shell function {target.qualified} defined, and what does it do?"
    elif target.kind in ("class", "struct", "enum", "trait", "interface"):
        query = f"Where is the {target.kind} {target.qualified} defined, and what does its declaration say?"
    else:
        query = f"What are the parameters of {target.qualified} and what does it return?"
    lines = [*target.lines, *([target.container] if target.container else [])]
    return Found(
        source=f"cat {path}",
        query=query,
        needles=needles_of(lines, text),
        notes=f"A {language} file drawn with the seed; a definition whose name occurs once among the file's "
        "definitions drawn with the seed; needles = its signature line(s) (stripped, comments left out) and the "
        "class/impl line that holds it.",
        text=text,
    )


@generator("python_def", "code")
def python_def(ctx: Context, rng: random.Random) -> Found:
    return _code_sample(ctx, rng, "python")


@generator("javascript_def", "code")
def javascript_def(ctx: Context, rng: random.Random) -> Found:
    return _code_sample(ctx, rng, "javascript")


@generator("rust_def", "code")
def rust_def(ctx: Context, rng: random.Random) -> Found:
    return _code_sample(ctx, rng, "rust")


@generator("go_def", "code")
def go_def(ctx: Context, rng: random.Random) -> Found:
    return _code_sample(ctx, rng, "go")


@generator("c_header_def", "code")
def c_header_def(ctx: Context, rng: random.Random) -> Found:
    return _code_sample(ctx, rng, "c")


@generator("shell_def", "code")
def shell_def(ctx: Context, rng: random.Random) -> Found:
    return _code_sample(ctx, rng, "shell")


def _grep_sample(ctx: Context, rng: random.Random, language: str) -> Found:
    for _ in range(8):
        path, _text, defs = _draw_file(rng, language, 1000)
        target = pick(rng, [d for d in defs if len(d.name) >= 6], "long enough names")
        root = next(r for r in _roots(language) if path.is_relative_to(r))
        tree = root if language != "python" or root == stdlib() else root / path.relative_to(root).parts[0]
        includes = [f"--include=*{s}" for s in _SUFFIXES[language]]
        skip = ["--exclude-dir=test", "--exclude-dir=tests", "--exclude-dir=site-packages"]
        argv = ["grep", "-rn", "-w", *skip, *includes, target.name, str(tree)]
        output = ctx.run(argv, ok=lambda c: c in (0, 1))
        lines = output.splitlines()
        prefix = f"{path}:"
        hits = [line for line in lines if line.startswith(prefix) and line.endswith(target.lines[0])]
        if not 10 <= len(lines) <= 3000 or len(hits) != 1:
            continue
        # The same declaration in forty per-platform copies makes any one of them a needle no reader could
        # tell from the others: the answer must be the one result with its text.
        text = target.lines[0].strip()
        if sum(1 for line in lines if _RESULT.match(line) and _RESULT.sub(r"\1", line).strip() == text) != 1:
            continue
        return Found(
            source=" ".join(argv),
            query=f"Where is {target.name} defined?",
            needles=needles_of(hits, output),
            notes=f"A {language} definition drawn with the seed (name of 6+ characters, defined once in its file); "
            "grep over its tree, kept when it prints 10-3000 lines and no other result has the definition's text; "
            "needle = the result line of the definition.",
            text=output,
        )
    raise Skip(f"no {language} name with 10-3000 grep results found in 8 draws")


@generator("grep_python", "search")
def grep_python(ctx: Context, rng: random.Random) -> Found:
    return _grep_sample(ctx, rng, "python")


@generator("grep_javascript", "search")
def grep_javascript(ctx: Context, rng: random.Random) -> Found:
    return _grep_sample(ctx, rng, "javascript")


@generator("grep_rust", "search")
def grep_rust(ctx: Context, rng: random.Random) -> Found:
    return _grep_sample(ctx, rng, "rust")
