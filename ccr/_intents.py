"""What a question asks beyond its words: the extremes of a listing, the newest lines of a log, definitions,
the section a quoted heading names.

"Which file takes the most disk space?" and "What are the newest entries?" name nothing the
answer's lines hold, so word ranking cannot find them. A superlative ranks the rows of a listing's
size column (read by the listing compressor's own reader, `rustcore.listing_extremes`) in the order
asked, among all rows and among the leaves (files, not the folder totals that outweigh them),
within the paths the question names; a question for the newest ranks the last lines of the text; one asking
where something is defined ranks the lines defining it (`ccr._hybrid.definition_pattern`, what search uses)
above its mere uses; one that quotes a heading ("what does it say under “Safety”?") ranks that heading's line,
whose block (`ccr._blocks.block_after`: the section) then comes with it, above lines that only share its words.
All are raised above every word match, so they are shown first with their structure.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence

import rustcore
from ccr import _retrieval
from ccr._hybrid import definition_pattern, identifiers
from ccr._retrieval import query_phrases

__all__ = ["EXTREME_ROWS", "RECENT_LINES", "asks_for_newest", "intent_scores", "quoted_headings"]

# Rows of the size column ranked in for a superlative, among all rows and again among the leaves.
EXTREME_ROWS = 12
# The last lines ranked in for a question about the newest entries.
RECENT_LINES = 30
# Past this size the listing is not read a second time for its extremes.
MAX_INTENT_CHARS = 32 << 20
# Named documentation entries raised at most (a name many classes share comes with each of them).
_NAMED_ENTRIES = 8
_DEFINED = re.compile(r"\b(?:defin(?:ed|es|ition)|declared?|implemented)\b", re.IGNORECASE)
_RECENT = re.compile(r"\b(?:newest|latest|most recent|recent(?:ly)?)\b", re.IGNORECASE)
# A heading line: Markdown `#`, an HTML `<h1>`-`<h6>` element, a reStructuredText/setext title (the text
# above a rule); its text is what is left without marks, tags and the pilcrows or section signs of anchors.
_ATX = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_HTML_HEADING = re.compile(r"<h[1-6][\s>].*?(?:</h[1-6]>|$)", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_RULE = re.compile(r"^\s*([=\-~^\"'`#*+])\1{2,}\s*$")
_WORD = re.compile(r"\w+")
_RULE_CHARS = "=-~^\"'`#*+"
# A heading longer than this is a paragraph that happens to hold one.
_HEADING_CHARS = 200
# Query words as typed: runs of word characters and the joiners of compound names, edges trimmed.
_TYPED_WORD = re.compile(r"[\w./:\-@]+")
_EDGE = "./:-@"


def asks_for_newest(query: str) -> bool:
    """Whether `query` asks for the newest entries ("What are the latest entries of this log?"): the end of an
    output answers it, whatever words its lines hold."""
    return _RECENT.search(query) is not None


def intent_scores(text: str, lines: Sequence[str], query: str, scores: Sequence[float]) -> list[float]:
    """`scores` (one per line) with the rows a superlative asks for, or the newest lines, raised above the
    best word match: the most extreme or newest first. A documentation entry the question names (an option, a
    function, a stanza: `rustcore._prose.named_entries`) ranks its head and description lines."""
    out = list(scores)
    if len(text) > MAX_INTENT_CHARS or len(out) != len(lines):
        return out
    base = max(max(out, default=0.0), 1.0)
    extremes = rustcore.listing_extremes(text, query)
    if extremes:
        names = [n for n in identifiers(query) if "/" in n or "." in n]
        rows = [(i, leaf) for i, _, leaf in extremes if all(n in lines[i].lower() for n in names)]
        picked = [i for i, _ in rows[:EXTREME_ROWS]]
        picked += [i for i, leaf in rows if leaf][:EXTREME_ROWS]
        for rank, i in enumerate(dict.fromkeys(picked)):
            out[i] = max(out[i], base * (2.0 - rank / (2 * EXTREME_ROWS)))
    if _DEFINED.search(query) and (pattern := definition_pattern(query)) is not None:
        # "Where is X defined?": every line defining X (grep output lists usages beside them) first.
        for i, line in enumerate(lines):
            if out[i] > 0 and pattern.search(line):
                out[i] = max(out[i], base * 1.5)
    named = quoted_headings(lines, query)
    for i in named:
        out[i] = max(out[i], base * 1.8)
    # A documentation entry the question names (option `-r`, `Class.method`, a `Files:` stanza): its head and
    # description, in order, above every word match (`-r` is no term at all: a lone letter).
    for first, last in rustcore._prose.named_entries(text, query)[:_NAMED_ENTRIES]:
        span = last - first + 1
        for i in range(first, min(last + 1, len(out))):
            out[i] = max(out[i], base * (1.7 - 0.1 * (i - first) / span))
    if asks_for_newest(query):
        tail = [i for i in range(len(lines) - 1, -1, -1) if lines[i].strip()][:RECENT_LINES]
        for rank, i in enumerate(tail):
            out[i] = max(out[i], base * (2.0 - rank / RECENT_LINES))
    return out


def named_records(texts: Sequence[str], query: str) -> list[float]:
    """`rank` of the JSON items `texts`, each item the query names raised above the best score: an object one of
    whose own string members (not one nested deeper), or a string item, is a word of the query as typed
    (``regex``, ``rustc-hash``, ``once``; whole, case aside); the best word match first among them. Of a JSON
    array of records asked about one by name (``{"name":"regex",...}`` of `cargo metadata`), that record comes
    before those naming it only deeper down (a dependency list) or in part (``regex-automata``)."""
    out = _retrieval.rank(texts, query)
    if sum(map(len, texts)) > MAX_INTENT_CHARS:
        return out
    if sum(map(len, texts)) > MAX_INTENT_CHARS:
        return out
    words = {w.lower() for w in (m.group().strip(_EDGE) for m in _TYPED_WORD.finditer(query)) if len(w) >= 2}
    if not words:
        return out
    # Only items holding a word as a whole JSON string are read as JSON (a few of thousands).
    holds = re.compile('"(?:' + "|".join(map(re.escape, sorted(words))) + ')"', re.IGNORECASE)
    base = max(max(out, default=0.0), 1.0)
    for i, text in enumerate(texts):
        if holds.search(text) is None:
            continue
        try:
            item = json.loads(text)
        except ValueError:
            continue
        values = item.values() if isinstance(item, dict) else [item]
        if any(isinstance(v, str) and v.lower() in words for v in values):
            out[i] = base + out[i]
    return out


def _letters(text: str) -> str:
    """`text`'s letters and digits, lowercased: how a heading is compared with a quote of it (marks, tags,
    character references, punctuation and spacing aside: a question quotes ``fn into(self) -> U`` as it reads,
    the page writes ``-&gt;``; a button inside a heading runs into its words)."""
    return "".join(_WORD.findall(text.lower()))


def _heading_words(lines: Sequence[str], i: int) -> list[str]:
    """`_letters` of each heading line `i` holds; a line of minified HTML may hold several ``<hN>`` elements."""
    line = lines[i]
    if (m := _ATX.match(line)) is not None:
        texts = [m.group(1)]
    elif i + 1 < len(lines) and line.strip() and _RULE.match(lines[i + 1]) and not _RULE.match(line):
        texts = [line]
    else:
        texts = [html.unescape(_TAG.sub("", h.group())) for h in _HTML_HEADING.finditer(line)]
    return [_letters(t) for t in texts if len(t) <= _HEADING_CHARS]


def quoted_headings(lines: Sequence[str], query: str) -> list[int]:
    """The heading lines whose words are those of a text the query quotes (``under “§Safety”``,
    ``about "Installation"``)."""
    quoted = [_WORD.findall(html.unescape(p).lower()) for p in query_phrases(query)]
    wanted = {"".join(words) for words in quoted if words}
    if not wanted:
        return []
    out = []
    n = len(lines)
    for i, line in enumerate(lines):
        # Cheap first look: only an HTML heading, a `#` line or a line over a rule can be a heading.
        if "<h" not in line and "<H" not in line and not line.lstrip().startswith("#"):
            under = lines[i + 1].lstrip()[:1] if i + 1 < n else ""
            if not under or under not in _RULE_CHARS:
                continue
        if any(words in wanted for words in _heading_words(lines, i)):
            out.append(i)
    return out
