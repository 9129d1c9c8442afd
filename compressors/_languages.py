"""What the code compressor knows about each language: grammar, node kinds, comment syntax, detection.

Grammars are imported on first use only: the server's start-up path must not
load them.
"""

from __future__ import annotations

import importlib
import itertools
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tree_sitter

__all__ = [
    "LANGUAGES",
    "LanguageSpec",
    "guess_language",
    "language_spec",
    "looks_like_prose",
    "normalize_language",
    "parse",
]


@dataclass(frozen=True, slots=True)
class LanguageSpec:
    """Node kinds of one tree-sitter grammar, grouped by what the compressor does with them.

    `functions` have a body that may be elided; `bodies` are the node kinds
    such a body can be (anything else, e.g. an arrow function's expression, is
    kept); `containers` hold definitions and give their members a qualified
    name; `literals` are bracketed data whose interior may be elided when long;
    `comments` are comment nodes. `python` selects indentation-based glue
    (``...  # marker``) instead of ``/* marker */``.
    """

    name: str
    module: str
    factory: str
    functions: frozenset[str]
    bodies: frozenset[str]
    containers: frozenset[str]
    literals: frozenset[str]
    comments: frozenset[str]
    line_comment: str = "//"
    python: bool = False


def _kinds(text: str) -> frozenset[str]:
    return frozenset(text.split())


_JS_FUNCTIONS = (
    "function_declaration generator_function_declaration function_expression generator_function "
    "arrow_function method_definition"
)
_JS_CONTAINERS = "class_declaration class"
_TS_CONTAINERS = (
    f"{_JS_CONTAINERS} abstract_class_declaration interface_declaration internal_module module enum_declaration"
)


def _js_family(name: str, module: str, factory: str, containers: str) -> LanguageSpec:
    # JavaScript, TypeScript and TSX grammars share their function, body, literal and comment nodes.
    return LanguageSpec(
        name,
        module,
        factory,
        functions=_kinds(_JS_FUNCTIONS),
        bodies=_kinds("statement_block"),
        containers=_kinds(containers),
        literals=_kinds("object array"),
        comments=_kinds("comment"),
    )


LANGUAGES: dict[str, LanguageSpec] = {
    spec.name: spec
    for spec in (
        LanguageSpec(
            "python",
            "tree_sitter_python",
            "language",
            functions=_kinds("function_definition"),
            bodies=_kinds("block"),
            containers=_kinds("class_definition"),
            literals=_kinds("dictionary list set tuple"),
            comments=_kinds("comment"),
            line_comment="#",
            python=True,
        ),
        _js_family("javascript", "tree_sitter_javascript", "language", _JS_CONTAINERS),
        _js_family("typescript", "tree_sitter_typescript", "language_typescript", _TS_CONTAINERS),
        _js_family("tsx", "tree_sitter_typescript", "language_tsx", _TS_CONTAINERS),
        LanguageSpec(
            "go",
            "tree_sitter_go",
            "language",
            functions=_kinds("function_declaration method_declaration func_literal"),
            bodies=_kinds("block"),
            containers=_kinds(""),
            literals=_kinds("literal_value"),
            comments=_kinds("comment"),
        ),
        LanguageSpec(
            "rust",
            "tree_sitter_rust",
            "language",
            functions=_kinds("function_item closure_expression"),
            bodies=_kinds("block"),
            containers=_kinds("impl_item trait_item mod_item"),
            literals=_kinds("array_expression"),
            comments=_kinds("line_comment block_comment"),
        ),
        LanguageSpec(
            "java",
            "tree_sitter_java",
            "language",
            functions=_kinds(
                "method_declaration constructor_declaration compact_constructor_declaration lambda_expression"
            ),
            bodies=_kinds("block constructor_body"),
            containers=_kinds(
                "class_declaration interface_declaration enum_declaration record_declaration "
                "annotation_type_declaration"
            ),
            literals=_kinds("array_initializer"),
            comments=_kinds("line_comment block_comment"),
        ),
        LanguageSpec(
            "c",
            "tree_sitter_c",
            "language",
            functions=_kinds("function_definition"),
            bodies=_kinds("compound_statement"),
            containers=_kinds("struct_specifier union_specifier"),
            literals=_kinds("initializer_list"),
            comments=_kinds("comment"),
        ),
        LanguageSpec(
            "cpp",
            "tree_sitter_cpp",
            "language",
            functions=_kinds("function_definition lambda_expression"),
            bodies=_kinds("compound_statement"),
            containers=_kinds("class_specifier struct_specifier union_specifier namespace_definition"),
            literals=_kinds("initializer_list"),
            comments=_kinds("comment"),
        ),
        LanguageSpec(
            "bash",
            "tree_sitter_bash",
            "language",
            functions=_kinds("function_definition"),
            bodies=_kinds("compound_statement subshell"),
            containers=_kinds(""),
            literals=_kinds(""),
            comments=_kinds("comment"),
            line_comment="#",
        ),
    )
}

