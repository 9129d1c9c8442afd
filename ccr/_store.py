"""`Store`: the SQLite store of originals every marker points into.

Originals are kept byte-exact under their handle (`rustcore.content_hash`),
with a sliding TTL (every access restarts it) and a total size cap enforced by
evicting the least recently used. What leaves the store leaves a tombstone, so
a stale handle gets an error that says when and why it went and what to do,
rather than "unknown". Thread-safe (one connection behind a lock); several
processes may share the file (see `ccr._database`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

import rustcore
from ccr import _database as db
from ccr import _recover
from ccr._access import ensure_private_dir
from ccr._checkpoint import Checkpointer
from ccr._config import Settings
from ccr._exceptions import (
    HashCollisionError,
    HashError,
    HeadroomError,
    InputError,
    InputTooLargeError,
    RangeError,
    StoreCorruptError,
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
from ccr._handles import as_bytes, check_hash, missing_error, same_bytes
from ccr._lines import LineIndex, count_lines
from ccr._markers import TEMPLATE_KEY_LEN
from ccr._stats import Event, StatsSummary, insert_event, summarize

if TYPE_CHECKING:
    from ccr._chunks import Chunk
    from ccr._search import SearchResult, SemanticSource

__all__ = ["MIN_QUERY_TOKENS", "EntryInfo", "Store", "SweepResult"]

_log = logging.getLogger(__name__)
T = TypeVar("T")


class _Replaced(Exception):
    """The file at the store's path is no longer the one its connection has open."""


class _Emptied(Exception):
    """The store file is empty although a store was created there (`created`, Unix time)."""

    def __init__(self, created: float) -> None:
        super().__init__(created)
        self.created = created


def _replace_contents(salvaged: Path, path: Path) -> bool:
    """Overwrite the database at `path` with the pages of `salvaged`, in place (same file, so connections
    other processes hold see the new contents); False when the damaged file cannot be written through SQLite."""
    try:
        with (
            contextlib.closing(sqlite3.connect(salvaged)) as src,
            contextlib.closing(sqlite3.connect(path, timeout=db.BUSY_TIMEOUT_S)) as dst,
        ):
            src.backup(dst)
    except sqlite3.DatabaseError as exc:
        _log.warning("cannot write the salvaged store over %s in place (%s)", path, exc)
        return False
    return True


