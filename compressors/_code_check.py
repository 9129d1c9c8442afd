"""A source file ready to compress, and the syntax check of what is built from it.

The outline and the plan come from the Rust core (`rustcore.CodeFile`). Most
elisions keep the file valid by construction (see `Source.provable`); the others
are checked by parsing the output with tree-sitter, and an elision next to a new
syntax error is undone. The input itself is parsed only when an output has errors
to compare with its own.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import rustcore
from ccr import format_marker
from compressors._elision import LONG_LINE_CHARS, Elision, Lines, Rendered, encode_utf8, render
from compressors._languages import parse

if TYPE_CHECKING:
    from collections.abc import Sequence

    import tree_sitter

    from compressors._base import CompressContext

__all__ = ["Accepted", "Source", "checked", "checked_plan", "elisions", "read_source", "syntax_errors"]

_MAX_ERRORS = 256
_FIX_ROUNDS = 4
# Conditional compilation and macros make the text a C or C++ parser sees differ from the file: always checked.
_ALWAYS_CHECKED = frozenset({"c", "cpp"})


@dataclass(slots=True)
class Source:
    """A source file: its lines, its outline in the Rust core and what checking its outputs needs."""

    language: str
    doc: Lines
    file: rustcore.CodeFile
    # The longest line's length: over LONG_LINE_CHARS, the output cuts it.
    longest: int
    # The input's syntax errors by tree-sitter (lines next to one, how many): parsed only when needed.
    _errors: tuple[frozenset[int], int] | None = None
    _definitions: list[rustcore.CodeDefinition] | None = None

    @property
    def definitions(self) -> list[rustcore.CodeDefinition]:
        if self._definitions is None:
            self._definitions = self.file.definitions()
        return self._definitions

    @property
    def provable(self) -> bool:
        """Whether the outline's own elisions keep this file valid without a parse to check.

        Each replaces whole lines strictly inside a bracket pair, a comment, a docstring or an indented
        suite (or whole one-line members of a run, or a definition that has its lines to itself) by a
        comment line, or by `...` for a Python suite; an empty block, literal or suite is valid wherever
        the bracket or suite stands. That holds where the tokenizer read every bracket, string and
        comment as the language does: everywhere it found no problem (an unmatched bracket, an
        unterminated string).
        """
        return self.file.problems == 0 and self.language not in _ALWAYS_CHECKED

    def input_errors(self) -> tuple[frozenset[int], int]:
        """The lines next to a syntax error of the input (and the errors' count), parsed on first use."""
        if self._errors is None:
            tree = parse(self.language, encode_utf8(self.doc.text))
            errors = syntax_errors(tree.root_node) if tree.root_node.has_error else []
            lines: set[int] = set()
            for node in errors:
                line = self.doc.line_of_byte(node.start_byte)
                lines.update((line - 1, line, line + 1))
            self._errors = (frozenset(lines), len(errors))
        return self._errors

    @property
    def error_count(self) -> int:
        return self.input_errors()[1]

    def marker_tokens(self, encoding: str) -> int:
        """A marker's tokens in its widest form for this file (the size hardly varies)."""
        widest = max(len(self.doc), 1)
        return rustcore.count_tokens(format_marker(widest, "lines", "0" * 16, (widest, widest)), encoding)


def read_source(language: str, text: str) -> Source:
    doc = Lines(text)
    return Source(language, doc, rustcore.CodeFile(text, language), max(map(len, doc.lines), default=0))


def syntax_errors(root: tree_sitter.Node) -> list[tree_sitter.Node]:
    """The error and missing nodes under `root` (at most `_MAX_ERRORS`), in document order."""
    found: list[tree_sitter.Node] = []
    stack = [root]
    while stack and len(found) < _MAX_ERRORS:
        node = stack.pop()
        if node.is_error or node.is_missing:
            found.append(node)
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return found


def elisions(raw: Sequence[rustcore.RawElision]) -> list[Elision]:
    return [
        Elision(first, last, before=before, after=after, closing=closing) for first, last, before, after, closing in raw
    ]


class Accepted(NamedTuple):
    elisions: list[Elision]
    rendered: Rendered

    def text(self, source: Source, ctx: CompressContext) -> str:
        """The output: as checked, unless a kept line is long enough to be cut."""
        if source.longest <= LONG_LINE_CHARS:
            return self.rendered.text
        return render(source.doc, self.elisions, ctx).text

    def raw(self) -> list[rustcore.RawElision]:
        return [(el.first, el.last, el.before, el.after, el.closing) for el in self.elisions]


def checked_plan(source: Source, plan: rustcore.CodePlan, ctx: CompressContext) -> Accepted | None:
    """The plan as far as it keeps the file valid; failing that, its function bodies alone; else None."""
    planned = elisions(plan.elisions)
    accepted = checked(source, planned, ctx, proven=plan.proven)
    if accepted is None:
        bodies = [el for el, body in zip(planned, plan.bodies, strict=True) if body]
        accepted = checked(source, bodies, ctx, proven=plan.proven)
    return accepted


def checked(source: Source, elisions: list[Elision], ctx: CompressContext, *, proven: bool = False) -> Accepted | None:
    """`elisions` minus those that left a syntax error the input did not have; None if that does not converge.

    With `proven` (see `rustcore.CodePlan`) in a file where that holds (`Source.provable`), the output is
    not parsed again.
    """
    if proven and source.provable:
        return Accepted(list(elisions), render(source.doc, elisions, ctx, long_lines=False))
    current = list(elisions)
    for _ in range(_FIX_ROUNDS):
        rendered = render(source.doc, current, ctx, long_lines=False)
        blamed = _blame(source, rendered)
        if not blamed:
            return Accepted(current, rendered)
        if None in blamed:
            return None
        current = [el for k, el in enumerate(current) if k not in blamed]
    return None


def _blame(source: Source, rendered: Rendered) -> set[int | None]:
    """Indexes of the elisions next to syntax errors the input did not have (None: an error nobody caused).

    Where the input parses cleanly the output must too. Where it does not, tree-sitter's error recovery
    is not local (one broken macro can turn a whole file into one error node), so the output is held to
    the input's number of errors instead.
    """
    tree = parse(source.language, encode_utf8(rendered.text))
    if not tree.root_node.has_error:
        return set()
    errors = syntax_errors(tree.root_node)
    error_lines, error_count = source.input_errors()
    if error_count and len(errors) <= error_count:
        return set()
    out_doc = Lines(rendered.text)
    blamed: set[int | None] = set()
    glue_lines = [j for j, o in enumerate(rendered.origin) if o < 0]
    for node in errors:
        first = out_doc.line_of_byte(node.start_byte)
        if first >= len(rendered.origin):
            continue
        origin = rendered.origin[first]
        if origin >= 0 and origin in error_lines:
            continue
        at = bisect.bisect_right(glue_lines, first + 1)
        near = [j for j in glue_lines[max(at - 3, 0) : at] if j >= first - 1] or glue_lines[max(at - 1, 0) : at]
        if not near:
            blamed.add(None)
        blamed.update(-1 - rendered.origin[j] for j in near)
    return blamed or {None}
