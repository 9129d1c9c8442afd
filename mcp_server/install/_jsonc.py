"""A small JSON / JSON-with-comments editor that splices text instead of re-serialising.

Client config files are hand-edited: comments, trailing commas, key order and
odd indentation must survive our edit. So the document is parsed into a tree
of spans, and an edit replaces, inserts or deletes only the characters of one
member. Everything outside that member is copied byte for byte.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["JsonShapeError", "JsonSyntaxError", "get_member", "remove_member", "set_member"]

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_LITERALS = {"true": True, "false": False, "null": None}
_WS = " \t\r\n\ufeff"


class JsonSyntaxError(ValueError):
    """The text is not JSON (or JSON with comments); ``line`` and ``column`` are 1-based."""

    def __init__(self, problem: str, *, line: int, column: int) -> None:
        super().__init__(f"{problem} at line {line}, column {column}")
        self.problem = problem
        self.line = line
        self.column = column


class JsonShapeError(ValueError):
    """The document parses, but a key on the way to our entry holds something other than an object."""


@dataclass
class _Node:
    kind: str  # "object", "array" or "scalar"
    start: int
    end: int
    value: Any
    members: list[_Member] = field(default_factory=list)


@dataclass
class _Member:
    key: str
    key_start: int
    value: _Node
    comma: int | None = None


class _Parser:
    def __init__(self, text: str, *, comments: bool) -> None:
        self.text = text
        self.comments = comments
        self.pos = 0

    def fail(self, problem: str, pos: int | None = None) -> JsonSyntaxError:
        at = self.pos if pos is None else pos
        line = self.text.count("\n", 0, at) + 1
        column = at - (self.text.rfind("\n", 0, at) + 1) + 1
        return JsonSyntaxError(problem, line=line, column=column)

    def skip(self) -> None:
        text, n = self.text, len(self.text)
        while self.pos < n:
            ch = text[self.pos]
            if ch in _WS:
                self.pos += 1
            elif ch == "/" and text.startswith("//", self.pos) and self.comments:
                end = text.find("\n", self.pos)
                self.pos = n if end < 0 else end
            elif ch == "/" and text.startswith("/*", self.pos) and self.comments:
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.fail("unterminated /* comment")
                self.pos = end + 2
            elif ch == "/":
                raise self.fail("comments are not allowed in this file")
            else:
                return

    def document(self) -> _Node | None:
        self.skip()
        if self.pos == len(self.text):
            return None
        node = self.value()
        self.skip()
        if self.pos != len(self.text):
            raise self.fail("unexpected text after the end of the document")
        return node

    def value(self) -> _Node:
        text = self.text
        if self.pos >= len(text):
            raise self.fail("unexpected end of file, expected a value")
        ch = text[self.pos]
        if ch == "{":
            return self.object()
        if ch == "[":
            return self.array()
        start = self.pos
        if ch == '"':
            value = self.string()
            return _Node("scalar", start, self.pos, value)
        match = _NUMBER.match(text, self.pos)
        if match:
            self.pos = match.end()
            return _Node("scalar", start, self.pos, json.loads(match.group()))
        for word, literal in _LITERALS.items():
            if text.startswith(word, self.pos):
                self.pos += len(word)
                return _Node("scalar", start, self.pos, literal)
        raise self.fail(f"unexpected character {ch!r}")

    def string(self) -> str:
        text, start = self.text, self.pos
        i = start + 1
        while True:
            j = text.find('"', i)
            if j < 0:
                raise self.fail("unterminated string", start)
            backslashes = 0
            while text[j - 1 - backslashes] == "\\":
                backslashes += 1
            if backslashes % 2 == 0:
                break
            i = j + 1
        self.pos = j + 1
        try:
            value: str = json.loads(text[start : self.pos])
        except json.JSONDecodeError as exc:
            raise self.fail(f"invalid string ({exc.msg})", start + exc.pos) from None
        return value

    def object(self) -> _Node:
        node = _Node("object", self.pos, -1, {})
        self.pos += 1
        self.skip()
        while self.text[self.pos : self.pos + 1] != "}":
            if self.text[self.pos : self.pos + 1] != '"':
                raise self.fail("expected a quoted key or '}'")
            key_start = self.pos
            key = self.string()
            self.skip()
            if self.text[self.pos : self.pos + 1] != ":":
                raise self.fail("expected ':' after the key")
            self.pos += 1
            self.skip()
            member = _Member(key, key_start, self.value())
            node.members.append(member)
            node.value[key] = member.value.value
            self.skip()
            if self.text[self.pos : self.pos + 1] == ",":
                member.comma = self.pos
                self.pos += 1
                self.skip()
                if self.text[self.pos : self.pos + 1] == "}" and not self.comments:
                    raise self.fail("trailing comma before '}'", member.comma)
            elif self.text[self.pos : self.pos + 1] != "}":
                raise self.fail("expected ',' or '}'")
        self.pos += 1
        node.end = self.pos
        return node

    def array(self) -> _Node:
        node = _Node("array", self.pos, -1, [])
        self.pos += 1
        self.skip()
        while self.text[self.pos : self.pos + 1] != "]":
            node.value.append(self.value().value)
            self.skip()
            if self.text[self.pos : self.pos + 1] == ",":
                comma = self.pos
                self.pos += 1
                self.skip()
                if self.text[self.pos : self.pos + 1] == "]" and not self.comments:
                    raise self.fail("trailing comma before ']'", comma)
            elif self.text[self.pos : self.pos + 1] != "]":
                raise self.fail("expected ',' or ']'")
        self.pos += 1
        node.end = self.pos
        return node


def _parse_root(text: str, comments: bool) -> _Node | None:
    root = _Parser(text, comments=comments).document()
    if root is not None and root.kind != "object":
        raise JsonShapeError("the top level of the file is not an object")
    return root


def _find(node: _Node, key: str) -> _Member | None:
    # Duplicate keys: JSON parsers keep the last one, so edit that one.
    for member in reversed(node.members):
        if member.key == key:
            return member
    return None


def get_member(text: str, path: Sequence[str], *, comments: bool = True) -> Any:
    """The value at ``path`` (a list of object keys), or None when any key is absent.

    Raises:
        JsonSyntaxError: the text does not parse.
        JsonShapeError: the top level, or a key on the way, is not an object.
    """
    node = _parse_root(text, comments)
    value: Any = {} if node is None else node.value
    for i, key in enumerate(path):
        if not isinstance(value, dict):
            raise JsonShapeError(f"{_dotted(path[:i])} is not an object")
        if key not in value:
            return None
        value = value[key]
    return value


# --- layout -----------------------------------------------------------------


def _dotted(path: Sequence[str]) -> str:
    return ".".join(path) if path else "the top level"


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _line_indent(text: str, pos: int) -> str:
    start = _line_start(text, pos)
    end = start
    while end < len(text) and text[end] in " \t":
        end += 1
    return text[start:end]


def _indent_unit(text: str) -> str:
    """The indentation step the file uses: a tab, or the smallest run of spaces that starts a line."""
    widths = []
    for line in text.splitlines():
        stripped = line.lstrip(" \t")
        if not stripped or stripped == line:
            continue
        lead = line[: len(line) - len(stripped)]
        if lead.startswith("\t"):
            return "\t"
        widths.append(len(lead))
    return " " * min(widths) if widths else "  "


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _render(value: Any, *, indent: str, unit: str, newline: str, compact: bool) -> str:
    if compact:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    rendered = json.dumps(value, ensure_ascii=False, indent=unit)
    return rendered.replace("\n", newline + indent)


def _same_line_end(text: str, pos: int) -> int | None:
    """Past spaces and same-line comments from ``pos``: the index of the line break, or None."""
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch in " \t":
            pos += 1
        elif text.startswith("//", pos):
            end = text.find("\n", pos)
            pos = n if end < 0 else end
        elif text.startswith("/*", pos):
            end = text.find("*/", pos + 2)
            if end < 0 or "\n" in text[pos:end]:
                return None
            pos = end + 2
        elif ch in "\r\n":
            return pos
        else:
            return None
    return pos


def _is_compact(text: str, root: _Node, node: _Node) -> bool:
    # A one-line file is kept on one line, unless it is a bare `{}` with no style to follow.
    if "\n" not in text.strip():
        return bool(root.members)
    return bool(node.members) and "\n" not in text[node.start : node.members[0].key_start]


# --- edits ------------------------------------------------------------------


def set_member(text: str, path: Sequence[str], value: Any, *, comments: bool = True) -> str:
    """``text`` with the member at ``path`` set to ``value``, creating the objects on the way.

    Only the characters of that member change (and a comma before it when it is
    appended); comments and formatting elsewhere are kept.

    Raises:
        JsonSyntaxError: the text does not parse.
        JsonShapeError: the top level, or a key on the way, is not an object.
    """
    if not path:
        raise ValueError("path must name at least one key")
    root = _parse_root(text, comments)
    newline = _newline(text)
    if root is None:
        nested: Any = value
        for key in reversed(path):
            nested = {key: nested}
        prefix = text.rstrip()
        doc = json.dumps(nested, ensure_ascii=False, indent=2).replace("\n", newline)
        return (prefix + newline if prefix else "") + doc + newline
    unit = _indent_unit(text)
    node = root
    for i, key in enumerate(path):
        member = _find(node, key)
        if member is None:
            nested = value
            for inner in reversed(path[i + 1 :]):
                nested = {inner: nested}
            return _insert(text, root, node, key, nested, unit=unit, newline=newline)
        if i == len(path) - 1:
            indent = _line_indent(text, member.key_start)
            compact = _is_compact(text, root, node)
            rendered = _render(value, indent=indent, unit=unit, newline=newline, compact=compact)
            return text[: member.value.start] + rendered + text[member.value.end :]
        if member.value.kind != "object":
            raise JsonShapeError(f"{_dotted(path[: i + 1])} is not an object")
        node = member.value
    raise AssertionError("unreachable")


def _insert(text: str, root: _Node, node: _Node, key: str, value: Any, *, unit: str, newline: str) -> str:
    compact = _is_compact(text, root, node)
    if node.members:
        first = node.members[0]
        indent = _line_indent(text, first.key_start)
    else:
        indent = _line_indent(text, node.start) + unit
    rendered = _render(value, indent=indent, unit=unit, newline=newline, compact=compact)
    member_text = json.dumps(key, ensure_ascii=False) + ": " + rendered
    if not node.members:
        inner = text[node.start + 1 : node.end - 1]
        if compact:
            return text[: node.start + 1] + member_text + text[node.end - 1 :]
        closing = "" if "\n" in inner else newline + _line_indent(text, node.start)
        return text[: node.start + 1] + newline + indent + member_text + closing + text[node.start + 1 :]
    last = node.members[-1]
    after = last.value.end if last.comma is None else last.comma + 1
    comma = "," if last.comma is None else ""
    # A file that ends its members with a trailing comma gets one after ours too, so removal restores it exactly.
    member_text += "" if last.comma is None else ","
    if compact:
        return text[: last.value.end] + comma + text[last.value.end : after] + " " + member_text + text[after:]
    line_end = _same_line_end(text, after)
    at = after if line_end is None else line_end
    return text[: last.value.end] + comma + text[last.value.end : at] + newline + indent + member_text + text[at:]


def remove_member(text: str, path: Sequence[str], *, comments: bool = True) -> str:
    """``text`` without the member at ``path``; unchanged when it is absent.

    Removes the member's own lines (or its inline text) and the one comma that
    separated it; an object left empty collapses to ``{}``.

    Raises:
        JsonSyntaxError: the text does not parse.
        JsonShapeError: the top level, or a key on the way, is not an object.
    """
    root = _parse_root(text, comments)
    if root is None or not path:
        return text
    node = root
    for i, key in enumerate(path[:-1]):
        found = _find(node, key)
        if found is None:
            return text
        if found.value.kind != "object":
            raise JsonShapeError(f"{_dotted(path[: i + 1])} is not an object")
        node = found.value
    member = _find(node, path[-1])
    if member is None:
        return text
    index = node.members.index(member)
    previous = node.members[index - 1] if index > 0 else None
    cuts: list[tuple[int, int]] = []
    start = member.key_start
    end = member.value.end if member.comma is None else member.comma + 1
    line_start = _line_start(text, start)
    line_end = _same_line_end(text, end)
    if line_end is not None and not text[line_start:start].strip(" \t") and not text[end:line_end].strip(" \t"):
        start = line_start
        end = line_end + (2 if text.startswith("\r\n", line_end) else 1)
    elif member.comma is not None and member is not node.members[-1]:
        while end < len(text) and text[end] in " \t":
            end += 1
    elif member.comma is not None and previous is not None and previous.comma is not None:
        while start > previous.comma + 1 and text[start - 1] in " \t":
            start -= 1
    elif previous is not None and previous.comma is not None:
        while start > previous.comma + 1 and text[start - 1] in _WS:
            start -= 1
    if member.comma is None and previous is not None and previous.comma is not None:
        cuts.append((previous.comma, previous.comma + 1))
    cuts.append((start, min(end, node.end - 1)))
    out = text
    for cut_start, cut_end in sorted(cuts, reverse=True):
        out = out[:cut_start] + out[cut_end:]
    removed = sum(b - a for a, b in cuts)
    obj_end = node.end - removed
    if not out[node.start + 1 : obj_end - 1].strip(_WS):
        out = out[: node.start] + "{}" + out[obj_end:]
    return out
