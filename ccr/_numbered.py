"""Text with a line-number column: `cat -n`, `nl`, an agent's file read (`12\\tline`, `12→line`, `12:line`).

Such a text is what its lines after the column are (a log, code, JSON Lines...), so the pipeline
compresses the column-less body and puts the column back on the lines it keeps. The body has the
same lines as the original, one for one, so a `lines=A-B` marker names the same lines in both and
redeems the original's numbered lines; a template is grouped on the body (`template_lines`) by the
compressor and by retrieval alike.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import rustcore
from ccr._markers import MARKER_PATTERN

__all__ = ["NumberedText", "number_column", "renumber", "template_lines"]

# Leading blanks, a line number and one separator: a tab (`cat -n`, `nl`, Claude Code's Read), an arrow
# (older Claude Code Read) or a colon (Claude Code's alternative separator).
_PREFIX = re.compile(r"[ \t]*(\d{1,9})(?:\t|\u2192|:)")
_BLANK = re.compile(r"[ \t]*")
# Fewer numbered lines than this say too little to call a column.
_MIN_NUMBERED = 3
_LINES = re.compile(r"lines=\d+-(\d+)")


@dataclass(frozen=True, slots=True)
class NumberedText:
    """`body`: the text without its number column; `prefixes[i]`: what line i+1 of the original had before
    its body line (the original is every prefix followed by its body line)."""

    body: str
    prefixes: list[str]


def number_column(text: str) -> NumberedText | None:
    """The body and number column of `text` when every non-blank line starts with a line number, the
    numbers counting up by one (blank lines may go unnumbered, as `nl` leaves them); else None."""
    prefixes: list[str] = []
    bodies: list[str] = []
    last = -1
    numbered = 0
    pos, size = 0, len(text)
    # Line by line without splitting: a text that is not numbered is given up on at its first line.
    while pos < size:
        stop = text.find("\n", pos)
        stop = size if stop < 0 else stop
        found = _PREFIX.match(text, pos, stop)
        if found is None:
            blank = _BLANK.match(text, pos, stop)
            cut = blank.end() if blank else pos
            if cut < stop and not (cut == stop - 1 and text[cut] == "\r"):
                return None
        else:
            number = int(found.group(1))
            if last >= 0 and number != last + 1:
                return None
            last = number
            numbered += 1
            cut = found.end()
        prefixes.append(text[pos:cut])
        bodies.append(text[cut:stop])
        pos = stop + 1
    if numbered < _MIN_NUMBERED or (bodies and bodies[-1] == "" and not text.endswith("\n")):
        # (An empty last body line without a line end would be no line at all: the body would lose it.)
        return None
    return NumberedText("\n".join(bodies) + ("\n" if text.endswith("\n") else ""), prefixes)


def renumber(out: str, numbered: NumberedText) -> str:
    """`out`, compressed from `numbered.body`, with each kept body line shown as the original line it is.

    Output lines are matched to body lines in order (after the lines a marker names, where it names some);
    a line the compressor wrote itself (a summary, a cut line) stays as it is.
    """
    where: dict[str, list[int]] = {}
    for i, line in enumerate(numbered.body.split("\n")[: len(numbered.prefixes)]):
        where.setdefault(line, []).append(i)
    shown: list[str] = []
    cursor = 0
    ends_line = out.endswith("\n")
    for line in (out[:-1] if ends_line else out).split("\n"):
        marker = MARKER_PATTERN.search(line)
        if marker is not None:
            ends = _LINES.search(marker.group(0))
            if ends is not None:
                cursor = max(cursor, int(ends.group(1)))
            shown.append(line)
            continue
        places = where.get(line)
        if not places:
            shown.append(line)
            continue
        at = bisect.bisect_left(places, cursor)
        index = places[at] if at < len(places) else places[0]
        cursor = index + 1
        shown.append(numbered.prefixes[index] + line)
    return "\n".join(shown) + ("\n" if ends_line else "")


def template_lines(text: str, key: str) -> list[int]:
    """The lines of `text` in template `key` (1-based), grouped on the body of a numbered text: the
    compressor mined its templates there."""
    numbered = number_column(text)
    return rustcore.template_lines(numbered.body if numbered is not None else text, key)
