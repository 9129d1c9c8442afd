"""The structure of prose: headings, paragraphs, list items, fenced code, tables, and the sections they form.

Works on Markdown, reStructuredText, man/pydoc-style text and plain text alike,
from line shapes only (read in the Rust core, `rustcore._prose.prose_blocks`): ATX
(``## Title``) and underlined (setext/RST) headings, RST over-and-underlined
titles, all-caps section lines (pydoc), and separator header lines such as
``--- result 3/30 | repo path | section: Debug Mode ---`` that multi-document
retrieval output puts between documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rustcore._prose import prose_blocks

__all__ = ["Block", "Section", "parse_blocks"]


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


def parse_blocks(lines: Sequence[str]) -> tuple[list[Block], list[Section]]:
    """The blocks of `lines` (each without or with its line ending) and the sections they form."""
    raw_blocks, raw_sections = prose_blocks(lines)
    blocks = [Block(b.kind, b.first, b.last, b.level, b.section, b.title) for b in raw_blocks]
    sections = [Section(s.heading, s.level, s.title, s.parent) for s in raw_sections]
    for index, block in enumerate(blocks):
        if block.section >= 0:
            sections[block.section].blocks.append(index)
    return blocks, sections
