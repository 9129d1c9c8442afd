"""Python face of the line compressors and the content detector in the Rust core.

The core decides which lines of a log, search result, diff or unknown text
survive within a token budget and returns the output as pieces; the caller
turns each omission into a marker (it knows the handle). Defaults and input
checks live here.
"""

from __future__ import annotations

from typing import Literal

from rustcore import _native
from rustcore._text import clean, with_text

__all__ = [
    "Piece",
    "compress_bounded",
    "compress_config",
    "compress_diff",
    "compress_fallback",
    "compress_listing",
    "compress_log",
    "compress_search",
    "detect_content",
    "diff_line_kinds",
    "line_starts",
    "listing_extremes",
    "template_keys",
    "template_lines",
]


# Part of a compressed text, made by the core: kept text (`count == 0`, emitted as is) or an
# omission (`text == ""`): `count` `unit`s of the original left out over original lines
# `start`..`end` (1-based, inclusive; both 0 when it names no line range), `bytes` the inclusive
# byte range cut from inside a line, `template` the key of a collapsed template.
Piece = _native.Piece


_Kind = Literal["log", "search", "diff", "listing", "config", "fallback", "bounded"]


def _run(
    kind: _Kind, text: str, query: str | None, budget: int, encoding: str, marker_tokens: int, exact: bool
) -> list[Piece]:
    if budget < 0:
        raise ValueError(f"budget must be at least 0, got {budget}")
    if marker_tokens < 1:
        raise ValueError(f"marker_tokens must be at least 1, got {marker_tokens}")
    q = clean(query or "")
    return with_text(lambda t: _native.compress_lines(kind, t, q, budget, encoding, marker_tokens, exact), text)


def compress_log(
    text: str, *, query: str | None, budget: int, encoding: str, marker_tokens: int, exact: bool = True
) -> list[Piece]:
    """Logs and build/test output: failures, errors, anomalies and query matches kept, repeats collapsed.

    Args:
        budget: ceiling in tokens for the whole output.
        marker_tokens: what one marker line costs in `encoding` (the caller formats markers).
        exact: plan with exact token counts (for a hard budget); False uses the fast estimate.

    Raises:
        ValueError: unknown `encoding`, or a negative budget.
    """
    return _run("log", text, query, budget, encoding, marker_tokens, exact)


def compress_search(
    text: str, *, query: str | None, budget: int, encoding: str, marker_tokens: int, exact: bool = True
) -> list[Piece]:
    """grep/ripgrep results: grouped by file, deduplicated, the matches the query points at first."""
    return _run("search", text, query, budget, encoding, marker_tokens, exact)


def compress_diff(
    text: str, *, query: str | None, budget: int, encoding: str, marker_tokens: int, exact: bool = True
) -> list[Piece]:
    """Unified diffs and `git log -p`: relevant hunks whole, headers kept, noise summarised."""
    return _run("diff", text, query, budget, encoding, marker_tokens, exact)


def compress_listing(
    text: str, *, query: str | None, budget: int, encoding: str, marker_tokens: int, exact: bool = True
) -> list[Piece]:
    """Listings and tables (`tree`, `du`, `find`, `ls -lR`, `npm ls`, `git log --stat`, `ps`, CSV): the header,
    the rows the query names with their parents, the largest values and a sample kept; the rest counted."""
    return _run("listing", text, query, budget, encoding, marker_tokens, exact)


def compress_config(
    text: str, *, query: str | None, budget: int, encoding: str, marker_tokens: int, exact: bool = True
) -> list[Piece]:
    """Configuration (YAML, TOML, INI, `key=value`, Dockerfile, `==> path <==` files): file headers, sections,
    the keys the query names with their parents, then the top-level structure; the rest counted."""
    return _run("config", text, query, budget, encoding, marker_tokens, exact)


