"""An HTML page read once: its parse events, its elements with text statistics, its metadata, and
which elements hold the main content.

The main content is found the way reader views find it (Readability's scoring, by text and link
density, not by rules for particular sites): every paragraph of 25 characters or more scores
``1 + commas + min(length / 100, 3)`` for its parent, half that for its grandparent and less further
up; an element's own start depends on its tag and on its class and id (``article``, ``content``,
``post`` raise it; ``comment``, ``sidebar``, ``share`` lower it); the final score is scaled by the
share of its text that is not link text. The best element and its siblings that score near it are
the article; inside it, navigation, forms and link lists go. A page with no clear article (an
index, a listing, a short note) keeps all of its text.

Metadata comes from the ``<head>`` (``<title>``, ``description``/``og:description``, ``author``,
``article:published_time`` and their kin), from JSON-LD, and from a byline in the body
(``rel="author"``, ``itemprop="author"``, a class such as ``byline``).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["BLOCK", "SKIP", "VOID", "Element", "Metadata", "Page", "read_page"]

# Elements whose content is never text for a reader.
SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe", "object", "canvas", "math"})
BLOCK = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "nav", "aside", "main", "ul", "ol", "dl", "dt", "dd",
        "table", "thead", "tbody", "tfoot", "tr", "blockquote", "figure", "figcaption", "form", "fieldset",
        "details", "summary", "address", "caption", "title", "body", "html", "hr", "li", "pre",
        "h1", "h2", "h3", "h4", "h5", "h6",
    }
)  # fmt: skip
VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"})
# An open element of the same tag that a new one closes (HTML's implied end tags).
_SELF_CLOSING = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "option"})

# Readability's class and id hints: general words for the parts of a page, not any site's names.
# An element whose class or id says it is one of these (and not also content) is no candidate, and
# no paragraph inside it scores.
_UNLIKELY = re.compile(
    r"-ad-|ai2html|banner|breadcrumbs|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|"
    r"legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|"
    r"ad-break|agegate|pagination|pager|popup|yom-remote"
)
_MAYBE = re.compile(r"and|article|body|column|content|main|shadow")
_NOT_LINK_LIST = frozenset({"code", "pre", "kbd", "samp", "h1", "h2", "h3", "h4", "h5", "h6"})
_UNLIKELY_TAGS = frozenset({"nav", "aside", "footer", "form", "menu", "dialog"})
_CHROME_TAGS = frozenset({"nav", "aside", "menu", "dialog"})
_UNLIKELY_ROLES = frozenset({"menu", "menubar", "complementary", "navigation", "alert", "alertdialog", "dialog"})
_NEGATIVE = re.compile(
    r"-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|footer|gdpr|masthead|media|meta|"
    r"outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget|"
    r"breadcrumb|menu|nav|social|subscribe|newsletter|cookie|popup|signup"
)
_POSITIVE = re.compile(r"article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story")
_BYLINE = re.compile(r"byline|author|dateline|writtenby|p-author")
_TAG_START = {
    "div": 5.0, "article": 5.0, "main": 5.0, "pre": 3.0, "td": 3.0, "blockquote": 3.0,
    "address": -3.0, "ol": -3.0, "ul": -3.0, "dl": -3.0, "dd": -3.0, "dt": -3.0, "li": -3.0, "form": -3.0,
    "h1": -5.0, "h2": -5.0, "h3": -5.0, "h4": -5.0, "h5": -5.0, "h6": -5.0, "th": -5.0,
}  # fmt: skip
_PARAGRAPHS = frozenset({"p", "pre", "td", "li", "dd"})
# Elements that may hold a paragraph's worth of text directly (Readability reads them as paragraphs).
_TEXT_HOLDERS = frozenset({"div", "section", "article", "main", "blockquote", "center"})
# Tags that get no element of their own: their text counts for the element around them.
_INLINE = frozenset(
    {"a", "span", "em", "strong", "b", "i", "u", "s", "code", "kbd", "samp", "var", "small", "sub", "sup", "abbr",
     "cite", "q", "mark", "time", "label", "font", "del", "ins", "tt", "big", "bdi", "bdo", "data", "dfn", "nobr"}
)  # fmt: skip
_MIN_PARAGRAPH = 25
_ANCESTORS = 5
# The article must hold this much text, and not (nearly) all of the page's, to be worth singling out.
_MIN_ARTICLE = 250
_WHOLE_PAGE = 0.95
# An ancestor of the article holding this much more paragraph text (relative) is the article instead.
_MORE_CONTENT = 0.1
# The article must hold this share of the page's paragraph text to be singled out.
_HELD = 0.97
# Boilerplate is dropped only while it is at most this share of the page's text.
_MOST_DROPPED = 0.7

_AUTHOR_META = ("author", "article:author", "dc.creator", "dcterms.creator", "parsely-author", "sailthru.author", "byl")
_DATE_META = (
    "article:published_time", "og:article:published_time", "datepublished", "date", "pubdate", "publishdate",
    "dc.date", "dcterms.date", "dc.date.issued", "parsely-pub-date", "sailthru.date", "timestamp",
)  # fmt: skip
_DESCRIPTION_META = ("description", "og:description", "twitter:description", "dc.description", "dcterms.description")
_TITLE_META = ("og:title", "twitter:title", "dc.title", "dcterms.title", "parsely-title")
_SPACE = re.compile(r"\s+")


@dataclass(slots=True)
class Element:
    """One element of the page: its tag, where it sits, and the text inside it."""

    tag: str
    parent: int
    start: int  # index of its start event
    hint: str  # class and id, lower-cased
    end: int = -1  # index after its last event
    children: list[int] = field(default_factory=list)
    text: int = 0  # characters of text inside (runs of white space count as one)
    links: int = 0  # ... of which inside links
    commas: int = 0
    blocks: int = 0  # block-level children
    unlikely: bool = False  # it or an ancestor is navigation, a sidebar, comments...
    paragraphs: int = 0  # characters of the scoring paragraphs inside
    code: int = 0  # code, pre and heading elements inside (what link lists never hold)
    in_code: bool = False  # inside code or pre (a highlighter's `comment` span is code)
    score: float | None = None

    @property
    def link_density(self) -> float:
        return self.links / self.text if self.text else 0.0


@dataclass(frozen=True, slots=True)
class Metadata:
    """What the page says about itself; each value as the page writes it (entities decoded), or ""."""

    title: str = ""
    alt_title: str = ""
    author: str = ""
    published: str = ""
    description: str = ""
    site: str = ""


# (kind, tag or text, attributes, source line, element): kind 0 start, 1 end, 2 text
Event = tuple[int, str, list[tuple[str, str | None]], int, int]
START, END, TEXT = 0, 1, 2


@dataclass(slots=True)
class Page:
    events: list[Event]
    elements: list[Element]
    metadata: Metadata
    text_chars: int
    # Text outside every block element (runs of white space as one), and the blank lines inside it.
    loose_chars: int = 0
    loose_breaks: int = 0
    # Elements whose events belong to the article (-1 none: the whole page), and those dropped inside it.
    article: set[int] = field(default_factory=set)
    dropped: set[int] = field(default_factory=set)

    def content(self) -> list[bool]:
        """For each element, whether its events are part of the main content: not boilerplate, and
        inside the article when one was singled out."""
        out: list[bool] = []
        for k, el in enumerate(self.elements):
            if k in self.dropped:
                out.append(False)
            elif k in self.article:
                out.append(True)
            else:
                out.append(out[el.parent] if el.parent >= 0 else not self.article)
        return out


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[Event] = []
        self.elements: list[Element] = []
        # Open tags, each with its element (-1 for an inline tag, which gets none: its text counts
        # for the element around it), and the open elements alone.
        self.stack: list[tuple[str, int]] = []
        self.open: list[int] = []
        self.skip = 0
        self.head = False
        self.links = 0
        self.text_chars = 0
        self.loose_chars = 0
        self.loose_breaks = 0
        self.meta: dict[str, str] = {}
        self.title: list[str] = []
        self.in_title = False
        self.ld_json: list[str] = []
        self.in_ld = False
        self.bylines: list[int] = []  # byline-like elements

    def _close(self, depth: int) -> None:
        """Closes the open tags down to stack position `depth`."""
        at = len(self.events)
        while len(self.stack) > depth:
            tag, index = self.stack.pop()
            if tag == "a":
                self.links = max(self.links - 1, 0)
            if tag in SKIP:
                self.skip = max(self.skip - 1, 0)
            if index < 0:
                continue
            self.open.pop()
            e = self.elements[index]
            e.end = at
            if e.parent >= 0:
                up = self.elements[e.parent]
                up.text += e.text
                up.links += e.links
                up.commas += e.commas

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag == "head":
            self.head = True
        elif tag == "body":
            self.head = False
        elif tag == "title":
            self.in_title = True
        elif tag == "meta":
            self._meta(attrs)
        elif tag == "script":
            self.in_ld = any(k == "type" and (v or "").lower() == "application/ld+json" for k, v in attrs)
        if self.stack:
            top = self.stack[-1][0]
            if top in _SELF_CLOSING and (tag == top or (top == "p" and tag in BLOCK)):
                self._close(len(self.stack) - 1)
        parent = self.open[-1] if self.open else -1
        if tag in VOID:
            self.events.append((START, tag, attrs, line, parent))
            return
        if tag == "a":
            self.links += 1
        if tag in SKIP:
            self.skip += 1
        if tag in _NOT_LINK_LIST:
            for e in self.open:
                self.elements[e].code += 1
        hint = ""
        for k, v in attrs:
            if (k == "class" or k == "id") and v:
                hint = f"{hint} {v.lower()}" if hint else v.lower()
        byline = (bool(hint) and _hints(hint)[2]) or any(
            (k == "rel" or k == "itemprop") and v and "author" in v.lower() for k, v in attrs
        )
        if tag in _INLINE and not byline:
            self.stack.append((tag, -1))
            self.events.append((START, tag, attrs, line, parent))
            return
        index = len(self.elements)
        up = self.elements[parent] if parent >= 0 else None
        unlikely = (up is not None and up.unlikely) or (
            tag not in ("body", "html", "article", "main")
            and (tag in _UNLIKELY_TAGS or (bool(hint) and _hints(hint)[0]) or _unlikely_role(attrs))
        )
        in_code = up is not None and (up.in_code or up.tag in ("pre", "code"))
        self.elements.append(Element(tag, parent, len(self.events), hint, unlikely=unlikely, in_code=in_code))
        if up is not None:
            up.children.append(index)
            if tag in BLOCK:
                up.blocks += 1
        self.events.append((START, tag, attrs, line, index))
        self.stack.append((tag, index))
        self.open.append(index)
        if byline:
            self.bylines.append(index)

    def handle_endtag(self, tag: str) -> None:
        line = self.getpos()[0]
        if tag == "title":
            self.in_title = False
        elif tag == "head":
            self.head = False
        elif tag == "script":
            self.in_ld = False
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                element = self.stack[depth][1]
                if element < 0:
                    element = self.open[-1] if self.open else -1
                self.events.append((END, tag, [], line, element))
                self._close(depth)
                return
        self.events.append((END, tag, [], line, self.open[-1] if self.open else -1))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        element = self.open[-1] if self.open else -1
        self.events.append((TEXT, data, [], self.getpos()[0], element))
        if self.in_title:
            self.title.append(data)
        if self.in_ld:
            self.ld_json.append(data)
        if self.skip or self.head:
            return
        size = len(" ".join(data.split()))
        if not size:
            return
        self.text_chars += size
        if element < 0:
            self.loose_chars += size
            self.loose_breaks += data.count("\n\n")
        if element >= 0:
            # Counted here, added to the ancestors as each element closes.
            el = self.elements[element]
            el.text += size
            el.commas += data.count(",")
            if self.links:
                el.links += size

    def _meta(self, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        content = values.get("content", "").strip()
        if not content:
            return
        for key in ("name", "property", "itemprop"):
            name = values.get(key, "").strip().lower()
            if name and name not in self.meta:
                self.meta[name] = content

    def finish(self) -> None:
        self._close(0)


def _unlikely_role(attrs: list[tuple[str, str | None]]) -> bool:
    return any(k == "role" and (v or "").lower() in _UNLIKELY_ROLES for k, v in attrs)


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _first(meta: dict[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        if name in meta:
            return meta[name]
    return ""


def _json_ld(texts: list[str]) -> dict[str, str]:
    """Headline, author, date and description from the page's JSON-LD (the first object with them)."""
    out: dict[str, str] = {}
    for text in texts:
        try:
            data = json.loads(text)
        except ValueError:
            continue
        items = data if isinstance(data, list) else [data]
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("@graph"), list):
                items.extend(item["@graph"])
        for item in items:
            if not isinstance(item, dict):
                continue
            for key, field_name in (
                ("headline", "title"),
                ("datePublished", "published"),
                ("description", "description"),
            ):
                value = item.get(key)
                if isinstance(value, str) and value.strip() and field_name not in out:
                    out[field_name] = _collapse(value)
            authors = item.get("author")
            names: list[str] = []
            for a in authors if isinstance(authors, list) else [authors]:
                name = a.get("name") if isinstance(a, dict) else a
                if isinstance(name, str) and name.strip():
                    names.append(name.strip())
            if names and "author" not in out:
                out["author"] = ", ".join(names)
    return out


