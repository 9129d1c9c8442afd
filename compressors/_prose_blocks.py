"""The structure of prose: headings, paragraphs, list items, fenced code, tables, and the sections they form.

Works on Markdown, reStructuredText, man/pydoc-style text and plain text alike,
from line shapes only: ATX (``## Title``) and underlined (setext/RST) headings,
RST over-and-underlined titles, all-caps section lines (pydoc), and separator
header lines such as ``--- result 3/30 | repo path | section: Debug Mode ---``
that multi-document retrieval output puts between documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Block", "Section", "parse_blocks"]

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$")
_ADORNMENT = re.compile(r"^([=\-~^*+#`'\".:_<>])\1{2,}[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^([ \t]*)(?:[-*+•]|\d{1,9}[.)]|[a-zA-Z][.)]|#\.)[ \t]+\S")
_SEPARATOR_HEADER = re.compile(r"^-{3,} \S.*\S -{3,}[ \t]*$")
_CAPS_HEADING = re.compile(r"^[A-Z][A-Z0-9 _/&-]{2,40}$")
_TABLE_ROW = re.compile(r"^[ \t]*(\|.*\||\+[-=+:]+\+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$")


@dataclass(slots=True)
class Block:
    """Lines `first`..`last` (0-based, inclusive) of one kind.

    kind: ``heading`` (with `level`, 0 for document separators), ``paragraph``,
    ``item`` (one list item with its continuation lines), ``fence`` (a fenced
    code block, fences included), ``table`` (one row) or ``rule``.
    """

    kind: str
    first: int
    last: int
    level: int = 0
    section: int = -1
    title: str = ""


@dataclass(slots=True)
class Section:
    """A heading and what follows it up to the next heading of the same or a higher level."""

    heading: int
    level: int
    title: str
    parent: int = -1
    blocks: list[int] = field(default_factory=list)

    def path(self, sections: list[Section]) -> str:
        """The titles from the outermost enclosing section down to this one."""
        titles = [self.title]
        at = self.parent
        while at >= 0 and len(titles) < 8:
            titles.append(sections[at].title)
            at = sections[at].parent
        return " / ".join(reversed(titles))


def _is_blank(line: str) -> bool:
    return not line.strip()


def _underline_fits(text: str, under: str) -> bool:
    """Whether `under` underlines `text` as a heading: Markdown's = and - at any length, reStructuredText's
    other marks nearly as long as the title, and fence-like ``` or ~~~ at least as long (else it opens a fence)."""
    text, under = text.strip(), under.strip()
    if not text or not under or len(text) > 120:
        return False
    if under[0] in "=-":
        return True
    if under[0] in "`~":
        return len(under) >= len(text)
    return len(under) >= 0.8 * len(text)


class _Levels:
    """Heading levels for underline styles, in order of first use (as reStructuredText assigns them)."""

    def __init__(self) -> None:
        self.styles: dict[tuple[str, bool], int] = {}

    def level(self, char: str, overline: bool) -> int:
        key = (char, overline)
        if key not in self.styles:
            self.styles[key] = len(self.styles) + 1
        return self.styles[key]


def parse_blocks(lines: list[str]) -> tuple[list[Block], list[Section]]:
    """The blocks of `lines` (each without or with its line ending) and the sections they form."""
    blocks: list[Block] = []
    levels = _Levels()
    text = [line.rstrip("\r\n") for line in lines]
    n = len(text)
    i = 0
    while i < n:
        line = text[i]
        if _is_blank(line):
            i += 1
            continue
        fence = _FENCE.match(line)
        if fence:
            end = _fence_end(text, i, fence.group(1))
            blocks.append(Block("fence", i, end))
            i = end + 1
            continue
        heading = _heading(text, i, levels)
        if heading is not None:
            blocks.append(heading)
            i = heading.last + 1
            continue
        if _RULE.match(line):
            blocks.append(Block("rule", i, i))
            i += 1
            continue
        if _TABLE_ROW.match(line):
            blocks.append(Block("table", i, i))
            i += 1
            continue
        item = _LIST_ITEM.match(line)
        if item:
            end = _item_end(text, i, len(item.group(1).expandtabs()))
            blocks.append(Block("item", i, end))
            i = end + 1
            continue
        end = _paragraph_end(text, i, levels)
        blocks.append(Block("paragraph", i, end))
        i = end + 1
    return blocks, _sections(blocks)