# Sweeping (expiry, tombstone pruning, freeing pages) runs at most this often on its own.
SWEEP_EVERY_S = 300.0
# Tombstones are a few dozen bytes each; past this many the oldest go (their handles then read as unknown).
MAX_TOMBSTONES = 200_000
# Free pages are handed back to the file system once they add up to this much.
_VACUUM_AT_BYTES = 64 * 1024**2
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
    """The originals of compressed output, with retrieval and stats, in one SQLite file.

    Args:
        settings: where the file lives (`Settings.db_path`), the TTL, the size cap and the token encoding;
            default `Settings.from_env()`.
        path: use this file instead of `settings.db_path`.
        clock: Unix time now; tests pass a fake one to move through TTLs without sleeping.

    Raises:
        StoreCorruptError: the file was not a readable database; it has been moved aside (see the
            message and ``.moved_to``) and opening the store again starts an empty one.
        StoreError: the file or its directory cannot be created or opened.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        path: str | os.PathLike[str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings if settings is not None else Settings.from_env()
        self.path = Path(path) if path is not None else self.settings.db_path
        self._clock = clock
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        self._last_sweep = float("-inf")
        self._texts: OrderedDict[str, LineIndex] = OrderedDict()
        self._dropped: list[tuple[str, str]] = []
        self._listeners: list[Callable[[list[str], str], None]] = []
        self._put_listeners: list[Callable[[str, str], None]] = []
        self._semantic: SemanticSource | None = None
        self._checkpointer: Checkpointer | None = None
        # Which file this store has open, (device, inode): another process may replace it (see `_recover`).
        self._file: tuple[int, int] | None = None
        if path is None:
            ensure_private_dir(self.settings.home)
        with self._guard("open"):
            self._open()

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        settings: Settings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> Store:
        """A store on the file at `path` (default: `Settings.from_env().db_path`)."""
        return cls(settings, path=path, clock=clock)

    def close(self) -> None:
        """Close the file. Idempotent; using the store afterwards raises `StoreError`."""
        with self._lock:
            self._closed = True
            self._texts.clear()
            if self._checkpointer is not None:
                self._checkpointer.close()
                self._checkpointer = None
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

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
        if tokens is None:
            with self._guard("store an original"):
                now = self._clock()
                if self._write(lambda conn: self._refresh_existing(conn, digest, raw, now)):
                    return digest
            # Counted outside the lock: a large original takes a while, and other threads need not wait.
            tokens = rustcore.count_tokens(raw, self.settings.encoding)
        line_count = count_lines(raw)
        with self._guard("store an original"):
            now = self._clock()
            added = self._write(
                lambda conn: self._insert(conn, digest, raw, now, tokens, line_count, content_type, source)
            )
            self._maybe_sweep(now)
        if added:
            if self._checkpointer is not None:
                self._checkpointer.wrote(len(raw))
            self._notify_put(digest, content_type)
        return digest

    def _refresh_existing(self, conn: sqlite3.Connection, digest: str, raw: bytes, now: float) -> bool:
        """Whether `raw` is stored already (then its last access is refreshed).

        Raises:
            HashCollisionError: other bytes are stored under `digest`.
        """
        row = conn.execute("SELECT id, size FROM originals WHERE hash = ?", (digest,)).fetchone()
        if row is None:
            return False
        rowid, size = row
        if size != len(raw) or not same_bytes(conn, rowid, raw):
            raise HashCollisionError(
                f"another original is already stored under the handle {digest}: two different contents "
                "share one 64-bit handle (or the store file was altered). The stored original is kept; "
                "this content was not stored."
            )
        conn.execute("UPDATE originals SET last_access = max(last_access, ?) WHERE id = ?", (now, rowid))
        return True

    def _insert(
        self,
        conn: sqlite3.Connection,
        digest: str,
        raw: bytes,
        now: float,
        tokens: int,
        line_count: int,
        content_type: str,
        source: str,
    ) -> bool:
        """Store the original; False when another thread or process stored it since we looked."""
        if self._refresh_existing(conn, digest, raw, now):
            return False
        cursor = conn.execute(
            "INSERT INTO originals (hash, size, tokens, lines, content_type, source, created_at, last_access)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (digest, len(raw), tokens, line_count, content_type, source, now, now),
        )
        conn.execute("INSERT INTO original_bytes (id, data) VALUES (?, ?)", (cursor.lastrowid, raw))
        conn.execute("DELETE FROM tombstones WHERE hash = ?", (digest,))
        self._evict(conn, now, keep=digest)
        return True

    def get(self, hash: str) -> bytes:
        """The exact bytes stored under `hash`; restarts its TTL.

        Raises:
            MalformedHashError, UnknownHashError, ExpiredHashError, EvictedHashError.
        """
        digest = check_hash(hash)
        with self._guard("read an original"):
            return self._read(digest, with_data=True)

    def text(self, hash: str) -> str:
        """The original under `hash` as text (invalid UTF-8 replaced); restarts its TTL."""
        return self._text(check_hash(hash)).text

    def info(self, hash: str) -> EntryInfo:
        """Metadata of the original under `hash`, without counting as an access.

        Raises:
            MalformedHashError, UnknownHashError, ExpiredHashError, EvictedHashError.
        """
        digest = check_hash(hash)
        with self._guard("read an original's metadata"):
            now = self._clock()
            row = (
                self._conn_or_raise()
                .execute(
                    "SELECT size, tokens, lines, content_type, source, created_at, last_access"
                    " FROM originals WHERE hash = ?",
                    (digest,),
                )
                .fetchone()
            )
            if row is not None and self._expired(row[6], now):
                # Past its TTL but not swept yet: bury it now so the error can say when it expired.
                self._read(digest, with_data=False)
            if row is None:
                raise self._missing(digest, now)
            size, tokens, lines, content_type, source, created, last = row
            return EntryInfo(
                digest, size, tokens, lines, content_type, source, created, last, last + self.settings.ttl_seconds
            )

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
        with self._guard("remember an output"):
            now = self._clock()
            self._write(
                lambda conn: conn.execute(
                    "INSERT OR REPLACE INTO outputs (hash, size, original, created_at) VALUES (?, ?, ?, ?)",
                    (output, len(raw), digest, now),
                )
            )
        return output

    def produced(self, data: str | bytes) -> str | None:
        """The handle of the original `data` was produced from, when `data` is byte for byte a text this store
        remembers producing (`remember_output`) and that original is still here (its TTL restarts: the markers
        in `data` point into it); else None. Never raises for an unknown text."""
        raw = as_bytes(data)
        output = rustcore.content_hash(raw)
        with self._guard("look up an output"):
            conn = self._conn_or_raise()
            with db.read(conn):
                row = conn.execute(
                    "SELECT original FROM outputs WHERE hash = ? AND size = ?", (output, len(raw))
                ).fetchone()
            if row is None:
                return None
            try:
                self._read(row[0], with_data=False)
            except HashError:
                return None
            return str(row[0])

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
        found = rustcore.template_lines(index.text, key)
        return template_excerpt(digest, index, key, found, lines, max_tokens, self.settings.encoding)

    def query(self, hash: str, query: str, max_tokens: int = 2000) -> Excerpt:
        """The parts of the original most relevant to `query`, within `max_tokens`; restarts its TTL.

        Lines (for compact JSON: its items) are ranked with BM25 over identifier-aware
        terms, blended with vector similarity where the semantic index (see `set_semantic`)
        has this original's chunks; the best are shown in original order with their line
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
        lines = self._text(digest)
        semantic = self._similar_lines(digest, query, lines)
        return query_excerpt(digest, lines, query, max_tokens, self.settings.encoding, semantic)

    def _similar_lines(self, digest: str, query: str, lines: Sequence[str]) -> list[tuple[int, int, float]] | None:
        """Similarity by meaning of windows around the lines of `digest` that best match `query` (see
        `ccr._hybrid.similar_lines`); None without semantic ranking."""
        source = self._semantic
        if source is None:
            return None
        from ccr._hybrid import similar_lines

        try:
            return similar_lines(source, query, lines)
        except HeadroomError as exc:
            _log.warning("semantic ranking of %s failed, ranking lexically: %s", digest, exc)
            return None

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

        Ranks lexically (FTS5 BM25 over the same identifier-aware terms as `query`, each chunk filed
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

    def index_for_search(self, hash: str) -> list[Chunk] | None:
        """Chunk the original under `hash` for `search`, if not done yet, and return its chunks (None when it
        is gone). The semantic index embeds the same chunks. Does not count as an access."""
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
        with self._guard("read an original"):
            cached = self._texts.get(digest)
            if cached is not None:
                self._read(digest, with_data=False)
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

    def _touch(self, conn: sqlite3.Connection, digest: str, now: float, *, with_data: bool) -> bytes | None:
        """Restart the TTL of `digest` and return its bytes (b"" unless `with_data`); None when it is gone.

        An original found past its TTL is turned into a tombstone here, whether or not a sweep ran.
        """
        row = conn.execute("SELECT id, last_access FROM originals WHERE hash = ?", (digest,)).fetchone()
        if row is not None and self._expired(row[1], now):
            self._bury(conn, "expired", "id = ?", now, (row[0],))
            return None
        if row is None:
            return None
        conn.execute("UPDATE originals SET last_access = max(last_access, ?) WHERE id = ?", (now, row[0]))
        if not with_data:
            return b""
        (data,) = conn.execute("SELECT data FROM original_bytes WHERE id = ?", (row[0],)).fetchone()
        return bytes(data)

    def _read(self, digest: str, *, with_data: bool) -> bytes:
        """`_touch` in its own transaction, committed before a missing handle is explained."""
        now = self._clock()
        data = self._write(lambda conn: self._touch(conn, digest, now, with_data=with_data))
        if data is None:
            raise self._missing(digest, now)
        return data

    def _expired(self, last_access: float, now: float) -> bool:
        return now - last_access >= self.settings.ttl_seconds

    def _bury(
        self, conn: sqlite3.Connection, reason: str, where: str, now: float, params: tuple[object, ...] = ()
    ) -> int:
        """Turn the originals matching `where` into tombstones; return the bytes freed."""
        at = "last_access + ?" if reason == "expired" else "?"
        at_param = self.settings.ttl_seconds if reason == "expired" else now
        conn.execute(
            "INSERT OR REPLACE INTO tombstones (hash, reason, at, size, created_at, last_access)"
            f" SELECT hash, ?, {at}, size, created_at, last_access FROM originals WHERE {where}",
            (reason, at_param, *params),
        )
        freed = 0
        for digest, size in conn.execute(f"SELECT hash, size FROM originals WHERE {where}", params):
            self._dropped.append((digest, reason))
            freed += int(size)
        conn.execute(f"DELETE FROM originals WHERE {where}", params)
        return freed

    def _evict(self, conn: sqlite3.Connection, now: float, keep: str | None = None) -> tuple[int, int]:
        """Evict least recently used originals (never `keep`) until the total fits the cap; (count, bytes)."""
        (total,) = conn.execute("SELECT bytes FROM totals WHERE id = 1").fetchone()
        excess = int(total) - self.settings.max_store_bytes
        if excess <= 0:
            return 0, 0
        victims: list[int] = []
        freed = 0
        for rowid, size in conn.execute(
            "SELECT id, size FROM originals WHERE hash != ? ORDER BY last_access, id", (keep or "",)
        ):
            victims.append(int(rowid))
            freed += int(size)
            if freed >= excess:
                break
        for i in range(0, len(victims), 500):
            batch = victims[i : i + 500]
            marks = ",".join("?" * len(batch))
            self._bury(conn, "evicted", f"id IN ({marks})", now, tuple(batch))
        return len(victims), freed

    def sweep(self) -> SweepResult:
        """Expire originals past their TTL, enforce the size cap, prune old tombstones, free unused pages now.

        `put` does this on its own every few minutes; call it to do it now.
        """
        with self._guard("sweep"):
            now = self._clock()
            result = self._write(lambda conn: self._sweep(conn, now))
            self._last_sweep = now
            conn = self._conn_or_raise()
            if db.free_pages(conn) >= _VACUUM_AT_BYTES:
                db.release_free_pages(conn)
            return result

    def _sweep(self, conn: sqlite3.Connection, now: float) -> SweepResult:
        cutoff = now - self.settings.ttl_seconds
        (expired,) = conn.execute("SELECT count(*) FROM originals WHERE last_access <= ?", (cutoff,)).fetchone()
        freed = self._bury(conn, "expired", "last_access <= ?", now, (cutoff,)) if expired else 0
        evicted, evicted_bytes = self._evict(conn, now)
        conn.execute(
            "DELETE FROM tombstones WHERE hash IN (SELECT hash FROM tombstones ORDER BY at DESC LIMIT -1 OFFSET ?)",
            (MAX_TOMBSTONES,),
        )
        return SweepResult(int(expired), evicted, freed + evicted_bytes)

    def _maybe_sweep(self, now: float) -> None:
        if now - self._last_sweep >= SWEEP_EVERY_S:
            self.sweep()

    def _missing(self, digest: str, now: float) -> HashError:
        """The error for a handle with no live original: expired, evicted, or never stored here."""
        tombstone = (
            self._conn_or_raise()
            .execute("SELECT reason, at, size, last_access FROM tombstones WHERE hash = ?", (digest,))
            .fetchone()
        )
        return missing_error(digest, tombstone, self.settings, self.path, now)

    # -- stats -----------------------------------------------------------------------------------------------

    def record(self, event: Event) -> None:
        """Add `event` to the stats (its time defaults to now)."""
        with self._guard("record a stats event"):
            at = event.at if event.at is not None else self._clock()
            self._write(lambda conn: insert_event(conn, event, at))

    def stats(self, since: float | None = None, session: str | None = None) -> StatsSummary:
        """Totals of the events since `since` (Unix time; None: all time), of one `session` or all."""
        with self._guard("read stats"):
            now = self._clock()
            conn = self._conn_or_raise()
            with db.read(conn):
                return summarize(conn, since=since, session=session, live_after=now - self.settings.ttl_seconds)

    # -- plumbing --------------------------------------------------------------------------------------------

    def _open(self) -> None:
        """Connect to the file at `path`, after any recovery another process is running on it."""
        ensure_private_dir(self.path.parent, tighten=False)
        with _recover.recovery_lock(self.path, exclusive=False):
            self._file = _recover.file_id(self.path)
            emptied = _recover.emptied_since(self.path)
            if emptied is not None:
                raise _Emptied(emptied)
            self._conn = db.connect(self.path)
            if self._file is None:
                self._file = _recover.file_id(self.path)
            _recover.note_created(self.path, self._clock())
        self._checkpointer = Checkpointer(self.path)

    def _drop_connection(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
        self._file = None

    def _conn_or_raise(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError(f"the store at {self.path} is closed")
        if self._conn is not None and _recover.file_id(self.path) != self._file:
            _log.warning("the store file %s was replaced by another process's recovery; reopening it", self.path)
            self._drop_connection()
        if self._conn is None:
            self._open()
        assert self._conn is not None
        return self._conn

    def _reading(self, action: str, op: Callable[[sqlite3.Connection], T]) -> T:
        """`op(conn)` in one read snapshot, under the lock, with errors translated (for `ccr._search`)."""
        with self._guard(action):
            conn = self._conn_or_raise()
            with db.read(conn):
                return op(conn)

    def _writing(self, action: str, op: Callable[[sqlite3.Connection], T]) -> T:
        """`op(conn)` in one write transaction, under the lock, with errors translated (for `ccr._search`)."""
        with self._guard(action):
            return self._write(op)

    def _write(self, op: Callable[[sqlite3.Connection], T]) -> T:
        """`op(conn)` in one write transaction on the file now at `path`, never on one another process replaced:
        the check runs once the write lock is held, and a replaced file is reopened and the write redone."""
        for _ in range(3):
            try:
                result = self._write_once(op)
            except _Replaced:
                self._drop_connection()
                continue
            if self._dropped:
                dropped, self._dropped = self._dropped, []
                self._notify(dropped)
            return result
        raise StoreError(f"the store file {self.path} kept being replaced during a write; try again")

    def _write_once(self, op: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._conn_or_raise()
        opened = self._file

        def attempt() -> T:
            self._dropped.clear()  # a retried transaction starts over
            if _recover.file_id(self.path) != opened:
                raise _Replaced
            return op(conn)

        with _recover.recovery_lock(self.path, exclusive=False):
            return db.write(conn, attempt)

    def on_drop(self, callback: Callable[[list[str], str], None]) -> None:
        """Call ``callback(hashes, reason)`` after originals leave the store (reason "expired" or "evicted").

        For data derived from originals, such as the semantic index. Called after the
        change is committed, under the store's lock: keep it quick and do not use the
        store from it. An exception it raises is logged, not propagated.
        """
        self._listeners.append(callback)

    def _notify(self, dropped: list[tuple[str, str]]) -> None:
        for reason in ("expired", "evicted"):
            hashes = [digest for digest, why in dropped if why == reason]
            if not hashes:
                continue
            for callback in self._listeners:
                try:
                    callback(hashes, reason)
                except Exception:
                    _log.exception("a drop listener failed for %d %s originals", len(hashes), reason)

    @contextlib.contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """Hold the lock; translate SQLite and OS errors into the store's errors, once, here."""
        with self._lock:
            try:
                yield
            except HeadroomError:
                raise
            except _Emptied as emptied:
                raise self._recover(None, emptied_at=emptied.created) from None
            except sqlite3.Error as exc:
                if db.is_corruption(exc):
                    raise self._recover(exc) from exc
                raise StoreError(f"cannot {action} in the store at {self.path}: {exc}") from exc
            except OSError as exc:
                raise StoreError(f"cannot {action} in the store at {self.path}: {exc.strerror or exc}") from exc

    def _recover(self, exc: sqlite3.Error | None, *, emptied_at: float | None = None) -> StoreCorruptError:
        """Salvage the damaged file (see `ccr._recover`) and say what happened; the store goes on with the result.

        The damaged file and its WAL are copied aside first, never deleted. What can be read is salvaged into a
        new file whose pages then replace the damaged file's in place (the SQLite backup API), so every process
        that has the file open sees the salvaged store at once; only when the damaged file cannot take them (its
        header is gone) is it renamed aside and the new file moved into its place (the others reopen it: see
        `_write`). Writers in other processes wait for the recovery: they take its lock shared around each write.
        """
        damaged = self._file
        self._drop_connection()
        self._texts.clear()
        now = self._clock()
        with _recover.recovery_lock(self.path, exclusive=True):
            current = _recover.file_id(self.path)
            if damaged is not None and current != damaged:
                return StoreCorruptError(
                    f"the store file {self.path} was found damaged and another process has already recovered it; "
                    "the call that met the damage failed: run it again",
                    moved_to=None,
                )
            if emptied_at is not None:
                return self._report_emptied(emptied_at)
            return self._salvage(exc, now)

    def _report_emptied(self, created: float) -> StoreCorruptError:
        # The empty file is made a new store now, so the next call works; the loss is said loudly, once.
        db.connect(self.path).close()
        since = datetime.fromtimestamp(created, UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if created else "earlier"
        message = (
            f"the store file {self.path} is empty (0 bytes), but a store was created there at {since}: the file "
            "was truncated and every original in it is lost (retrieving them says they were never stored). A new "
            "empty store starts in its place."
        )
        _log.error("%s", message)
        return StoreCorruptError(message, moved_to=None)

    def _salvage(self, exc: sqlite3.Error | None, now: float) -> StoreCorruptError:
        try:
            copy = db.copy_aside(self.path, now)
        except OSError as copy_exc:
            _log.error("cannot copy the damaged store %s aside: %s", self.path, copy_exc)
            copy = None
        tmp = self.path.with_name(f"{self.path.name}.salvage-{os.getpid()}")
        for leftover in (tmp, *db.sidecars(tmp)):
            leftover.unlink(missing_ok=True)
        report = None
        try:
            report = _recover.salvage(copy or self.path, tmp, now, self.settings.ttl_seconds)
            replaced = _replace_contents(tmp, self.path)
        except (sqlite3.Error, OSError, HeadroomError) as salvage_exc:
            _log.error("salvaging the damaged store %s failed: %s", self.path, salvage_exc)
            replaced = False
        if not replaced:
            # The damaged file cannot take the salvaged pages in place: it goes aside itself (so the copy is a
            # duplicate), and the salvaged file takes its place.
            if copy is not None:
                for duplicate in (copy, *db.sidecars(copy)):
                    duplicate.unlink(missing_ok=True)
            try:
                copy = db.move_aside(self.path, now)
            except OSError as move_exc:
                _log.error("cannot move the damaged store %s aside: %s", self.path, move_exc)
                copy = None
            if report is not None and not self.path.exists():
                os.replace(tmp, self.path)
        for leftover in (tmp, *db.sidecars(tmp)):
            leftover.unlink(missing_ok=True)
        where = f"a copy of it is kept at {copy}" if copy else "no copy of it could be kept"
        what = report.describe() if report is not None else "nothing could be salvaged"
        message = (
            f"the store file {self.path} was found damaged ({exc}); {where}. It was rebuilt from what could be "
            f"read: {what}. The call that met the damage failed: run it again."
        )
        _log.error("%s", message)
        return StoreCorruptError(
            message,
            moved_to=copy,
            salvaged=report.salvaged if report is not None else 0,
            lost=report.lost if report is not None else 0,
        )
