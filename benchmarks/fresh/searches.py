"""Searches as people run them besides plain `grep -rn`: with context lines (`grep -rn -C N`: match lines
`path:N:text`, context lines `path-N-text`, groups split by `--`) and `git grep -p` (each match under the line of
the function that holds it, `path=N=def ...`), over the stdlib, installed packages, Go's sources or /usr/include.

The target is a definition drawn with the seed as for `grep_python` (a name defined once in its file); the
question asks where it is defined, or (git grep -p) which function holds one use of it.
"""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

from benchmarks.fresh._core import Context, Found, Skip, generator, needles_of, unique_in
from benchmarks.fresh._places import pick, stdlib
from benchmarks.fresh.runs import ANSI
from benchmarks.fresh.sources import _SUFFIXES, Definition, _draw_file, _roots

__all__ = ["declares", "defined_once"]

_LANGUAGES = ("python", "go", "c", "rust")
# A `git grep -n -p` line: a match `path:N:text` or the enclosing function's line `path=N=text`.
_GIT_GREP = re.compile(r"^(?P<path>.+?)(?P<sep>[:=])(?P<line>\d+)(?P=sep)(?P<text>.*)$")
# A line that declares something: git's default function line is any line starting with a letter (`where`, a
# docstring's prose), so only these are answers to "which function" or "where is it defined": a declaring keyword
# after modifiers, or C's `static int name(` (type words, a name, a parenthesis; not a call after `return`).
_DECLARATION = re.compile(
    r"^\s*(?:(?:pub(?:\([\w:]+\))?|async|static|export|default|extern|unsafe|const|inline|public|private|protected"
    r"|abstract|final|virtual)\s+)*(?:def|class|func|fn|impl|struct|enum|trait|type|interface|union|#\s*define)\b"
)
_C_FUNCTION = re.compile(
    r"^\s*(?!(?:return|if|else|while|for|switch|case|do|goto|sizeof|await|yield|assert|raise|throw|new|delete|not)\b)"
    r"[A-Za-z_][\w\s*&:<>,]*\b\w+\s*\("
)


def declares(text: str) -> bool:
    """Whether a line of source declares something (a function, a type, a macro)."""
    return bool(_DECLARATION.match(text) or _C_FUNCTION.match(text))


def defined_once(output: str, name: str) -> bool:
    """Whether one result line of `output` declares `name`: "where is NAME defined" then has one answer."""
    named = re.compile(r"\b" + re.escape(name) + r"\b")
    results = (m["text"] for m in map(_GIT_GREP.match, output.splitlines()) if m and m["sep"] == ":")
    return sum(1 for text in results if declares(text) and named.search(text)) == 1


def _search_root(language: str, rng: random.Random) -> tuple[str, Path, Path, list[Definition]]:
    path, _text, defs = _draw_file(rng, language, 1000)
    root = next(r for r in _roots(language) if path.is_relative_to(r))
    # A package's own folder under site-packages, not all of them; the stdlib, Go's and the headers as they are.
    if language == "python" and root != stdlib():
        root = root / path.relative_to(root).parts[0]
    return language, path, root, list(defs)


@generator("grep_context", "search")
def grep_context(ctx: Context, rng: random.Random) -> Found:
    """`grep -rn -w -C N NAME TREE` (N of 1-4 drawn with the seed): the definition's result line among context."""
    for _ in range(8):
        language = rng.choice(_LANGUAGES)
        try:
            _, path, root, defs = _search_root(language, rng)
        except Skip:
            continue
        target = pick(rng, [d for d in defs if len(d.name) >= 6], "long enough names")
        context = rng.randint(1, 4)
        includes = [f"--include=*{s}" for s in _SUFFIXES[language]]
        skip = ["--exclude-dir=test", "--exclude-dir=tests", "--exclude-dir=testdata", "--exclude-dir=site-packages"]
        argv = ["grep", "-rn", "-w", f"-C{context}", *skip, *includes, target.name, str(root)]
        output = ctx.run(argv, ok=lambda c: c in (0, 1))
        hits = [line for line in output.splitlines() if line.startswith(f"{path}:") and line.endswith(target.lines[0])]
        if not 20 <= output.count("\n") <= 4000 or len(hits) != 1 or not unique_in(hits[0], output):
            continue
        # One declaration of the name among the results: forty per-platform copies or a method of the same name
        # on ten types would make the question one with many answers.
        if not defined_once(output, target.name):
            continue
        return Found(
            source=" ".join(argv),
            query=f"Where is {target.name} defined?",
            needles=needles_of(hits, output),
            notes=f"A {language} definition drawn with the seed (name of 6+ characters, defined once in its file); "
            "grep with 1-4 context lines over its tree, kept when it prints 20-4000 lines and no other match has "
            "the definition's text; needle = the definition's match line.",
            text=output,
        )
    raise Skip("no definition with 20-4000 lines of grep -C output found in 8 draws")


