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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import rustcore
from ccr import _database as db
from ccr._config import Settings
from ccr._exceptions import (
    EvictedHashError,
    ExpiredHashError,
    HashCollisionError,
    HeadroomError,
    InputError,
    InputTooLargeError,
    MalformedHashError,
    RangeError,
    StoreCorruptError,
    StoreError,
    UnknownHashError,
)
from ccr._excerpt import Excerpt, head_rows, render_rows, select_rows
from ccr._lines import count_lines, query_chunks, split_lines
from ccr._retrieval import rank
from ccr._stats import Event, StatsSummary, insert_event, summarize

__all__ = ["MIN_QUERY_TOKENS", "EntryInfo", "Store", "SweepResult"]

_log = logging.getLogger(__name__)
T = TypeVar("T")

# Sweeping (expiry, tombstone pruning, freeing pages) runs at most this often on its own.
SWEEP_EVERY_S = 300.0
# Tombstones are a few dozen bytes each; past this many the oldest go (their handles then read as unknown).
MAX_TOMBSTONES = 200_000
# Free pages are handed back to the file system once they add up to this much.
_VACUUM_AT_BYTES = 64 * 1024**2
# Decoded originals kept for repeated line and query calls on the same handle.
_TEXT_CACHE_BYTES = 64 * 1024**2
_TEXT_CACHE_ENTRIES = 8
MIN_QUERY_TOKENS = 64


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
        self._texts: OrderedDict[str, tuple[str, list[str]]] = OrderedDict()
        with self._guard("open"):
            self._conn = db.connect(self.path)

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
        raw = _as_bytes(data)
        if len(raw) > self.settings.max_store_bytes:
            raise InputTooLargeError(
                f"the content is {len(raw):,} bytes, more than the whole store may hold "
                f"({self.settings.max_store_bytes:,} bytes, HEADROOM_MAX_STORE_MB); raise that limit to keep it"
            )
        digest = rustcore.content_hash(raw)
        with self._guard("store an original"):
            now = self._clock()
            if self._refresh_existing(digest, raw, now):
                return digest
            if tokens is None:
                tokens = rustcore.count_tokens(raw, self.settings.encoding)
            line_count = count_lines(raw)
            self._write(lambda conn: self._insert(conn, digest, raw, now, tokens, line_count, content_type, source))
            self._maybe_sweep(now)
        return digest

    def _refresh_existing(self, digest: str, raw: bytes, now: float) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            row = conn.execute("SELECT id, size FROM originals WHERE hash = ?", (digest,)).fetchone()
            if row is None:
                return False
            rowid, size = row
            if size != len(raw) or not _same_bytes(conn, rowid, raw):
                raise HashCollisionError(
                    f"another original is already stored under the handle {digest}: two different contents "
                    "share one 64-bit handle (or the store file was altered). The stored original is kept; "
                    "this content was not stored."
                )
            conn.execute("UPDATE originals SET last_access = max(last_access, ?) WHERE id = ?", (now, rowid))
            return True

        return self._write(op)

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
    ) -> None:
        row = conn.execute("SELECT size FROM originals WHERE hash = ?", (digest,)).fetchone()
        if row is not None:
            # Another process stored it between our look and our write; its bytes were checked there.
            conn.execute("UPDATE originals SET last_access = max(last_access, ?) WHERE hash = ?", (now, digest))
            return
        conn.execute(
            "INSERT INTO originals (hash, size, tokens, lines, content_type, source, created_at, last_access, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (digest, len(raw), tokens, line_count, content_type, source, now, now, raw),
        )
        conn.execute("DELETE FROM tombstones WHERE hash = ?", (digest,))
        self._evict(conn, now, keep=digest)

    def get(self, hash: str) -> bytes:
        """The exact bytes stored under `hash`; restarts its TTL.

        Raises:
            MalformedHashError, UnknownHashError, ExpiredHashError, EvictedHashError.
        """
        digest = _check_hash(hash)
        with self._guard("read an original"):
            return self._read(digest, with_data=True)

    def text(self, hash: str) -> str:
        """The original under `hash` as text (invalid UTF-8 replaced); restarts its TTL."""
        return self._text(_check_hash(hash))[0]

    def info(self, hash: str) -> EntryInfo:
        """Metadata of the original under `hash`, without counting as an access.

        Raises:
            MalformedHashError, UnknownHashError, ExpiredHashError, EvictedHashError.
        """
        digest = _check_hash(hash)
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
        if not isinstance(hash, str) or not rustcore.is_hash(hash):
            return False
        try:
            self.info(hash)
        except (UnknownHashError, ExpiredHashError, EvictedHashError):
            return False
        return True

    # -- excerpts --------------------------------------------------------------------------------------------

    def lines(self, hash: str, start: int, end: int, *, max_tokens: int | None = None) -> Excerpt:
        """Lines `start`..`end` (1-based, inclusive) of the original; restarts its TTL.

        An `end` past the last line is clamped to it (the excerpt's note says so). With
        `max_tokens`, rows stop where the next one would exceed it (``truncated``).

        Raises:
            RangeError: `start` < 1, `end` < `start`, or `start` past the last line.
            MalformedHashError, UnknownHashError, ExpiredHashError, EvictedHashError.
        """
        digest = _check_hash(hash)
        if start < 1 or end < start:
            raise RangeError(f"lines={start}-{end} is not a range: line numbers start at 1 and A <= B is needed")
        _, lines = self._text(digest)
        total = len(lines)
        if start > total:
            what = "is empty" if total == 0 else f"has {total} lines"
            raise RangeError(f"lines={start}-{end} is outside the original {digest}: it {what}")
        notes = []
        if end > total:
            notes.append(f"end clamped to the last line, {total}")
            end = total
        rows = [(n, lines[n - 1]) for n in range(start, end + 1)]
        excerpt = self._excerpt(digest, rows, total, False, notes, None)
        if max_tokens is None or excerpt.tokens <= max_tokens:
            return excerpt
        cost = self._row_cost()
        reserve = 48
        while True:
            kept = head_rows(rows, max(max_tokens - reserve, 0), cost)
            resume = kept[-1][0] + 1 if kept else start
            note = (
                f"stopped at max_tokens={max_tokens}; lines {resume}-{end} not shown: "
                f"retrieve hash={digest} lines={resume}-{end}"
            )
            excerpt = self._excerpt(digest, kept, total, True, [*notes, note], None)
            if excerpt.tokens <= max_tokens or not kept:
                return excerpt
            reserve += 16

    def query(self, hash: str, query: str, max_tokens: int = 2000) -> Excerpt:
        """The parts of the original most relevant to `query`, within `max_tokens`; restarts its TTL.

        Lines (for JSON: top-level items, or the items of an object's main array) are
        ranked with BM25; the best are shown in original order with their line numbers,
        with neighbouring lines and the enclosing heading as context where the budget allows.
        When nothing matches, the first lines are shown and the note says so.

        Raises:
            InputError: `query` is blank, or `max_tokens` is below `MIN_QUERY_TOKENS`.
            MalformedHashError, UnknownHashError, ExpiredHashError, EvictedHashError.
        """
        digest = _check_hash(hash)
        if not query or not query.strip():
            raise InputError("the query is empty: say what you are looking for, or retrieve lines=A-B instead")
        if max_tokens < MIN_QUERY_TOKENS:
            raise InputError(f"max_tokens={max_tokens} is too small for a query; use at least {MIN_QUERY_TOKENS}")
        text, lines = self._text(digest)
        chunks = query_chunks(text, lines)
        scores = rank(chunks.texts, query)
        cost = self._row_cost()
        rows, priority, left_out = select_rows(chunks, scores, lines, max_tokens, cost)
        notes: list[str]
        if not priority:
            rows = head_rows([(n, line) for n, line in enumerate(lines, start=1)], max_tokens - 48, cost)
            priority = list(rows)
            notes = [f"nothing matched the query; the first {len(rows)} of {len(lines)} lines are shown"]
            truncated = len(rows) < len(lines)
        else:
            shown = len({n for n, _ in rows})
            notes = [
                f"{shown} of {len(lines)} lines, the parts matching the query, in original order"
                + (f"; {left_out} more matches did not fit in max_tokens={max_tokens}" if left_out else "")
                + f"; retrieve hash={digest} lines=A-B for more"
            ]
            truncated = left_out > 0
        return self._fit(digest, rows, priority, len(lines), truncated, notes, query, max_tokens)

    def _fit(
        self,
        digest: str,
        rows: list[tuple[int, str]],
        priority: list[tuple[int, str]],
        total: int,
        truncated: bool,
        notes: list[str],
        query: str,
        max_tokens: int,
    ) -> Excerpt:
        """The excerpt of `rows`, dropping the least important until the exact count is within `max_tokens`."""
        excerpt = self._excerpt(digest, rows, total, truncated, notes, query)
        keep = list(priority)
        while excerpt.tokens > max_tokens and keep:
            dropped = keep.pop()
            rows = [r for r in rows if r is not dropped]
            excerpt = self._excerpt(digest, rows, total, True, notes, query)
        return excerpt

    def _excerpt(
        self,
        digest: str,
        rows: list[tuple[int, str]],
        total: int,
        truncated: bool,
        notes: list[str],
        query: str | None,
    ) -> Excerpt:
        tokens = rustcore.count_tokens(render_rows(rows, notes), self.settings.encoding)
        return Excerpt(digest, tuple(rows), total, tokens, truncated, tuple(notes), query)

    def _row_cost(self) -> Callable[[tuple[int, str]], int]:
        encoding = self.settings.encoding
        cache: dict[tuple[int, str], int] = {}

        def cost(row: tuple[int, str]) -> int:
            c = cache.get(row)
            if c is None:
                c = cache[row] = rustcore.count_tokens(f"{row[0]:>5}| {row[1]}\n", encoding)
            return c

        return cost

    def _text(self, digest: str) -> tuple[str, list[str]]:
        """The original as text and as lines, from the cache when possible; counts as an access."""
        with self._guard("read an original"):
            cached = self._texts.get(digest)
            if cached is not None:
                self._read(digest, with_data=False)
                self._texts.move_to_end(digest)
                return cached
            raw = self._read(digest, with_data=True)
        text = raw.decode("utf-8", errors="replace")
        entry = (text, split_lines(text))
        with self._lock:
            self._texts[digest] = entry
            while len(self._texts) > _TEXT_CACHE_ENTRIES or (
                len(self._texts) > 1 and sum(len(t) for t, _ in self._texts.values()) > _TEXT_CACHE_BYTES
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
        (data,) = conn.execute("SELECT data FROM originals WHERE id = ?", (row[0],)).fetchone()
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
        (freed,) = conn.execute(f"SELECT total(size) FROM originals WHERE {where}", params).fetchone()
        conn.execute(f"DELETE FROM originals WHERE {where}", params)
        return int(freed)

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

    def _missing(self, digest: str, now: float) -> HeadroomError:
        """The error for a handle with no live original: expired, evicted, or never stored here."""
        row = (
            self._conn_or_raise()
            .execute("SELECT reason, at, size, last_access FROM tombstones WHERE hash = ?", (digest,))
            .fetchone()
        )
        if row is None:
            return UnknownHashError(
                f"no original with hash={digest} in this store ({self.path}). It was never stored here: it may "
                "come from another store (a different HEADROOM_HOME, machine or client), or its tombstone was "
                "pruned long ago. Run the tool that produced it again and compress the new output.",
                hash=digest,
            )
        reason, at, size, last_access = row
        when = f"{_iso(at)} ({_ago(now - at)} ago)"
        if reason == "expired":
            ttl_h = self.settings.ttl_seconds / 3600
            return ExpiredHashError(
                f"the original for hash={digest} ({size:,} bytes) expired at {when}: it was not used for "
                f"{ttl_h:g} h (HEADROOM_TTL_HOURS={ttl_h:g}). Re-run the tool that produced it and compress "
                "again; raise HEADROOM_TTL_HOURS to keep originals longer.",
                hash=digest,
            )
        cap_mb = self.settings.max_store_bytes / 1024**2
        return EvictedHashError(
            f"the original for hash={digest} ({size:,} bytes, last used {_iso(last_access)}) was evicted at "
            f"{when} to keep the store within its size cap (HEADROOM_MAX_STORE_MB={cap_mb:g}); it was among the "
            "least recently used. Re-run the tool that produced it and compress again; raise "
            "HEADROOM_MAX_STORE_MB to keep more originals.",
            hash=digest,
        )

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

    def _conn_or_raise(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError(f"the store at {self.path} is closed")
        if self._conn is None:
            # The previous file was moved aside as corrupt: start an empty one.
            self._conn = db.connect(self.path)
        return self._conn

    def _write(self, op: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._conn_or_raise()
        return db.write(conn, lambda: op(conn))

    @contextlib.contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """Hold the lock; translate SQLite and OS errors into the store's errors, once, here."""
        with self._lock:
            try:
                yield
            except HeadroomError:
                raise
            except sqlite3.Error as exc:
                if db.is_corruption(exc):
                    raise self._quarantine(exc) from exc
                raise StoreError(f"cannot {action} in the store at {self.path}: {exc}") from exc
            except OSError as exc:
                raise StoreError(f"cannot {action} in the store at {self.path}: {exc.strerror or exc}") from exc

    def _quarantine(self, exc: sqlite3.Error) -> StoreCorruptError:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
        self._texts.clear()
        try:
            moved: Path | None = db.move_aside(self.path, self._clock())
        except OSError as move_exc:
            _log.error("cannot move the corrupt store %s aside: %s", self.path, move_exc)
            moved = None
        where = f"it was moved to {moved}" if moved else "it could not be moved aside and was left in place"
        _log.warning("store file %s is corrupt (%s); %s", self.path, exc, where)
        return StoreCorruptError(
            f"the store file {self.path} is not a readable SQLite database ({exc}); {where}. Originals stored "
            "in it cannot be retrieved through headroom any more (sqlite3's .recover may salvage them from the "
            "moved file); the store starts again empty.",
            moved_to=moved,
        )


def _check_hash(hash: object) -> str:
    if isinstance(hash, str):
        candidate = hash.strip().lower()
        if rustcore.is_hash(candidate):
            return candidate
    shown = repr(hash) if not isinstance(hash, str) or len(hash) <= 80 else repr(hash[:80] + "…")
    raise MalformedHashError(
        f"{shown} is not a headroom handle: a handle is {rustcore.HASH_HEX_LEN} hex digits, "
        "as in 'retrieve hash=3f2a9c1e0b7d4a55' in a marker or the hash field of a compress result",
        hash=str(hash),
    )


def _as_bytes(data: str | bytes) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    if not isinstance(data, str):
        raise InputError(f"expected text or bytes, got {type(data).__name__}")
    try:
        return data.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"the text cannot be stored as UTF-8 (a lone surrogate at position {exc.start}); pass the bytes instead"
        ) from exc


def _same_bytes(conn: sqlite3.Connection, rowid: int, raw: bytes) -> bool:
    step = 1 << 20
    with conn.blobopen("originals", "data", rowid, readonly=True) as blob:
        for offset in range(0, len(raw), step):
            if blob.read(step) != raw[offset : offset + step]:
                return False
    return True


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _ago(seconds: float) -> str:
    seconds = max(seconds, 0.0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"
