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

from ccr._hybrid import exact_counts, identifiers
from ccr._retrieval import rank

__all__ = ["DiffChunks", "diff_chunks"]

# A hunk longer than this is ranked and shown in pieces (each with its hunk header as context).
MAX_PIECE_LINES = 40
_COMMIT = re.compile(r"commit [0-9a-f]{7,64}\b")
_COMMIT_START = re.compile(r"(?m)^commit [0-9a-f]{40}\b")


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
        """Each chunk's score: the sum of its own, its file's and its commit's `_level_scores` for `query`."""
        names = identifiers(query)
        total = _level_scores(self.texts, query, names)
        for owners, texts in ((self.file_of, self.file_texts), (self.commit_of, self.commit_texts)):
            if not texts:
                continue
            level = _level_scores(texts, query, names)
            total = [s + (level[o] if o >= 0 else 0.0) for s, o in zip(total, owners, strict=True)]
        return total


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
    return ("\n@@ " in text or text.startswith("@@ ")) and (
        "diff --git " in text or ("\n--- " in text and "\n+++ " in text)
    )


def diff_chunks(lines: Sequence[str], text: str) -> DiffChunks | None:
    """The hunks of a diff (`git diff`, `git log -p`, `git show`, `diff -u`) and the commit records of a
    `git log` as ranked chunks; None when `text` holds no file header followed by a hunk and no commit line."""
    if not _looks_like_diff(text):
        return None
    out = DiffChunks()
    n = len(lines)
    commit = -1  # index into commit_texts
    commit_line = 0
    file = -1
    file_header: tuple[int, ...] = ()
    i = 1
    pending: list[int] = []  # lines outside any hunk not yet chunked (a preamble, a file without hunks)

    def flush_pending() -> None:
        for m in pending:
            out.add(lines[m - 1], (m, m), (), commit, file)
        pending.clear()

    while i <= n:
        line = lines[i - 1]
        if line.startswith("commit ") and _COMMIT.match(line):
            flush_pending()
            end = i
            while end < n and not _starts_file(lines, end + 1) and not _COMMIT.match(lines[end]):
                end += 1
            commit = len(out.commit_texts)
            out.commit_texts.append("\n".join(lines[i - 1 : end]))
            commit_line = i
            file, file_header = -1, ()
            for first in range(i, end + 1, MAX_PIECE_LINES):
                last = min(first + MAX_PIECE_LINES - 1, end)
                out.add("\n".join(lines[first - 1 : last]), (first, last), (i,) if first > i else (), commit, -1)
            i = end + 1
            continue
        if _starts_file(lines, i):
            flush_pending()
            end = i
            while end < n and not lines[end].startswith("@@") and not _starts_file(lines, end + 1):
                if _COMMIT.match(lines[end]):
                    break
                end += 1
            file = len(out.file_texts)
            out.file_texts.append("\n".join(lines[i - 1 : end]))
            file_header = tuple(range(i, end + 1))
            if end >= n or not lines[end].startswith("@@"):
                # No hunk follows (a binary file, a rename, a mode change): the header is the chunk.
                out.add(out.file_texts[-1], (i, end), _with(commit_line), commit, file)
            i = end + 1
            continue
        if line.startswith("@@") and file >= 0:
            flush_pending()
            end = i
            while end < n and not _ends_hunk(lines, end + 1):
                end += 1
            head = lines[i - 1]
            for first in range(i, end + 1, MAX_PIECE_LINES):
                last = min(first + MAX_PIECE_LINES - 1, end)
                body = "\n".join(lines[first - 1 : last])
                around = (*_with(commit_line), *file_header, *((i,) if first > i else ()))
                changed = tuple(m for m in range(first, last + 1) if lines[m - 1][:1] in "+-" or m == i)
                ranked_text = body if first == i else head + "\n" + body
                out.add(ranked_text, (first, last), around, commit, file, changed)
            i = end + 1
            continue
        pending.append(i)
        i += 1
    flush_pending()
    return out if out.file_texts or out.commit_texts else None


def _with(line: int) -> tuple[int, ...]:
    return (line,) if line else ()


def _starts_file(lines: Sequence[str], i: int) -> bool:
    """Line `i` opens a file's header: ``diff --git``/``diff -u``, or a ``---``/``+++`` pair before a hunk."""
    line = lines[i - 1]
    if line.startswith("diff "):
        return True
    return (
        line.startswith("--- ")
        and i + 1 < len(lines)
        and lines[i].startswith("+++ ")
        and lines[i + 1].startswith("@@")
        and not (i > 1 and lines[i - 2].startswith(("diff ", "index ", "new file", "deleted file", "similarity")))
    )


def _ends_hunk(lines: Sequence[str], i: int) -> bool:
    line = lines[i - 1]
    return line.startswith("@@") or _starts_file(lines, i) or bool(_COMMIT.match(line))
