"""The names a question about source code asks for.

A question about code names things: `Session.get`, ``res.append``,
``_GLOBAL_DEFAULT_TIMEOUT``, ``Popen``. Names written like code (in backticks,
dotted, with underscores, digits or inner capitals) are strong evidence; plain
words are weak evidence and never keep a body on their own. The Rust core
(`rustcore._code.CodeFile.prepare`) scores each definition against these names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CodeQuery", "parse_code_query"]

_BACKTICKS = re.compile(r"`([^`\n]{1,200})`")
_PATH = re.compile(r"[A-Za-z_$][\w$]*(?:(?:\.|::|->|#)[A-Za-z_$][\w$]*)*")
_WORD = re.compile(r"[A-Za-z_$][\w$]*")
_CODE_LIKE = re.compile(r"_|\d|[a-z][A-Z]|[A-Z]{2}|\$")
_SEPARATORS = re.compile(r"\.|::|->|#")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS = _word_set(
    """a about above after all also an and any are as at be been being both but by can could did do does doing
    done each for from had has have how if in into is it its itself just may might more most must no not of on
    once only or other our out over own same should so some such than that the their them then there these they
    this those through to too under until up very was we were what when where which while who whom why will with
    would you your function functions method methods class classes parameter parameters argument arguments
    signature return returns value values type types define defines defined file module code take takes accept
    accepts list show name names default defaults public api"""
)

# A question about which types a file defines, and not about functions, wants type headers, not members.
_TYPE_WORDS = _word_set(
    "class classes struct structs type types interface interfaces enum enums trait traits record records union unions"
)
_MEMBER_WORDS = _word_set(
    """function functions method methods signature signatures parameter parameters argument arguments api
    constructor constructors member members field fields take takes accept accepts return returns"""
)


@dataclass(frozen=True, slots=True)
class CodeQuery:
    """Names from a question: dotted `paths`, code-like `strong` names, lower-cased `weak` words."""

    paths: tuple[tuple[str, ...], ...]
    strong: frozenset[str]
    weak: frozenset[str]
    types_only: bool = False

    @property
    def empty(self) -> bool:
        return not (self.paths or self.strong or self.weak)


def parse_code_query(query: str | None) -> CodeQuery:
    """The names in `query` (None or blank gives an empty query)."""
    if not query or not query.strip():
        return CodeQuery((), frozenset(), frozenset())
    paths: list[tuple[str, ...]] = []
    strong: set[str] = set()
    quoted = " ".join(_BACKTICKS.findall(query))
    for match in _PATH.finditer(quoted):
        parts = tuple(p for p in _SEPARATORS.split(match.group(0)) if p)
        if len(parts) > 1:
            paths.append(parts)
        strong.update(parts)
    rest = _BACKTICKS.sub(" ", query)
    first_word = True
    for match in _PATH.finditer(rest):
        token = match.group(0)
        parts = tuple(p for p in _SEPARATORS.split(token) if p)
        followed_by_call = rest[match.end() : match.end() + 1] == "("
        if len(parts) > 1 and all(_WORD.fullmatch(p) for p in parts) and not token.endswith("."):
            paths.append(parts)
            strong.update(parts)
        elif _CODE_LIKE.search(token) or followed_by_call or (token[:1].isupper() and not first_word):
            strong.add(token)
        first_word = False
    weak = {w.lower() for w in _WORD.findall(rest) if len(w) >= 3 and w.lower() not in _STOPWORDS and w not in strong}
    words = {w.lower() for w in _WORD.findall(query)}
    types_only = bool(words & _TYPE_WORDS) and not (words & _MEMBER_WORDS) and not paths and not strong
    return CodeQuery(tuple(dict.fromkeys(paths)), frozenset(strong), frozenset(weak), types_only)
