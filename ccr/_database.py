"""The SQLite file under the store: opening it safely, its schema and migrations, retries, corruption.

One file holds originals, tombstones, stats events, the chunk index for search and the hashes of the
texts headroom produced. It runs in WAL mode (readers never wait for the writer; several processes can
share it) with a busy timeout, and every write is a ``BEGIN IMMEDIATE`` transaction, retried while
another process holds the lock, so two writers never fail on a lock upgrade.
Commits never checkpoint: the store's background thread does (`ccr._checkpoint`).

The file is created 0600 in a directory created 0700: originals are whatever
tools printed, secrets included. A file SQLite cannot read is never deleted:
`move_aside` renames it (and its -wal/-shm) so it can still be recovered.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from ccr._access import ensure_private_dir
from ccr._exceptions import StoreError

__all__ = [
    "BUSY_TIMEOUT_S",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "connect",
    "copy_aside",
    "free_pages",
    "is_busy",
    "is_corruption",
    "move_aside",
    "read",
    "release_free_pages",
    "restrict_sidecars",
    "sidecars",
    "write",
]

T = TypeVar("T")

SCHEMA_VERSION = 5
BUSY_TIMEOUT_S = 10.0
# How long a write keeps retrying on top of the busy timeout, when SQLite answers "locked" without waiting.
_RETRY_FOR_S = 30.0

_WAL_SIZE_LIMIT = 32 * 1024**2

_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26

_SCHEMA_V1 = """
CREATE TABLE originals (
    id INTEGER PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    lines INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at REAL NOT NULL,
    last_access REAL NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX originals_by_access ON originals (last_access, size);

CREATE TABLE tombstones (
    hash TEXT PRIMARY KEY,
    reason TEXT NOT NULL CHECK (reason IN ('expired', 'evicted')),
    at REAL NOT NULL,
    size INTEGER NOT NULL,
    created_at REAL NOT NULL,
    last_access REAL NOT NULL
);
CREATE INDEX tombstones_by_time ON tombstones (at);

-- Kept by triggers so the size cap costs one row read per put, however many originals there are.
CREATE TABLE totals (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    entries INTEGER NOT NULL,
    bytes INTEGER NOT NULL
);
INSERT INTO totals (id, entries, bytes) VALUES (1, 0, 0);
CREATE TRIGGER originals_added AFTER INSERT ON originals BEGIN
    UPDATE totals SET entries = entries + 1, bytes = bytes + NEW.size WHERE id = 1;
END;
CREATE TRIGGER originals_removed AFTER DELETE ON originals BEGIN
    UPDATE totals SET entries = entries - 1, bytes = bytes - OLD.size WHERE id = 1;
END;

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    hash TEXT,
    tokens_before INTEGER NOT NULL,
    tokens_after INTEGER NOT NULL,
    compressor TEXT NOT NULL,
    client TEXT NOT NULL,
    elapsed_ms REAL NOT NULL,
    session TEXT
);
CREATE INDEX events_by_time ON events (at);
CREATE INDEX events_by_session ON events (session, at);
"""

# v2: the bytes move to their own table. SQLite rewrites a whole row when any column changes, so with the
# bytes beside last_access every read of a 40 MB original wrote 40 MB to the WAL.
_V1_TO_V2 = """
CREATE TABLE original_bytes (
    id INTEGER PRIMARY KEY,  -- = originals.id
    data BLOB NOT NULL
);
INSERT INTO original_bytes (id, data) SELECT id, data FROM originals;
ALTER TABLE originals DROP COLUMN data;
DROP TRIGGER originals_removed;
CREATE TRIGGER originals_removed AFTER DELETE ON originals BEGIN
    UPDATE totals SET entries = entries - 1, bytes = bytes - OLD.size WHERE id = 1;
    DELETE FROM original_bytes WHERE id = OLD.id;
