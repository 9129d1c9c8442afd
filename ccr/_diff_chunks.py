"""Query chunks of a diff: whole hunks, ranked with the commit and the file they belong to.

A question about a diff names a commit (its hash, its subject), a file (its path, often by its
tail) and something inside a hunk (a function, an identifier, the hunk header's context). Each
of those sits at a different level of the text, so ranking lines alone finds the words scattered
over unrelated hunks. Here a hunk (or a piece of a long one) is one chunk; it is ranked at three
levels, each by the one term splitter's BM25 (`ccr._retrieval.rank`) over that level's texts and
scaled so the level's best is 1: the hunk's own text, its file's header, its commit's header and
message. A chunk's score is the sum, so the hunk of the named file in the named commit wins, and
its rows come with the lines that say where it is (the commit line, the file header, the hunk
header) as context.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import rustcore
from ccr._hybrid import exact_counts, identifiers
from ccr._retrieval import rank

__all__ = ["DiffChunks", "diff_chunks"]

# A hunk longer than this is ranked and shown in pieces (each with its hunk header as context).
MAX_PIECE_LINES = 40
# What a file whose path the question names adds to its level: the file asked about outranks files that
# only share names with the question (a folder it gives, a module its commit subject lists).
NAMED_FILE = 2.0
# A `git log` record: its commit line, then Author: (or Merge:), as git prints it.
_COMMIT_START = re.compile(r"(?m)^commit [0-9a-f]{40}\b.*\n(?:Author|Merge):")


@dataclass
class DiffChunks:
    """Chunks in original order: ``spans[i]`` (first, last line), ``context[i]`` (lines shown with it),
    and per level, each chunk's index into that level's texts (-1: none)."""

    texts: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    context: list[tuple[int, ...]] = field(default_factory=list)
    # The lines of the span shown first: a hunk's changed lines (its unchanged ones come with what is left).
    core: list[tuple[int, ...] | None] = field(default_factory=list)
    commit_of: list[int] = field(default_factory=list)
    file_of: list[int] = field(default_factory=list)
    commit_texts: list[str] = field(default_factory=list)
    file_texts: list[str] = field(default_factory=list)

    def add(
        self,
        text: str,
        span: tuple[int, int],
        context: tuple[int, ...],
        commit: int,
        file: int,
        core: tuple[int, ...] | None = None,
    ) -> None:
        self.texts.append(text)
        self.spans.append(span)
        self.context.append(context)
        self.core.append(core)
        self.commit_of.append(commit)
        self.file_of.append(file)

    def scores(self, query: str) -> list[float]:
        """Each chunk's score: the sum of its own, its file's and its commit's `_level_scores` for `query`,
        and `NAMED_FILE` more for a file whose path the query names (whole, by a tail or by its basename)
        other than in the words it quotes from the commit it names."""
        names = identifiers(query)
        total = _level_scores(self.texts, query, names)
        paths = names
        if self.commit_texts:
            level = _level_scores(self.commit_texts, query, names)
            total = [s + (level[o] if o >= 0 else 0.0) for s, o in zip(total, self.commit_of, strict=True)]
            # A name the best-matching commit's own message holds is how the question quotes that commit
            # (its subject), not the file it asks about.
            best = self.commit_texts[max(range(len(level)), key=lambda k: (level[k], -k))].lower()
            paths = [n for n in names if n not in best]
        if self.file_texts:
            level = _level_scores(self.file_texts, query, names)
            level = [s + NAMED_FILE * _names_path(t, paths) for s, t in zip(level, self.file_texts, strict=True)]
            total = [s + (level[o] if o >= 0 else 0.0) for s, o in zip(total, self.file_of, strict=True)]
        return total


def _names_path(header: str, names: Sequence[str]) -> bool:
    """Whether one of `names` is a path the file `header` (its diff, ---/+++ lines) changes: the whole path, a
    tail of it from a folder boundary, or its basename (``lex.rs``, ``code/lex.rs``)."""
    for line in header.splitlines():
        for word in line.split()[1:]:
            path = word.lower()
            if path.startswith(("a/", "b/")):
                path = path[2:]
            if any(path == n or path.endswith("/" + n) for n in names if "/" in n or "." in n):
                return True
    return False


def _level_scores(texts: Sequence[str], query: str, names: Sequence[str]) -> list[float]:
    """BM25 scaled so the level's best is 1, plus 1 for each name the query gives exactly (a path, a
    commit hash, a dotted or snake_case identifier) that the text holds: the file or commit asked about
    by name outranks one that only shares its words."""
    scores = rank(texts, query)
    top = max(scores, default=0.0)
    exact = exact_counts(texts, names)
    return [(s / top if top > 0 else 0.0) + e for s, e in zip(scores, exact, strict=True)]


def _looks_like_diff(text: str) -> bool:
    """A diff (a file header, then a hunk) or a `git log` (commit records, with or without patches)."""
    if _COMMIT_START.search(text):
        return True
    return ("\n@@ " in text or text.startswith("@@ ")) and ("diff " in text or ("\n--- " in text and "\n+++ " in text))


# Line kinds from `rustcore.diff_line_kinds`, the diff compressor's own reading of each line.
_COMMIT_KIND = ord("c")
_FILE_KIND = ord("f")
_FILE_META = ord("i")
_HUNK_KIND = ord("h")
_HUNK_BODY = frozenset(b" +-\\")
_CHANGED = frozenset(b"+-")
_META_KIND = ord("a")
_OTHER_KIND = ord("o")
# What a commit record holds before its first file: Author:/Date:, its message (and blank lines).
_RECORD = frozenset(b"am")


def diff_chunks(lines: Sequence[str], text: str) -> DiffChunks | None:
    """The hunks of a diff (`git diff`, `git log -p`, `git show`, `diff -u`) and the commit records of a
    `git log` as ranked chunks; None when `text` holds neither a hunk under a file header nor a commit."""
    if not _looks_like_diff(text):
        return None
    kinds = rustcore.diff_line_kinds(text)
    n = len(kinds)
    if n != len(lines):
        return None
    out = DiffChunks()
    commit, commit_line = -1, 0
    file = -1
    file_header: tuple[int, ...] = ()
    i = 0  # 0-based index into kinds; line numbers are i + 1
    while i < n:
        kind = kinds[i]
        if kind == _COMMIT_KIND and i + 1 < n and kinds[i + 1] == _META_KIND:
            end = _record_end(lines, kinds, i + 1)
            commit = len(out.commit_texts)
            out.commit_texts.append("\n".join(lines[i:end]))
            commit_line = i + 1
            file, file_header = -1, ()
            _add_pieces(out, lines, i, end, (), commit, -1, None)
            i = end
        elif kind == _FILE_KIND or (kind == _FILE_META and (i == 0 or kinds[i - 1] not in (_FILE_KIND, _FILE_META))):
            end = _run_end(kinds, i + 1, frozenset((_FILE_META,)))
            file = len(out.file_texts)
            out.file_texts.append("\n".join(lines[i:end]))
            file_header = tuple(range(i + 1, end + 1))
            if end >= n or kinds[end] != _HUNK_KIND:
                # No hunk follows (a binary file, a rename, a mode change): the header is the chunk.
                out.add(out.file_texts[-1], (i + 1, end), _with(commit_line), commit, file)
            i = end
        elif kind == _HUNK_KIND:
            end = _run_end(kinds, i + 1, _HUNK_BODY)
            around = (*_with(commit_line), *file_header)
            _add_pieces(out, lines, i, end, around, commit, file, kinds)
            i = end
        else:
            out.add(lines[i], (i + 1, i + 1), (), commit, file)
            i += 1
    return out if out.file_texts or out.commit_texts else None


def _record_end(lines: Sequence[str], kinds: bytes, start: int) -> int:
    """The index of the first line after a commit record's meta, message and `--stat` lines (indented rows
    such as `` path | 3 +-`` and `` 2 files changed``), which the classifier calls other."""
    end = start
    while end < len(kinds) and (kinds[end] in _RECORD or (kinds[end] == _OTHER_KIND and lines[end].startswith(" "))):
        end += 1
    return end


def _run_end(kinds: bytes, start: int, allowed: frozenset[int]) -> int:
    """The index of the first line at or after `start` whose kind is not in `allowed`."""
    end = start
    while end < len(kinds) and kinds[end] in allowed:
        end += 1
    return end


def _add_pieces(
    out: DiffChunks,
    lines: Sequence[str],
    start: int,
    end: int,
    around: tuple[int, ...],
    commit: int,
    file: int,
    kinds: bytes | None,
) -> None:
    """Lines `start`..`end - 1` (0-based) as chunks of at most `MAX_PIECE_LINES`, each after the first with the
    block's first line (the commit line, the hunk header) as context and in its ranked text. With `kinds`
    (a hunk), each piece shows its changed lines first."""
    head = lines[start]
    for first in range(start, end, MAX_PIECE_LINES):
        last = min(first + MAX_PIECE_LINES, end)
        body = "\n".join(lines[first:last])
        context = around if first == start else (*around, start + 1)
        core = None
        if kinds is not None:
            core = tuple(m + 1 for m in range(first, last) if kinds[m] in _CHANGED or m == start)
        ranked = body if first == start else head + "\n" + body
        out.add(ranked, (first + 1, last), context, commit, file, core)


def _with(line: int) -> tuple[int, ...]:
    return (line,) if line else ()
