"""Compress-cache-retrieve: the store of originals, markers, settings and the exception tree.

The names below are imported on first use (PEP 562, `ccr._lazy`): `headroom exec` and the hooks import
`ccr._store` alone, and an eager import of every module here (the embedder, the search index, access tokens)
cost them tens of milliseconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccr._lazy import lazy_exports

if TYPE_CHECKING:
    from ccr._access import access_token as access_token
    from ccr._access import stored_token as stored_token
    from ccr._access import token_path as token_path
    from ccr._chunks import Chunk as Chunk
    from ccr._chunks import chunk_text as chunk_text
    from ccr._config import Settings as Settings
    from ccr._embeddings import Embedder as Embedder
    from ccr._embeddings import EmbedderConfig as EmbedderConfig
    from ccr._embeddings import EmbedderStatus as EmbedderStatus
    from ccr._embeddings import default_embedder as default_embedder
    from ccr._exceptions import AccessError as AccessError
    from ccr._exceptions import BinaryInputError as BinaryInputError
    from ccr._exceptions import CompressorError as CompressorError
    from ccr._exceptions import CorruptedHashError as CorruptedHashError
    from ccr._exceptions import EmbeddingError as EmbeddingError
    from ccr._exceptions import EmptyInputError as EmptyInputError
    from ccr._exceptions import EvictedHashError as EvictedHashError
    from ccr._exceptions import ExpiredHashError as ExpiredHashError
    from ccr._exceptions import HashCollisionError as HashCollisionError
    from ccr._exceptions import HashError as HashError
    from ccr._exceptions import HeadroomError as HeadroomError
    from ccr._exceptions import InputError as InputError
    from ccr._exceptions import InputTooLargeError as InputTooLargeError
    from ccr._exceptions import MalformedHashError as MalformedHashError
    from ccr._exceptions import PathNotAllowedError as PathNotAllowedError
    from ccr._exceptions import RangeError as RangeError
    from ccr._exceptions import RunDisabledError as RunDisabledError
    from ccr._exceptions import StoreCorruptError as StoreCorruptError
    from ccr._exceptions import StoreError as StoreError
    from ccr._exceptions import UnknownCompressorError as UnknownCompressorError
    from ccr._exceptions import UnknownHashError as UnknownHashError
    from ccr._excerpt import MIN_QUERY_TOKENS as MIN_QUERY_TOKENS
    from ccr._excerpt import ByteSlice as ByteSlice
    from ccr._excerpt import Excerpt as Excerpt
    from ccr._indexer import BackgroundIndexer as BackgroundIndexer
    from ccr._indexer import IndexerStats as IndexerStats
    from ccr._lines import LineIndex as LineIndex
    from ccr._lines import count_lines as count_lines
    from ccr._lines import parse_line_range as parse_line_range
    from ccr._lines import split_lines as split_lines
    from ccr._markers import MARKER_PATTERN as MARKER_PATTERN
    from ccr._markers import Marker as Marker
    from ccr._markers import MarkerRef as MarkerRef
    from ccr._markers import escape_foreign_markers as escape_foreign_markers
    from ccr._markers import find_markers as find_markers
    from ccr._markers import format_marker as format_marker
    from ccr._markers import parse_marker_ref as parse_marker_ref
    from ccr._search import SearchHit as SearchHit
    from ccr._search import SearchResult as SearchResult
    from ccr._semantic import SemanticIndex as SemanticIndex
    from ccr._stats import CompressorStats as CompressorStats
    from ccr._stats import Event as Event
    from ccr._stats import StatsSummary as StatsSummary
    from ccr._store import EntryInfo as EntryInfo
    from ccr._store import Store as Store
    from ccr._store import SweepResult as SweepResult

__getattr__, __dir__ = lazy_exports(__name__)
