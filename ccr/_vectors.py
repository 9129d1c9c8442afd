"""The semantic index: chunk embeddings in a sqlite-vec table, and the thread that fills it.

The index is derived data kept in tables of its own, all named ``vec_*`` and
created on the first write:

    vec_meta        key/value: the vector length and the model that made them
    vec_chunks      one row per chunk: hash, ordinal, start_line, end_line, created
    vec_embeddings  a sqlite-vec ``vec0`` table of float32 vectors, rowid = vec_chunks.id

When the model or the vector length changes, the old vectors mean nothing and
are dropped. sqlite-vec is a loadable extension: where the standard ``sqlite3``
module may load extensions it is used, else ``apsw``, which bundles its own
copy of SQLite.

Two copies of SQLite in one process do not see each other's file locks (POSIX
locks are per process, and each copy keeps its own table of them), so an apsw
connection and the store's ``sqlite3`` connection on one file both write the
WAL at once and a commit is lost. The index therefore has a file of its own,
`index_path` (``vectors.sqlite3`` beside the store), and refuses, through apsw,
a file that holds other tables.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from ccr._chunks import Chunk, chunk_text
from ccr._exceptions import EmbeddingError, StoreError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from ccr._config import Settings
    from ccr._embeddings import Embedder

__all__ = ["BackgroundIndexer", "IndexerStats", "VectorHit", "VectorIndex", "index_path"]

_log = logging.getLogger(__name__)

# sqlite-vec answers at most this many nearest neighbours per query.
_MAX_K = 4096
# Vectors per sqlite-vec storage block; its default (1024) reserves 1.5 MB before the first vector lands.
_BLOCK = 128
Backend = Literal["auto", "sqlite3", "apsw"]


class VectorHit(NamedTuple):
    """A chunk near the query: its original's handle, its lines (1-based, inclusive) and cosine distance."""

    hash: str
    start_line: int
    end_line: int
    distance: float


def index_path(settings: Settings) -> Path:
    """Where the semantic index of a store lives: ``vectors.sqlite3`` in the store's directory."""
    return settings.home / "vectors.sqlite3"


def _connect_sqlite3(path: Path, timeout: float) -> tuple[Any, tuple[type[BaseException], ...]]:
    import sqlite3

    import sqlite_vec

    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    try:
        conn.enable_load_extension(True)
        conn.load_extension(sqlite_vec.loadable_path())
        conn.enable_load_extension(False)
    except BaseException:
        conn.close()
        raise
    return conn, (sqlite3.Error,)


def _connect_apsw(path: Path, timeout: float) -> tuple[Any, tuple[type[BaseException], ...]]:
    import apsw
    import sqlite_vec

    conn = apsw.Connection(str(path))
    try:
        conn.enable_load_extension(True)
        conn.load_extension(sqlite_vec.loadable_path())
        conn.enable_load_extension(False)
        conn.set_busy_timeout(int(timeout * 1000))
    except BaseException:
        conn.close()
        raise
    return conn, (apsw.Error,)


def _stdlib_can_load() -> bool:
    import sqlite3

    return hasattr(sqlite3.Connection, "enable_load_extension")