_ALIASES = {
    "py": "python",
    "python3": "python",
    "py3": "python",
    "pyi": "python",
    "js": "javascript",
    "jsx": "javascript",
    "mjs": "javascript",
    "cjs": "javascript",
    "node": "javascript",
    "ts": "typescript",
    "mts": "typescript",
    "cts": "typescript",
    "golang": "go",
    "rs": "rust",
    "h": "c",
    "c++": "cpp",
    "cc": "cpp",
    "cxx": "cpp",
    "hpp": "cpp",
    "hh": "cpp",
    "hxx": "cpp",
    "sh": "bash",
    "shell": "bash",
    "dash": "bash",
    "ksh": "bash",
    "zsh": "bash",
}


def normalize_language(name: str | None) -> str | None:
    """The canonical name for a language name, alias or file extension, or None when unsupported."""
    if not name:
        return None
    key = name.strip().lower().lstrip(".")
    key = _ALIASES.get(key, key)
    return key if key in LANGUAGES else None


def language_spec(name: str) -> LanguageSpec:
    return LANGUAGES[name]


_grammar_lock = threading.Lock()
_grammars: dict[str, tree_sitter.Language] = {}


def _grammar(name: str) -> tree_sitter.Language:
    with _grammar_lock:
        lang = _grammars.get(name)
        if lang is None:
            import tree_sitter

            spec = LANGUAGES[name]
            module = importlib.import_module(spec.module)
            lang = tree_sitter.Language(getattr(module, spec.factory)())
            _grammars[name] = lang
        return lang


def parse(name: str, source: bytes) -> tree_sitter.Tree:
    """`source` parsed with the grammar of language `name` (a fresh parser: parsers are not shared)."""
    import tree_sitter

    return tree_sitter.Parser(_grammar(name)).parse(source)


# --- detection -----------------------------------------------------------------------------------

