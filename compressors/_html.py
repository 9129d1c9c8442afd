"""HTML: the page's metadata and main content as text and links, then treated as prose.

A page is read once (`compressors._html_page`): its title, author, date and description head
the output as labelled lines, always kept; its main content (found by text and link density, as
reader views find it) becomes text that keeps the document's shape: headings become ``#`` lines,
list items ``-`` lines, table rows ``|``-separated cells, ``<pre>`` keeps its lines, and a link
keeps its target as ``text (url)`` (but in a heading, where links are anchors). Navigation,
sidebars, footers and scripts go; a line of them stays only when it matches the question closely
(a phrase of it, or two of its terms) and at least half as well as the best line does. Each text
line remembers the line of the original it came from, so every marker names a range of the
original HTML; one marker at the top accounts for the markup and the text left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import rustcore
from ccr import LineIndex
from ccr._intents import quoted_headings
from compressors._base import CompressContext, Compressor
from compressors._elision import Elision, render
from compressors._html_page import BLOCK, SKIP, TEXT, VOID, Metadata, Page, read_page
from compressors._neural import NEURAL_SIGNALS
from compressors._prose import prose_elisions, select_lines

__all__ = ["HtmlCompressor", "html_to_text"]

_SPACE = re.compile(r"[ \t\r\n\f\v]+")
# A line outside the main content stays when it scores at least this share of the best line's match.
_OUTSIDE_MATCH = 0.5
_FENCE = re.compile(r"(?m)^ {0,3}(```|~~~)")
# Names as a question writes them, dotted or with `::` (``smtpd.SMTPChannel.__init__``, ``slice::from_raw_parts``).
_QUALIFIED = re.compile(r"[A-Za-z_$][\w$]*(?:(?:\.|::)[A-Za-z_$][\w$]*)*")
_INNER_CAPITAL = re.compile(r"[a-z0-9][A-Z]")
_SIGNATURE_WORDS = frozenset(
    {
        "parameters",
        "parameter",
        "arguments",
        "argument",
        "signature",
        "signatures",
        "defined",
        "definition",
        "declared",
        "declaration",
        "takes",
        "accepts",
        "returns",
        "what",
        "which",
        "where",
        "how",
        "does",
        "do",
        "the",
        "are",
        "is",
        "of",
        "in",
        "for",
        "and",
        "module",
        "modules",
        "function",
        "method",
        "class",
        "documentation",
        "docs",
        "page",
    }
)
_ASKS_SIGNATURE = re.compile(
    r"\b(?:parameters?|arguments?|signatures?|defined|definition|declared|declaration|takes|accepts)\b", re.I
)
# What may stand before a defined name on its line: list, table and heading marks, lowercase keywords
# (`pub`, `async def`, `static`), qualifiers (`smtpd.`, `Vec::`), a return type or a receiver in brackets.
_SIGNATURE_PREFIX = r"^[\s|#>*-]*(?:(?:[a-z][\w]*\s+|[\w$]+(?:\.|::)|&|\*|\[[^\]]*\]\s*|\([^)]*\)\s*))*?"
_KEYWORD_BEFORE = re.compile(r"(?:^|\s)[a-z]+\s+\S*$")
_CLASS_LINE = re.compile(
    r"^[\s|#>*-]*(?:[a-z]+\s+)*?(?:class|struct|enum|trait|interface|impl|type)\s+(?:[\w$]+\.)*([\w$]+)"
)
# A definition line is short; a paragraph that mentions a call is not one.
_SIGNATURE_CHARS = 400
# What of a section whose heading the question quotes is kept whatever the prose budget: its first blocks.
_OPENING_BLOCKS = 3
_OPENING_CHARS = 1200
_SIGNATURES = 3
# The page's own lines shown beside the text for what the question asks about: a definition with the line
# after it, a quoted heading with the opening of its section. A line longer than this (minified markup) is
# not worth its cost: the text already holds its words.
_SOURCE_LINE_CHARS = 400
_SOURCE_LINES_DEFINITION = 4
_SOURCE_LINES_SECTION = 16
_SOURCE_SPANS = 3
_SOURCE_CHARS = 1200


class _Text:
    """Text lines from a page's events, each with the 1-based source line where it starts and whether
    it came from the main content."""

    def __init__(self) -> None:
        self.lines: list[tuple[int, str, bool]] = []
        self._current: list[str] = []
        self._current_line = 1
        self._current_content = True
        self._skip_depth = 0
        self._pre_depth = 0
        self._list_depth = 0
        self._heading_depth = 0
        self._links: list[str | None] = []
        self.text_chars = 0

    def _write(self, text: str, line: int, content: bool) -> None:
        if not text:
            return
        if not self._current or not "".join(self._current).strip():
            # Text after a break often opens with the rest of the tag's line: it starts where its words do.
            stripped = text.lstrip()
            self._current_line = line + (text[: len(text) - len(stripped)].count("\n") if stripped else 0)
            self._current_content = content
        self._current.append(text)
        self.text_chars += len(text)

    def _break(self) -> None:
        if self._current:
            text = "".join(self._current)
            text = text.rstrip() if self._pre_depth else _SPACE.sub(" ", text).strip()
            if text:
                self.lines.append((self._current_line, text, self._current_content))
        self._current = []

    def _fence(self, line: int, content: bool) -> None:
        """A fence line around preformatted text, so the prose pass sees it as one code block."""
        self._break()
        self.lines.append((line, "```", content))

    def start(self, tag: str, attrs: list[tuple[str, str | None]], line: int, content: bool) -> None:
        if tag in SKIP:
            if tag not in VOID:
                self._skip_depth += 1
            return
        if self._skip_depth:
            return
        if tag in BLOCK or tag == "br":
            self._break()
        if tag in ("ul", "ol"):
            self._list_depth += 1
        elif tag == "li":
            self._write("  " * max(self._list_depth - 1, 0) + "- ", line, content)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading_depth += 1
            self._write("#" * int(tag[1]) + " ", line, content)
        elif tag == "pre":
            if not self._pre_depth:
                self._fence(line, content)
            self._pre_depth += 1
        elif tag in ("td", "th"):
            self._write(" | ", line, content)
        elif tag == "a":
            href = dict(attrs).get("href")
            self._links.append(href if href and not href.startswith(("#", "javascript:")) else None)
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self._write(f"[image: {alt}]", line, content)

    def end(self, tag: str, line: int, content: bool) -> None:
        if tag in SKIP:
            self._skip_depth = max(self._skip_depth - 1, 0)
            return
        if self._skip_depth:
            return
        if tag == "a" and self._links:
            href = self._links.pop()
            # A heading's links are anchors and cross-references: their targets would only split its words.
            if href and not self._heading_depth:
                self._write(f" ({href})", line, content)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading_depth = max(self._heading_depth - 1, 0)
        elif tag in ("ul", "ol"):
            self._list_depth = max(self._list_depth - 1, 0)
        if tag in BLOCK:
            self._break()
        if tag == "pre":
            self._pre_depth = max(self._pre_depth - 1, 0)
            if not self._pre_depth:
                self._fence(line, content)

    def data(self, text: str, line: int, content: bool) -> None:
        if self._skip_depth:
            return
        if self._pre_depth:
            for k, piece in enumerate(text.split("\n")):
                if k:
                    self._break()
                    self._current_line = line + k
                self._write(piece, line + k, content)
            return
        self._write(text, line, content)


def _page_text(page: Page) -> _Text:
    """Every text line of the page's body, each marked with whether it is main content."""
    out = _Text()
    content = page.content()
    for kind, value, attrs, line, element in page.events:
        inside = content[element] if element >= 0 else not page.article
        if kind == TEXT:
            out.data(value, line, inside)
        elif kind == 0:
            out.start(value, attrs, line, inside)
        else:
            out.end(value, line, inside)
    out._break()
    return out


