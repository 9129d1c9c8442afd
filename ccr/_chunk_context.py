"""What each chunk sits under: the structure above it that it does not show itself.

A chunk cut from the middle of a document often lacks the words that say what
it is about: a diff hunk does not repeat its commit or file, a paragraph does
not repeat its section's heading, a method body does not repeat its class. The
search index files each chunk under its context as well as its own words, so a
question that names the commit, the file, the section or the class finds the
chunk that answers it. The context is read from the content's own structure:

- Markdown (and prose with fenced blocks): the headings of the sections the chunk lies in, underlined ones
  (``Title`` over ``=====``, as Markdown's setext headings and reStructuredText write them) too;
- a diff or a git log: the commit line and its subject, and the file header;
- code and other indented text (YAML, configuration): the less indented lines that open the block the chunk
  starts in, outermost first; in configuration, the ``[section]`` header above too (INI, TOML);
- a listing: the directory header its rows are listed under (``ls -lR``), the commit line and subject of a
  ``git log --stat``, and the header row of the table it is a part of (``pip list``: a row of names over a
  ruler of dashes).

Other content (logs, search results, JSON, plain text) has no context here: its lines name what they are about.

Every chunk is also filed under what produced its original, where the store knows it (`source_subject`): the
command line that printed it or the file it was read from, as its `source` records it (``exec: cargo test``,
``mcp:read:/etc/app/values.yaml``). A test run rarely prints ``cargo`` or the crate it tests, nor a man page
``man``, nor a changelog the package it belongs to; the question names them ("Why did npm install fail?").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

__all__ = ["chunk_contexts", "heading_level", "is_directory_header", "source_subject"]


class _Spanned(Protocol):
    @property
    def start_line(self) -> int: ...


_FENCE = re.compile(r" {0,3}(```|~~~)")
_HEADING = re.compile(r" {0,3}(#{1,6})(\s|$)")
_COMMIT = re.compile(r"commit [0-9a-f]{7,40}\b")
_FILE = re.compile(r"diff --git |Index: ")
_SECTION = re.compile(r"\s*\[[^\]]+\]\s*$")
# A line under a heading's title that underlines it: one repeated mark (Markdown's setext = and -, and the
# marks reStructuredText adds).
_UNDERLINE = re.compile(r" {0,3}([=\-~^*+#`])\1{2,}\s*$")
_UNDERLINE_LEVELS = "=-~^*+#`"
# A table's ruler under its header row: dashes (or = ) in two or more columns, spaces or + or | between.
_RULER = re.compile(r"\s*[|+]?\s*[-=]{2,}(?:[\s|+]+[-=]{2,})+[\s|+]*$")
# Blocks deeper than this are still found; only the innermost openers are named.
_MAX_OPENERS = 4
# The channel tags a source starts with (`exec:`, `mcp:read:`, `cli:`, `hook:`): lowercase words and colons, then
# the name of a hook's tool and a colon and a space (`hook:Bash: git diff`, `hook:mcp__srv__tail: /var/log/app.log`).
_CHANNEL = re.compile(r"(?:[a-z]+:)+(?:[\w.-]+:\s)?\s*")
# A command line's environment assignments before its program (`LC_ALL=C grep ...`).
_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=\S*")
# A source subject longer than this is cut: a command line given thousands of file names says no more.
_MAX_SUBJECT = 1000


def chunk_contexts(lines: Sequence[str], chunks: Sequence[_Spanned], content_type: str | None) -> list[str]:
    """For each of `chunks` of an original whose lines are `lines` (a `ccr.LineIndex`: not a list of millions
    of strings), its context as text ("" when it has none). Lines decoded with surrogateescape are fine: a
    context is given back with undecodable bytes replaced."""
    finder = _FINDERS.get((content_type or "").lower())
    if finder is None or not chunks:
        return [""] * len(chunks)
    found = finder(lines, {c.start_line - 1 for c in chunks})
    return [_replaced(found.get(c.start_line - 1, "")) for c in chunks]


def source_subject(source: str) -> str:
    """What the source of an original names beyond its channel: the command line (its options and leading
    environment assignments left out: ``--exclude-dir=test`` says nothing about the output) or the file it
    was read from; "" when the source names only its channel (``api``, ``exec``, ``mcp:compress``,
    ``hook:Bash``)."""
    channel = _CHANNEL.match(source)
    rest = source[channel.end() if channel else 0 :][:_MAX_SUBJECT].strip()
    if not any(c in rest for c in " /.\\"):
        return ""
    words = rest.split()
    while words and _ASSIGNMENT.fullmatch(words[0]):
        words.pop(0)
    return " ".join(word for word in words if not word.startswith("-"))


def _replaced(text: str) -> str:
    if text.isascii():
        return text
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


def heading_level(lines: Sequence[str], i: int) -> int:
    """The level of the heading line `i` begins, 0 when it begins none: ``## Title`` is 2, a title underlined
    with ``=`` 1, with ``-`` 2, with another mark 3 or more. The caller skips fenced blocks."""
    line = lines[i]
    match = _HEADING.match(line)
    if match is not None:
        return len(match.group(1))
    if i + 1 < len(lines) and line.strip() and not line[0].isspace() and _UNDERLINE.match(line) is None:
        under = _UNDERLINE.match(lines[i + 1])
        if under is not None and (i == 0 or not lines[i - 1].strip()):
            return 1 + _UNDERLINE_LEVELS.index(under.group(1))
    return 0


def _headings(lines: Sequence[str], wanted: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    path: list[tuple[int, str]] = []
    fenced = False
    for i, line in enumerate(lines):
        if i in wanted:
            out[i] = "\n".join(text for _, text in path)
        if _FENCE.match(line):
            fenced = not fenced
            continue
        level = 0 if fenced else heading_level(lines, i)
        if level:
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, line.strip()))
    return out


def _diff_headers(lines: Sequence[str], wanted: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    commit = subject = path = ""
    awaiting_subject = False
    for i, line in enumerate(lines):
        if i in wanted:
            out[i] = "\n".join(part for part in (commit, subject, path) if part)
        if _COMMIT.match(line):
            commit, subject, path, awaiting_subject = line.strip(), "", "", True
        elif awaiting_subject and line.startswith("    ") and line.strip():
            subject, awaiting_subject = line.strip(), False
        elif _FILE.match(line):
            path, awaiting_subject = line.strip(), False
    return out


def _openers(lines: Sequence[str], wanted: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    stack: list[tuple[int, str]] = []  # (indentation, line) of the lines that opened the blocks we are in
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            if i in wanted:
                out[i] = "\n".join(text for _, text in stack[-_MAX_OPENERS:])
            continue
        indent = len(line) - len(line.lstrip(" \t"))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if i in wanted:
            out[i] = "\n".join(text for _, text in stack[-_MAX_OPENERS:])
        stack.append((indent, stripped))
    return out


def _sections(lines: Sequence[str], wanted: set[int]) -> dict[int, str]:
    openers = _openers(lines, wanted)
    out: dict[int, str] = {}
    section = ""
    for i, line in enumerate(lines):
        if i in wanted:
            out[i] = "\n".join(part for part in (section, openers.get(i, "")) if part)
        if _SECTION.match(line):
            section = line.strip()
    return out


def _listing_headers(lines: Sequence[str], wanted: set[int]) -> dict[int, str]:
    commits = _diff_headers(lines, wanted)
    out: dict[int, str] = {}
    directory = table = ""
    for i, line in enumerate(lines):
        if not line.strip():
            table = ""
        if i in wanted:
            out[i] = "\n".join(part for part in (commits.get(i, ""), directory, table) if part)
        if is_directory_header(lines, i):
            directory = line.strip()
        elif i + 1 < len(lines) and _RULER.match(lines[i + 1]) and _RULER.match(line) is None and line.strip():
            table = line.strip()
    return out


def is_directory_header(lines: Sequence[str], i: int) -> bool:
    """Whether line `i` heads a directory's rows in a recursive listing (``ls -R``): a path and a colon alone on
    an unindented line, first or after a blank line."""
    line = lines[i].rstrip()
    return (
        line.endswith(":")
        and len(line) > 1
        and not line[0].isspace()
        and (i == 0 or not lines[i - 1].strip())
        and (i + 1 == len(lines) or bool(lines[i + 1].strip()))
    )


_FINDERS: dict[str, Callable[[Sequence[str], set[int]], dict[int, str]]] = {
    "markdown": _headings,
    "mixed": _headings,
    "diff": _diff_headers,
    "code": _openers,
    "config": _sections,
    "listing": _listing_headers,
}