def _byline(reader: _Reader) -> str:
    """The text of the first byline-like element that is short enough to be one."""
    for index in reader.bylines:
        e = reader.elements[index]
        if not 2 < e.text < 100 or e.end < 0:
            continue
        text = _collapse("".join(ev[1] for ev in reader.events[e.start : e.end] if ev[0] == TEXT))
        if text:
            return text
    return ""


def _metadata(reader: _Reader) -> Metadata:
    meta = reader.meta
    ld = _json_ld(reader.ld_json)
    title = _collapse("".join(reader.title))
    alt = _collapse(_first(meta, _TITLE_META)) or ld.get("title", "")
    if not title:
        title, alt = alt, ""
    elif alt in title:
        alt = ""  # the <title> already says it (with the site's name around it, usually)
    author = _first(meta, _AUTHOR_META)
    if author.startswith(("http://", "https://")):
        author = ""
    author = author or ld.get("author", "") or _byline(reader)
    published = _first(meta, _DATE_META) or ld.get("published", "")
    # Pages often shorten one of them ("... to the..."): the longest says the most.
    descriptions = [_collapse(meta.get(name, "")) for name in _DESCRIPTION_META] + [ld.get("description", "")]
    description = max(descriptions, key=len)
    site = _first(meta, ("og:site_name", "application-name"))
    return Metadata(title, alt, _collapse(author), published.strip(), description, _collapse(site))


