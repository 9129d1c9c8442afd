"""A source file ready to compress, and the syntax check of what is built from it.

The outline and the plan come from the Rust core (`rustcore._code.CodeFile`). Most
plans keep the file valid by construction (see `Source.provable`): their output
is the kept text the core hands back joined with the glue lines. The others are
checked by parsing the output with tree-sitter, and an elision next to a new
syntax error is undone; the input itself is parsed only when an output has
errors to compare with its own.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import rustcore
from ccr import LineIndex, format_marker
from compressors._elision import (
    LONG_LINE_CHARS,
    Elision,
    Rendered,
    cheaper_shown,
    encode_utf8,
    glue,
    render,
)
from compressors._languages import parse
from rustcore._code import CodeElision, CodeFile, CodePlan

if TYPE_CHECKING:
    import tree_sitter

    from compressors._base import CompressContext

__all__ = ["Accepted", "Source", "checked", "checked_plan", "read_source", "syntax_errors"]

_MAX_ERRORS = 256
_FIX_ROUNDS = 4
# Conditional compilation and macros make the text a C or C++ parser sees differ from the file; a shell
# script's words are read by rules the outline only approximates (here-documents, `case` patterns): always checked.
_ALWAYS_CHECKED = frozenset({"c", "cpp", "bash"})


@dataclass(slots=True)
class Source:
    """A source file: its outline in the Rust core and what checking outputs built from it needs."""

    language: str
    text: str
    file: CodeFile
    _doc: LineIndex | None = None
    # The input's syntax errors by tree-sitter (lines next to one, how many): parsed only when needed.
    _errors: tuple[frozenset[int], int] | None = None

    @property
    def doc(self) -> LineIndex:
        """The text's lines (split on first use: a proven plan never needs them)."""
        if self._doc is None:
            self._doc = LineIndex(self.text)
        return self._doc

    @property
    def provable(self) -> bool:
        """Whether a proven plan (`rustcore._code.CodePlan.proven`) keeps this file valid without a parse to check.

        Its elisions replace whole lines strictly inside a bracket pair, a comment, a docstring or an
        indented suite (or whole one-line members of a run, or a definition that has its lines to itself)
        by a comment line, or by `...` for a Python suite; an empty block, literal or suite is valid
        wherever the bracket or suite stands. That holds where the tokenizer read every bracket, string
        and comment as the language does: everywhere it found no problem (an unmatched bracket, an
        unterminated string).
        """
        return self.file.problems == 0 and self.language not in _ALWAYS_CHECKED

    def input_errors(self) -> tuple[frozenset[int], int]:
        """The lines next to a syntax error of the input (and the errors' count), parsed on first use."""
        if self._errors is None:
            tree = parse(self.language, encode_utf8(self.text))
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
        widest = max(self.text.count("\n") + (not self.text.endswith("\n")), 1)
        return rustcore.count_tokens(format_marker(widest, "lines", "0" * 16, (widest, widest)), encoding)


def read_source(language: str, text: str) -> Source:
    return Source(language, text, CodeFile(text, language))


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


class Accepted(NamedTuple):
    """Elisions that keep the file valid, and the output they make."""

    elisions: list[CodeElision]
    text: str


def checked_plan(source: Source, plan: CodePlan, ctx: CompressContext) -> Accepted | None:
    """The plan as far as it keeps the file valid; failing that, its function bodies alone (if it has any);
    else None."""
    if plan.proven and source.provable and source.file.longest_line <= LONG_LINE_CHARS:
        return _joined(plan, source.doc.lines, ctx)
    accepted = checked(source, plan.elisions, ctx, proven=plan.proven)
    if accepted is None and any(plan.bodies):
        bodies = [el for el, body in zip(plan.elisions, plan.bodies, strict=True) if body]
        accepted = checked(source, bodies, ctx, proven=plan.proven)
    return accepted


def _joined(plan: CodePlan, plan_lines: Sequence[str], ctx: CompressContext) -> Accepted:
    """The plan's kept text with each elision's glue line between (no line in it needs cutting), or the
    elided lines themselves where they cost no more (`plan_lines`: the source's lines)."""
    parts = [plan.kept[0]]
    applied = []
    for elision, end, kept in zip(plan.elisions, plan.endings, plan.kept[1:], strict=True):
        first, last = elision.first, elision.last
        marker = ctx.marker(last - first + 1, "lines", (first + 1, last + 1))
        stand_in = glue(elision.before, marker, elision.after, elision.closing, end)
        hidden = "".join(plan_lines[first : last + 1])
        if cheaper_shown(hidden, stand_in, ctx):
            parts.append(hidden)
        else:
            parts.append(stand_in)
            applied.append(elision)
        parts.append(kept)
    return Accepted(applied, "".join(parts))


def checked(
    source: Source, elisions: list[CodeElision], ctx: CompressContext, *, proven: bool = False
) -> Accepted | None:
    """`elisions` minus those that left a syntax error the input did not have; None if that does not converge.

    With `proven` (see `rustcore._code.CodePlan`) in a file where that holds (`Source.provable`), the output is
    not parsed again.
    """
    current = [Elision(e.first, e.last, before=e.before, after=e.after, closing=e.closing) for e in elisions]
    for _ in range(_FIX_ROUNDS):
        rendered = render(source.doc, current, ctx, long_lines=False)
        blamed = set() if proven and source.provable else _blame(source, rendered)
        if not blamed:
            text = (
                rendered.text if source.file.longest_line <= LONG_LINE_CHARS else render(source.doc, current, ctx).text
            )
            applied = [
                CodeElision(e.first, e.last, e.before, e.after, e.closing)
                for k, e in enumerate(current)
                if k not in rendered.shown
            ]
            return Accepted(applied, text)
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
    out_doc = LineIndex(rendered.text)
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