def _heading(text: list[str], i: int, levels: _Levels) -> Block | None:
    line = text[i]
    n = len(text)
    if _SEPARATOR_HEADER.match(line):
        return Block("heading", i, i, 0, title=line.strip(" -\t"))
    atx = _ATX.match(line)
    if atx:
        return Block("heading", i, i, len(atx.group(1)), title=(atx.group(2) or "").strip())
    over = _ADORNMENT.match(line)
    if over and i + 2 < n and not _is_blank(text[i + 1]) and text[i + 2].strip() == line.strip():
        level = levels.level(over.group(1), True)
        return Block("heading", i, i + 2, level, title=text[i + 1].strip())
    if i + 1 < n and not _is_blank(line) and not _LIST_ITEM.match(line) and not _TABLE_ROW.match(line):
        under = _ADORNMENT.match(text[i + 1].strip())
        if under and not line.startswith((" ", "\t")) and _underline_fits(line, text[i + 1]):
            return Block("heading", i, i + 1, levels.level(under.group(1), False), title=line.strip())
    if (
        _CAPS_HEADING.match(line)
        and i + 1 < n
        and text[i + 1][:1] in (" ", "\t")
        and (i == 0 or _is_blank(text[i - 1]))
    ):
        return Block("heading", i, i, 1, title=line.strip())
    return None


def _fence_end(text: list[str], start: int, opener: str) -> int:
    char = opener[0]
    for j in range(start + 1, len(text)):
        stripped = text[j].strip()
        if stripped.startswith(char * len(opener)) and not stripped.strip(char):
            return j
    return len(text) - 1


def _item_end(text: list[str], start: int, indent: int) -> int:
    """The last line of the list item opening at `start`: indented continuations, lazy lines, one inner blank."""
    end = start
    j = start + 1
    while j < len(text):
        line = text[j]
        if _is_blank(line):
            nxt = j + 1
            following = text[nxt] if nxt < len(text) else ""
            if following.strip() and _indent_of(following) > indent and not _LIST_ITEM.match(following):
                j = nxt
                continue
            break
        if _LIST_ITEM.match(line):
            break
        if _FENCE.match(line) and _indent_of(line) <= indent:
            break
        if _ATX.match(line) or _SEPARATOR_HEADER.match(line) or _TABLE_ROW.match(line):
            break
        if j + 1 < len(text) and _ADORNMENT.match(text[j + 1].strip()) and _indent_of(line) == 0:
            break
        end = j
        j += 1
    return end


def _indent_of(line: str) -> int:
    return len(line.expandtabs()) - len(line.expandtabs().lstrip())


def _paragraph_end(text: list[str], start: int, levels: _Levels) -> int:
    end = start
    for j in range(start + 1, len(text)):
        line = text[j]
        if _ADORNMENT.match(line.strip()) and _underline_fits(text[j - 1], line):
            # An underline under the paragraph's last line makes that line a heading.
            return j - 2 if j - 1 > start else start
        if _is_blank(line) or _FENCE.match(line) or _ATX.match(line) or _SEPARATOR_HEADER.match(line):
            break
        if _LIST_ITEM.match(line) or _TABLE_ROW.match(line):
            break
        end = j
    return end


def _sections(blocks: list[Block]) -> list[Section]:
    """Sections nested by heading level; blocks before the first heading belong to no section (-1)."""
    sections: list[Section] = []
    stack: list[int] = []
    current = -1
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            while stack and sections[stack[-1]].level >= block.level:
                stack.pop()
            parent = stack[-1] if stack else -1
            sections.append(Section(index, block.level, block.title, parent))
            current = len(sections) - 1
            stack.append(current)
        block.section = current
        if current >= 0:
            sections[current].blocks.append(index)
    return sections
