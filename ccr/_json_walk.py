"""Walking one level of a JSON container: where each member starts, where its value starts, where it ends.

Keys and scalar values are read by the standard decoder's ``raw_decode`` (in C); a nested container's end
is found by matching its brackets over a scan of its strings and brackets (`value_end`), without building
it: ``raw_decode`` builds every object of the value it reads, about 500 MB for a 64 MB document, and
recurses once a level, so thousands of levels of ``[[[[`` raised RecursionError. Used by the query chunks
of `ccr._lines` and the semantic chunks of `ccr._chunks`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import NamedTuple

__all__ = ["DECODER", "Member", "iter_members", "members", "skip_whitespace", "value_end"]

DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")
# The next bracket outside a string: what lies before it (other characters, whole strings with their escapes)
# is consumed by the match itself, so the walk steps once a bracket, not once a string.
_NEXT_BRACKET = re.compile(r'(?:[^"\[\]{}]++|"(?:[^"\\]++|\\.)*+")*+([\[\]{}])')
_CLOSES = {"]": "[", "}": "{"}


class Member(NamedTuple):
    """One member of a container, as character offsets: an array element (``value == start``) or an
    object's ``"key": value`` (`value` where the value begins); `end` is just past the value."""

    start: int
    value: int
    end: int


def skip_whitespace(text: str, at: int) -> int:
    """The first offset at or after `at` that is not JSON whitespace."""
    match = _WHITESPACE.match(text, at)
    return match.end() if match else at


def value_end(text: str, at: int) -> int:
    """Just past the JSON value starting at `at`. A container is matched bracket by bracket (strings skipped,
    its scalars not checked) and never built.

    Raises:
        ValueError: no value starts at `at`, or a container is not closed or closed by the other bracket.
    """
    if not text.startswith(("[", "{"), at):
        try:
            return int(DECODER.raw_decode(text, at)[1])
        except IndexError as exc:
            raise ValueError(f"no value at {at}") from exc
    open_brackets: list[str] = []
    pos = at
    # Anchored at each step: a search would retry from every later offset after an unclosed string.
    while (match := _NEXT_BRACKET.match(text, pos)) is not None:
        c = match[1]
        if c in "[{":
            open_brackets.append(c)
        elif not open_brackets or open_brackets.pop() != _CLOSES[c]:
            raise ValueError(f"{c!r} at {match.start(1)} closes no container")
        elif not open_brackets:
            return match.end()
        pos = match.end()
    raise ValueError(f"the container at {at} is not closed")


def members(text: str, start: int) -> tuple[list[Member], int]:
    """The members of the array or object opening at `start`, and the offset just past its closing bracket.

    Raises:
        ValueError: the container is not JSON (as far as its members' keys, scalars and brackets show).
    """
    found = list(iter_members(text, start))
    at = found[-1].end if found else start + 1
    return found, skip_whitespace(text, at) + 1


def iter_members(text: str, start: int) -> Iterator[Member]:
    """`members` one at a time (a list of a million members is 150 MB of tuples).

    Raises:
        ValueError: the container is not JSON (as far as its members' keys, scalars and brackets show).
    """
    opener = text[start]
    closer = "]" if opener == "[" else "}"
    at = skip_whitespace(text, start + 1)
    if text.startswith(closer, at):
        return
    while True:
        member = at
        try:
            if opener == "{":
                _, at = DECODER.raw_decode(text, at)
                at = skip_whitespace(text, at)
                if not text.startswith(":", at):
                    raise ValueError(f"no colon after the key at {member}")
                at = skip_whitespace(text, at + 1)
            value = at
            at = value_end(text, at)
        except IndexError as exc:
            raise ValueError(f"the container at {start} is not closed") from exc
        yield Member(member, value, at)
        at = skip_whitespace(text, at)
        if text.startswith(",", at):
            at = skip_whitespace(text, at + 1)
        elif text.startswith(closer, at):
            return
        else:
            raise ValueError(f"neither a comma nor {closer!r} at {at}")