def html_to_text(html: str) -> tuple[list[str], list[int], int]:
    """The text lines of `html` (all of them: no main-content choice), the 0-based original line each
    starts on, and how many characters are text."""
    text = _page_text(_whole(read_page(html)))
    return (*_with_sources([(line, t) for line, t, _ in text.lines]), text.text_chars)


def _whole(page: Page) -> Page:
    page.article = set()
    return page


def _kind(text: str) -> str:
    body = text.lstrip()
    return "item" if body.startswith("- ") else "row" if text.startswith(" | ") else "text"


def _with_sources(lines: list[tuple[int, str]], *, spaced: bool = False) -> tuple[list[str], list[int]]:
    """Text lines with a newline each, and the 0-based original line of each. `spaced`: a blank line
    between blocks (not within a list, a table or preformatted text), so the prose pass reads each
    block as a paragraph of its own rather than a page of run-on lines."""
    if spaced:
        spread: list[tuple[int, str]] = []
        in_pre = False
        for k, (line, text) in enumerate(lines):
            fence = text == "```"
            if k and not in_pre and not fence:
                before = lines[k - 1][1]
                if before != "```" and (_kind(before) == "text" or _kind(before) != _kind(text)):
                    spread.append((line, ""))
            if fence:
                in_pre = not in_pre
            spread.append((line, text))
        lines = spread
    out = [text + "\n" for _, text in lines]
    sources = [max(line - 1, 0) for line, _ in lines]
    # Source lines only move forward; a later line never maps before an earlier one.
    for k in range(1, len(sources)):
        sources[k] = max(sources[k], sources[k - 1])
    return out, sources