# Each pattern is evidence for the languages named with it; the best total wins. The words after it are
# ones a match must contain (any of them): a sample holding none skips the pattern, which costs far less.
_EVIDENCE: tuple[tuple[re.Pattern[str], tuple[str, ...], int, tuple[str, ...]], ...] = tuple(
    (re.compile(pattern, re.MULTILINE), langs, weight, needs)
    for pattern, langs, weight, needs in (
        (r"^\s*def \w+\s*\(.*\)\s*(->.*)?:\s*$", ("python",), 3, ("def ",)),
        (r"^\s*(from [\w.]+ )?import [\w.]+(\s+as \w+)?(\s*,\s*\w+)*\s*$", ("python",), 2, ("import ",)),
        (r"^\s*class \w+(\(.*\))?:\s*$", ("python",), 3, ("class ",)),
        (
            r"^\s*(elif .*|else|try|except.*|finally):\s*$",
            ("python",),
            2,
            ("elif ", "else:", "try:", "except", "finally:"),
        ),
        (r"^\s*@\w+(\.\w+)*(\(.*\))?\s*$", ("python", "java", "typescript"), 1, ("@",)),
        (r"^\s*(const|let|var) \w+\s*=\s*require\(", ("javascript",), 3, ("require(",)),
        (r"^\s*(module\.)?exports(\.\w+)?\s*=", ("javascript",), 3, ("exports",)),
        (
            r"^\s*(export )?(async )?function\*? ?\w*\s*\([^)]*\)\s*\{",
            ("javascript", "typescript"),
            2,
            ("function",),
        ),
        (r"=>\s*\{?\s*$", ("javascript", "typescript"), 1, ("=>",)),
        (
            r"^\s*(import .* from ['\"]|export (default |const |class |function |\{))",
            ("javascript", "typescript"),
            2,
            ("import ", "export "),
        ),
        (
            r"^\s*(export )?(interface|type) \w+(<.*>)?\s*(=|\{|extends)",
            ("typescript",),
            4,
            ("interface ", "type "),
        ),
        (
            r"\w\??: (string|number|boolean|any|unknown|void)\b",
            ("typescript",),
            2,
            (": string", ": number", ": boolean", ": any", ": unknown", ": void"),
        ),
        (r"^package \w+\s*$", ("go",), 4, ("package ",)),
        (r"^func (\(\w+ \*?\w+(\[.*\])?\) )?\w+(\[.*\])?\(", ("go",), 4, ("func ",)),
        # One word character before ` := ` counts each assignment once, as `\w+` would, without the backtracking.
        (r"\w := ", ("go",), 2, (" := ",)),
        (r"^\s*(pub(\(\w+\))? )?(async )?(unsafe )?fn \w+", ("rust",), 4, ("fn ",)),
        (
            r"^\s*(pub )?(struct|enum|trait|impl|mod)\b.*\{?\s*$",
            ("rust",),
            1,
            ("struct", "enum", "trait", "impl", "mod"),
        ),
        (r"^\s*use [\w:]+(::\{.*\})?;", ("rust",), 3, ("use ",)),
        (r"\blet (mut )?\w+(: [\w<>&]+)? = ", ("rust",), 1, ("let ",)),
        (r"^\s*package [\w.]+;\s*$", ("java",), 4, ("package ",)),
        (r"^\s*import (static )?[\w.]+(\.\*)?;\s*$", ("java",), 3, ("import ",)),
        (
            r"^\s*(public|private|protected) (static )?(final )?(class|interface|enum|record) \w+",
            ("java",),
            3,
            ("public ", "private ", "protected "),
        ),
        (
            r"^\s*(public|private|protected) [\w<>\[\], ]+ \w+\(",
            ("java", "cpp"),
            1,
            ("public ", "private ", "protected "),
        ),
        (r"^\s*#\s*include\s*[<\"]", ("c", "cpp"), 3, ("include",)),
        (r"^\s*#\s*(define|ifn?def|endif|pragma)\b", ("c", "cpp"), 1, ("define", "ifdef", "ifndef", "endif", "pragma")),
        (
            r"\b(std::|template\s*<|namespace \w+|class \w+\s*(final\s*)?[:{]|public:|private:|nullptr)",
            ("cpp",),
            3,
            ("std::", "template", "namespace ", "class ", "public:", "private:", "nullptr"),
        ),
        (r"\A#! ?/\S*/(env +)?(ba|da|k|mk|z)?sh\b", ("bash",), 12, ("#!",)),
        (r"^\s*(fi|done|esac|then|do|;;)\s*$", ("bash",), 3, ("fi", "done", "esac", "then", "do", ";;")),
        (r"^\s*(if|elif|while|until) \[|; (then|do)\s*$", ("bash",), 3, ("[", "then", "do")),
        (r"^\s*(function +)?[\w:-]+ ?\(\) *\{?\s*$", ("bash",), 2, ("()",)),
        (r"^\s*(local|export|readonly) +\w+=", ("bash",), 2, ("local ", "export ", "readonly ")),
        (
            r"\b(malloc|free|sizeof|NULL|typedef struct)\b",
            ("c",),
            1,
            ("malloc", "free", "sizeof", "NULL", "typedef struct"),
        ),
    )
)
# Evidence that a text is prose or Markdown rather than source: links, fences, underlines, plain sentences.
_PROSE_EVIDENCE: tuple[tuple[re.Pattern[str], int], ...] = tuple(
    (re.compile(pattern, re.MULTILINE), weight)
    for pattern, weight in (
        (r"\[[^\]\n]{2,80}\]\((?:https?://|#|\.{0,2}/)[^)\s]*\)", 2),
        (r"^\s{0,3}(```|~~~)", 3),
        (r"^(={3,}|-{3,}|~{3,}|\^{3,})\s*$", 2),
        (r"^#{1,6} [A-Z0-9\[]", 2),
        (r"^\s{0,4}[-*+] [A-Z`*\[][^;{}=]{30,}$", 1),
        (r"^[A-Z][a-z]+(?: [A-Za-z'`,()/-]+){6,}[.!?:]\s*$", 1),
    )
)
_SAMPLE_CHARS = 8192
# Each pattern counts at most this many matches.
_MAX_HITS = 8
_JSX = re.compile(r"(?:return|=>)\s*\(?\s*<[A-Za-z][\w.]*[\s/>]|</[A-Za-z][\w.]*>\s*\)?;?\s*$", re.MULTILINE)


