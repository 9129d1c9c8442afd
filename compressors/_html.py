"""HTML: reduced to its text and links (scripts, styles and markup dropped), then treated as prose.

The text keeps the document's shape: headings become ``#`` lines, list items
``-`` lines, table rows ``|``-separated cells, ``<pre>`` keeps its lines, and a
link keeps its target as ``text (url)``. Each text line remembers the line of
the original it came from, so every marker names a range of the original
HTML; one marker at the top accounts for the markup left out.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ccr import LineIndex
from compressors._base import CompressContext, Compressor
from compressors._elision import Elision, render
from compressors._neural import NEURAL_SIGNALS
from compressors._prose import prose_elisions, select_lines

__all__ = ["HtmlCompressor", "html_to_text"]

_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe", "object", "canvas", "math"})
_KEEP_IN_HEAD = frozenset({"title"})
_BLOCK = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "nav", "aside", "main", "ul", "ol", "dl", "dt", "dd",
        "table", "thead", "tbody", "tfoot", "tr", "blockquote", "figure", "figcaption", "form", "fieldset",
        "details", "summary", "address", "caption", "title", "body", "html", "hr", "li", "pre",
        "h1", "h2", "h3", "h4", "h5", "h6",
    }
)  # fmt: skip
_VOID = frozenset(
    {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
)
_SPACE = re.compile(r"[ \t\r\n\f\v]+")


class _TextExtractor(HTMLParser):
    """Collects text lines, each with the 1-based source line where it starts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []
        self._current: list[str] = []
        self._current_line = 1
        self._skip_depth = 0
        self._pre_depth = 0
        self._list_depth = 0
        self._links: list[str | None] = []
        self._in_head = False
        self._in_title = False
        self.text_chars = 0

    # -- output --------------------------------------------------------------------------------

    def _write(self, text: str) -> None:
        if not text:
            return
        if not self._current or not "".join(self._current).strip():
            self._current_line = self.getpos()[0]
        self._current.append(text)
        self.text_chars += len(text)

    def _break(self) -> None:
        if self._current:
            line = "".join(self._current)
            line = line.rstrip() if self._pre_depth else _SPACE.sub(" ", line).strip()
            if line:
                self.lines.append((self._current_line, line))
        self._current = []

    def _fence(self) -> None:
        """A fence line around preformatted text, so the prose pass sees it as one code block."""
        self._break()
        self.lines.append((self.getpos()[0], "```"))

    # -- parser callbacks ----------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self._in_head = True
            return
        if tag in _KEEP_IN_HEAD:
            self._in_title = True
        if tag in _SKIP:
            if tag not in _VOID:
                self._skip_depth += 1
            return
        if self._skip_depth or (self._in_head and not self._in_title):
            return
        if tag in _BLOCK or tag == "br":
            self._break()
        if tag in ("ul", "ol"):
            self._list_depth += 1
        elif tag == "li":
            self._write("  " * max(self._list_depth - 1, 0) + "- ")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._write("#" * int(tag[1]) + " ")
        elif tag == "pre":
            if not self._pre_depth:
                self._fence()
            self._pre_depth += 1
        elif tag in ("td", "th"):
            self._write(" | ")
        elif tag == "a":
            href = dict(attrs).get("href")
            self._links.append(href if href and not href.startswith(("#", "javascript:")) else None)
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self._write(f"[image: {alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
            return
        if tag in _KEEP_IN_HEAD:
            self._break()
            self._in_title = False
            return
        if tag in _SKIP:
            self._skip_depth = max(self._skip_depth - 1, 0)
            return
        if self._skip_depth or (self._in_head and not self._in_title):
            return
        if tag == "a" and self._links:
            href = self._links.pop()
            if href:
                self._write(f" ({href})")
        elif tag in ("ul", "ol"):
            self._list_depth = max(self._list_depth - 1, 0)
        if tag in _BLOCK:
            self._break()
        if tag == "pre":
            self._pre_depth = max(self._pre_depth - 1, 0)
            if not self._pre_depth:
                self._fence()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._skip_depth or (self._in_head and not self._in_title):
            return
        if self._pre_depth:
            pieces = data.split("\n")
            for k, piece in enumerate(pieces):
                if k:
                    self._break()
                    self._current_line = self.getpos()[0] + k
                self._write(piece)
            return
        self._write(data)

    def close(self) -> None:
        super().close()
        self._break()


def html_to_text(html: str) -> tuple[list[str], list[int], int]:
    """The text lines of `html`, the 0-based original line each starts on, and how many characters are text."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):
        # html.parser gives up on a few malformed constructs; what was read so far still counts.
        parser._break()
    lines = [text + "\n" for _, text in parser.lines]
    sources = [max(line - 1, 0) for line, _ in parser.lines]
    # Source lines only move forward; a later line never maps before an earlier one.
    for k in range(1, len(sources)):
        sources[k] = max(sources[k], sources[k - 1])
    return lines, sources, parser.text_chars


class HtmlCompressor(Compressor):
    name = "html"
    description = "HTML reduced to text and links (scripts and styles dropped), then the prose treatment"

    def compress(self, text: str, ctx: CompressContext) -> str:
        original = LineIndex(text)
        if not original.lines:
            return text
        lines, sources, text_chars = html_to_text(text)
        markup = max(len(text) - text_chars, 1)
        # The markup is spread over the whole page: its marker names the page's lines.
        head = ctx.marker(markup, "chars", (1, len(original.lines))) + "\n"
        if not lines:
            return head
        derived = LineIndex("".join(lines))
        budget = None if ctx.budget is None else max(ctx.budget - ctx.tokens(head), 0)
        selection = select_lines(derived, ctx, target=budget, signals=NEURAL_SIGNALS)
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
