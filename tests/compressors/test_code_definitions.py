"""Every definition of the outline keeps its signature line without a question, on real source drawn from this
machine: module-level functions and classes, class members, and the definitions a function's body holds as its
own statements (a nested helper, `const sleep = (ms) => ...`; in JavaScript and TypeScript also inside the body's
`if`, loop and `try` blocks). An independent reader finds them (Python's `ast`;
tree-sitter for JavaScript and TypeScript), so the test does not share the outline's blind spots. The files are
drawn with the day's seed (HEADROOM_FRESH_SEED repeats a draw).
"""

from __future__ import annotations

import ast
import os
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from structure_helpers import context

from benchmarks.fresh import default_seed
from benchmarks.fresh._places import files_under, node_modules, read_text, stdlib
from compressors._code import CodeCompressor
from compressors._languages import parse

SEED = os.environ.get("HEADROOM_FRESH_SEED") or default_seed()
FILES = 24
CODE = CodeCompressor()

_FUNCTIONS = frozenset(
    {
        "function_declaration",
        "generator_function_declaration",
        "function_expression",
        "function",
        "generator_function",
        "arrow_function",
        "method_definition",
    }
)
# Where a definition stands as a statement or member of its own: the module, a class body, a function body.
_PLACES = frozenset(
    {
        "program",
        "export_statement",
        "lexical_declaration",
        "variable_declaration",
        "variable_declarator",
        "class_body",
        "class_declaration",
        "class",
        "abstract_class_declaration",
        "field_definition",
        "public_field_definition",
        "ambient_declaration",
        "internal_module",
        "module",
        *_FUNCTIONS,
    }
)
# Blocks of statements inside a function whose definitions stand among statements too (`if (x) { function f() {} }`).
_BLOCKS = frozenset(
    {
        "if_statement",
        "else_clause",
        "for_statement",
        "for_in_statement",
        "while_statement",
        "do_statement",
        "try_statement",
        "catch_clause",
        "finally_clause",
    }
)
_VALUES = frozenset({"arrow_function", "function_expression", "function", "generator_function"})
# Not `function_signature` (`declare function f(): T;` in a .d.ts): the outline has no definition for a body-less
# TypeScript declaration yet, and a long run of them keeps its head and tail only.
_NAMED = frozenset(
    {
        "function_declaration",
        "generator_function_declaration",
        "class_declaration",
        "abstract_class_declaration",
        "method_definition",
        "interface_declaration",
        "enum_declaration",
    }
)


