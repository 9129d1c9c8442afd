"""Python face of the Rust core: what the store and any caller need from it.

- Tokens: `count_tokens`, `encode`, `estimate_tokens` in one of `ENCODINGS` (`DEFAULT_ENCODING` unless said).
- Handles: `content_hash` (`HASH_HEX_LEN` hex digits), `is_hash`.
- Lines and templates: `line_starts` (the store's line numbering), `template_keys` and `template_lines` (the
  grouping a ``template=`` marker stands for).
- Search terms and ranking: `index_terms`, `query_parts` (the one term splitter) and `rank_chunks` (BM25;
  `RANK_EXACT_CANDIDATES` chunks before frequencies are counted as substrings).
- Structure for query-scoped retrieval: `diff_line_kinds` (each line of a diff as the diff compressor reads it)
  and `listing_extremes` (a listing's size column in the order a superlative asks, as the listing compressor
  reads it).
- JSON structure for the store's chunkers: `json_members` (one container's members) and `json_chunk_breaks`
  (where a document's chunks may start), one pass each however deep it nests.
- Memory: `trim_heap` (hand freed heap pages back after a large, short-lived allocation).

The extension (`rustcore._native`) does the hot loops with the GIL released;
this module holds the policy: defaults, accepted input types and error wording.
The compressors' own faces of the core (line, JSON, code and prose compressors,
content detection and their records) live in the private modules `rustcore._lines`,
`rustcore._json`, `rustcore._code` and `rustcore._prose`, for the `compressors` package.
"""

from __future__ import annotations

from rustcore import _native
from rustcore._json import json_chunk_breaks, json_members
from rustcore._lines import diff_line_kinds, line_starts, listing_extremes, template_keys, template_lines
from rustcore._prose import RANK_EXACT_CANDIDATES, index_terms, query_parts, rank_chunks
from rustcore._text import with_text as _with_text

__all__ = [
    "DEFAULT_ENCODING",
    "ENCODINGS",
    "HASH_HEX_LEN",
    "RANK_EXACT_CANDIDATES",
    "content_hash",
    "count_tokens",
    "diff_line_kinds",
    "encode",
    "estimate_tokens",
    "index_terms",
    "is_hash",
    "json_chunk_breaks",
    "json_members",
    "line_starts",
    "listing_extremes",
    "query_parts",
    "rank_chunks",
    "template_keys",
    "template_lines",
    "trim_heap",
]

ENCODINGS: tuple[str, ...] = tuple(_native.ENCODINGS)
HASH_HEX_LEN: int = _native.HASH_HEX_LEN
DEFAULT_ENCODING = "o200k_base"


def _as_text(text: str | bytes) -> str:
    if isinstance(text, bytes):
        return text.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        raise TypeError(f"expected str or bytes, got {type(text).__name__}")
    return text


def count_tokens(text: str | bytes, encoding: str = DEFAULT_ENCODING) -> int:
    """Exact number of tokens of `text` in `encoding` (no special tokens).

    Bytes are decoded as UTF-8 with invalid sequences replaced, as a model would see them.

    Raises:
        ValueError: `encoding` is not one of `ENCODINGS`.
    """
    return _with_text(lambda t: int(_native.count_tokens(t, encoding)), _as_text(text))


def trim_heap() -> bool:
    """Hand the allocator's free memory back to the system (glibc's ``malloc_trim``): a long-running
    process calls it after work that freed much (a batch of embeddings). False where nothing was returned
    or the allocator cannot."""
    return bool(_native.trim_heap())


def encode(text: str | bytes, encoding: str = DEFAULT_ENCODING) -> list[int]:
    """Token ids of `text` in `encoding` (no special tokens)."""
    return _with_text(lambda t: list(_native.encode(t, encoding)), _as_text(text))


def estimate_tokens(text: str | bytes) -> int:
    """A fast estimate of the `o200k_base` count, for budgets where exactness is not needed."""
    return _with_text(lambda t: int(_native.estimate_tokens(t)), _as_text(text))


def content_hash(data: str | bytes) -> str:
    """The store handle of `data`: `HASH_HEX_LEN` lowercase hex digits of its BLAKE3 digest.

    Text is hashed as its UTF-8 bytes (lone surrogates from `surrogateescape`
    map back to the original bytes), so a `str` and its bytes share a handle.
    """
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogateescape")
    return str(_native.content_hash(bytes(data)))


def is_hash(text: str) -> bool:
    """Whether `text` has the shape of a handle (it may still be unknown to the store)."""
    return bool(_native.is_hash(text))
