"""Questions in plain words about Python source: "where is the code that does what this docstring says?"

A function's docstring says what it does in the words a person would ask with. The question is the first
sentence of a seeded random function's docstring with the function's name taken out, so it names no
identifier: a compressor can only answer it by matching the question's words to the code's (identifiers split
into words, comments, docstrings). The needles are the function's `def` line and the last line of its body, so
keeping the signature alone is not enough: the body that answers the question must survive too.
"""

from __future__ import annotations

import ast
import random
import re
from dataclasses import dataclass
from pathlib import Path

from benchmarks.fresh._core import Context, Found, Skip, Unavailable, generator, needle_of, unique_in
from benchmarks.fresh._places import files_under, read_text, site_packages, stdlib

__all__ = ["DocQuestion", "doc_question", "doc_questions"]

_MIN_WORDS = 5
_MAX_QUESTION = 240
_MIN_BODY_LINES = 3
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


@dataclass(frozen=True, slots=True)
class DocQuestion:
    """A function of a source file, and the question its docstring gives."""

    name: str
    question: str
    def_line: str
    last_line: str


def _first_sentence(doc: str) -> str:
    paragraph = doc.strip().split("\n\n", 1)[0]
    flat = " ".join(paragraph.split())
    return _SENTENCE_END.split(flat, 1)[0]


def _without_name(sentence: str, name: str) -> str:
    """`sentence` with `name` (and `name()`, backticked or not) taken out."""
    pattern = re.compile(rf"`*\b{re.escape(name)}\b(?:\(\))?`*")
    return " ".join(pattern.sub(" ", sentence).split())


def doc_questions(text: str) -> list[DocQuestion]:
    """Every function or method of `text` that can be asked about: defined once under its name in the file,
    a docstring whose first sentence keeps at least five words once the name is out, and a body of at least
    three lines after the docstring whose `def` line and last line each occur once in the file."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    lines = text.splitlines()
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    names = [n.name for n in functions]
    out: list[DocQuestion] = []
    for node in functions:
        doc = ast.get_docstring(node)
        if not doc or names.count(node.name) != 1 or node.end_lineno is None or len(node.body) < 2:
            continue
        question = _without_name(_first_sentence(doc), node.name)
        words = re.findall(r"[A-Za-z]{2,}", question)
        if len(words) < _MIN_WORDS or len(question) > _MAX_QUESTION:
            continue
        body_start = node.body[1].lineno
        if node.end_lineno - body_start + 1 < _MIN_BODY_LINES:
            continue
        def_line = needle_of(lines[node.lineno - 1])
        last_line = needle_of(lines[node.end_lineno - 1])
        if def_line is None or last_line is None or not unique_in(def_line, text) or not unique_in(last_line, text):
            continue
        out.append(DocQuestion(node.name, question, def_line, last_line))
    return out


def doc_question(rng: random.Random, roots: list[Path], draws: int = 12) -> tuple[Path, str, DocQuestion]:
    """A file under `roots` and one of its functions, drawn with `rng`.

    Raises:
        Unavailable: no Python source under `roots`.
        Skip: no drawn file had a function to ask about.
    """
    roots = [r for r in roots if r.is_dir()]
    if not roots:
        raise Unavailable("no Python sources on this machine")
    for _ in range(draws):
        files = files_under(roots[rng.randrange(len(roots))], (".py",), 3000, 150_000, True)
        if not files:
            continue
        path = files[rng.randrange(len(files))]
        text = read_text(path)
        if text is None:
            continue
        found = doc_questions(text)
        if found:
            return path, text, found[rng.randrange(len(found))]
    raise Skip(f"no Python file with a documented function found in {draws} draws")


@generator("python_docq", "code")
def python_docq(ctx: Context, rng: random.Random) -> Found:
    path, text, target = doc_question(rng, [stdlib(), site_packages()])
    return Found(
        source=f"cat {path}",
        query=target.question,
        needles=(target.def_line, target.last_line),
        notes="A Python file drawn with the seed (stdlib or installed packages); a documented function defined once "
        "in it drawn with the seed; query = the first sentence of its docstring with its name taken out (no "
        "identifier to match); needles = its def line and the last line of its body (both unique in the file).",
        text=text,
    )