END;
"""

# v3: chunks of every original for search across the store (`ccr._chunk_search`), and events found by handle
# (a search shows which client stored each original).
_V2_TO_V3 = """
ALTER TABLE originals ADD COLUMN searchable INTEGER NOT NULL DEFAULT 0;
CREATE TABLE chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: orphaned FTS entries must not match a new chunk
    hash TEXT NOT NULL,
    start_line INTEGER NOT NULL,
    end_line INTEGER NOT NULL,
    start_byte INTEGER NOT NULL,
    end_byte INTEGER NOT NULL
);
CREATE INDEX chunks_by_hash ON chunks (hash, start_byte);
CREATE VIRTUAL TABLE chunk_terms USING fts5 (terms, content = '', tokenize = "unicode61 tokenchars '._:/-'");
CREATE TABLE search_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO search_meta (key, value) VALUES ('terms_version', 0), ('orphans', 0);
CREATE TRIGGER originals_unchunked AFTER DELETE ON originals BEGIN
    DELETE FROM chunks WHERE hash = OLD.hash;
END;
CREATE TRIGGER chunks_orphaned AFTER DELETE ON chunks BEGIN
    UPDATE search_meta SET value = value + 1 WHERE key = 'orphans';
END;
CREATE INDEX events_by_hash ON events (hash, at);
"""

# v4: the texts headroom produced from each original (compressed outputs, tool results with their header), by
# content hash and size, so an input that is one of them passes through `compress` unchanged. They go with it.
_V3_TO_V4 = """
CREATE TABLE outputs (
    hash TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    original TEXT NOT NULL,
    created_at REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX outputs_by_original ON outputs (original);
CREATE TRIGGER originals_outputs_dropped AFTER DELETE ON originals BEGIN
    DELETE FROM outputs WHERE original = OLD.hash;
END;
"""

# v5: a tombstone may say an original was lost to a damaged file (`ccr._recover`), not only expired or evicted.
# SQLite cannot change a CHECK constraint in place: the table is rebuilt.
_V4_TO_V5 = """
CREATE TABLE tombstones_v5 (
    hash TEXT PRIMARY KEY,
    reason TEXT NOT NULL CHECK (reason IN ('expired', 'evicted', 'corrupted')),
    at REAL NOT NULL,
    size INTEGER NOT NULL,
    created_at REAL NOT NULL,
    last_access REAL NOT NULL
);
INSERT INTO tombstones_v5 (hash, reason, at, size, created_at, last_access)
    SELECT hash, reason, at, size, created_at, last_access FROM tombstones;
DROP TABLE tombstones;
ALTER TABLE tombstones_v5 RENAME TO tombstones;
CREATE INDEX tombstones_by_time ON tombstones (at);
"""

# MIGRATIONS[n] takes a file at schema version n to n + 1; a new file runs them all, in order.
MIGRATIONS: tuple[str, ...] = (_SCHEMA_V1, _V1_TO_V2, _V2_TO_V3, _V3_TO_V4, _V4_TO_V5)


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether `exc` means another connection holds a lock (worth retrying)."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    return code in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in str(exc)


def is_corruption(exc: sqlite3.Error) -> bool:
    """Whether `exc` means the file is not a usable SQLite database."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    return code in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


def sidecars(path: Path) -> list[Path]:
    """The WAL and shared-memory files SQLite keeps next to `path`."""
    return [path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _ensure_private_file(path: Path) -> None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def restrict_sidecars(path: Path) -> None:
    """Make the -wal and -shm files owner-only too (SQLite copies the mode, but a umask or an old file may not)."""
    for side in sidecars(path):
        with contextlib.suppress(FileNotFoundError):
            side.chmod(0o600)


def connect(path: Path) -> sqlite3.Connection:
    """An open, migrated connection to the store file at `path`, created private if absent.

    Raises:
        sqlite3.DatabaseError: the file is not a database (see `is_corruption`); the caller decides what to do.
        StoreError: the file was written by a newer version, or the directory cannot be made.
    """
    ensure_private_dir(path.parent, tighten=False)
    try:
        _ensure_private_file(path)
    except OSError as exc:
        raise StoreError(f"cannot create the store at {path}: {exc.strerror or exc}") from exc
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    try:
        _refuse_newer(conn, path)
        if conn.execute("PRAGMA page_count").fetchone()[0] == 0:
            # Only a brand-new file takes this, and only before WAL mode writes its header.
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        _retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
        conn.execute("PRAGMA synchronous = NORMAL")
        # Checkpoints run on the store's background thread (`ccr._checkpoint`), not inside a commit.
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        # A 50 MB original passes through the WAL; do not let the -wal file keep that size afterwards.
        conn.execute(f"PRAGMA journal_size_limit = {_WAL_SIZE_LIMIT}")
        _migrate(conn, path)
        restrict_sidecars(path)
    except BaseException:
        conn.close()
        raise
    return conn


def _refuse_newer(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse, before changing anything in it, a file written by a newer schema."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the store at {path} has schema version {version}, newer than this headroom-mcp understands "
            f"({SCHEMA_VERSION}); upgrade headroom-mcp, or set HEADROOM_HOME to another directory"
        )


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    if int(conn.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION:
        return

    def step() -> None:
        # Another process may have migrated while this one waited for the lock.
        _refuse_newer(conn, path)
        current = int(conn.execute("PRAGMA user_version").fetchone()[0])
        for n in range(current, SCHEMA_VERSION):
            for statement in _statements(MIGRATIONS[n]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {n + 1}")

    write(conn, step)


def _statements(script: str) -> list[str]:
    """The statements of `script`, one by one: executescript() would COMMIT the caller's transaction first."""
    out: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {pending.strip()[:80]!r}")
    return out


def _retry(op: Callable[[], T]) -> T:
    deadline = time.monotonic() + _RETRY_FOR_S
    delay = 0.005
    while True:
        try:
            return op()
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or time.monotonic() > deadline:
                raise
        # Back off with jitter so competing processes do not retry in lockstep.
        time.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 0.25)


def write(conn: sqlite3.Connection, op: Callable[[], T]) -> T:
    """Run `op` in one ``BEGIN IMMEDIATE`` transaction, committed on return, rolled back on error.

    A lock held by another process is waited for (busy timeout), and the whole
    transaction is retried while SQLite still reports it busy.
    """

    def attempt() -> T:
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = op()
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return result

    return _retry(attempt)


def free_pages(conn: sqlite3.Connection) -> int:
    """Bytes held by free pages in the file (left by deleted originals)."""
    (count,) = conn.execute("PRAGMA freelist_count").fetchone()
    (size,) = conn.execute("PRAGMA page_size").fetchone()
    return int(count) * int(size)


def release_free_pages(conn: sqlite3.Connection) -> None:
    """Give free pages back to the file system (outside any transaction).

    executescript() because execute() steps ``incremental_vacuum`` once, freeing one page.
    """
    _retry(lambda: conn.executescript("PRAGMA incremental_vacuum;"))


@contextlib.contextmanager
def read(conn: sqlite3.Connection) -> Iterator[None]:
    """A consistent snapshot for several reads (a deferred transaction)."""
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def _aside_name(path: Path, now: float) -> Path:
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    return target


def move_aside(path: Path, now: float) -> Path:
    """Rename the unreadable store file (and its -wal/-shm) to ``<name>.corrupt-<UTC time>``; return the new path."""
    target = _aside_name(path, now)
    os.replace(path, target)
    for side, moved in zip(sidecars(path), sidecars(target), strict=True):
        with contextlib.suppress(FileNotFoundError):
            os.replace(side, moved)
    return target


def copy_aside(path: Path, now: float) -> Path:
    """Copy the damaged store file and its WAL to ``<name>.corrupt-<UTC time>`` (0600), leaving the file in place for
    the processes that have it open; return the copy's path."""
    target = _aside_name(path, now)
    for source, copy in zip([path, sidecars(path)[0]], [target, sidecars(target)[0]], strict=True):
        if not source.exists():
            continue
        fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
    return target
