"""Salvaging a damaged store file: every row that can still be read is copied into a new file.

SQLite keeps each table as a b-tree of pages; a damaged page makes a scan fail
where it reaches that page, but rows on other pages stay readable by their key.
`salvage` reads every table the way ``.recover`` would if it were at hand
(sqlite3's Python module has no recovery API): in ranges of row ids, and where
a range fails, row by row, so one bad page costs only the rows on it. Each
original is checked against its handle (BLAKE3 of its bytes) before it is
kept: a page that reads back wrong is as lost as one that does not read.

Every handle the damaged file still mentions anywhere (its originals' index,
its stats events, its output records) but whose original could not be read
gets a tombstone with reason ``corrupted``, so retrieving it says it was lost
to corruption rather than never stored. The search index is not copied: it is
derived data, and the new file's originals are chunked again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rustcore
from ccr import _database as db

__all__ = [
    "SalvageReport",
    "emptied_since",
    "file_id",
    "marker",
    "note_created",
    "recovery_lock",
    "salvage",
]

_log = logging.getLogger(__name__)

# Rows read per range query before falling back to one query per row.
_RANGE = 512
_ORIGINAL_COLUMNS = "hash, size, tokens, lines, content_type, source, created_at, last_access"


@dataclass(frozen=True, slots=True)
class SalvageReport:
    """What came through: originals kept, handles lost (now tombstoned), other rows kept, seconds taken."""

    salvaged: int
    lost: int
    rows: int
    seconds: float
    readable: bool = True

    def describe(self) -> str:
        if not self.readable:
            return "nothing in it could be read"
        total = self.salvaged + self.lost
        return f"{self.salvaged:,} of {total:,} originals were read back intact and kept" + (
            f"; {self.lost:,} were lost to the damage (retrieving them says so)" if self.lost else ""
        )


def _max_rowid(conn: sqlite3.Connection, table: str) -> int:
    """The largest row id of `table`, or a bound on it found by probing when the b-tree's right edge is damaged."""
    with contextlib.suppress(sqlite3.DatabaseError):
        found = conn.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0]
        if found is not None:
            return int(found)
    # Walk up by doubling while some row at or after the probe can be found.
    high, probe = 0, 1
    while probe < 1 << 40:
        try:
            row = conn.execute(f"SELECT rowid FROM {table} WHERE rowid >= ? LIMIT 1", (probe,)).fetchone()
        except sqlite3.DatabaseError:
            row = (probe,)
        if row is None:
            break
        high = max(high, int(row[0]))
        probe *= 2
    return max(high, probe)


def _rows(conn: sqlite3.Connection, table: str, columns: str) -> Iterator[tuple[Any, ...]]:
    """Every readable row of `table` as ``(rowid, *columns)``: ranges of ids, then single ids where a range fails."""
    top = _max_rowid(conn, table)
    start = 0
    while start <= top:
        stop = start + _RANGE
        query = f"SELECT rowid, {columns} FROM {table} WHERE rowid >= ? AND rowid < ?"
        try:
            batch = conn.execute(query, (start, stop)).fetchall()
        except sqlite3.DatabaseError:
            batch = []
            # A point lookup, not a one-row range: a range steps on to the next row to see where it ends, and
            # from the last row of a page that step reads the next page, which may be the damaged one.
            single = f"SELECT rowid, {columns} FROM {table} WHERE rowid = ?"
            for rowid in range(start, stop):
                with contextlib.suppress(sqlite3.DatabaseError):
                    batch += conn.execute(single, (rowid,)).fetchall()
        yield from batch
        start = stop


def _scan(conn: sqlite3.Connection, query: str) -> list[tuple[Any, ...]]:
    """The rows of a plain scan, as far as it gets before a damaged page."""
    out: list[tuple[Any, ...]] = []
    with contextlib.suppress(sqlite3.DatabaseError):
        for row in conn.execute(query):
            out.append(row)
    return out


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {str(r[0]) for r in _scan(conn, "SELECT name FROM sqlite_master WHERE type = 'table'")}


def salvage(
    damaged: Path, target: Path, now: float, ttl_seconds: float, *, on_progress: Callable[[int], None] | None = None
) -> SalvageReport:
    """Copy what can be read from the store file `damaged` into a new store file at `target`.

    `target` must not exist. `damaged` is only read (its WAL, moved with it, is merged into it). A handle
    only its stats events mention counts as lost when an event used it within `ttl_seconds`: older ones
    may have expired before the damage.
    """
    started = time.perf_counter()
    dst = db.connect(target)
    try:
        try:
            src = sqlite3.connect(damaged, isolation_level=None)
        except sqlite3.Error:
            return SalvageReport(0, 0, 0, time.perf_counter() - started, readable=False)
        try:
            tables = _tables(src)
            if "originals" not in tables:
                return SalvageReport(0, 0, 0, time.perf_counter() - started, readable=False)
            report = _copy(src, dst, tables, now, now - ttl_seconds, on_progress)
        finally:
            src.close()
    finally:
        dst.close()
    return SalvageReport(report[0], report[1], report[2], time.perf_counter() - started)


