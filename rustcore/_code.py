"""Python face of the source outline and elision planner in the Rust core.

The core tokenizes source in one of the languages the code compressor knows,
outlines it (definitions and their bodies, comment runs, long literals, runs of
one-line siblings) and plans which line ranges to leave out, with the glue that
keeps the file valid. The caller renders the plan with markers and checks what
cannot be shown valid by construction; input checks live here.
"""

from __future__ import annotations

from collections.abc import Sequence

from rustcore import _native
from rustcore._text import with_text

__all__ = ["CODE_LANGUAGES", "CodeDefinition", "CodeElision", "CodeFile", "CodePlan", "PreparedCode"]

# The canonical language names the outline knows.
CODE_LANGUAGES = ("python", "javascript", "typescript", "tsx", "go", "rust", "java", "c", "cpp", "bash")

# The records the core makes (frozen; see their docstrings in `rustcore/src/py/records.rs`): a
# definition's kind, names and lines; an elision (`first..last` replaced by the glue line `before +
# marker + after`, then `closing`); a plan (elisions, which are bodies, whether proven, the text
# kept around them and each one's line end).
CodeDefinition = _native.CodeDefinition
CodeElision = _native.CodeElision
CodePlan = _native.CodePlan


class CodeFile:
    """A source file outlined by the Rust core, held for planning which lines to leave out.

    Raises:
        ValueError: `language` is not one of `CODE_LANGUAGES`.
    """

    __slots__ = ("_native",)

    def __init__(self, text: str, language: str) -> None:
        if language not in CODE_LANGUAGES:
            raise ValueError(f"unknown language {language!r}; expected one of {', '.join(CODE_LANGUAGES)}")
        self._native = with_text(lambda t: _native.CodeFile(t, language), text)

    @property
    def problems(self) -> int:
        """Unmatched brackets and unterminated strings or comments the tokenizer found."""
        return int(self._native.problems)

    @property
    def definition_count(self) -> int:
        return int(self._native.definition_count)

    @property
    def longest_line(self) -> int:
        """The longest line's length in characters, its line end included."""
        return int(self._native.longest_line)

    def definitions(self) -> list[CodeDefinition]:
        """The definitions in document order (their index is how the other methods name them)."""
        return self._native.definitions()

    def prepare(
        self,
        encoding: str,
        marker_tokens: int,
        paths: Sequence[Sequence[str]] = (),
        strong: Sequence[str] = (),
        weak: Sequence[str] = (),
    ) -> PreparedCode:
        """The file weighed for one question: each line's tokens in `encoding` (the plan weighs ranges
        by them; a marker weighs `marker_tokens`) and each definition's score against the question's
        dotted `paths`, code-like `strong` names and plain `weak` words.

        Raises:
            ValueError: `encoding` is not one of `ENCODINGS`.
        """
        native = self._native.prepare(encoding, marker_tokens, [list(p) for p in paths], list(strong), list(weak))
        return PreparedCode(native)


class PreparedCode:
    """A `CodeFile` weighed for one question (made by `CodeFile.prepare`): every plan is made from it."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.PreparedCode) -> None:
        self._native = native

    @property
    def tokens(self) -> int:
        """The file's tokens: the sum of its lines'."""
        return int(self._native.tokens)

    def whole(self) -> tuple[list[int], bool]:
        """The functions to keep whole, most relevant first, and whether the question names one."""
        indexes, named = self._native.whole()
        return list(indexes), bool(named)

    def plan(self, whole: Sequence[int], *, collapse_types: bool = False) -> CodePlan:
        """Every body but the `whole` ones, comment tails, long literals, the middles of long runs (a line
        naming one of the question's names stays); with `collapse_types`, the bodies of innermost types."""
        return self._native.plan(list(whole), collapse_types)

    @property
    def scores(self) -> list[float]:
        """Each definition's relevance to the question, in `definitions()` order: a name the question writes
        scores 4 to 10, a function its plain words point at up to 3 more."""
        return list(self._native.scores)

    def fit(self, budget: float, first: Sequence[int] = ()) -> CodePlan:
        """The plan for about `budget` tokens that keeps the structure: the outline (every signature with
        its decorators), then whole bodies (`first` first, then by score, use elsewhere in the file, size)
        while they fit; an outline over the budget loses the lines between signatures first, then each
        class's members (one marker per class), then top-level definitions. Never proven (it is checked)."""
        return self._native.fit(float(budget), list(first))

    def drop(
        self, elisions: Sequence[CodeElision], proven: bool, target: float, whole: Sequence[int]
    ) -> CodePlan | None:
        """`elisions` plus whole definitions left out, least relevant and farthest from the `whole` ones
        first, until about `target` tokens remain (None when nothing can go)."""
        return self._native.drop(list(elisions), proven, target, list(whole))