def metadata_lines(meta: Metadata) -> list[str]:
    """The labelled lines that head the output: what the page says it is, by whom, when, about what."""
    out = []
    for label, value in (
        ("Title", meta.title),
        ("Headline", meta.alt_title),
        ("Site", meta.site if meta.site and meta.site not in meta.title else ""),
        ("By", meta.author),
        ("Published", meta.published),
        ("Summary", meta.description),
    ):
        if value:
            out.append(f"{label}: {value}\n")
    return out


def _chosen_lines(text: _Text, query: str | None) -> list[tuple[int, str]]:
    """The main content's lines, and lines outside it that match `query` closely: a phrase of it, or
    two of its terms, scoring at least half as well as the best line."""
    lines = text.lines
    if all(content for _, _, content in lines) or not query:
        return [(line, t) for line, t, content in lines if content]
    scores = rustcore.rank_chunks([t for _, t, _ in lines], query)
    best = max(scores, default=0.0)
    terms, phrases = rustcore.query_parts(query)
    wanted = set(terms)

    def close(t: str) -> bool:
        low = t.lower()
        return any(p in low for p in phrases) or len(wanted.intersection(rustcore.index_terms(t))) >= 2

    return [
        (line, t)
        for (line, t, content), score in zip(lines, scores, strict=True)
        if content or (best > 0 and score >= _OUTSIDE_MATCH * best and close(t))
    ]


def _asked_names(query: str) -> list[tuple[str, tuple[str, ...]]]:
    """The names `query` gives exactly (``SMTPChannel.__init__``, ``base64.b64decode``, ``tun_filter``,
    ``getUserName``), each as its last part and the parts before it (what it belongs to)."""
    out: dict[str, tuple[str, ...]] = {}
    asks_signature = bool(_ASKS_SIGNATURE.search(query))
    for match in _QUALIFIED.finditer(query):
        parts = [p for p in re.split(r"\.|::", match.group()) if p]
        if not parts or not any(c.isalpha() for c in parts[-1]):
            continue
        name = parts[-1]
        typed = len(parts) > 1 or "_" in name or _INNER_CAPITAL.search(name)
        # A question about parameters or a signature names a function even in a plain word (`b64decode`).
        if typed or (asks_signature and len(name) >= 3 and name.lower() not in _SIGNATURE_WORDS):
            out.setdefault(name, tuple(parts[:-1]))
    return list(out.items())


def signature_lines(lines: Sequence[str], query: str) -> list[int]:
    """Indexes of the text lines that define a name the query gives, with the class lines of the owners the
    query names (see `definitions`)."""
    return sorted({k for pair in definitions(lines, query) for k in pair if k is not None})