def python_definition_lines(text: str) -> list[int]:
    """0-based `def`/`class` lines of the module's, each class's and each function's own statements."""
    out: list[int] = []

    def walk(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                out.append(node.lineno - 1)
                walk(node.body)

    walk(ast.parse(text).body)
    return out


def _js_name(node: object) -> object | None:
    kind = node.type  # type: ignore[attr-defined]
    if kind in _NAMED:
        return node.child_by_field_name("name")  # type: ignore[attr-defined]
    if kind == "variable_declarator" or kind in ("field_definition", "public_field_definition"):
        value = node.child_by_field_name("value")  # type: ignore[attr-defined]
        if value is not None and value.type in _VALUES:
            field = "name" if kind == "variable_declarator" else "property"
            return node.child_by_field_name(field)  # type: ignore[attr-defined]
    return None


def _inside_blocks(node: object) -> bool:
    """Whether a statement block (of an `if`, a loop) holds `node` outside any function."""
    parent = node.parent  # type: ignore[attr-defined]
    while parent is not None:
        if parent.type in _BLOCKS:
            return True
        parent = parent.parent
    return False


def script_definition_lines(language: str, text: str) -> list[int]:
    """0-based name lines of the named functions and classes standing where `_PLACES` allows, up to the file."""
    tree = parse(language, text.encode())
    out: list[int] = []

    def placed(node: object) -> bool:
        parent = node.parent  # type: ignore[attr-defined]
        in_function = False
        while parent is not None:
            if parent.type == "statement_block":
                holder = parent.parent.type if parent.parent is not None else ""
                if holder in _FUNCTIONS:
                    in_function = True
                elif holder not in (*_BLOCKS, "internal_module", "module"):
                    return False
            elif parent.type in _BLOCKS:
                pass
            elif parent.type not in _PLACES:
                return False
            elif parent.type in _FUNCTIONS:
                in_function = True
            parent = parent.parent
        return True if in_function else not _inside_blocks(node)

    def walk(node: object) -> Iterator[object]:
        stack = [node]
        while stack:
            n = stack.pop()
            yield n
            stack.extend(n.children)  # type: ignore[attr-defined]

    for node in walk(tree.root_node):
        name = _js_name(node)
        if name is not None and placed(node):
            out.append(name.start_point[0])  # type: ignore[attr-defined]
    return sorted(set(out))


def _draws(root: Path, suffixes: tuple[str, ...], salt: str) -> list[tuple[Path, str]]:
    rng = random.Random(f"{SEED}:code_definitions:{salt}")
    files = list(files_under(root, suffixes, 2000, 120_000, True)) if root.is_dir() else []
    rng.shuffle(files)
    out: list[tuple[Path, str]] = []
    for path in files:
        text = read_text(path)
        if text is None:
            continue
        lines = text.splitlines()
        if len(lines) < 40 or max(len(line) for line in lines) >= 400:
            continue  # minified or generated into long lines: not what a person opens
        out.append((path, text))
        if len(out) == FILES:
            break
    return out


def _missing(language: str, text: str, wanted: list[int]) -> list[str]:
    out = CODE.compress(text, context(text, language=language))
    shown = set(out.splitlines())
    lines = text.splitlines()
    return [lines[k] for k in wanted if lines[k] not in shown]


@pytest.mark.parametrize(
    ("language", "suffixes"),
    [("python", (".py",)), ("javascript", (".js", ".mjs", ".cjs")), ("typescript", (".ts",))],
)
def test_every_definition_keeps_its_signature_line_without_a_question(language: str, suffixes: tuple[str, ...]) -> None:
    root = stdlib() if language == "python" else node_modules()
    draws = _draws(root, suffixes, language)
    if len(draws) < FILES // 2:
        pytest.skip(f"only {len(draws)} readable {language} files under {root}")
    total = 0
    missed: list[str] = []
    for path, text in draws:
        try:
            wanted = python_definition_lines(text) if language == "python" else script_definition_lines(language, text)
        except SyntaxError:
            continue
        total += len(wanted)
        missed += [f"{path}: {line.strip()}" for line in _missing(language, text, wanted)]
    assert total > 0
    report = f"seed {SEED} (repeat with HEADROOM_FRESH_SEED={SEED}); {len(missed)} of {total} missing:\n" + "\n".join(
        missed[:40]
    )
    assert not missed, report


@pytest.mark.parametrize(
    ("language", "suffixes"),
    [("python", (".py",)), ("javascript", (".js", ".mjs", ".cjs")), ("typescript", (".ts",))],
)
def test_a_question_naming_a_definition_keeps_its_signature_line(language: str, suffixes: tuple[str, ...]) -> None:
    root = stdlib() if language == "python" else node_modules()
    draws = _draws(root, suffixes, f"{language}:asked")
    rng = random.Random(f"{SEED}:code_definitions:asked:{language}")
    asked = 0
    missed: list[str] = []
    for path, text in draws:
        try:
            wanted = python_definition_lines(text) if language == "python" else script_definition_lines(language, text)
        except SyntaxError:
            continue
        lines = text.splitlines()
        names = [_defined_name(lines[k]) for k in wanted]
        once = [(k, n) for k, n in zip(wanted, names, strict=True) if n and names.count(n) == 1 and len(n) >= 3]
        if not once:
            continue
        line, name = once[rng.randrange(len(once))]
        question = f"What are the parameters of {name} and what does it return?"
        out = CODE.compress(text, context(text, language=language, query=question))
        asked += 1
        if lines[line] not in out.splitlines():
            missed.append(f"{path}: {name}: {lines[line].strip()}")
    if asked < FILES // 2:
        pytest.skip(f"only {asked} {language} files with a definition to ask about under {root}")
    assert not missed, f"seed {SEED} (repeat with HEADROOM_FRESH_SEED={SEED}); missed:\n" + "\n".join(missed)


_NAME = re.compile(r"(?:def|class|function\*?|const|let|var)\s+([A-Za-z_$][\w$]*)|#?([A-Za-z_$][\w$]*)\s*[=(]")


def _defined_name(line: str) -> str | None:
    """The name a definition's line declares (`def f`, `const f =`, `#f(`, `f = (`)."""
    match = _NAME.search(line)
    return None if match is None else match.group(1) or match.group(2)