@generator(
    "git_grep_function",
    "search",
    gap="code (detection) + lines (search): git grep -p output reads as code (passed through whole), and its "
    "function lines (`path=N=fn ...`) are dropped when the question asks for them",
)
def git_grep_function(ctx: Context, rng: random.Random) -> Found:
    """`git grep --no-index -n -p -w NAME` over a tree: which function holds a use of NAME at FILE:N."""
    git = ctx.tool("git")
    for _ in range(8):
        language = rng.choice(_LANGUAGES)
        try:
            _, _path, root, defs = _search_root(language, rng)
        except Skip:
            continue
        target = pick(rng, [d for d in defs if len(d.name) >= 6], "long enough names")
        pathspec = [f"*{s}" for s in _SUFFIXES[language]]
        argv = [git, "-c", "core.pager=cat", "grep", "--no-index", "--no-color", "-n", "-p", "-w", target.name]
        # The stdlib holds the base interpreter's site-packages: not the stdlib, and large.
        output = ctx.run([*argv, "--", *pathspec, ":!site-packages"], cwd=root, ok=lambda c: c in (0, 1))
        lines = output.splitlines()
        if not 20 <= len(lines) <= 3000:
            continue
        # A use (a match that is not the definition) right under its function's line: that pair is the answer.
        pairs = []
        for above, line in itertools.pairwise(lines):
            head, match = _GIT_GREP.match(above), _GIT_GREP.match(line)
            if not (head and match and head["sep"] == "=" and match["sep"] == ":"):
                continue
            is_use = head["path"] == match["path"] and target.lines[0].strip() not in match["text"]
            if is_use and declares(head["text"]) and unique_in(line, output):
                pairs.append((head, match, above, line))
        if not pairs:
            continue
        head, match, above, line = pairs[rng.randrange(len(pairs))]
        return Found(
            source=f"git grep --no-index -n -p -w {target.name} -- {' '.join(pathspec)} (in {root})",
            query=f"Which function uses {target.name} at {match['path']} line {match['line']}?",
            needles=needles_of([above, line], output),
            notes=f"A {language} name (6+ characters, defined once in its file) drawn with the seed; git grep -p "
            "over its tree (20-3000 lines); a use right under a function line that declares something (a keyword "
            "or a C-style `type name(`) drawn with the seed; needles = the function line (`path=N=...`) and the "
            "use's line.",
            text=output,
        )
    raise Skip("no name with a use under a function line in 20-3000 lines of git grep -p found in 8 draws")


@generator(
    "grep_color",
    "search",
    gap="code (detection) + pipeline: grep --color=always output (colour sequences around the path, line number "
    "and match) is refused by compress() as binary when a tenth of its bytes are control bytes, else read as a "
    "listing that drops the definition's line (29% kept with the question, 43% within one retrieval)",
)
def grep_color(ctx: Context, rng: random.Random) -> Found:
    """`grep -rn -w --color=always NAME TREE`, as a terminal capture or a tool forcing colour has it; the same
    question as grep_python's, the needle the definition's line as printed (colour sequences included)."""
    for _ in range(8):
        language = rng.choice(_LANGUAGES)
        try:
            _, path, root, defs = _search_root(language, rng)
        except Skip:
            continue
        target = pick(rng, [d for d in defs if len(d.name) >= 6], "long enough names")
        includes = [f"--include=*{s}" for s in _SUFFIXES[language]]
        skip = ["--exclude-dir=test", "--exclude-dir=tests", "--exclude-dir=testdata", "--exclude-dir=site-packages"]
        argv = ["grep", "-rn", "-w", "--color=always", *skip, *includes, target.name, str(root)]
        output = ctx.run(argv, ok=lambda c: c in (0, 1))
        plain = ANSI.sub("", output)
        if not 10 <= plain.count("\n") <= 3000 or not defined_once(plain, target.name):
            continue
        hits = [
            line
            for line in output.splitlines()
            if ANSI.sub("", line).startswith(f"{path}:") and ANSI.sub("", line).endswith(target.lines[0])
        ]
        if len(hits) != 1:
            continue
        return Found(
            source=" ".join(argv),
            query=f"Where is {target.name} defined?",
            needles=needles_of(hits, output),
            notes=f"A {language} definition drawn with the seed (name of 6+ characters, declared once among the "
            "results); grep --color=always over its tree (10-3000 lines); needle = the definition's line as "
            "printed, colour sequences included.",
            text=output,
        )
    raise Skip("no definition with 10-3000 lines of grep output found in 8 draws")