def definitions(lines: Sequence[str], query: str) -> list[tuple[int, int | None]]:
    """The text lines that define a name the query gives, as API pages print them: the name
    (after keywords and qualifiers only: ``def``, ``pub const fn``, ``class smtpd.``) then its parameters
    (``__init__(self, server, ...)``, ``fn from_raw_parts<'a, T>(data: ...)``). Where the query names what the
    name belongs to (``SMTPChannel.__init__``), the definitions on its line or under its ``class`` line are
    preferred; each kept definition brings that class line along. A line whose name follows a qualifier only
    (``slice::from_raw_parts(ptr, len)``) counts only where no better one is found. At most `_SIGNATURES`
    per name. Each is its index and that of the owner's line (None without one)."""
    keep: list[tuple[int, int | None]] = []
    for name, owners in _asked_names(query):
        pattern = re.compile("(" + _SIGNATURE_PREFIX + ")" + re.escape(name) + r"\s*(?:<[^()]*>)?\s*\(")
        tiers: list[list[tuple[int, int | None]]] = [[], [], [], []]
        for k, line in enumerate(lines):
            m = pattern.match(line) if len(line) <= _SIGNATURE_CHARS else None
            if m is None:
                continue
            # A keyword before the name, or nothing but marks, is how a definition reads; a qualifier
            # alone (`slice::from_raw_parts(ptr, len)`) is as often a call.
            prefix = m.group(1)
            defining = _KEYWORD_BEFORE.search(prefix) is not None or not re.search(r"[.:]", prefix)
            at = _owner_line(lines, k, owners) if owners else None
            tiers[(0 if at is not None else 1) if defining else (2 if at is not None else 3)].append((k, at))
        chosen = next((t for t in tiers if t), [])
        keep += chosen[:_SIGNATURES]
    return keep


def described(lines: Sequence[str], query: str) -> list[int]:
    """Indexes of the first text line under each definition the query names (what it does, as API pages put
    it under the signature), unless that line is a heading or another definition."""
    defined = {k for k, _ in definitions(lines, query)}
    out = []
    for k in sorted(defined):
        after = next((j for j in range(k + 1, len(lines)) if lines[j].strip()), None)
        if after is not None and after not in defined and not lines[after].startswith("#"):
            out.append(after)
    return out


def section_opening(lines: Sequence[str], query: str) -> list[int]:
    """Indexes of the text lines that open each section whose heading the query quotes (``under “§Safety”``):
    its first blocks, up to `_OPENING_BLOCKS` of them or `_OPENING_CHARS` characters, before the next heading."""
    keep: list[int] = []
    for h in quoted_headings(lines, query):
        blocks = chars = 0
        for k in range(h + 1, len(lines)):
            line = lines[k]
            if line.startswith("#"):
                break
            if not line.strip():
                blocks += 1
                if blocks > _OPENING_BLOCKS or chars >= _OPENING_CHARS:
                    break
                continue
            keep.append(k)
            chars += len(line)
            if chars >= 2 * _OPENING_CHARS:
                break
    return keep


def source_spans(lines: Sequence[str], sources: Sequence[int], query: str) -> list[tuple[int, int]]:
    """0-based inclusive ranges of the original page's lines to show as written, beside the text lines
    (`lines`, each starting on original line `sources[k]`): each definition the query names from its line to
    the line where the next text starts (a doc entry's signature and the first line of its description), each
    section whose heading the query quotes from the heading to the end of its opening blocks. Overlapping
    ranges merge; at most `_SOURCE_SPANS`, each cut before a line over `_SOURCE_LINE_CHARS` characters by the
    caller."""
    if not lines:
        return []

    def next_text(k: int) -> int | None:
        return next((j for j in range(k + 1, len(lines)) if lines[j].strip()), None)

    spans: list[tuple[int, int]] = []
    for k in sorted({k for k, _ in definitions(lines, query)}):
        after = next_text(k)
        end = sources[after] if after is not None else sources[k]
        spans.append((sources[k], min(end, sources[k] + _SOURCE_LINES_DEFINITION - 1)))
    opening = section_opening(lines, query)
    for h in quoted_headings(lines, query):
        stop = next((g for g in range(h + 1, len(lines)) if lines[g].startswith("#")), len(lines))
        last = max((k for k in opening if h < k < stop), default=h)
        after = next_text(last)
        end = sources[after] - 1 if after is not None and sources[after] > sources[last] else sources[last]
        spans.append((sources[h], min(end, sources[h] + _SOURCE_LINES_SECTION - 1)))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged[:_SOURCE_SPANS]


