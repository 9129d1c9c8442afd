"""The structure around a line that matches a query: the block it opens and the lines that head it.

A query excerpt shows a strong match with its structure: the block it opens (a diff file or hunk, a
Markdown or HTML section, the more indented lines below: a body, a stack trace) and the lines above that
head it (its heading, each less indented line up to the top level: the folder a file sits in, the package
a dependency sits under, the `dir:` heading of an `ls -lR` row). Indentation counts tree-drawing glyphs, so
`tree` and `npm ls` branches nest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = ["MAX_BLOCK_LINES", "block_after", "enclosing_lines"]

# The most lines one block may add.
MAX_BLOCK_LINES = 80
# How far back to look for the heading or enclosing line of a hit (and again from each one found).
_HEADING_LOOKBACK = 300
_ATX_HEADING = re.compile(r"#{1,6}\s")
_HTML_HEADING = re.compile(r"\s*<h([1-6])[\s>]", re.IGNORECASE)
_HTML_HEADING_ANY = re.compile(r"<h([1-6])[\s>]", re.IGNORECASE)
# Leading whitespace and tree-drawing glyphs: box drawing (`tree`, `npm ls`) or ASCII (`|-- `, `+-- `, `` `-- ``).
_TREE_INDENT = re.compile(r"(?:[\s\u2500-\u257f]|[|`](?=[\s\u2500-\u257f-])|[|`+]?--+ )*")
_SETEXT_RULE = re.compile(r"(=+|-+)\s*")


def block_after(hit: int, lines: Sequence[str]) -> list[int]:
    """The lines of the block `hit` opens, in order (at most `MAX_BLOCK_LINES`).

    A diff file or hunk header runs to the next one; a Markdown, underlined or HTML heading
    (``<h2>``) to the next heading of its level or above; any other line to the next line
    indented no deeper than itself (so a definition brings its body, an error its indented trace).
    """
    text = lines[hit - 1]
    stripped = text.lstrip()
    first = hit + 1
    stop: Callable[[int], bool]  # whether line n (1-based) ends the block
    if text.startswith(("diff --git ", "@@ ")):
        heads = ("diff --git ",) if text.startswith("diff") else ("diff --git ", "@@ ")

        def stop(n: int) -> bool:
            return lines[n - 1].startswith(heads)
    elif stripped and hit < len(lines) and _is_rule(lines[hit]):
        # Underlined (setext, reStructuredText): the next heading underlined with the same character.
        char = lines[hit].strip()[0]
        first = hit + 2

        def stop(n: int) -> bool:
            return n < len(lines) and _is_rule(lines[n]) and lines[n].strip()[0] == char and bool(lines[n - 1].strip())
    elif (level_h := _last_html_heading(text)) is not None:
        # A heading at the start of its line, or the last one of a line of minified HTML: its section
        # runs to the next heading of its level or above, wherever that sits in a line.

        def stop(n: int) -> bool:
            return any(int(m.group(1)) <= level_h for m in _HTML_HEADING_ANY.finditer(lines[n - 1]))
    elif _opens_directory(hit, lines):
        # `ls -lR`: a directory's heading runs to the blank line that ends its rows.

        def stop(n: int) -> bool:
            return not lines[n - 1].strip()
    elif _ATX_HEADING.match(text):
        level = len(text) - len(text.lstrip("#"))

        def stop(n: int) -> bool:
            m = _ATX_HEADING.match(lines[n - 1])
            return m is not None and len(lines[n - 1]) - len(lines[n - 1].lstrip("#")) <= level
    elif stripped:
        indent = len(text) - len(stripped)

        def stop(n: int) -> bool:
            body = lines[n - 1].lstrip()
            return bool(body) and len(lines[n - 1]) - len(body) <= indent
    else:
        return []
    out: list[int] = []
    for n in range(first, min(hit + MAX_BLOCK_LINES, len(lines)) + 1):
        if stop(n):
            break
        out.append(n)
    while out and not lines[out[-1] - 1].strip():
        out.pop()
    return out


def _opens_directory(n: int, lines: Sequence[str]) -> bool:
    """Whether line `n` heads a directory's rows in `ls -R` output (`./lib/rack:`, `/usr/share/doc:`): a path and a
    colon, at the start of the text or after a blank line."""
    text = lines[n - 1].rstrip()
    path = text[:-1]
    if not text.endswith(":") or not path or text[0].isspace() or ": " in text or "\t" in text:
        return False
    return (path.startswith((".", "/", "~")) or "/" in path) and (n == 1 or not lines[n - 2].strip())


def _last_html_heading(line: str) -> int | None:
    """The level of the HTML heading `line` opens with, else (a line of minified HTML) of the last one it holds;
    None when it holds none."""
    if (m := _HTML_HEADING.match(line)) is not None:
        return int(m.group(1))
    last = None
    for m in _HTML_HEADING_ANY.finditer(line):
        last = m
    if last is None:
        return None
    return int(last.group(1))


def _is_rule(line: str) -> bool:
    """An underline of `=` or `-` (at least 3) under a heading."""
    return _SETEXT_RULE.fullmatch(line) is not None and len(line.strip()) >= 3


def _indent(line: str) -> int:
    """How deep `line` sits: its leading whitespace and tree-drawing glyphs (``│ ├─┬``, ``|-- ``, ```-- ``), so
    an entry of `tree` or `npm ls` sits under the entry that opens its branch."""
    m = _TREE_INDENT.match(line)
    return m.end() if m else 0


def enclosing_lines(hit: int, lines: Sequence[str]) -> list[int]:
    """The lines above `hit` that head it, nearest first: its Markdown heading, or each less indented line
    (a parent folder, the package a dependency sits under, an enclosing block), up to the top level."""
    out: list[int] = []
    text = lines[hit - 1]
    indent = _indent(text)
    floor = max(hit - _HEADING_LOOKBACK, 0)
    if not indent:
        # A row of `ls -lR` belongs to the directory heading its run of lines.
        top = hit
        while top > floor + 1 and lines[top - 2].strip():
            top -= 1
        if top < hit and _opens_directory(top, lines):
            return [top]
    n = hit - 1
    while n > floor:
        line = lines[n - 1]
        stripped = line.lstrip()
        if not stripped:
            n -= 1
            continue
        if _ATX_HEADING.match(stripped) or _HTML_HEADING.match(stripped):
            out.append(n)
            return out
        if n < hit - 1 and _SETEXT_RULE.fullmatch(lines[n]) and len(lines[n].strip()) >= 3:
            out.append(n)
            return out
        depth = _indent(line)
        if indent and depth < indent:
            out.append(n)
            indent = depth
            # Each level up may lie as far again above the last one found.
            floor = max(n - _HEADING_LOOKBACK, 0)
        n -= 1
    return out
