"""Finding values in a JSON text by their position, so a request can be changed without being re-serialised.

The proxy must forward every byte it does not mean to change exactly as the client sent it (the provider's prompt
cache compares bytes), so it never dumps a parsed body again: it finds where a string value starts and ends in the
client's text and splices a new JSON string there. Walking happens in Python only along the path that leads to
the wanted values; everything stepped over is read by the C scanner of the standard `json` module, so a 200 KB body
costs about as much as one `json.loads`.

Positions are indexes into the decoded text (``str``); the caller encodes the spliced text back to UTF-8, which
gives the client's bytes again wherever nothing was spliced. Only what strict JSON parsers accept is walked:
``NaN``/``Infinity``, unescaped control characters and trailing text make the body "not JSON" (None), so that a
body the provider would refuse is forwarded untouched and refused the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

__all__ = ["Element", "NotJson", "array_elements", "splice", "string_span"]

_WS = re.compile(r"[ \t\n\r]*")


class NotJson(ValueError):
    """The text is not strict JSON, or not of the shape the walk expects."""


def _refuse_constant(name: str) -> Any:
    raise NotJson(f"{name} is not JSON")


_scan_once = json.JSONDecoder(parse_constant=_refuse_constant).scan_once  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Element:
    """One element of an array: its parsed value and where it is in the text (``start`` to ``end``, exclusive)."""

    value: Any
    start: int
    end: int


def _ws(text: str, i: int) -> int:
    if i < len(text) and text[i] in " \t\n\r":
        return _WS.match(text, i).end()  # type: ignore[union-attr]
    return i


def _expect(text: str, i: int, char: str) -> int:
    if i >= len(text) or text[i] != char:
        raise NotJson(f"expected {char!r} at {i}")
    return i + 1


def _value_end(text: str, i: int) -> tuple[Any, int]:
    try:
        return _scan_once(text, i)  # type: ignore[no-any-return]
    except StopIteration:
        raise NotJson(f"no JSON value at {i}") from None
    except (ValueError, RecursionError) as exc:
        raise NotJson(str(exc)) from None


def _key(text: str, i: int) -> tuple[str, int]:
    """The member name starting at ``i`` and the position of its value."""
    i = _expect(text, i, '"')
    try:
        key, i = scanstring(text, i, True)
    except ValueError as exc:
        raise NotJson(str(exc)) from None
    return key, _ws(text, _expect(text, _ws(text, i), ":"))


def _next(text: str, i: int, close: str) -> int | None:
    """After a value ending at ``i``: the position of the next member or element, or None at ``close``."""
    i = _ws(text, i)
    if i < len(text) and text[i] == close:
        return None
    return _ws(text, _expect(text, i, ","))


def _first(text: str, i: int, open_: str, close: str) -> int | None:
    """Inside the object or array starting at ``i``: the first member or element, or None when it is empty."""
    i = _ws(text, _expect(text, i, open_))
    return None if i < len(text) and text[i] == close else i


def _elements(text: str, i: int) -> tuple[list[Element], int]:
    """The elements of the array starting at ``i``, and the position after the array."""
    out: list[Element] = []
    at = _first(text, i, "[", "]")
    end = i
    while at is not None:
        value, end = _value_end(text, at)
        out.append(Element(value, at, end))
        at = _next(text, end, "]")
    return out, _ws(text, end if out else i + 1) + 1


def _members(text: str, i: int) -> Iterator[tuple[str, int]]:
    """(name, position of its value) for each member of the object at ``i``; every value is stepped over."""
    at = _first(text, i, "{", "}")
    while at is not None:
        key, value_at = _key(text, at)
        yield key, value_at
        at = _next(text, _value_end(text, value_at)[1], "}")


def array_elements(text: str, key: str) -> list[Element] | None:
    """The elements of the array under the top-level ``key`` of the JSON object ``text`` (None when the member
    is absent or not an array; for a name given twice, the last, as parsers read it).

    Raises:
        NotJson: ``text`` is not one strict JSON object.
    """
    found: list[Element] | None = None
    start = _ws(text, 0)
    at = _first(text, start, "{", "}")
    end = start + 1
    while at is not None:
        name, value_at = _key(text, at)
        if name == key and value_at < len(text) and text[value_at] == "[":
            found, end = _elements(text, value_at)
        else:
            end = _value_end(text, value_at)[1]
            if name == key:
                found = None
        at = _next(text, end, "}")
    end = _expect(text, _ws(text, end), "}")
    if _ws(text, end) != len(text):
        raise NotJson(f"text after the JSON value at {end}")
    return found


def string_span(text: str, start: int, path: Sequence[str | int]) -> tuple[int, int]:
    """Where the string value at ``path`` (keys and indexes) under the value starting at ``start`` is, quotes
    included. For a name given twice, the last one (as parsers read it).

    Raises:
        NotJson: the path leads nowhere, or not to a string.
    """
    i = start
    for step in path:
        if isinstance(step, str):
            targets = [at for name, at in _members(text, i) if name == step]
            if not targets:
                raise NotJson(f"no member {step!r}")
            i = targets[-1]
        else:
            at = _first(text, i, "[", "]")
            for _ in range(step):
                if at is None:
                    break
                at = _next(text, _value_end(text, at)[1], "]")
            if at is None:
                raise NotJson(f"no element {step}")
            i = at
    if i >= len(text) or text[i] != '"':
        raise NotJson("the path does not lead to a string")
    return i, _value_end(text, i)[1]


def splice(text: str, replacements: Sequence[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, new)`` span replaced by ``new`` as a JSON string (spans must not
    overlap). Non-ASCII characters are written as they are, unless the string holds a lone surrogate."""
    parts: list[str] = []
    last = 0
    for start, end, new in sorted(replacements):
        if start < last:
            raise ValueError("overlapping replacements")
        parts.append(text[last:start])
        parts.append(json_string(new))
        last = end
    parts.append(text[last:])
    return "".join(parts)


def json_string(value: str) -> str:
    """``value`` as a JSON string literal (UTF-8 as it is; ``\\u`` escapes only for a lone surrogate)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False)