def source_lines(original: LineIndex, spans: Sequence[tuple[int, int]], shown: str) -> str:
    """The original lines of `spans`, as written (markup included), under a line saying which they are; a span
    is cut before its first line over `_SOURCE_LINE_CHARS` characters or past `_SOURCE_CHARS` characters, and
    left out when every line of it already reads the same in `shown`."""
    out = []
    for start, end in spans:
        rows: list[str] = []
        chars = 0
        for n in range(start, end + 1):
            row = original[n]
            if len(row) > _SOURCE_LINE_CHARS or (rows and chars + len(row) > _SOURCE_CHARS):
                break
            rows.append(row)
            chars += len(row)
        while rows and not rows[-1].strip():
            rows.pop()
        if not rows or all(row.strip() in shown for row in rows):
            continue
        last = start + len(rows)
        where = f"line {start + 1}" if last == start + 1 else f"lines {start + 1}-{last}"
        out.append(f"Page source, {where}:\n" + "".join(row + "\n" for row in rows))
    return "".join(out)


def _owner_line(lines: Sequence[str], k: int, owners: tuple[str, ...]) -> int | None:
    """`k` when its line names one of `owners`, else the nearest ``class X`` line above it when X is one of them."""
    wanted = {o.lower() for o in owners}
    if any(re.search(rf"\b{re.escape(o)}\b", lines[k], re.IGNORECASE) for o in owners):
        return k
    for j in range(k - 1, -1, -1):
        m = _CLASS_LINE.match(lines[j])
        if m:
            return j if m.group(1).lower() in wanted else None
    return None


def _text_with_tags(page: Page) -> bool:
    """Whether `page` is text that holds a few tags (a Markdown README with badges and images, a note
    with ``<br>``) rather than a page: most of its text lies outside every block element and keeps
    paragraphs of its own, which reading it as HTML would run together into one line."""
    return page.loose_chars * 2 > page.text_chars and page.loose_breaks >= 2


def _as_text(text: str, ctx: CompressContext) -> str:
    from compressors._registry import get_compressor

    # Fenced blocks amid the text: the mixed compressor gives them the code treatment.
    name = "mixed" if len(_FENCE.findall(text)) >= 2 else "prose"
    return get_compressor(name).compress(text, replace(ctx, content_type="markdown", language=None))


class HtmlCompressor(Compressor):
    name = "html"
    description = "HTML reduced to its metadata and main content as text and links, then the prose treatment"

    def compress(self, text: str, ctx: CompressContext) -> str:
        original = LineIndex(text)
        if not original.lines:
            return text
        page = read_page(text)
        if _text_with_tags(page):
            return _as_text(text, ctx)
        header = metadata_lines(page.metadata)
        lines, sources = _with_sources(_chosen_lines(_page_text(page), ctx.query), spaced=True)
        shown = sum(len(line) for line in header) + sum(len(line) for line in lines)
        # What is not shown is spread over the whole page: its marker names the page's lines.
        head = ctx.marker(max(len(text) - shown, 1), "chars", (1, len(original.lines))) + "\n" + "".join(header)
        if not lines:
            return head
        derived = LineIndex("".join(lines))
        plain = [line.rstrip("\n") for line in lines]
        # What the question asks about, as the page writes it: the text alone loses the markup an answer may quote.
        if ctx.query:
            head += source_lines(original, source_spans(plain, sources, ctx.query), derived.text)
        budget = None if ctx.budget is None else max(ctx.budget - ctx.tokens(head), 0)
        selection = select_lines(derived, ctx, target=budget, signals=NEURAL_SIGNALS)
        if ctx.query:
            for k in (*signature_lines(plain, ctx.query), *section_opening(plain, ctx.query)):
                selection.kept[k] = True
            for k in described(plain, ctx.query):
                selection.kept[k] = True
        last_original = len(original.lines) - 1
        elisions = []
        for el in prose_elisions(derived, selection, ctx):
            start = sources[el.first]
            end = sources[el.last + 1] - 1 if el.last + 1 < len(sources) else last_original
            elisions.append(Elision(el.first, el.last, shown=el.shown, source=(start, max(start, end))))
        body = render(derived, elisions, ctx, sources=sources).text
        out = head + body
        if ctx.budget is not None and ctx.tokens(out) > ctx.budget:
            from compressors._fit import fit_budget

            out = fit_budget(text, ctx.budget, ctx, out)
        return out
