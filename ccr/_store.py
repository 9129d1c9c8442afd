"""`Store`: the store of originals every marker points into.

Originals are kept byte-exact under their handle (`rustcore.content_hash`),
with a sliding TTL (every access restarts it) and a total size cap enforced by
evicting the least recently used. What leaves the store leaves a tombstone, so
a stale handle gets an error that says when and why it went and what to do,
rather than "unknown". The rows live in a `ccr._backend.Backend`: a SQLite file
by default (several processes may share it, see `ccr._database`), or a team's
PostgreSQL database (`HEADROOM_STORE_URL`, see `ccr._pg_backend`). This module
is the policy both share. Thread-safe.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import rustcore
from ccr._access import ensure_private_dir
from ccr._backend import Backend, NewOriginal, open_backend
from ccr._config import Settings
from ccr._exceptions import (
    HashError,
    InputError,
    InputTooLargeError,
    RangeError,
    StoreError,
)
from ccr._excerpt import (
    MIN_QUERY_TOKENS,
    ByteSlice,
    Excerpt,
    byte_slice,
    query_excerpt,
    range_excerpt,
    template_excerpt,
)
from ccr._handles import as_bytes, check_hash, missing_error
from ccr._lines import LineIndex, count_lines
from ccr._markers import TEMPLATE_KEY_LEN
from ccr._numbered import template_lines as numbered_template_lines
from ccr._stats import Event, StatsSummary

if TYPE_CHECKING:
    from ccr._search import SearchResult, SemanticSource

__all__ = ["MIN_QUERY_TOKENS", "EntryInfo", "Store", "SweepResult"]

_log = logging.getLogger(__name__)

# Sweeping (expiry, tombstone pruning, freeing pages) runs at most this often on its own.
SWEEP_EVERY_S = 300.0
# Tombstones are a few dozen bytes each; past this many the oldest go (their handles then read as unknown).
MAX_TOMBSTONES = 200_000
# Decoded originals kept for repeated line and query calls on the same handle.
_TEXT_CACHE_BYTES = 64 * 1024**2
_TEXT_CACHE_ENTRIES = 8


@dataclass(frozen=True, slots=True)
class EntryInfo:
    """What the store knows about one original (times are Unix seconds)."""

    hash: str
    size: int
    tokens: int
    lines: int
    content_type: str
    source: str
    created_at: float
    last_access: float
    expires_at: float


@dataclass(frozen=True, slots=True)
class SweepResult:
    expired: int
    evicted: int
    freed_bytes: int


class Store:
    """The originals of compressed output, with retrieval and stats, in a SQLite file or a team's PostgreSQL.

    Args:
        settings: where the store lives (`Settings.store_url` naming a PostgreSQL database or a SQLite file,
            else `Settings.db_path`), the TTL, the size cap and the token encoding; default `Settings.from_env()`.
        path: use this SQLite file instead of what `settings` names.
        clock: Unix time now; tests pass a fake one to move through TTLs without sleeping.

    Raises:
        StoreCorruptError: the file was not a readable database; it has been moved aside (see the
            message and ``.moved_to``) and opening the store again starts an empty one.
        StoreError: the file or its directory cannot be created or opened, the database cannot be reached,
            or the URL names no supported database.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        path: str | os.PathLike[str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings if settings is not None else Settings.from_env()
        self._clock = clock
        self._lock = threading.RLock()
        self._closed = False
        self._last_sweep = float("-inf")
        self._texts: OrderedDict[str, LineIndex] = OrderedDict()
        self._listeners: list[Callable[[list[str], str], None]] = []
        self._put_listeners: list[Callable[[str, str], None]] = []
        self._semantic: SemanticSource | None = None
        if path is None and not self.settings.store_url:
            ensure_private_dir(self.settings.home)
        self._backend: Backend
        self._backend, file = open_backend(self.settings, Path(path) if path is not None else None, clock, self._notify)
        # The SQLite file, or None for a PostgreSQL store (see `location`).
        self.path: Path | None = file

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._backend.kind

    @property
    def location(self) -> str:
        """Where the originals are: the file, or the database URL without its password."""
        return self._backend.where

    @property
    def namespace(self) -> str | None:
        """The team namespace of a PostgreSQL store (None for a SQLite file)."""
        return self._backend.namespace

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        settings: Settings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> Store:
        """A store on the file at `path` (default: what `Settings.from_env()` names)."""
        return cls(settings, path=path, clock=clock)

    def close(self) -> None:
        """Close the file or the connections. Idempotent; using the store afterwards raises `StoreError`."""
        with self._lock:
            self._closed = True
            self._texts.clear()
        self._backend.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.location!r})"

    # -- originals -------------------------------------------------------------------------------------------

    def put(
        self,
        data: str | bytes,
        *,
        content_type: str = "text",
        source: str = "api",
        tokens: int | None = None,
    ) -> str:
        """Keep `data` (text is kept as its UTF-8 bytes) and return its handle.

        Idempotent: putting the same bytes again returns the same handle and only
        refreshes its last access. `tokens` (of `settings.encoding`) is counted when not given.

        Raises:
            HashCollisionError: different bytes are already stored under this handle; nothing is overwritten.
            InputTooLargeError: `data` alone is larger than the store's size cap.
            InputError: `data` is text that cannot be encoded as UTF-8.
        """
        raw = as_bytes(data)
        if len(raw) > self.settings.max_store_bytes:
            raise InputTooLargeError(
                f"the content is {len(raw):,} bytes, more than the whole store may hold "
                f"({self.settings.max_store_bytes:,} bytes, HEADROOM_MAX_STORE_MB); raise that limit to keep it"
            )
        digest = rustcore.content_hash(raw)
        self._check_open()
        if tokens is None:
            if self._backend.refresh(digest, raw, self._clock()):
                return digest
            # Counted outside any transaction: a large original takes a while, and other threads need not wait.
            tokens = rustcore.count_tokens(raw, self.settings.encoding)
        new = NewOriginal(digest, raw, tokens, count_lines(raw), content_type, source)
        now = self._clock()
        added = self._backend.insert(new, now, self.settings.max_store_bytes)
        self._maybe_sweep(now)
        if added:
            self._notify_put(digest, content_type)
        return digest

    def get(self, hash: str) -> bytes:
        """The exact bytes stored under `hash`; restarts its TTL.

        Raises:
            MalformedHashError, UnknownHashError, ExpiredHashError, EvictedHashError.
        """
        return self._read(check_hash(hash), with_data=True)

    def text(self, hash: str) -> str:
        """The original under `hash` as text (invalid UTF-8 replaced); restarts its TTL."""
        return self._text(check_hash(hash)).text

    def info(self, hash: str) -> EntryInfo:
        """Metadata of the original under `hash`, without counting as an access.

        Raises:
            MalformedHashError, UnknownHashError, ExpiredHashError, EvictedHashError.
        """
        digest = check_hash(hash)
        self._check_open()
        now = self._clock()
        row = self._backend.info(digest)
        if row is not None and row.last_access <= self._live_after(now):
            # Past its TTL but not swept yet: bury it now so the error can say when it expired.
            self._read(digest, with_data=False)
        if row is None:
            raise self._missing(digest, now)
        return EntryInfo(digest, *row, row.last_access + self.settings.ttl_seconds)

    def __contains__(self, hash: object) -> bool:
        """Whether `hash` names a live original here (any handle-like text; never raises for a bad one)."""
        try:
            self.info(hash)  # type: ignore[arg-type]
        except HashError:
            return False
        return True

    # -- what headroom produced ------------------------------------------------------------------------------

    def remember_output(self, text: str | bytes, original: str) -> str:
        """Note that headroom produced `text` from the original `original`: a compressed output, or a tool's
        or hook's result with its header line. An input that is byte for byte this text then passes through
        `compress` unchanged (see `produced`) instead of being compressed again, its markers quoted as
        foreign. Forgotten when `original` leaves the store. Returns the text's content hash.

        Raises:
            MalformedHashError: `original` is not a handle.
        """
        digest = check_hash(original)
        raw = as_bytes(text)
        output = rustcore.content_hash(raw)
        self._check_open()
        self._backend.remember_output(output, len(raw), digest, self._clock())
        return output

    def produced(self, data: str | bytes) -> str | None:
        """The handle of the original `data` was produced from, when `data` is byte for byte a text this store
        remembers producing (`remember_output`) and that original is still here (its TTL restarts: the markers
        in `data` point into it); else None. Never raises for an unknown text."""
        raw = as_bytes(data)
        output = rustcore.content_hash(raw)
        self._check_open()
        original = self._backend.produced(output, len(raw))
        if original is None:
            return None
        try:
            self._read(original, with_data=False)
        except HashError:
            return None
        return original

    # -- excerpts --------------------------------------------------------------------------------------------

    def lines(self, hash: str, start: int, end: int, *, max_tokens: int | None = None) -> Excerpt:
        """Lines `start`..`end` (1-based, inclusive) of the original; restarts its TTL.

        An `end` past the last line is clamped to it (the excerpt's note says so). With
        `max_tokens`, rows stop where the next one would exceed it (``truncated``), and
        the note names the range still to fetch.

        Raises:
            RangeError: `start` < 1, `end` < `start`, or `start` past the last line.
            MalformedHashError, UnknownHashError, ExpiredHashError, EvictedHashError.
        """
        digest = check_hash(hash)
        if start < 1 or end < start:
            raise RangeError(f"lines={start}-{end} is not a range: line numbers start at 1 and A <= B is needed")
        lines = self._text(digest)
        return range_excerpt(digest, lines, start, end, max_tokens, self.settings.encoding)

    def byte_range(self, hash: str, start: int, end: int, *, max_tokens: int | None = None) -> ByteSlice:
        """Bytes `start`..`end` (0-based, inclusive) of the original, exactly (a ``bytes=A-B`` marker's
        text); restarts its TTL. An `end` past the last byte is clamped (the note says so). With
        `max_tokens`, the slice stops at a character boundary within it and the note is a marker for
        the rest.

        Raises:
            RangeError: `start` < 0, `end` < `start`, or `start` past the last byte.
            MalformedHashError, UnknownHashError, ExpiredHashError, EvictedHashError.
        """
        digest = check_hash(hash)
        return byte_slice(digest, self.get(digest), start, end, max_tokens, self.settings.encoding)

    def template(
        self, hash: str, key: str, *, lines: tuple[int, int] | None = None, max_tokens: int | None = None
    ) -> Excerpt:
        """Every line of the original in the collapsed template `key` (a ``template=KEY`` marker's lines),
        within `lines` (1-based, inclusive) when given, as numbered rows; restarts its TTL. The lines are
        grouped by `rustcore.template_lines`, the function the compressor grouped them with. With
        `max_tokens`, the rows stop where the next would not fit and the note is a marker for the rest.

        Raises:
            RangeError: `key` is not 8 hex digits, `lines` is not a range inside the original, or no line
                of the original (within `lines`) has that template.
            MalformedHashError, UnknownHashError, ExpiredHashError, EvictedHashError.
        """
        digest = check_hash(hash)
        key = key.strip().lower()
        if len(key) != TEMPLATE_KEY_LEN or any(c not in "0123456789abcdef" for c in key):
            raise RangeError(f"template={key} is not a template key ({TEMPLATE_KEY_LEN} hex digits, from a marker)")
        if lines is not None and (lines[0] < 1 or lines[1] < lines[0]):
            raise RangeError(f"lines={lines[0]}-{lines[1]} is not a range: line numbers start at 1 and A <= B")
        index = self._text(digest)
        found = numbered_template_lines(index.text, key)
        return template_excerpt(digest, index, key, found, lines, max_tokens, self.settings.encoding)

    def query(self, hash: str, query: str, max_tokens: int = 2000) -> Excerpt:
        """The parts of the original most relevant to `query`, within `max_tokens`; restarts its TTL.

        Lines (for compact JSON: its items) are ranked with BM25 over identifier-aware
        terms (never by meaning: it found no more of the answers, README: Semantic search);
        the best are shown in original order with their line
        numbers, with the blocks they open, their headings and neighbouring lines as the
        budget allows (see `ccr._excerpt.select_rows`). When nothing matches, the first
        lines are shown and the note says so.

        Raises:
            InputError: `query` is blank, or `max_tokens` is below `MIN_QUERY_TOKENS`.
            MalformedHashError, UnknownHashError, ExpiredHashError, EvictedHashError.
        """
        digest = check_hash(hash)
        if not query or not query.strip():
            raise InputError("the query is empty: say what you are looking for, or retrieve lines=A-B instead")
        if max_tokens < MIN_QUERY_TOKENS:
            raise InputError(f"max_tokens={max_tokens} is too small for a query; use at least {MIN_QUERY_TOKENS}")
        return query_excerpt(digest, self._text(digest), query, max_tokens, self.settings.encoding)

    # -- search across originals -----------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        limit: int = 5,
        since: float | None = None,
        content_type: str | None = None,
    ) -> SearchResult:
        """The chunks of any live original that best answer `query`, best first, with their handles and lines.

        Ranks lexically (BM25 over the same identifier-aware terms as `query`, each chunk filed
        under its context too), chunks holding the names the query gives exactly first, fused with
        meaning when ``HEADROOM_EMBEDDINGS=1`` (see `ccr._search`). `since` (Unix time) keeps originals
        stored or used since then; `content_type` keeps one type. Originals not yet chunked for search
        are chunked first (a bounded amount per call; the result's `pending` says how many are left).
        Does not count as an access.

        Raises:
            InputError: `query` is blank, or `limit` is outside 1..50.
        """
        from ccr._search import search_store

        return search_store(self, query, limit=limit, since=since, content_type=content_type, semantic=self._semantic)

    def index_for_search(self, hash: str) -> int | None:
        """Chunk the original under `hash` for `search`, if not done yet: how many chunks this call wrote (0 when
        it was indexed already), None when it is gone. Memory stays within a small multiple of the original's
        size, however many lines it has. Does not count as an access."""
        from ccr._search import index_original

        return index_original(self, check_hash(hash))

    def unindexed(self) -> int:
        """How many live originals are not (fully) indexed for `search` yet: a background indexer has them
        queued, or another process stored them; a search indexes them first, a bounded amount per call."""
        from ccr._search import unindexed

        return unindexed(self)

    def set_semantic(self, source: SemanticSource | None) -> None:
        """Blend vector similarity from `source` (a `ccr.SemanticIndex`) into `query` and `search`; None stops."""
        self._semantic = source

    def on_put(self, callback: Callable[[str, str], None]) -> None:
        """Call ``callback(hash, content_type)`` after a new original is committed (not when a put only
        refreshes one already stored). For indexing in the background: it runs on the putting thread,
        outside the store's lock; keep it quick. An exception it raises is logged, not propagated."""
        self._put_listeners.append(callback)

    def _notify_put(self, digest: str, content_type: str) -> None:
        for callback in self._put_listeners:
            try:
                callback(digest, content_type)
            except Exception:
                _log.exception("a put listener failed for %s", digest)

    def _text(self, digest: str) -> LineIndex:
        """The original as text with its line index, from the cache when possible; counts as an access."""
        with self._lock:
            cached = self._texts.get(digest)
        if cached is not None:
            self._read(digest, with_data=False)
            with self._lock:
                if digest in self._texts:
                    self._texts.move_to_end(digest)
            return cached
        raw = self._read(digest, with_data=True)
        entry = LineIndex(raw.decode("utf-8", errors="replace"))
        with self._lock:
            self._texts[digest] = entry
            while len(self._texts) > _TEXT_CACHE_ENTRIES or (
                len(self._texts) > 1 and sum(len(t.text) + t.nbytes for t in self._texts.values()) > _TEXT_CACHE_BYTES
            ):
                self._texts.popitem(last=False)
        return entry

    # -- expiry and eviction ---------------------------------------------------------------------------------

    def _live_after(self, now: float) -> float:
        """The TTL rule: an original last used at or before this time has expired."""
        return now - self.settings.ttl_seconds

    def _read(self, digest: str, *, with_data: bool) -> bytes:
        """Restart the TTL of `digest` and return its bytes (b"" unless `with_data`); an original found past
        its TTL becomes a tombstone here, whether or not a sweep ran.

        Raises:
            UnknownHashError, ExpiredHashError, EvictedHashError: it is not live.
        """
        self._check_open()
        now = self._clock()
        data = self._backend.touch(digest, now, self._live_after(now), self.settings.ttl_seconds, with_data=with_data)
        if data is None:
            raise self._missing(digest, now)
        return data

    def sweep(self) -> SweepResult:
        """Expire originals past their TTL, enforce the size cap, prune old tombstones, free unused space now.

        `put` does this on its own every few minutes; call it to do it now.
        """
        self._check_open()
        now = self._clock()
        counts = self._backend.sweep(
            now, self._live_after(now), self.settings.ttl_seconds, self.settings.max_store_bytes, MAX_TOMBSTONES
        )
        self._last_sweep = now
        return SweepResult(*counts)

    def _maybe_sweep(self, now: float) -> None:
        if now - self._last_sweep >= SWEEP_EVERY_S:
            self.sweep()

    def _missing(self, digest: str, now: float) -> HashError:
        """The error for a handle with no live original: expired, evicted, or never stored here."""
        return missing_error(digest, self._backend.tombstone(digest), self.settings, self.location, now)

    # -- stats -----------------------------------------------------------------------------------------------

    def record(self, event: Event) -> None:
        """Add `event` to the stats (its time defaults to now)."""
        self._check_open()
        self._backend.record(event, event.at if event.at is not None else self._clock())

    def stats(self, since: float | None = None, session: str | None = None) -> StatsSummary:
        """Totals of the events since `since` (Unix time; None: all time), of one `session` or all."""
        self._check_open()
        return self._backend.summarize(since, session, self._live_after(self._clock()))

    # -- plumbing --------------------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"the store at {self.location} is closed")

    def on_drop(self, callback: Callable[[list[str], str], None]) -> None:
        """Call ``callback(hashes, reason)`` after originals leave the store (reason "expired" or "evicted").

        For data derived from originals, such as the semantic index. Called after the
        change is committed, under the store's lock: keep it quick and do not use the
        store from it. An exception it raises is logged, not propagated.
        """
        self._listeners.append(callback)

    def _notify(self, dropped: list[tuple[str, str]]) -> None:
        """Tell the drop listeners what left (called by the backend after its transaction commits)."""
        for reason in ("expired", "evicted"):
            hashes = [digest for digest, why in dropped if why == reason]
            if not hashes:
                continue
            for callback in self._listeners:
                try:
                    callback(hashes, reason)
                except Exception:
                    _log.exception("a drop listener failed for %d %s originals", len(hashes), reason)