class VectorIndex:
    """Nearest-chunk search over the originals in one SQLite file; thread-safe.

    Args:
        path: the database file, usually `index_path` (created 0600 when absent).
        dim: the vector length.
        model: the embedding model's name; when it differs from the one recorded, the index is emptied.
        backend: ``"auto"`` takes the standard ``sqlite3`` module where it can load extensions, else apsw.
        timeout: seconds to wait for another connection's write lock.

    Raises:
        StoreError: the file cannot be opened, sqlite-vec cannot be loaded, or the file holds other
            tables and would be written through a second copy of SQLite (see the module docstring).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        dim: int = 384,
        model: str | None = None,
        backend: Backend = "auto",
        timeout: float = 10.0,
    ) -> None:
        self.path = Path(path)
        self.dim = dim
        self.model = model
        self._lock = threading.RLock()
        self._ready = False
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        except OSError as exc:
            raise StoreError(f"cannot create the index file {self.path}: {exc}") from exc
        self.backend, self._conn, self._errors = self._open(backend, timeout)
        try:
            with self._translate("open"):
                self._refuse_foreign_tables()
                self._conn.execute("PRAGMA journal_mode=WAL").fetchall()
                self._check_meta()
        except BaseException:
            self._conn.close()
            raise

    def _refuse_foreign_tables(self) -> None:
        if self.backend != "apsw":
            return
        names = [n for (n,) in self._rows("SELECT name FROM sqlite_master WHERE type = 'table'")]
        foreign = sorted(n for n in names if not n.startswith(("vec_", "sqlite_")))
        if foreign:
            raise StoreError(
                f"{self.path} holds other tables ({', '.join(foreign[:3])}); the vector index opens it through "
                "apsw, whose copy of SQLite does not see the standard sqlite3 module's locks, and writes would "
                "be lost. Give the index a file of its own (ccr.index_path(settings))."
            )

    def _open(self, backend: Backend, timeout: float) -> tuple[str, Any, tuple[type[BaseException], ...]]:
        tries: list[tuple[str, Callable[[Path, float], tuple[Any, tuple[type[BaseException], ...]]]]] = []
        if backend == "sqlite3" or (backend == "auto" and _stdlib_can_load()):
            tries.append(("sqlite3", _connect_sqlite3))
        if backend in ("auto", "apsw"):
            tries.append(("apsw", _connect_apsw))
        failures = []
        for name, connect in tries:
            try:
                conn, errors = connect(self.path, timeout)
            except Exception as exc:  # AttributeError, sqlite3/apsw errors, a missing sqlite-vec binary
                failures.append(f"{name}: {exc}")
                continue
            return name, conn, errors
        raise StoreError(f"cannot open {self.path} with sqlite-vec ({'; '.join(failures) or backend})")

    @contextmanager
    def _translate(self, action: str) -> Iterator[None]:
        try:
            yield
        except self._errors as exc:
            raise StoreError(f"vector index {self.path}: {action} failed: {exc}") from exc

    @contextmanager
    def _transaction(self, action: str) -> Iterator[None]:
        with self._lock, self._translate(action):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._conn.execute(sql, params)]

    def _tables_exist(self) -> bool:
        if not self._ready:
            found = self._rows("SELECT name FROM sqlite_master WHERE name IN ('vec_meta', 'vec_embeddings')")
            self._ready = len(found) == 2
        return self._ready

    def _check_meta(self) -> None:
        """Drop vectors made by another model or of another length: they cannot be compared with new ones."""
        if not self._tables_exist():
            return
        meta = dict(self._rows("SELECT key, value FROM vec_meta"))
        stale = meta.get("dim") != str(self.dim) or (self.model is not None and meta.get("model") != self.model)
        if stale:
            _log.info(
                "vector index %s was made by %s (%s); rebuilding it", self.path, meta.get("model"), meta.get("dim")
            )
            with self._transaction("reset"):
                for table in ("vec_embeddings", "vec_chunks", "vec_meta"):
                    self._conn.execute(f"DROP TABLE IF EXISTS {table}")
            self._ready = False

    def _create(self) -> None:
        if self._tables_exist():
            return
        self._conn.execute("CREATE TABLE IF NOT EXISTS vec_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS vec_chunks (id INTEGER PRIMARY KEY, hash TEXT NOT NULL, "
            "ordinal INTEGER NOT NULL, start_line INTEGER NOT NULL, end_line INTEGER NOT NULL, "
            "created REAL NOT NULL, UNIQUE (hash, ordinal))"
        )
        self._conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS vec_embeddings USING "
            f"vec0(embedding float[{int(self.dim)}] distance_metric=cosine, chunk_size={_BLOCK})"
        )
        self._conn.execute("INSERT OR REPLACE INTO vec_meta VALUES ('dim', ?)", (str(self.dim),))
        if self.model is not None:
            self._conn.execute("INSERT OR REPLACE INTO vec_meta VALUES ('model', ?)", (self.model,))
        self._ready = True

    def _vectors(self, embeddings: Any, rows: int | None) -> NDArray[np.float32]:
        import numpy as np

        try:
            array = np.asarray(embeddings, dtype="<f4")
        except (TypeError, ValueError) as exc:
            raise EmbeddingError(f"embeddings are not numbers: {exc}") from exc
        want = (self.dim,) if rows is None else (rows, self.dim)
        if array.shape != want:
            raise EmbeddingError(f"embeddings have shape {array.shape}; this index holds {want}")
        if not np.isfinite(array).all():
            raise EmbeddingError("embeddings contain NaN or infinity")
        return array

    def index(self, hash: str, chunks: Sequence[Chunk | tuple[int, int, str]], embeddings: Any) -> int:
        """Store the chunks of one original and their vectors, replacing what `hash` had; returns the count.

        Raises:
            EmbeddingError: `embeddings` is not one `dim`-long finite vector per chunk.
            StoreError: the database cannot be written.
        """
        vectors = self._vectors(embeddings, len(chunks))
        now = time.time()
        with self._transaction("index"):
            self._create()
            self._delete(hash)
            (top,) = self._rows("SELECT COALESCE(MAX(id), 0) FROM vec_chunks")[0]
            self._conn.executemany(
                "INSERT INTO vec_chunks (id, hash, ordinal, start_line, end_line, created) VALUES (?, ?, ?, ?, ?, ?)",
                [(top + 1 + n, hash, n, int(c[0]), int(c[1]), now) for n, c in enumerate(chunks)],
            )
            self._conn.executemany(
                "INSERT INTO vec_embeddings (rowid, embedding) VALUES (?, ?)",
                [(top + 1 + n, vectors[n].tobytes()) for n in range(len(chunks))],
            )
        return len(chunks)

    def search(self, query_embedding: Any, limit: int = 10, hashes: Iterable[str] | None = None) -> list[VectorHit]:
        """The `limit` chunks nearest `query_embedding` (at most 4096), nearest first.

        Args:
            query_embedding: one vector of length `dim`.
            limit: how many hits at most.
            hashes: search only the chunks of these originals (default: all).

        Raises:
            EmbeddingError: the query is not one `dim`-long finite vector.
            StoreError: the database cannot be read.
        """
        vector = self._vectors(query_embedding, None)
        wanted = None if hashes is None else sorted(set(hashes))
        if limit < 1 or wanted == []:
            return []
        sql = "SELECT rowid, distance FROM vec_embeddings WHERE embedding MATCH ? AND k = ?"
        params: list[Any] = [vector.tobytes(), min(limit, _MAX_K)]
        if wanted is not None:
            sql += " AND rowid IN (SELECT id FROM vec_chunks WHERE hash IN (SELECT value FROM json_each(?)))"
            params.append(json.dumps(wanted))
        with self._lock, self._translate("search"):
            if not self._tables_exist():
                return []
            rows = self._rows(
                f"WITH knn AS ({sql}) SELECT c.hash, c.start_line, c.end_line, knn.distance "
                "FROM knn JOIN vec_chunks c ON c.id = knn.rowid "
                "ORDER BY knn.distance, c.hash, c.start_line",
                params,
            )
        return [VectorHit(h, start, end, float(d)) for h, start, end, d in rows]

    def hashes(self) -> set[str]:
        """The handles of every original with indexed chunks."""
        with self._lock, self._translate("lookup"):
            if not self._tables_exist():
                return set()
            return {h for (h,) in self._rows("SELECT DISTINCT hash FROM vec_chunks")}

    def has(self, hash: str) -> bool:
        """Whether the chunks of `hash` are indexed."""
        with self._lock, self._translate("lookup"):
            if not self._tables_exist():
                return False
            return bool(self._rows("SELECT 1 FROM vec_chunks WHERE hash = ? LIMIT 1", (hash,)))

    def delete(self, hash: str) -> int:
        """Forget the chunks of `hash` (the store calls this when it evicts or expires it); returns the count."""
        with self._lock:
            if not self._tables_exist():
                return 0
            with self._transaction("delete"):
                return self._delete(hash)

    def _delete(self, hash: str) -> int:
        ids = self._rows("SELECT id FROM vec_chunks WHERE hash = ?", (hash,))
        if ids:
            self._conn.executemany("DELETE FROM vec_embeddings WHERE rowid = ?", ids)
            self._conn.execute("DELETE FROM vec_chunks WHERE hash = ?", (hash,))
        return len(ids)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> VectorIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@dataclass(frozen=True, slots=True)
class IndexerStats:
    """What a background indexer has done: originals indexed, skipped (already there, or no model),
    failed (logged), and dropped because the queue was full or the indexer closed."""

    indexed: int
    skipped: int
    failed: int
    dropped: int
    pending: int


_Job = tuple[str, str | bytes | None, str | None]


class BackgroundIndexer:
    """Chunks and embeds originals in a daemon thread, off the caller's path, then writes them to the index.

    ``submit`` never blocks: when ``max_pending`` originals wait already, it drops the new one (retrieval
    then ranks that original lexically). Originals of more than ``max_chunks`` chunks are indexed by
    their first ``max_chunks``. A failure is logged and counted; the thread carries on.

    Args:
        index: the vector index, or a function that opens it (called once, in the indexer's thread, the
            first time vectors are written or looked up: opening it loads sqlite-vec).
        embedder: the model; its files are downloaded here, in the background, when missing and allowed.
        chunks_of: for jobs submitted without their data: a function that returns the chunks of the
            original with that handle (None when it is gone), e.g. `Store.index_for_search`, which also
            indexes them for lexical search whether or not a model is available.
        quiet_s: how long after the last `note_activity()` work may start. Indexing takes the GIL and
            the store's lock, so during a burst of compress calls it waits for the burst to end rather
            than slow each call down (a thread holding the GIL costs every Rust call a switch interval).
    """

    def __init__(
        self,
        index: VectorIndex | Callable[[], VectorIndex],
        embedder: Embedder,
        *,
        max_pending: int = 64,
        max_chunks: int = 4096,
        chunker: Callable[[str, str | None], list[Chunk]] = chunk_text,
        chunks_of: Callable[[str], list[Chunk] | None] | None = None,
        slice_size: int = 256,
        quiet_s: float = 0.25,
    ) -> None:
        self._index = index if isinstance(index, VectorIndex) else None
        self._open_index = None if isinstance(index, VectorIndex) else index
        self.embedder = embedder
        self._max_pending = max_pending
        self._max_chunks = max_chunks
        self._chunker = chunker
        self._chunks_of = chunks_of
        self._slice = slice_size
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._cond = threading.Condition()
        self._queued: set[str] = set()
        self._counts = {"indexed": 0, "skipped": 0, "failed": 0, "dropped": 0}
        self._pending = 0
        self._closed = False
        self._thread: threading.Thread | None = None
        self._quiet_s = quiet_s
        self._last_activity = float("-inf")

    @property
    def max_pending(self) -> int:
        """How many originals may wait before new ones are dropped."""
        return self._max_pending

    @property
    def index(self) -> VectorIndex:
        """The vector index (opened now if it was given as a function and not opened yet)."""
        with self._cond:
            if self._index is None:
                assert self._open_index is not None
                self._index = self._open_index()
            return self._index

    def submit(self, hash: str, data: str | bytes | None = None, content_type: str | None = None) -> bool:
        """Queue an original for indexing; False when it was dropped (queue full, indexer closed).

        Without `data`, the indexer's `chunks_of` reads the original when its turn comes.
        """
        if data is None and self._chunks_of is None:
            raise ValueError("this indexer reads no originals by itself: pass the data")
        with self._cond:
            if hash in self._queued:
                return True
            if self._closed or self._pending >= self._max_pending:
                self._counts["dropped"] += 1
                return False
            self._queued.add(hash)
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="headroom-indexer", daemon=True)
                self._thread.start()
        self._queue.put((hash, data, content_type))
        return True

    def note_activity(self) -> None:
        """The caller is busy now (e.g. a compress call is running): hold new work back for `quiet_s`."""
        with self._cond:
            self._last_activity = time.monotonic()

    def wait_quiet(self) -> None:
        """Return once `quiet_s` have passed since the last `note_activity()` (or the indexer is closed)."""
        with self._cond:
            while not self._closed:
                left = self._last_activity + self._quiet_s - time.monotonic()
                if left <= 0:
                    return
                self._cond.wait(left)

    def flush(self, timeout: float) -> bool:
        """Wait until everything submitted is done, at most `timeout` seconds; True when it is."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout)

    def stats(self) -> IndexerStats:
        with self._cond:
            return IndexerStats(pending=self._pending, **self._counts)

    def close(self, timeout: float = 5.0) -> bool:
        """Stop taking work, finish the current slice and stop; True when the thread ended in `timeout`.

        The index stays open: whoever opened it closes it.
        """
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        self._queue.put(None)
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                with self._cond:
                    self._counts["dropped"] += self._pending
                    self._pending = 0
                    self._queued.clear()
                    self._cond.notify_all()
                return
            hash, data, content_type = item
            self.wait_quiet()
            outcome = "failed"
            try:
                outcome = self._process(hash, data, content_type)
            except Exception:
                _log.warning("indexing %s for semantic search failed", hash, exc_info=True)
            with self._cond:
                if hash in self._queued:
                    self._queued.discard(hash)
                    self._pending -= 1
                    self._counts[outcome] += 1
                self._cond.notify_all()

    def _stopping(self) -> bool:
        with self._cond:
            return self._closed

    def _process(self, hash: str, data: str | bytes | None, content_type: str | None) -> str:
        if self._stopping():
            return "dropped"
        chunks: list[Chunk] | None = None
        if data is None:
            assert self._chunks_of is not None
            chunks = self._chunks_of(hash)  # lexical search indexing happens here, model or not
            if chunks is None:
                return "skipped"  # gone since it was submitted
        if not self.embedder.available(download=True) or self.index.has(hash):
            return "skipped"
        if chunks is None:
            assert data is not None
            text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
            chunks = self._chunker(text, content_type)
        if len(chunks) > self._max_chunks:
            _log.info("%s: indexing its first %d of %d chunks", hash, self._max_chunks, len(chunks))
            chunks = chunks[: self._max_chunks]
        import numpy as np

        parts = []
        for at in range(0, len(chunks), self._slice):
            self.wait_quiet()
            if self._stopping():
                return "dropped"
            parts.append(self.embedder.embed([c.text for c in chunks[at : at + self._slice]]))
        vectors = np.concatenate(parts) if parts else np.zeros((0, self.index.dim), dtype=np.float32)
        self.index.index(hash, chunks, vectors)
        return "indexed"