@functools.lru_cache(maxsize=4096)
def _hints(hint: str) -> tuple[bool, float, bool]:
    """What a class and id say: unlikely content, the class weight, a byline. Memoised: a page uses
    few distinct classes, and the patterns' many alternatives are slow to try at every character."""
    unlikely = _UNLIKELY.search(hint) is not None and _MAYBE.search(hint) is None
    weight = (-25.0 if _NEGATIVE.search(hint) else 0.0) + (25.0 if _POSITIVE.search(hint) else 0.0)
    return unlikely, weight, _BYLINE.search(hint) is not None


def _class_weight(hint: str) -> float:
    return _hints(hint)[1] if hint else 0.0


def _score(elements: list[Element]) -> None:
    """Readability's scores: each paragraph's worth given to its ancestors."""
    for el in elements:
        paragraph = el.tag in _PARAGRAPHS or (el.tag in _TEXT_HOLDERS and not el.blocks)
        if not paragraph or el.text < _MIN_PARAGRAPH or el.unlikely:
            continue
        worth = 1.0 + el.commas + min(el.text // 100, 3)
        up_k = el.parent
        while up_k >= 0:
            elements[up_k].paragraphs += el.text
            up_k = elements[up_k].parent
        ancestor, level = el.parent, 0
        while ancestor >= 0 and level < _ANCESTORS:
            up = elements[ancestor]
            if up.score is None:
                up.score = _TAG_START.get(up.tag, 0.0) + _class_weight(up.hint)
            up.score += worth if level == 0 else worth / 2 if level == 1 else worth / (level * 3)
            ancestor, level = up.parent, level + 1


def _final(el: Element) -> float:
    return (el.score or 0.0) * (1 - el.link_density)


def _find_content(page: Page) -> None:
    elements = page.elements
    _score(elements)
    dropped = _boilerplate(elements)
    if sum(elements[k].text for k in dropped) <= _MOST_DROPPED * page.text_chars:
        page.dropped = dropped
    ranked = sorted(
        (
            k
            for k, el in enumerate(elements)
            if el.score is not None and not el.unlikely and el.tag not in ("body", "html")
        ),
        key=lambda k: -_final(elements[k]),
    )
    if not ranked or _final(elements[ranked[0]]) <= 0:
        return
    best = _better_ancestor(elements, ranked)
    best_score = _final(elements[best])
    top = elements[best]
    siblings = elements[top.parent].children if top.parent >= 0 else [best]
    threshold = max(10.0, best_score * 0.2)
    article: set[int] = set()
    for k in siblings:
        el = elements[k]
        if el.unlikely:
            continue
        near = el.score is not None and _final(el) >= threshold
        prose = el.tag == "p" and el.text > 80 and el.link_density < 0.25
        if k == best or near or prose:
            article.add(k)
    chars = sum(elements[k].text for k in article)
    held = sum(elements[k].paragraphs for k in article)
    everywhere = sum(el.paragraphs for el in elements if el.parent < 0)
    # Singled out only when it is clearly the page's prose: nearly every paragraph is in it (a
    # documentation page spreads its paragraphs over blocks the pick may miss; cutting those would
    # lose content, keeping some chrome only costs a little).
    if chars >= _MIN_ARTICLE and chars < _WHOLE_PAGE * page.text_chars and held >= _HELD * everywhere:
        page.article = article


def _boilerplate(elements: list[Element]) -> set[int]:
    """The outermost elements that are page chrome: navigation and sidebars by tag or role, elements
    whose class or id says so and that hold mostly links or no paragraph, and lists of links (no code
    or heading inside: a documentation page's signatures are links too)."""
    out: set[int] = set()
    inside = [False] * len(elements)
    for k, el in enumerate(elements):
        if el.parent >= 0 and inside[el.parent]:
            inside[k] = True
            continue
        chrome = el.tag in _CHROME_TAGS or (el.unlikely and (el.link_density > 0.3 or not el.paragraphs))
        link_list = el.tag in ("ul", "ol", "div", "section", "table") and el.link_density > 0.5 and not el.code
        if (chrome or link_list) and not (el.code or el.in_code or el.tag in _NOT_LINK_LIST):
            out.add(k)
            inside[k] = True
    return out


def _ancestors(elements: list[Element], k: int) -> list[int]:
    out = []
    k = elements[k].parent
    while k >= 0:
        out.append(k)
        k = elements[k].parent
    return out


def _better_ancestor(elements: list[Element], ranked: list[int]) -> int:
    """Readability's corrections to the best-scoring element: an ancestor holding three of the close
    runners-up (an article split in sections), a parent scoring higher, an only child's parent."""
    best = ranked[0]
    top_score = _final(elements[best])
    runners = [k for k in ranked[1:5] if _final(elements[k]) >= 0.75 * top_score]
    if len(runners) >= 3:
        holding = [set(_ancestors(elements, k)) for k in runners]
        for parent in _ancestors(elements, best):
            if elements[parent].tag in ("body", "html"):
                break
            if sum(parent in h for h in holding) >= 3:
                best = parent
                break
    last = _final(elements[best])
    for parent in _ancestors(elements, best):
        el = elements[parent]
        if el.tag in ("body", "html"):
            break
        if el.score is None:
            continue
        if _final(el) < last / 3:
            break
        if _final(el) > last:
            best = parent
            break
    # Up to the lowest ancestor that holds as many paragraphs as any (below the body), when that is
    # clearly more than the pick holds: a documentation page's content spans several blocks, while
    # an article's comments and sidebars (unlikely) hold none that count.
    chain = [k for k in _ancestors(elements, best) if elements[k].tag not in ("body", "html")]
    most = max((elements[k].paragraphs for k in chain), default=0)
    if most >= (1 + _MORE_CONTENT) * elements[best].paragraphs:
        best = next(k for k in chain if elements[k].paragraphs == most)
    while True:
        parent = elements[best].parent
        if parent < 0 or elements[parent].tag in ("body", "html") or len(elements[parent].children) != 1:
            return best
        best = parent


def read_page(html: str) -> Page:
    """Parses `html` (never raises on malformed markup: what was read so far counts)."""
    reader = _Reader()
    try:
        reader.feed(html)
        reader.close()
    except (AssertionError, ValueError):
        pass
    reader.finish()
    page = Page(
        reader.events,
        reader.elements,
        _metadata(reader),
        reader.text_chars,
        loose_chars=reader.loose_chars,
        loose_breaks=reader.loose_breaks,
    )
    _find_content(page)
    return page