def _hits(pattern: re.Pattern[str], sample: str) -> int:
    return sum(1 for _ in itertools.islice(pattern.finditer(sample), _MAX_HITS))


def _code_scores(sample: str) -> dict[str, int]:
    scores: dict[str, int] = {}
    for pattern, langs, weight, needs in _EVIDENCE:
        if not any(word in sample for word in needs):
            continue
        hits = _hits(pattern, sample)
        if hits:
            for lang in langs:
                scores[lang] = scores.get(lang, 0) + hits * weight
    return scores


def _prose_score(sample: str) -> int:
    return sum(_hits(pattern, sample) * weight for pattern, weight in _PROSE_EVIDENCE)


def looks_like_prose(text: str) -> bool:
    """Whether a sample of `text` shows more signs of prose or Markdown than of any language's source."""
    sample = text[:_SAMPLE_CHARS]
    prose = _prose_score(sample)
    return prose >= 6 and prose >= max(_code_scores(sample).values(), default=0)


def guess_language(text: str) -> str | None:
    """A cheap guess at the language of source `text` (a sample is scored by patterns), or None."""
    sample = text[:_SAMPLE_CHARS]
    scores = _code_scores(sample)
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    best, best_score = ranked[0]
    if best_score < 4 or _prose_score(sample) >= best_score:
        return None
    close = [lang for lang, score in ranked[1:3] if score * 4 >= best_score * 3]
    if not close:
        # The TypeScript grammar does not read JSX; its TSX sibling reads both.
        return "tsx" if best == "typescript" and _JSX.search(sample) else best
    # Near tie: the grammar that parses the sample with the fewest errors wins.
    data = sample.encode("utf-8", errors="replace")
    choice = min([best, *close], key=lambda lang: (_error_count(parse(lang, data).root_node), -scores[lang], lang))
    return "tsx" if choice == "typescript" and _JSX.search(sample) else choice


def _error_count(node: tree_sitter.Node, limit: int = 200) -> int:
    count = 0
    stack = [node]
    while stack and count < limit:
        current = stack.pop()
        if current.is_error or current.is_missing:
            count += 1
            continue
        if current.has_error:
            stack.extend(current.children)
    return count