def _copy(
    src: sqlite3.Connection,
    dst: sqlite3.Connection,
    tables: set[str],
    now: float,
    recent: float,
    on_progress: Callable[[int], None] | None,
) -> tuple[int, int, int]:
    kept: set[str] = set()
    known: dict[str, tuple[int, float, float]] = {}  # hash -> (size, created_at, last_access) of lost originals
    rows = 0
    dst.execute("BEGIN IMMEDIATE")
    try:
        for rowid, *meta in _rows(src, "originals", _ORIGINAL_COLUMNS):
            digest = str(meta[0])
            data = _original_bytes(src, int(rowid))
            if data is None or len(data) != meta[1] or rustcore.content_hash(data) != digest:
                known[digest] = (int(meta[1]), float(meta[6]), float(meta[7]))
                continue
            cursor = dst.execute(
                f"INSERT OR IGNORE INTO originals ({_ORIGINAL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", meta
            )
            if cursor.rowcount:
                dst.execute("INSERT INTO original_bytes (id, data) VALUES (?, ?)", (cursor.lastrowid, data))
                kept.add(digest)
                if on_progress is not None:
                    on_progress(len(kept))
        # Handles the damaged file mentions whose row itself is gone: from the hash index, the events, the outputs.
        mentioned = {
            str(r[0]) for r in _scan(src, "SELECT hash FROM originals INDEXED BY sqlite_autoindex_originals_1")
        }
        if "events" in tables:
            for _, at, kind, digest, *rest in _rows(
                src,
                "events",
                "at, kind, hash, tokens_before, tokens_after, compressor, client, elapsed_ms, session",
            ):
                dst.execute(
                    "INSERT INTO events (at, kind, hash, tokens_before, tokens_after, compressor, client, elapsed_ms,"
                    " session) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (at, kind, digest, *rest),
                )
                rows += 1
                if digest is not None and kind != "retrieve" and float(at) >= recent:
                    mentioned.add(str(digest))
        if "outputs" in tables:
            for out_hash, size, original, created in _scan(src, "SELECT hash, size, original, created_at FROM outputs"):
                mentioned.add(str(original))
                if original in kept:
                    dst.execute(
                        "INSERT OR IGNORE INTO outputs (hash, size, original, created_at) VALUES (?, ?, ?, ?)",
                        (out_hash, size, original, created),
                    )
                    rows += 1
        if "tombstones" in tables:
            for row in _scan(src, "SELECT hash, reason, at, size, created_at, last_access FROM tombstones"):
                if row[0] not in kept:
                    dst.execute("INSERT OR IGNORE INTO tombstones VALUES (?, ?, ?, ?, ?, ?)", row)
                    rows += 1
        lost = 0
        for digest in sorted((mentioned | set(known)) - kept):
            if not rustcore.is_hash(digest):
                continue
            size, created, last = known.get(digest, (0, now, now))
            cursor = dst.execute(
                "INSERT OR REPLACE INTO tombstones (hash, reason, at, size, created_at, last_access)"
                " SELECT ?, 'corrupted', ?, ?, ?, ? WHERE NOT EXISTS"
                " (SELECT 1 FROM tombstones WHERE hash = ? AND reason IN ('expired', 'evicted'))",
                (digest, now, size, created, last, digest),
            )
            lost += cursor.rowcount
        dst.execute("COMMIT")
    except BaseException:
        dst.execute("ROLLBACK")
        raise
    return len(kept), lost, rows


def _original_bytes(src: sqlite3.Connection, rowid: int) -> bytes | None:
    try:
        row = src.execute("SELECT data FROM original_bytes WHERE id = ?", (rowid,)).fetchone()
    except sqlite3.DatabaseError:
        return None
    return None if row is None else bytes(row[0])


# --- one file for every process: its identity, the recovery lock, the creation marker ---------------------


def file_id(path: Path) -> tuple[int, int] | None:
    """(device, inode) of `path`, or None when there is no file: a process whose open file is no longer the
    one at `path` (moved aside, replaced by a salvaged copy) must reopen before it reads or writes again."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


@contextlib.contextmanager
def recovery_lock(path: Path, *, exclusive: bool) -> Iterator[None]:
    """The lock a recovering process holds exclusively while the file is missing or being rebuilt; a process
    (re)opening the store takes it shared, so it waits for a recovery instead of creating an empty file."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; recoveries there are not coordinated
        yield
        return
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def marker(path: Path) -> Path:
    """The file that says a store was created at `path` (and when): an empty store file after it is a loss."""
    return path.with_name(path.name + ".created")


def note_created(path: Path, now: float) -> None:
    """Leave the creation marker beside a store file, once."""
    with contextlib.suppress(FileExistsError, OSError):
        fd = os.open(marker(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(f"{now}\n")


def emptied_since(path: Path) -> float | None:
    """When the store was created, if its file is now empty (truncated): a loss to report, not a new store."""
    try:
        if os.stat(path).st_size != 0:
            return None
        return float(marker(path).read_text().strip() or 0)
    except (OSError, ValueError):
        return None
