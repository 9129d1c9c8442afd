"""The outline of a parsed source file: definitions, their bodies, comments and long literals.

Everything here is found with tree-sitter queries (the matching runs in C) and
expressed as line ranges of the original, with the glue that keeps the output
valid in the language when a range is left out: ``...  # marker`` in a Python
block, ``/* marker */`` between braces, the marker inside a doc comment.
"""

from __future__ import annotations

import bisect
import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from compressors._elision import Elision, Lines
from compressors._languages import LanguageSpec

if TYPE_CHECKING:
    import tree_sitter

__all__ = ["CommentRun", "Definition", "Outline", "Run", "build_outline"]

# A block whose interior is shorter than this stays: its marker would cost about as much.
_MIN_BODY_LINES = 2
_MIN_COMMENT_LINES = 3
_MIN_LITERAL_LINES = 8
_MIN_MODULE_BLOCK_LINES = 4
# A function whose body holds most of the file and other functions is a wrapper (UMD, IIFE): look inside.
_WRAPPER_SHARE = 0.5
_PY_COMPOUND = frozenset({"if_statement", "for_statement", "while_statement", "with_statement", "try_statement"})
_PY_CLAUSES = frozenset({"else_clause", "elif_clause", "except_clause", "finally_clause", "except_group_clause"})
# Runs of one-line siblings: how long one must be, and how deep the search for them goes.
_MIN_RUN = 12
_RUN_SEARCH_DEPTH = 6
_RUN_SEARCH_NODES = 200_000
_IMPORTS = frozenset(
    {
        "import_statement",
        "import_from_statement",
        "future_import_statement",
        "import_declaration",
        "import_spec",
        "use_declaration",
        "preproc_include",
        "extern_crate_declaration",
    }
)
# What a definition's whole extent climbs through: decorators, templates, exports, and the statement that binds
# an anonymous function to a name (`res.type = function type() {...}`, `const f = () => {...}`).
_DEFINITION_WRAPPERS = frozenset(
    {
        "decorated_definition",
        "template_declaration",
        "export_statement",
        "assignment_expression",
        "variable_declarator",
        "lexical_declaration",
        "variable_declaration",
        "expression_statement",
        "short_var_declaration",
        "let_declaration",
    }
)
_COMMENT_PUNCT = re.compile(r"^[\s/*!#=\-]*$")
_COMMENT_LEAD = re.compile(r"^[ \t]*(///?!?|#+|--)")
_BLOCK_COMMENT_PREFIX = re.compile(r"^[ \t]*(\*[ \t]*)?")
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")


@dataclass(slots=True)
class Definition:
    """A function or a container (class, impl, namespace...) found in the file.

    `first`..`last` are the lines of the whole definition, decorators and
    template heads included. `body` is the elision that replaces a function's
    body (None when it cannot be elided safely). `wrapper` marks a function
    whose body is looked into as if it were a container (a parse error in it,
    or a module wrapper holding most of the file).
    """

    index: int
    kind: str
    name: str
    qualifiers: tuple[str, ...]
    first: int
    last: int
    body_span: tuple[int, int] | None
    body: Elision | None
    wrapper: bool = False
    doc: str = ""
    score: float = 0.0


@dataclass(slots=True)
class CommentRun:
    """Consecutive whole-line comments (or one block comment); `tail` elides all but its first line."""

    first: int
    last: int
    tail: Elision | None
    doc_for: int = -1


@dataclass(slots=True)
class Outline:
    definitions: list[Definition] = field(default_factory=list)
    comments: list[CommentRun] = field(default_factory=list)
    literals: list[Elision] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    has_error: bool = False


@dataclass(slots=True)
class Run:
    """Many one-line siblings of one kind in a row (constants, fields, enum members, defines).

    `items` are their lines; `before`/`after` the glue for a marker between them.
    """

    items: list[int]
    before: str
    after: str


_queries_lock = threading.Lock()
_queries: dict[str, tree_sitter.Query] = {}


def _query(spec: LanguageSpec, language: tree_sitter.Language) -> tree_sitter.Query:
    with _queries_lock:
        query = _queries.get(spec.name)
        if query is None:
            import tree_sitter

            patterns = [f"({kind}) @fn" for kind in sorted(spec.functions)]
            patterns += [f"({kind}) @ct" for kind in sorted(spec.containers)]
            patterns += [f"({kind}) @cm" for kind in sorted(spec.comments)]
            patterns += [f"({kind}) @lit" for kind in sorted(spec.literals)]
            query = tree_sitter.Query(language, "\n".join(patterns))
            _queries[spec.name] = query
        return query


