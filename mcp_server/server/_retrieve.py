"""Redeeming a marker: `headroom_retrieve`'s and `headroom retrieve`'s one engine.

A reference is what a marker says: a handle, or the marker's own words
(``hash=H lines=A-B``, the whole ``[... omitted: retrieve hash=H ...]``), plus
at most one selector: `lines`, `bytes`, `template` (restricted by `lines`), or a
`query`. Nothing here compresses: the whole original comes back exactly, the
selectors as the store redeems them. A cap keeps the start of what was asked
for and ends with a marker for the rest, so the caller can page on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import rustcore
from ccr import (
    MIN_QUERY_TOKENS,
    LineIndex,
    MalformedHashError,
    MarkerRef,
    RangeError,
    count_lines,
    format_marker,
    parse_line_range,
    parse_marker_ref,
)

if TYPE_CHECKING:
    from ccr import ByteSlice, Excerpt, Store

__all__ = [
    "DEFAULT_MAX_CHARS",
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_QUERY_TOKENS",
    "Retrieved",
    "resolve_ref",
    "retrieve",
    "store_original",
]

DEFAULT_QUERY_TOKENS = 2000
# What a retrieval hands a model at most unless it asks for more: under every client's own cut (Gemini keeps the
# first 8,000 and last 32,000 characters of a result, Claude Code saves one over about 25,000 tokens to a file).
DEFAULT_MAX_TOKENS = 8000
# Characters count too: a ruler of '=' is 40 characters to a token, so 8,000 tokens of it are 320,000 characters.
DEFAULT_MAX_CHARS = 32_000

Mode = Literal["whole", "lines", "bytes", "template", "query"]
_HANDLE = re.compile(r"[0-9a-fA-F]{16}")


@dataclass(frozen=True, slots=True)
class Retrieved:
    """What a retrieval gives back: `text` is the body (the exact original in whole mode unless `truncated` or
    not `exact`), `described` says in words what it is, for the header line."""

    hash: str
    mode: Mode
    text: str
    tokens: int
    truncated: bool
    exact: bool
    total_lines: int
    described: str

    def header(self, extra: str = "") -> str:
        """``[headroom hash=H<extra>: lines 40-159 of 2,000, 1,234 tokens]`` and a newline."""
        cut = ", cut short: the marker at the end names the rest" if self.truncated else ""
        return f"[headroom hash={self.hash}{extra}: {self.described}, {self.tokens:,} tokens{cut}]\n"

    def render(self, extra: str = "") -> str:
        """The header line, then the body."""
        return self.header(extra) + self.text


def resolve_ref(
    handle: str, *, lines: str | None = None, bytes: str | None = None, template: str | None = None
) -> MarkerRef:
    """The handle and selector asked for: `handle` is a handle or a marker's words; the selector may come
    from them or from the arguments (``"A-B"`` strings), once.

    Raises:
        MalformedHashError: no handle in `handle`.
        RangeError: a malformed selector, more than one, a quoted marker, or one given twice differently.
    """
    text = handle.strip()
    if _HANDLE.fullmatch(text):
        ref = MarkerRef(text.lower())
    else:
        try:
            parsed = parse_marker_ref(text)
        except ValueError as exc:
            raise RangeError(str(exc)) from None
        if parsed is None:
            raise MalformedHashError(
                f"{handle[:80]!r} is not a handle: pass the 16 hex digits after hash= in a marker, or the marker "
                "itself (e.g. 'hash=3f2a9c1e0b7d4a55 lines=40-159')",
                hash=handle,
            )
        ref = parsed
    given = MarkerRef(
        ref.hash,
        parse_line_range(lines) if lines else None,
        _byte_range(bytes) if bytes else None,
        template.strip().lower() if template else None,
    )
    for name in ("lines", "bytes", "template"):
        mine, theirs = getattr(ref, name), getattr(given, name)
        if mine is not None and theirs is not None and mine != theirs:
            raise RangeError(f"{name}= is given twice, differently: in the hash argument and on its own")
    merged = MarkerRef(ref.hash, ref.lines or given.lines, ref.bytes or given.bytes, ref.template or given.template)
    if merged.bytes is not None and (merged.lines is not None or merged.template is not None):
        raise RangeError("give one selector: bytes=A-B, lines=A-B or template=T (which lines=A-B may restrict)")
    return merged


def _byte_range(text: str) -> tuple[int, int]:
    start_s, sep, end_s = text.strip().partition("-")
    if not start_s.isdigit() or not sep or not end_s.isdigit() or int(end_s) < int(start_s):
        raise RangeError(f"byte range {text!r} is not of the form A-B (0-based, inclusive, A <= B), e.g. 512-1023")
    return int(start_s), int(end_s)


def retrieve(
    store: Store,
    ref: MarkerRef,
    *,
    query: str | None = None,
    max_tokens: int | None = None,
    default_cap: int | None = DEFAULT_MAX_TOKENS,
) -> Retrieved:
    """The original under `ref.hash`, or what its selector (or `query`) names, within `max_tokens`
    (default `default_cap`, and then also within `DEFAULT_MAX_CHARS`; a query's default is
    `DEFAULT_QUERY_TOKENS`).

    Raises:
        HashError: the handle is malformed, unknown, expired or evicted.
        RangeError: a query together with a selector, or a selector outside the original.
        InputError: a blank query, or a query cap under 64 tokens.
    """
    selected = ref.lines is not None or ref.bytes is not None or ref.template is not None
    if query and query.strip() and selected:
        raise RangeError("give either query or a selector (lines, bytes, template), not both")
    asked = query if query and query.strip() else None
    if max_tokens is not None or default_cap is None:
        return _select(store, ref, asked, max_tokens if max_tokens is not None else default_cap)
    cap = DEFAULT_QUERY_TOKENS if asked else default_cap
    got = _select(store, ref, asked, cap)
    floor = MIN_QUERY_TOKENS if asked else 1
    for _ in range(8):  # each pass cuts the cap by at least a tenth; eight reach any sane text
        if len(got.text) <= DEFAULT_MAX_CHARS or cap <= floor:
            break
        cap = max(floor, min(cap - 1, int(got.tokens * DEFAULT_MAX_CHARS / len(got.text) * 0.9)))
        got = _select(store, ref, asked, cap)
    return got


def _select(store: Store, ref: MarkerRef, query: str | None, cap: int | None) -> Retrieved:
    if query is not None:
        excerpt = store.query(ref.hash, query, max_tokens=cap or DEFAULT_QUERY_TOKENS)
        shown = len(excerpt.line_numbers)
        return _from_excerpt(excerpt, "query", f"{shown:,} of {excerpt.total_lines:,} lines relevant to the query")
    if ref.template is not None:
        excerpt = store.template(ref.hash, ref.template, lines=ref.lines, max_tokens=cap)
        within = f" within lines {ref.lines[0]}-{ref.lines[1]}" if ref.lines else ""
        what = f"{len(excerpt.rows):,} lines of template {ref.template}{within}, of {excerpt.total_lines:,}"
        return _from_excerpt(excerpt, "template", what)
    if ref.lines is not None:
        excerpt = store.lines(ref.hash, *ref.lines, max_tokens=cap)
        numbers = excerpt.line_numbers
        what = f"lines {numbers[0]}-{numbers[-1]} of {excerpt.total_lines:,}" if numbers else "no lines"
        return _from_excerpt(excerpt, "lines", what)
    if ref.bytes is not None:
        return _from_slice(store.byte_range(ref.hash, *ref.bytes, max_tokens=cap), store)
    return _whole(store, ref.hash, cap)


def _from_excerpt(excerpt: Excerpt, mode: Mode, described: str) -> Retrieved:
    return Retrieved(
        excerpt.hash, mode, excerpt.render(), excerpt.tokens, excerpt.truncated, False, excerpt.total_lines, described
    )


def _from_slice(part: ByteSlice, store: Store) -> Retrieved:
    last = part.end if part.data else part.start
    described = f"bytes {part.start}-{last} of {part.size:,}"
    total = store.info(part.hash).lines
    return Retrieved(part.hash, "bytes", part.render(), part.tokens, part.truncated, False, total, described)


def _whole(store: Store, digest: str, cap: int | None) -> Retrieved:
    data = store.get(digest)
    encoding = store.settings.encoding
    try:
        text, exact = data.decode("utf-8"), True
    except UnicodeDecodeError:
        text, exact = data.decode("utf-8", errors="replace"), False
    total = count_lines(data)
    tokens = rustcore.count_tokens(text, encoding)
    if cap is None or tokens <= cap:
        return Retrieved(digest, "whole", text, tokens, False, exact, total, f"the whole original, {total:,} lines")
    note = _paging_note(digest)
    widest = format_marker(max(total, 1), "lines", digest, (max(total, 1), max(total, 1)))
    room = cap - rustcore.count_tokens(f"{widest}\n{note}\n", encoding) - 2
    head, kept = _head_within(LineIndex(text), max(room, 0), encoding)
    marker = format_marker(total - kept, "lines", digest, (kept + 1, total))
    body = f"{head}{'' if not head or head.endswith(chr(10)) else chr(10)}{marker}\n{note}\n"
    described = f"lines 1-{kept} of {total:,}" if kept else f"none of its {total:,} lines fit"
    return Retrieved(digest, "whole", body, rustcore.count_tokens(body, encoding), True, False, total, described)


def _paging_note(digest: str) -> str:
    return (
        f"[the rest is not shown: retrieve hash={digest} with lines=A-B (as in the marker above) to page on, "
        "or with query='...' for only the lines that matter to a question]"
    )


def _head_within(lines: LineIndex, budget: int, encoding: str) -> tuple[str, int]:
    """The longest run of whole leading lines within `budget` tokens, and how many lines it has."""
    lo, hi = 0, len(lines) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if rustcore.count_tokens(lines.span(0, mid), encoding) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return lines.span(0, lo), lo


def store_original(store: Store, data: bytes, content_type: str, source: str) -> tuple[str, int]:
    """Keep `data` in the store; its handle and its token count."""
    tokens = rustcore.count_tokens(data.decode("utf-8", errors="replace"), store.settings.encoding)
    return store.put(data, content_type=content_type, source=source, tokens=tokens), tokens