def compress_fallback(
    text: str, *, query: str | None, budget: int, encoding: str, marker_tokens: int, exact: bool = True
) -> list[Piece]:
    """Anything else: repeated lines dropped, query matches, the head and the tail kept."""
    return _run("fallback", text, query, budget, encoding, marker_tokens, exact)


def line_starts(text: str, *, chars: bool = True) -> memoryview:
    """Where each line of `text` starts, then ``len(text)``: one more entry than `text` has lines.

    Lines end after each ``\\n`` (a final newline starts no line), as the store numbers them. Offsets
    count characters (what a `str` is sliced by) or, with ``chars=False``, UTF-8 bytes. A read-only
    view of unsigned integers over one buffer (4 bytes an entry; 8 past 4 GiB), never a list of ints.
    """
    buffer, width = with_text(lambda t: _native.line_starts(t, chars), text)
    return memoryview(buffer).cast("I" if width == 4 else "Q")


def compress_bounded(
    text: str, *, query: str | None, budget: int, encoding: str, marker_tokens: int, exact: bool = True
) -> list[Piece]:
    """Inputs of millions of lines: the head, the tail and the query's lines, in memory bounded by what is kept."""
    return _run("bounded", text, query, budget, encoding, marker_tokens, exact)


def detect_content(text: str, hint: str | None = None, *, name_hint: str | None = None) -> tuple[str, str | None]:
    """The content type of `text` (one of the router's types) and, for code, its language.

    `name_hint` (the type a file's name declares) is taken where the content shows some of its
    traits; `hint` (the type the text's producer usually prints) only settles a close call: the
    content shows its traits and no other type's clearly outweigh them. The content decides
    otherwise.
    """
    kind, language = with_text(lambda t: _native.detect_content(t, hint, name_hint), text)
    return str(kind), (str(language) if language else None)


def template_keys(text: str) -> list[str | None]:
    """The key (8 hex digits) of each line's template as the log compressor groups the lines of `text`.

    None for a blank line. Lines that differ only in numbers, ids, addresses, timestamps, paths
    or, among lines of the same shape and kind, a word or two share a key; ANSI escapes and
    surrounding blanks do not count. The grouping is of the whole text: a line alone may group
    differently.
    """
    return [None if key is None else str(key) for key in with_text(_native.template_keys, text)]


def template_lines(text: str, key: str) -> list[int]:
    """The 1-based numbers of the lines of `text` whose template is `key`: what a
    ``template=KEY`` marker stands for, grouped exactly as the compressor grouped them.

    Raises:
        ValueError: `key` is not 8 hex digits.
    """
    if len(key) != 8 or any(c not in "0123456789abcdefABCDEF" for c in key):
        raise ValueError(f"template key {key!r} is not 8 hex digits")
    return list(with_text(lambda t: _native.template_lines(t, int(key, 16)), text))


def diff_line_kinds(text: str) -> bytes:
    """The kind of each line of a diff or `git log` as the diff compressor reads it, one byte a line:
    ``c`` commit, ``a`` commit meta (Author:, Date:), ``m`` message, ``f`` file header (``diff --git``),
    ``i`` file meta (index, ---/+++, mode, rename), ``h`` hunk header, a space context, ``+`` added,
    ``-`` removed, ``\\`` no newline at end of file, ``o`` anything else. Hunk bodies are counted
    from their headers, so a removed ``-- x`` line inside a hunk is a removal."""
    return bytes(with_text(_native.diff_line_kinds, text))


def listing_extremes(text: str, query: str) -> list[tuple[int, float, bool]] | None:
    """For a question asking for the largest or smallest ("which file takes the most space"), the rows of the
    listing's size column (the numeric column spreading widest, as the listing compressor reads it) in the
    order asked: ``(0-based line, value, leaf)``, where a leaf stands for no folder of another row (a
    file beside the folder totals of `du -a`). None when the question asks for no extreme or no
    column holds sizes."""
    found = with_text(lambda t: _native.listing_extremes(t, query), text)
    return None if found is None else [(int(i), float(v), bool(leaf)) for i, v, leaf in found]
