"""Which definitions of a source file a question points at.

A question about code names things: `Session.get`, ``res.append``,
``_GLOBAL_DEFAULT_TIMEOUT``, ``Popen``. Names written like code (in backticks,
dotted, with underscores, digits or inner capitals) are strong evidence; plain
words are weak evidence and never keep a body on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CodeQuery", "body_mentions", "parse_code_query", "score_name"]

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

# Scores: a qualified match (`Session.get` on get inside Session) outranks a bare name match.
QUALIFIED, EXACT, PARTIAL, FOLDED, WEAK = 10.0, 8.0, 4.0, 5.0, 2.0


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

    def mention_terms(self) -> frozenset[str]:
        """Names whose appearance inside a body counts as the body matching the question."""
        terms = set(self.strong)
        for path in self.paths:
            terms.update(part for part in path if len(part) >= 3)
        return frozenset(terms)


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


def score_name(name: str, qualifiers: tuple[str, ...], query: CodeQuery) -> float:
    """How directly `query` names a definition called `name` inside `qualifiers`."""
    if not name or query.empty:
        return 0.0
    best = 0.0
    for path in query.paths:
        if name == path[-1]:
            best = max(best, QUALIFIED if path[-2] in qualifiers else PARTIAL)
        elif name in path[:-1]:
            best = max(best, PARTIAL)
    if name in query.strong:
        in_a_path = any(name == path[-1] for path in query.paths)
        best = max(best, PARTIAL if in_a_path and best < QUALIFIED else EXACT)
    else:
        folded = name.lower()
        if any(folded == s.lower() for s in query.strong):
            best = max(best, FOLDED)
        elif len(folded) >= 4 and folded in query.weak:
            best = max(best, WEAK)
    return best


def body_mentions(text: str, terms: frozenset[str]) -> int:
    """How many of `terms` occur in `text` as whole names."""
    count = 0
    for term in terms:
        at = text.find(term)
        while at >= 0:
            before = text[at - 1 : at]
            after = text[at + len(term) : at + len(term) + 1]
            if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
                count += 1
                break
            at = text.find(term, at + 1)
    return count
