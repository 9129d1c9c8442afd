"""Walking one level of a JSON container: where each member starts, where its value starts, where it ends.

The standard decoder's ``raw_decode`` finds the end of any value (strings with escapes, nested
containers) in C, so a walk only steps over the whitespace, colons and commas between values. Used by
the query chunks of `ccr._lines` and the semantic chunks of `ccr._chunks`.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

__all__ = ["DECODER", "Member", "members", "skip_whitespace"]

DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")


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


def members(text: str, start: int) -> tuple[list[Member], int]:
    """The members of the array or object opening at `start`, and the offset just past its closing bracket.

    Raises:
        ValueError: the container is not valid JSON.
    """
    opener = text[start]
    closer = "]" if opener == "[" else "}"
    found: list[Member] = []
    at = skip_whitespace(text, start + 1)
    if text.startswith(closer, at):
        return found, at + 1
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
            _, at = DECODER.raw_decode(text, at)
        except IndexError as exc:
            raise ValueError(f"the container at {start} is not closed") from exc
        found.append(Member(member, value, at))
        at = skip_whitespace(text, at)
        if text.startswith(",", at):
            at = skip_whitespace(text, at + 1)
        elif text.startswith(closer, at):
            return found, at + 1
        else:
            raise ValueError(f"neither a comma nor {closer!r} at {at}")
