"""The store's rows in one SQLite file (the default backend, see `ccr._backend`).

One connection behind a lock (thread-safe); several processes may share the
file (`ccr._database`: WAL, ``BEGIN IMMEDIATE``, retries). SQLite and OS errors
are translated here, once. A damaged file is salvaged (`ccr._recover`): what can
be read is kept, in the same file where possible, and `StoreCorruptError` says
what was lost; every process keeps using one file (each checks which file it has
open before each call and under the write lock).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ccr import _database as db
from ccr import _recover
from ccr._access import ensure_private_dir
from ccr._backend import DropListener, InfoRow, Meta, NewOriginal, SweepCounts, Tombstone, collision_error
from ccr._checkpoint import Checkpointer
from ccr._chunk_search import (
    Candidate,
    SearchChunk,
    check_terms_version,
    chunks_holding,
    last_chunks,
    lexical_candidates,
    match_expression,
    maybe_rebuild,
    pending_originals,
    read_piece,
    unindexed_originals,
    write_batch,
)
from ccr._exceptions import HeadroomError, StoreCorruptError, StoreError
from ccr._handles import same_bytes
from ccr._stats import Query, insert_event, summarize

if TYPE_CHECKING:
    from ccr._stats import Event, StatsSummary

__all__ = ["SqliteBackend"]

_log = logging.getLogger(__name__)
T = TypeVar("T")

# Free pages are handed back to the file system once they add up to this much.
_VACUUM_AT_BYTES = 64 * 1024**2


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


class SqliteBackend:
    """The rows of a store in the SQLite file at `path` (created private when absent)."""

    kind = "sqlite"
    namespace: str | None = None

    def __init__(self, path: Path, clock: Callable[[], float], on_drop: DropListener, *, ttl_seconds: float) -> None:
        self.path = path
        self.where = str(path)
        self._clock = clock
        self._ttl_seconds = ttl_seconds  # what salvage keeps: originals not yet expired
        self._on_drop = on_drop
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        self._dropped: list[tuple[str, str]] = []
        self._checkpointer: Checkpointer | None = None
        # Which file this store has open, (device, inode): another process may replace it (see `_recover`).
        self._file: tuple[int, int] | None = None
        with self._guard("open"):
            self._open()

    # -- originals -------------------------------------------------------------------------------------------

    def refresh(self, digest: str, raw: bytes, now: float) -> bool:
        return self._write("store an original", lambda conn: self._refresh(conn, digest, raw, now))

    def _refresh(self, conn: sqlite3.Connection, digest: str, raw: bytes, now: float) -> bool:
        row = conn.execute("SELECT id, size FROM originals WHERE hash = ?", (digest,)).fetchone()
        if row is None:
            return False
        rowid, size = row
        if size != len(raw) or not same_bytes(conn, rowid, raw):
            raise collision_error(digest)
        conn.execute("UPDATE originals SET last_access = max(last_access, ?) WHERE id = ?", (now, rowid))
        return True

    def _add(self, conn: sqlite3.Connection, digest: str, raw: bytes, row: InfoRow) -> bool:
        """Write an original (False when the same bytes are already there: then only its last use moves)."""
        if self._refresh(conn, digest, raw, row.last_access):
            return False
        cursor = conn.execute(
            "INSERT INTO originals (hash, size, tokens, lines, content_type, source, created_at, last_access)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (digest, len(raw), row.tokens, row.lines, row.content_type, row.source, row.created_at, row.last_access),
        )
        conn.execute("INSERT INTO original_bytes (id, data) VALUES (?, ?)", (cursor.lastrowid, raw))
        conn.execute("DELETE FROM tombstones WHERE hash = ?", (digest,))
        return True

    def insert(self, new: NewOriginal, now: float, cap: int) -> bool:
        row = InfoRow(len(new.raw), new.tokens, new.lines, new.content_type, new.source, now, now)

        def op(conn: sqlite3.Connection) -> bool:
            if not self._add(conn, new.digest, new.raw, row):
                return False
            self._evict(conn, now, cap, keep=new.digest)
            return True

        added = self._write("store an original", op)
        if added and self._checkpointer is not None:
            self._checkpointer.wrote(len(new.raw))
        return added

    def touch(self, digest: str, now: float, live_after: float, ttl: float, *, with_data: bool) -> bytes | None:
        def op(conn: sqlite3.Connection) -> bytes | None:
            row = conn.execute("SELECT id, last_access FROM originals WHERE hash = ?", (digest,)).fetchone()
            if row is None:
                return None
            if row[1] <= live_after:
                self._bury(conn, "expired", "id = ?", ttl, (row[0],))
                return None
            conn.execute("UPDATE originals SET last_access = max(last_access, ?) WHERE id = ?", (now, row[0]))
            if not with_data:
                return b""
            (data,) = conn.execute("SELECT data FROM original_bytes WHERE id = ?", (row[0],)).fetchone()
            return bytes(data)

        return self._write("read an original", op)

    def info(self, digest: str) -> InfoRow | None:
        def op(conn: sqlite3.Connection) -> InfoRow | None:
            row = conn.execute(
                "SELECT size, tokens, lines, content_type, source, created_at, last_access FROM originals"
                " WHERE hash = ?",
                (digest,),
            ).fetchone()
            return None if row is None else InfoRow(*row)

        return self._read("read an original's metadata", op)

    def tombstone(self, digest: str) -> Tombstone | None:
        def op(conn: sqlite3.Connection) -> Tombstone | None:
            row = conn.execute(
                "SELECT reason, at, size, last_access FROM tombstones WHERE hash = ?", (digest,)
            ).fetchone()
            return None if row is None else Tombstone(*row)

        return self._read("read a tombstone", op)

    def _bury(self, conn: sqlite3.Connection, reason: str, where: str, at: float, params: tuple[object, ...]) -> int:
        """Turn the originals matching `where` into tombstones; return the bytes freed. `at` is when they
        left, or for "expired" the TTL (they expired at their last access plus it)."""
        at_sql = "last_access + ?" if reason == "expired" else "?"
        conn.execute(
            "INSERT OR REPLACE INTO tombstones (hash, reason, at, size, created_at, last_access)"
            f" SELECT hash, ?, {at_sql}, size, created_at, last_access FROM originals WHERE {where}",
            (reason, at, *params),
        )
        freed = 0
        for digest, size in conn.execute(f"SELECT hash, size FROM originals WHERE {where}", params):
            self._dropped.append((digest, reason))
            freed += int(size)
        conn.execute(f"DELETE FROM originals WHERE {where}", params)
        return freed

    def _evict(self, conn: sqlite3.Connection, now: float, cap: int, keep: str | None = None) -> tuple[int, int]:
        (total,) = conn.execute("SELECT bytes FROM totals WHERE id = 1").fetchone()
        excess = int(total) - cap
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

    def sweep(self, now: float, live_after: float, ttl: float, cap: int, max_tombstones: int) -> SweepCounts:
        def op(conn: sqlite3.Connection) -> SweepCounts:
            (expired,) = conn.execute("SELECT count(*) FROM originals WHERE last_access <= ?", (live_after,)).fetchone()
            freed = self._bury(conn, "expired", "last_access <= ?", ttl, (live_after,)) if expired else 0
            evicted, evicted_bytes = self._evict(conn, now, cap)
            conn.execute(
                "DELETE FROM tombstones WHERE hash IN (SELECT hash FROM tombstones ORDER BY at DESC LIMIT -1 OFFSET ?)",
                (max_tombstones,),
            )
            return SweepCounts(int(expired), evicted, freed + evicted_bytes)

        result = self._write("sweep", op)
        with self._guard("sweep"):
            conn = self._conn_or_raise()
            if db.free_pages(conn) >= _VACUUM_AT_BYTES:
                db.release_free_pages(conn)
        return result

    # -- what headroom produced ----------------------------------------------------------------------------

    def remember_output(self, output: str, size: int, original: str, now: float) -> None:
        self._write(
            "remember an output",
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO outputs (hash, size, original, created_at) VALUES (?, ?, ?, ?)",
                (output, size, original, now),
            ),
        )

    def produced(self, output: str, size: int) -> str | None:
        def op(conn: sqlite3.Connection) -> str | None:
            row = conn.execute("SELECT original FROM outputs WHERE hash = ? AND size = ?", (output, size)).fetchone()
            return None if row is None else str(row[0])

        return self._read("look up an output", op)

    # -- stats -----------------------------------------------------------------------------------------------

    def record(self, event: Event, at: float) -> None:
        self._write("record a stats event", lambda conn: insert_event(_query(conn), event, at))

    def summarize(self, since: float | None, session: str | None, live_after: float) -> StatsSummary:
        return self._read(
            "read stats", lambda conn: summarize(_query(conn), since=since, session=session, live_after=live_after)
        )

    # -- the search index ------------------------------------------------------------------------------------

    def check_search_version(self, version: int) -> None:
        def stale(conn: sqlite3.Connection) -> bool:
            row = conn.execute("SELECT value FROM search_meta WHERE key = 'terms_version'").fetchone()
            return row is None or int(row[0]) != version

        def rebuild(conn: sqlite3.Connection) -> None:
            check_terms_version(conn)
            maybe_rebuild(conn)

        if self._read("read the search index", stale):
            self._write("rebuild the search index", rebuild)

    def prune_search_index(self) -> None:
        self._write("prune the search index", maybe_rebuild)

    def original_for_index(self, digest: str) -> tuple[bytes, str, str, int, int] | None:
        def op(conn: sqlite3.Connection) -> tuple[bytes, str, str, int, int] | None:
            row = conn.execute(
                "SELECT b.data, o.content_type, o.source, o.size, o.searchable FROM originals o "
                "JOIN original_bytes b ON b.id = o.id WHERE o.hash = ?",
                (digest,),
            ).fetchone()
            return None if row is None else (bytes(row[0]), str(row[1]), str(row[2]), int(row[3]), int(row[4]))

        return self._read("read an original for indexing", op)

    def write_chunks(
        self, digest: str, rows: Sequence[tuple[SearchChunk, list[str]]], expect_done: int, done: int
    ) -> bool:
        joined = [(piece, " ".join(words)) for piece, words in rows]
        return self._write(
            "index an original for search", lambda conn: write_batch(conn, digest, joined, expect_done, done)
        )

    def pending_originals(self, limit: int, live_after: float) -> list[tuple[str, int, int]]:
        return self._read("read the search index", lambda conn: pending_originals(conn, limit, live_after))

    def lexical_candidates(
        self, query: str, *, limit: int, live_after: float, since: float | None, content_type: str | None
    ) -> list[Candidate]:
        expression = match_expression(query)
        if expression is None:
            return []
        return self._read(
            "search the store",
            lambda conn: lexical_candidates(
                conn, expression, limit=limit, live_after=live_after, since=since, content_type=content_type
            ),
        )

    def last_chunks(self, hashes: Sequence[str]) -> list[Candidate]:
        return self._read("search the store", lambda conn: last_chunks(conn, hashes))

    def chunks_holding(self, ids: Sequence[int], words: Sequence[str]) -> set[int]:
        return self._read("search the store", lambda conn: chunks_holding(conn, ids, words))

    def metadata(self, hashes: Sequence[str]) -> dict[str, Meta]:
        def op(conn: sqlite3.Connection) -> dict[str, Meta]:
            out: dict[str, Meta] = {}
            for digest in dict.fromkeys(hashes):
                row = conn.execute(
                    "SELECT content_type, source, created_at, last_access FROM originals WHERE hash = ?", (digest,)
                ).fetchone()
                if row is None:
                    continue
                client = conn.execute(
                    "SELECT client FROM events WHERE hash = ? AND kind != 'retrieve' ORDER BY at LIMIT 1", (digest,)
                ).fetchone()
                out[digest] = Meta(
                    str(row[0]), str(row[1]), float(row[2]), float(row[3]), str(client[0]) if client else ""
                )
            return out

        return self._read("search the store", op)

    def read_piece(self, digest: str, start_byte: int, end_byte: int) -> bytes | None:
        return self._read("read a search hit", lambda conn: read_piece(conn, digest, start_byte, end_byte))

    def unindexed_originals(self, live_after: float) -> int:
        return self._read("read the search index", lambda conn: unindexed_originals(conn, live_after))

    def live_originals(self, live_after: float) -> list[tuple[str, bool]]:
        def op(conn: sqlite3.Connection) -> list[tuple[str, bool]]:
            return [
                (str(h), bool(done))
                for h, done in conn.execute(
                    "SELECT hash, searchable >= size FROM originals WHERE last_access > ? "
                    "ORDER BY created_at DESC, id DESC",
                    (live_after,),
                )
            ]

        return self._read("list originals", op)

    # -- copying between stores -------------------------------------------------------------------------------

    def handles(self) -> list[str]:
        return self._read(
            "list originals",
            lambda conn: [str(h) for (h,) in conn.execute("SELECT hash FROM originals ORDER BY created_at, id")],
        )

    def export(self, digest: str) -> tuple[InfoRow, bytes] | None:
        def op(conn: sqlite3.Connection) -> tuple[InfoRow, bytes] | None:
            row = conn.execute(
                "SELECT o.size, o.tokens, o.lines, o.content_type, o.source, o.created_at, o.last_access, b.data "
                "FROM originals o JOIN original_bytes b ON b.id = o.id WHERE o.hash = ?",
                (digest,),
            ).fetchone()
            return None if row is None else (InfoRow(*row[:7]), bytes(row[7]))

        return self._read("read an original", op)

    def import_original(self, digest: str, raw: bytes, row: InfoRow) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            return self._add(conn, digest, raw, row)

        return self._write("copy an original in", op)

    # -- plumbing --------------------------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._drop_connection()

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

    def _read(self, action: str, op: Callable[[sqlite3.Connection], T]) -> T:
        """`op(conn)` in one read snapshot."""
        with self._guard(action):
            conn = self._conn_or_raise()
            with db.read(conn):
                return op(conn)

    def _write(self, action: str, op: Callable[[sqlite3.Connection], T]) -> T:
        """`op(conn)` in one write transaction (retried while another process holds the lock) on the file now at
        `path`, never on one another process replaced: the check runs once the write lock is held, and a replaced
        file is reopened and the write redone. What it dropped is announced after the commit."""
        with self._guard(action):
            for _ in range(3):
                try:
                    result = self._write_once(op)
                except _Replaced:
                    self._drop_connection()
                    continue
                if self._dropped:
                    dropped, self._dropped = self._dropped, []
                    self._on_drop(dropped)
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
            report = _recover.salvage(copy or self.path, tmp, now, self._ttl_seconds)
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


def _query(conn: sqlite3.Connection) -> Query:
    """The stats module's portable SQL run on `conn`."""
    return lambda sql, params: conn.execute(sql, params).fetchall()
