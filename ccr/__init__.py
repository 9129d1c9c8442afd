"""Compress-cache-retrieve: the store of originals, markers, settings and the exception tree."""

from ccr._chunks import Chunk, chunk_text
from ccr._config import Settings
from ccr._embeddings import Embedder, EmbedderConfig, EmbedderStatus, default_embedder
from ccr._exceptions import (
    AccessError,
    BinaryInputError,
    BundleError,
    ClientConfigError,
    CompressorError,
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
    PeerRunError,
    RangeError,
    RunDisabledError,
    StoreCorruptError,
    StoreError,
    UnknownCompressorError,
    UnknownHashError,
)
from ccr._excerpt import Excerpt
from ccr._lines import count_lines, parse_line_range, split_lines
from ccr._markers import MARKER_PATTERN, Marker, find_markers, format_marker
from ccr._search import SearchHit, SearchResult
from ccr._semantic import SemanticIndex
from ccr._stats import CompressorStats, Event, StatsSummary
from ccr._store import EntryInfo, Store, SweepResult
from ccr._vectors import BackgroundIndexer, IndexerStats, VectorHit, VectorIndex, index_path

__all__ = [
    "MARKER_PATTERN",
    "AccessError",
    "BackgroundIndexer",
    "BinaryInputError",
    "BundleError",
    "Chunk",
    "ClientConfigError",
    "CompressorError",
    "CompressorStats",
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
    "MalformedHashError",
    "Marker",
    "PathNotAllowedError",
    "PeerRunError",
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
    "VectorHit",
    "VectorIndex",
    "chunk_text",
    "count_lines",
    "default_embedder",
    "find_markers",
    "format_marker",
    "index_path",
    "parse_line_range",
    "split_lines",
]