class _Source:
    """The parsed file: bytes, lines and the conversions between them."""

    def __init__(self, doc: Lines, data: bytes) -> None:
        self.doc = doc
        self.data = data
        self._starts = doc.byte_starts
        self._last = max(len(doc) - 1, 0)

    def line(self, byte: int) -> int:
        index = bisect.bisect_right(self._starts, byte) - 1
        return index if 0 <= index <= self._last else max(0, min(index, self._last))

    def span(self, node: tree_sitter.Node) -> tuple[int, int]:
        return self.line(node.start_byte), self.line(max(node.end_byte - 1, node.start_byte))

    def text(self, node: tree_sitter.Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    def before_on_line(self, byte: int) -> bytes:
        start = self._starts[self.line(byte)]
        return self.data[start:byte]

    def after_on_line(self, byte: int) -> bytes:
        end = self._starts[self.line(max(byte - 1, 0)) + 1]
        return self.data[byte:end]


def build_outline(tree: tree_sitter.Tree, doc: Lines, data: bytes, spec: LanguageSpec) -> Outline:
    """Definitions, comment runs and long literals of a parsed file, in document order."""
    from tree_sitter import QueryCursor

    src = _Source(doc, data)
    root = tree.root_node
    captures = QueryCursor(_query(spec, tree.language)).captures(root)

    def ordered(name: str) -> list[tree_sitter.Node]:
        return sorted(captures.get(name, []), key=lambda n: (n.start_byte, -n.end_byte))

    functions, containers = ordered("fn"), ordered("ct")
    outline = Outline(has_error=root.has_error)
    fn_starts = sorted(n.start_byte for n in functions)
    named_starts = sorted(n.start_byte for n in functions if _is_named(n))
    for node in sorted(functions + containers, key=lambda n: (n.start_byte, -n.end_byte)):
        kind = "function" if node.type in spec.functions else "container"
        outline.definitions.append(_definition(len(outline.definitions), kind, node, src, spec, named_starts))
    defs_by_start = {d.first: d.index for d in outline.definitions}
    outline.comments = _comment_runs(ordered("cm"), src, spec, defs_by_start)
    outline.literals = _literals(ordered("lit"), src, spec, fn_starts)
    outline.runs = _runs(root, src, spec)
    if spec.python:
        outline.literals += _module_blocks(root, src, fn_starts, [n.start_byte for n in containers])
        tails = [_docstring_tail(root, src)]
        tails += [_docstring_tail(node.child_by_field_name("body"), src) for node in containers]
        outline.literals += [tail for tail in tails if tail is not None]
        outline.literals.sort(key=lambda e: (e.first, -e.last))
    return outline


def _definition(
    index: int,
    kind: str,
    node: tree_sitter.Node,
    src: _Source,
    spec: LanguageSpec,
    named_starts: list[int],
) -> Definition:
    outer = node
    while outer.parent is not None and outer.parent.type in _DEFINITION_WRAPPERS:
        outer = outer.parent
    first, last = src.span(outer)
    name, qualifiers = _names(node, src, spec)
    d = Definition(index, kind, name, qualifiers, first, last, None, None)
    body = node.child_by_field_name("body")
    if kind != "function":
        if body is not None:
            d.body_span = src.span(body)
            d.body, d.doc = _python_body(node, body, src) if spec.python else (_brace_body(body, src), "")
        return d
    if body is None or body.type not in spec.bodies:
        return d
    d.body_span = src.span(body)
    nested = bisect.bisect_left(named_starts, body.end_byte) - bisect.bisect_right(named_starts, body.start_byte)
    # A parse error around a body that holds definitions is usually a misread container (a macro
    # before a class); a body holding most of the file and several functions is a module wrapper.
    if (node.has_error and nested) or (
        nested >= 2 and (d.body_span[1] - d.body_span[0]) > _WRAPPER_SHARE * len(src.doc)
    ):
        d.wrapper = True
        return d
    if spec.python:
        d.body, d.doc = _python_body(node, body, src)
    else:
        d.body = _brace_body(body, src)
    return d


def _is_named(node: tree_sitter.Node) -> bool:
    """A function declared with a name, or bound to one (not an inline callback or lambda)."""
    if node.child_by_field_name("name") is not None:
        return True
    parent = node.parent
    return parent is not None and parent.type in ("variable_declarator", "assignment_expression", "pair")


def _names(node: tree_sitter.Node, src: _Source, spec: LanguageSpec) -> tuple[str, tuple[str, ...]]:
    """The definition's own name and the names that qualify it (enclosing classes, receiver, object)."""
    path = _own_path(node, src)
    qualifiers = path[:-1]
    if node.child_by_field_name("name") is not None and node.parent is not None:
        qualifiers += [q for q in _assigned_name(node.parent, src)[:-1] if q not in qualifiers]
    receiver = node.child_by_field_name("receiver")
    if receiver is not None:
        qualifiers += _IDENT.findall(src.text(receiver))[-1:]
    ancestor = node.parent
    depth = 0
    while ancestor is not None and depth < 64:
        if ancestor.type in spec.containers:
            qualifiers += _own_path(ancestor, src)[-1:]
        ancestor = ancestor.parent
        depth += 1
    return (path[-1] if path else ""), tuple(qualifiers)


def _own_path(node: tree_sitter.Node, src: _Source) -> list[str]:
    name_node = node.child_by_field_name("name")
    if name_node is not None:
        return _IDENT.findall(src.text(name_node))[:4]
    if node.type == "impl_item":
        target = node.child_by_field_name("type")
        return _IDENT.findall(src.text(target))[:1] if target is not None else []
    declarator = node.child_by_field_name("declarator")
    depth = 0
    while declarator is not None and declarator.type != "function_declarator" and depth < 16:
        declarator = declarator.child_by_field_name("declarator")
        depth += 1
    inner = declarator.child_by_field_name("declarator") if declarator is not None else None
    if inner is not None:
        return _IDENT.findall(src.text(inner))[:4]
    return _assigned_name(node.parent, src) if node.parent is not None else []


def _assigned_name(parent: tree_sitter.Node, src: _Source) -> list[str]:
    """For an anonymous function, the name it is bound to: `const f = ...`, `obj.f = ...`, `{f: ...}`."""
    target = None
    if parent.type in ("variable_declarator", "let_declaration", "short_var_declaration"):
        target = parent.child_by_field_name("name") or parent.child_by_field_name("pattern")
    elif parent.type in ("assignment_expression", "assignment"):
        target = parent.child_by_field_name("left")
    elif parent.type == "pair":
        target = parent.child_by_field_name("key")
    if target is None:
        return []
    return _IDENT.findall(src.text(target))


def _python_docstring(block: tree_sitter.Node) -> tree_sitter.Node | None:
    first = block.named_children[0] if block.named_child_count else None
    if first is None or first.type != "expression_statement" or first.named_child_count != 1:
        return None
    string = first.named_children[0]
    return string if string.type == "string" else None


def _python_body(node: tree_sitter.Node, body: tree_sitter.Node, src: _Source) -> tuple[Elision | None, str]:
    first, last = src.span(body)
    if first <= src.line(node.start_byte):
        return None, ""
    if src.before_on_line(body.start_byte).strip() or not _rest_is_comment(src.after_on_line(body.end_byte), b"#"):
        return None, ""
    indent = src.doc.indent(first)
    string = _python_docstring(body)
    if string is None:
        return _sized(Elision(first, last, before=f"{indent}...  # ")), ""
    doc_last = src.span(string)[1]
    keep = _docstring_keep(string, src)
    summary = src.doc.body(keep).strip()
    if doc_last <= keep:
        return _sized(Elision(doc_last + 1, last, before=f"{indent}...  # ")), summary
    closer = _closer(string, src)
    if not closer or src.after_on_line(string.end_byte).strip():
        return None, summary
    return _sized(Elision(keep + 1, last, before=indent, after=closer)), summary


def _docstring_keep(string: tree_sitter.Node, src: _Source) -> int:
    """The last line of a docstring's head: its first line, or the second when the first holds only quotes."""
    doc_first, doc_last = src.span(string)
    opening = src.doc.body(doc_first).strip().lstrip("rRuUbBfF").strip("'\"")
    return doc_first + 1 if not opening and doc_first < doc_last else doc_first


def _closer(string: tree_sitter.Node, src: _Source) -> str:
    end = string.children[-1] if string.child_count else None
    return src.text(end) if end is not None and end.type == "string_end" else ""


def _docstring_tail(block: tree_sitter.Node | None, src: _Source) -> Elision | None:
    """The lines after a module or class docstring's head."""
    string = _python_docstring(block) if block is not None else None
    if string is None:
        return None
    doc_first, doc_last = src.span(string)
    keep = _docstring_keep(string, src)
    closer = _closer(string, src)
    if doc_last - keep < 2 or not closer or src.after_on_line(string.end_byte).strip():
        return None
    indent = src.doc.indent(doc_first)
    if src.doc.body(doc_last).strip() == closer:
        return Elision(keep + 1, doc_last - 1, before=indent)
    return Elision(keep + 1, doc_last, before=indent, after=closer)


def _brace_body(body: tree_sitter.Node, src: _Source) -> Elision | None:
    data = src.data
    if data[body.start_byte : body.start_byte + 1] != b"{" or data[body.end_byte - 1 : body.end_byte] != b"}":
        return None
    open_line, close_line = src.span(body)
    if not _rest_is_comment(src.after_on_line(body.start_byte + 1), b"//"):
        return None
    if src.before_on_line(body.end_byte - 1).strip():
        return None
    first, last = open_line + 1, close_line - 1
    indent = next((src.doc.indent(i) for i in range(first, last + 1) if not src.doc.is_blank(i)), "")
    return _sized(Elision(first, last, before=f"{indent}/* ", after=" */"))


def _rest_is_comment(rest: bytes, lead: bytes) -> bool:
    rest = rest.strip()
    return not rest or rest.startswith(lead)


def _sized(elision: Elision) -> Elision | None:
    return elision if elision.count >= _MIN_BODY_LINES else None


def _alone_on_lines(node: tree_sitter.Node, src: _Source) -> bool:
    return not src.before_on_line(node.start_byte).strip() and not src.after_on_line(node.end_byte).strip()


def _comment_runs(
    nodes: list[tree_sitter.Node],
    src: _Source,
    spec: LanguageSpec,
    defs_by_start: dict[int, int],
) -> list[CommentRun]:
    runs: list[CommentRun] = []
    group: list[tuple[int, int, bool]] = []  # (first line, last line, is block comment)

    def flush() -> None:
        if group:
            runs.append(_comment_run(group, src, spec, defs_by_start))
            group.clear()

    for node in nodes:
        if not _alone_on_lines(node, src):
            flush()
            continue
        first, last = src.span(node)
        block = first != last or src.text(node).startswith("/*")
        if block:
            flush()
            group.append((first, last, True))
            flush()
            continue
        if group and (group[-1][1] + 1 != first or src.doc.indent(first) != src.doc.indent(group[-1][0])):
            flush()
        group.append((first, last, False))
    flush()
    return runs


def _comment_run(
    group: list[tuple[int, int, bool]],
    src: _Source,
    spec: LanguageSpec,
    defs_by_start: dict[int, int],
) -> CommentRun:
    doc = src.doc
    first, last = group[0][0], group[-1][1]
    follower = last + 1
    while follower < len(doc) and doc.is_blank(follower) and follower - last <= 1:
        follower += 1
    run = CommentRun(first, last, None, defs_by_start.get(last + 1, -1))
    if last - first + 1 < _MIN_COMMENT_LINES:
        return run
    keep = first + 1 if _COMMENT_PUNCT.match(doc.body(first)) else first
    if keep >= last - 1:
        return run
    if group[0][2]:
        closing_line = doc.body(last).strip()
        prefix = _BLOCK_COMMENT_PREFIX.match(doc.lines[keep + 1])
        before = prefix.group(0) if prefix else ""
        if before.endswith("*"):
            before += " "
        if closing_line == "*/":
            run.tail = Elision(keep + 1, last - 1, before=before)
        elif closing_line.endswith("*/") and "/*" not in closing_line:
            run.tail = Elision(keep + 1, last, before=before, after=" */")
        return run
    lead = _COMMENT_LEAD.match(doc.lines[first])
    token = lead.group(1) if lead else spec.line_comment
    run.tail = Elision(keep + 1, last, before=f"{doc.indent(first)}{token} ")
    return run


def _contains(starts: list[int], lo: int, hi: int) -> bool:
    """Whether any offset in sorted `starts` lies in [lo, hi)."""
    at = bisect.bisect_left(starts, lo)
    return at < len(starts) and starts[at] < hi


def _literals(
    nodes: list[tree_sitter.Node],
    src: _Source,
    spec: LanguageSpec,
    fn_starts: list[int],
) -> list[Elision]:
    out: list[Elision] = []
    reach = -1
    for node in nodes:
        if node.start_byte < reach:
            continue
        first, last = src.span(node)
        if last - first - 1 < _MIN_LITERAL_LINES or _contains(fn_starts, node.start_byte, node.end_byte):
            continue
        data = src.data
        if data[node.start_byte : node.start_byte + 1] not in (b"{", b"[", b"(") or data[
            node.end_byte - 1 : node.end_byte
        ] not in (b"}", b"]", b")"):
            continue
        lead = b"#" if spec.python else b"//"
        if not _rest_is_comment(src.after_on_line(node.start_byte + 1), lead):
            continue
        if src.before_on_line(node.end_byte - 1).strip():
            continue
        if spec.python and src.before_on_line(node.start_byte).strip().startswith(b"__all__"):
            continue
        indent = next((src.doc.indent(i) for i in range(first + 1, last) if not src.doc.is_blank(i)), "")
        glue = (
            Elision(first + 1, last - 1, before=f"{indent}# ")
            if spec.python
            else Elision(first + 1, last - 1, before=f"{indent}/* ", after=" */")
        )
        out.append(glue)
        reach = node.end_byte
    return out


def _module_blocks(
    root: tree_sitter.Node,
    src: _Source,
    fn_starts: list[int],
    class_starts: list[int],
) -> list[Elision]:
    """Bodies of top-level `if`/`for`/`try`... statements that define nothing (e.g. `if __name__ == ...`)."""
    out: list[Elision] = []
    classes = sorted(class_starts)
    for stmt in root.named_children:
        if stmt.type not in _PY_COMPOUND:
            continue
        blocks = [c for c in stmt.named_children if c.type == "block"]
        for clause in stmt.named_children:
            if clause.type in _PY_CLAUSES:
                blocks += [c for c in clause.named_children if c.type == "block"]
        for block in blocks:
            first, last = src.span(block)
            if last - first + 1 < _MIN_MODULE_BLOCK_LINES or first <= src.line(block.start_byte) - 1:
                continue
            if _contains(fn_starts, block.start_byte, block.end_byte) or _contains(
                classes, block.start_byte, block.end_byte
            ):
                continue
            if src.before_on_line(block.start_byte).strip() or not _rest_is_comment(
                src.after_on_line(block.end_byte), b"#"
            ):
                continue
            if first == src.line(stmt.start_byte):
                continue
            out.append(Elision(first, last, before=f"{src.doc.indent(first)}...  # "))
    return out


def _runs(root: tree_sitter.Node, src: _Source, spec: LanguageSpec) -> list[Run]:
    """Long runs of one-line siblings of the same kind, outside function bodies and literals."""
    out: list[Run] = []
    skip = spec.functions | spec.literals | spec.comments
    stack = [(root, 0)]
    visited = 0
    while stack and visited < _RUN_SEARCH_NODES:
        node, depth = stack.pop()
        visited += 1
        children = node.named_children
        if len(children) >= _MIN_RUN:
            out += _runs_among(children, src, spec)
        if depth < _RUN_SEARCH_DEPTH:
            stack.extend((c, depth + 1) for c in reversed(children) if c.type not in skip and c.named_child_count)
    out.sort(key=lambda r: r.items[0])
    return out


def _runs_among(children: list[tree_sitter.Node], src: _Source, spec: LanguageSpec) -> list[Run]:
    runs: list[Run] = []
    current: list[int] = []
    kind = ""
    last_line = -2

    def close() -> None:
        if len(current) >= _MIN_RUN:
            indent = src.doc.indent(current[0])
            glue = (f"{indent}# ", "") if spec.python else (f"{indent}/* ", " */")
            runs.append(Run(list(current), *glue))

    for child in children:
        first, last = src.span(child)
        if child.type in spec.comments:
            if first == last_line + 1:
                last_line = last
            continue
        rest = src.after_on_line(child.end_byte).strip()
        alone = not src.before_on_line(child.start_byte).strip() and rest in (b"", b",", b";")
        single = first == last and child.type not in _IMPORTS and alone
        if single and child.type == kind and first == last_line + 1:
            current.append(first)
        else:
            close()
            current = [first] if single else []
            kind = child.type if single else ""
        last_line = last
    close()
    return runs
