"""Compress-cache-retrieve: the store of originals, markers, settings and the exception tree.

The names below are imported on first use (PEP 562): `headroom exec` and the hooks import `ccr._store` alone, and an
eager import of every module here (the embedder, the search index, access tokens) cost them tens of milliseconds.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ccr._access import access_token, stored_token, token_path
    from ccr._chunks import Chunk, chunk_text
    from ccr._config import Settings
    from ccr._embeddings import Embedder, EmbedderConfig, EmbedderStatus, default_embedder
    from ccr._exceptions import (
        AccessError,
        BinaryInputError,
        CompressorError,
        CorruptedHashError,
        EmbeddingError,
        EmptyInputError,
        EvictedHashError,
        ExpiredHashError,
        HashCollisionError,
        HashError,
        HeadroomError,
        InputError,
        InputTooLargeError,
        MalformedHashError,
        PathNotAllowedError,
        RangeError,
        RunDisabledError,
        StoreCorruptError,
        StoreError,
        UnknownCompressorError,
        UnknownHashError,
    )
    from ccr._excerpt import MIN_QUERY_TOKENS, ByteSlice, Excerpt
    from ccr._indexer import BackgroundIndexer, IndexerStats
    from ccr._lines import LineIndex, count_lines, parse_line_range, split_lines
    from ccr._markers import (
        MARKER_PATTERN,
        Marker,
        MarkerRef,
        escape_foreign_markers,
        find_markers,
        format_marker,
        parse_marker_ref,
    )
    from ccr._search import SearchHit, SearchResult
    from ccr._semantic import SemanticIndex
    from ccr._stats import CompressorStats, Event, StatsSummary
    from ccr._store import EntryInfo, Store, SweepResult

__all__ = [
    "MARKER_PATTERN",
    "MIN_QUERY_TOKENS",
    "AccessError",
    "BackgroundIndexer",
    "BinaryInputError",
    "ByteSlice",
    "Chunk",
    "CompressorError",
    "CompressorStats",
    "CorruptedHashError",
    "Embedder",
    "EmbedderConfig",
    "EmbedderStatus",
    "EmbeddingError",
    "EmptyInputError",
    "EntryInfo",
    "Event",
    "EvictedHashError",
    "Excerpt",
    "ExpiredHashError",
    "HashCollisionError",
    "HashError",
    "HeadroomError",
    "IndexerStats",
    "InputError",
    "InputTooLargeError",
    "LineIndex",
    "MalformedHashError",
    "Marker",
    "MarkerRef",
    "PathNotAllowedError",
    "RangeError",
    "RunDisabledError",
    "SearchHit",
    "SearchResult",
    "SemanticIndex",
    "Settings",
    "StatsSummary",
    "Store",
    "StoreCorruptError",
    "StoreError",
    "SweepResult",
    "UnknownCompressorError",
    "UnknownHashError",
    "access_token",
    "chunk_text",
    "count_lines",
    "default_embedder",
    "escape_foreign_markers",
    "find_markers",
    "format_marker",
    "parse_line_range",
    "parse_marker_ref",
    "split_lines",
    "stored_token",
    "token_path",
]

# Each public name, and the module that defines it.
_HOMES = {
    "access_token": "ccr._access",
    "stored_token": "ccr._access",
    "token_path": "ccr._access",
    "Chunk": "ccr._chunks",
    "chunk_text": "ccr._chunks",
    "Settings": "ccr._config",
    "Embedder": "ccr._embeddings",
    "EmbedderConfig": "ccr._embeddings",
    "EmbedderStatus": "ccr._embeddings",
    "default_embedder": "ccr._embeddings",
    "AccessError": "ccr._exceptions",
    "BinaryInputError": "ccr._exceptions",
    "CompressorError": "ccr._exceptions",
    "CorruptedHashError": "ccr._exceptions",
    "EmbeddingError": "ccr._exceptions",
    "EmptyInputError": "ccr._exceptions",
    "EvictedHashError": "ccr._exceptions",
    "ExpiredHashError": "ccr._exceptions",
    "HashCollisionError": "ccr._exceptions",
    "HashError": "ccr._exceptions",
    "HeadroomError": "ccr._exceptions",
    "InputError": "ccr._exceptions",
    "InputTooLargeError": "ccr._exceptions",
    "MalformedHashError": "ccr._exceptions",
    "PathNotAllowedError": "ccr._exceptions",
    "RangeError": "ccr._exceptions",
    "RunDisabledError": "ccr._exceptions",
    "StoreCorruptError": "ccr._exceptions",
    "StoreError": "ccr._exceptions",
    "UnknownCompressorError": "ccr._exceptions",
    "UnknownHashError": "ccr._exceptions",
    "ByteSlice": "ccr._excerpt",
    "Excerpt": "ccr._excerpt",
    "MIN_QUERY_TOKENS": "ccr._excerpt",
    "BackgroundIndexer": "ccr._indexer",
    "IndexerStats": "ccr._indexer",
    "LineIndex": "ccr._lines",
    "count_lines": "ccr._lines",
    "parse_line_range": "ccr._lines",
    "split_lines": "ccr._lines",
    "MARKER_PATTERN": "ccr._markers",
    "Marker": "ccr._markers",
    "MarkerRef": "ccr._markers",
    "escape_foreign_markers": "ccr._markers",
    "find_markers": "ccr._markers",
    "format_marker": "ccr._markers",
    "parse_marker_ref": "ccr._markers",
    "SearchHit": "ccr._search",
    "SearchResult": "ccr._search",
    "SemanticIndex": "ccr._semantic",
    "CompressorStats": "ccr._stats",
    "Event": "ccr._stats",
    "StatsSummary": "ccr._stats",
    "EntryInfo": "ccr._store",
    "Store": "ccr._store",
    "SweepResult": "ccr._store",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'ccr' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
