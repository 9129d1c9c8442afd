"""The store's rows in a PostgreSQL database a team shares (``HEADROOM_STORE_URL=postgresql://...``).

Same behaviour as the SQLite file (`ccr._backend`), for several servers at
once: originals as ``bytea``, a namespace per team enforced by row-level
security (`ccr._pg_schema`), connections from a psycopg pool, every call one
transaction. Concurrency rules:

- a put inserts with ``ON CONFLICT DO NOTHING``: two servers putting the same
  bytes store them once; a handle is returned only after its commit, so a
  server killed mid-write loses nothing it handed out;
- whatever deletes originals (eviction, expiry) first holds the namespace's
  ``totals`` row, which every insert also updates: evictions of one namespace
  run one at a time and never evict twice for the same excess; an original
  being read at that moment is skipped (``FOR UPDATE SKIP LOCKED``: it is in
  use, so not the least recently used);
- the search index of a namespace has one writer at a time (an advisory lock),
  and a chunking run's progress is compare-and-swapped as in SQLite;
- deadlocks and serialization failures are retried.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg
import psycopg.errors
from psycopg_pool import ConnectionPool, PoolTimeout

from ccr import _pg_schema as schema
from ccr._backend import (
    DropListener,
    InfoRow,
    Meta,
    NewOriginal,
    SweepCounts,
    Tombstone,
    collision_error,
    describe_url,
)
from ccr._chunk_search import Candidate, SearchChunk
from ccr._config import DEFAULT_NAMESPACE
from ccr._exceptions import HeadroomError, StoreError
from ccr._pg_search import chunks_holding, last_chunks, lexical_candidates, tsvector_literal
from ccr._stats import insert_event, summarize

if TYPE_CHECKING:
    from ccr._stats import Event, StatsSummary

__all__ = ["PostgresBackend"]

_log = logging.getLogger(__name__)
T = TypeVar("T")
Conn = psycopg.Connection[tuple[Any, ...]]

POOL_SIZE = 8
_CONNECT_TIMEOUT_S = 10
_RETRIES = 6
_EVICT_BATCH = 500
_ORIGINALS = "headroom.originals"


class PostgresBackend:
    """The rows of one namespace of a team store, through a pool of connections to `url`.

    Raises:
        StoreError: the server cannot be reached, its schema is newer, or the namespace's role cannot be
            created or used by the URL's user.
    """

    kind = "postgresql"

    def __init__(self, url: str, namespace: str, on_drop: DropListener, *, pool_size: int = POOL_SIZE) -> None:
        self.url = url
        self.where = describe_url(url)
        self._on_drop = on_drop
        self._closed = False
        self._lock = threading.Lock()
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=_CONNECT_TIMEOUT_S) as conn:
                schema.migrate(conn, self.where)
                self.namespace, self._role = _namespace_role(conn, namespace, self.where)
        except HeadroomError:
            raise
        except psycopg.Error as exc:
            raise StoreError(f"cannot open the team store at {self.where}: {_message(exc)}") from exc
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True, "connect_timeout": _CONNECT_TIMEOUT_S},
            configure=self._configure,
            open=False,
            name=f"headroom:{self.namespace}",
        )
        try:
            self._pool.open(wait=True, timeout=_CONNECT_TIMEOUT_S * 2)
        except PoolTimeout as exc:
            self._pool.close()
            raise StoreError(f"cannot connect to the team store at {self.where}: {exc}") from exc

    def _configure(self, conn: Conn) -> None:
        if self._role is not None:
            conn.execute(f'SET ROLE "{self._role}"')
        # The stats module's portable SQL names the tables without their schema.
        conn.execute("SET search_path TO headroom, public")

    # -- originals -------------------------------------------------------------------------------------------

    def refresh(self, digest: str, raw: bytes, now: float) -> bool:
        return self._tx("store an original", lambda conn, dropped: self._refresh(conn, digest, raw, now))

    def _refresh(self, conn: Conn, digest: str, raw: bytes, now: float) -> bool:
        row = conn.execute(
            f"SELECT size = %s AND data = %b FROM {_ORIGINALS} WHERE namespace = %s AND hash = %s FOR UPDATE",
            (len(raw), raw, self.namespace, digest),
        ).fetchone()
        if row is None:
            return False
        if not row[0]:
            raise collision_error(digest)
        conn.execute(
            f"UPDATE {_ORIGINALS} SET last_access = greatest(last_access, %s) WHERE namespace = %s AND hash = %s",
            (now, self.namespace, digest),
        )
        return True

    def _add(self, conn: Conn, digest: str, raw: bytes, row: InfoRow) -> bool:
        """Write an original (False when the same bytes are already there: then only its last use moves)."""
        added = conn.execute(
            f"INSERT INTO {_ORIGINALS} (namespace, hash, size, tokens, lines, content_type, source, created_at,"
            " last_access, data) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %b)"
            " ON CONFLICT (namespace, hash) DO NOTHING RETURNING 1",
            (
                self.namespace,
                digest,
                len(raw),
                row.tokens,
                row.lines,
                row.content_type,
                row.source,
                row.created_at,
                row.last_access,
                raw,
            ),
        ).fetchone()
        if added is None:
            self._refresh(conn, digest, raw, row.last_access)
            return False
        conn.execute("DELETE FROM headroom.tombstones WHERE namespace = %s AND hash = %s", (self.namespace, digest))
        return True

    def insert(self, new: NewOriginal, now: float, cap: int) -> bool:
        row = InfoRow(len(new.raw), new.tokens, new.lines, new.content_type, new.source, now, now)

        def op(conn: Conn, dropped: list[tuple[str, str]]) -> bool:
            if not self._add(conn, new.digest, new.raw, row):
                return False
            # The insert's trigger holds this namespace's totals row until the commit: evictions run one at a time.
            self._evict(conn, dropped, now, cap, keep=new.digest)
            return True

        return self._tx("store an original", op)

    def _lock_totals(self, conn: Conn) -> int:
        row = conn.execute(
            "SELECT bytes FROM headroom.totals WHERE namespace = %s FOR UPDATE", (self.namespace,)
        ).fetchone()
        return int(row[0]) if row else 0

    def _evict(
        self, conn: Conn, dropped: list[tuple[str, str]], now: float, cap: int, keep: str = ""
    ) -> tuple[int, int]:
        excess = self._lock_totals(conn) - cap
        count = freed = 0
        while excess > freed:
            victims: list[str] = []
            for digest, size in conn.execute(
                f"SELECT hash, size FROM {_ORIGINALS} WHERE namespace = %s AND hash <> %s "
                "ORDER BY last_access, hash LIMIT %s FOR UPDATE SKIP LOCKED",
                (self.namespace, keep, _EVICT_BATCH),
            ):
                victims.append(digest)
                freed += int(size)
                if freed >= excess:
                    break
            if not victims:
                break  # everything else is in use right now; the next put or sweep evicts
            self._bury(conn, dropped, "evicted", now, "hash = ANY(%s)", (victims,))
            count += len(victims)
        return count, freed

    def _bury(
        self,
        conn: Conn,
        dropped: list[tuple[str, str]],
        reason: str,
        at: float,
        where: str,
        params: tuple[object, ...],
    ) -> int:
        """Turn the originals matching `where` into tombstones (the totals row must be held); the bytes freed.
        `at` is when they left, or for "expired" the TTL (they expired at their last access plus it)."""
        at_sql = "g.last_access + %s" if reason == "expired" else "%s"
        rows = conn.execute(
            f"WITH gone AS (DELETE FROM {_ORIGINALS} WHERE namespace = %s AND {where} "
            "RETURNING hash, size, created_at, last_access) "
            "INSERT INTO headroom.tombstones AS t (namespace, hash, reason, at, size, created_at, last_access) "
            f"SELECT %s, g.hash, %s, {at_sql}, g.size, g.created_at, g.last_access FROM gone g "
            "ON CONFLICT (namespace, hash) DO UPDATE SET reason = EXCLUDED.reason, at = EXCLUDED.at, "
            "size = EXCLUDED.size, created_at = EXCLUDED.created_at, last_access = EXCLUDED.last_access "
            "RETURNING t.hash, t.size",
            (self.namespace, *params, self.namespace, reason, at),
        ).fetchall()
        dropped.extend((str(h), reason) for h, _ in rows)
        return sum(int(size) for _, size in rows)

    def touch(self, digest: str, now: float, live_after: float, ttl: float, *, with_data: bool) -> bytes | None:
        def op(conn: Conn, dropped: list[tuple[str, str]]) -> bytes | None:
            row = conn.execute(
                f"UPDATE {_ORIGINALS} SET last_access = greatest(last_access, %s) "
                "WHERE namespace = %s AND hash = %s AND last_access > %s "
                "RETURNING CASE WHEN %s THEN data ELSE ''::bytea END",
                (now, self.namespace, digest, live_after, with_data),
                binary=True,
            ).fetchone()
            if row is not None:
                return bytes(row[0])
            self._lock_totals(conn)
            self._bury(conn, dropped, "expired", ttl, "hash = %s AND last_access <= %s", (digest, live_after))
            return None

        return self._tx("read an original", op)

    def info(self, digest: str) -> InfoRow | None:
        row = self._tx(
            "read an original's metadata",
            lambda conn, dropped: conn.execute(
                "SELECT size, tokens, lines, content_type, source, created_at, last_access "
                f"FROM {_ORIGINALS} WHERE namespace = %s AND hash = %s",
                (self.namespace, digest),
            ).fetchone(),
        )
        return None if row is None else InfoRow(int(row[0]), int(row[1]), int(row[2]), *row[3:])

    def tombstone(self, digest: str) -> Tombstone | None:
        row = self._tx(
            "read a tombstone",
            lambda conn, dropped: conn.execute(
                "SELECT reason, at, size, last_access FROM headroom.tombstones WHERE namespace = %s AND hash = %s",
                (self.namespace, digest),
            ).fetchone(),
        )
        return None if row is None else Tombstone(str(row[0]), float(row[1]), int(row[2]), float(row[3]))

    def sweep(self, now: float, live_after: float, ttl: float, cap: int, max_tombstones: int) -> SweepCounts:
        def op(conn: Conn, dropped: list[tuple[str, str]]) -> SweepCounts:
            self._lock_totals(conn)
            freed = self._bury(conn, dropped, "expired", ttl, "last_access <= %s", (live_after,))
            expired = len(dropped)
            evicted, evicted_bytes = self._evict(conn, dropped, now, cap)
            conn.execute(
                "DELETE FROM headroom.tombstones WHERE namespace = %s AND hash IN (SELECT hash FROM "
                "headroom.tombstones WHERE namespace = %s ORDER BY at DESC OFFSET %s)",
                (self.namespace, self.namespace, max_tombstones),
            )
            return SweepCounts(expired, evicted, freed + evicted_bytes)

        return self._tx("sweep", op)

    # -- what headroom produced ----------------------------------------------------------------------------

    def remember_output(self, output: str, size: int, original: str, now: float) -> None:
        self._tx(
            "remember an output",
            lambda conn, dropped: conn.execute(
                "INSERT INTO headroom.outputs (namespace, hash, size, original, created_at) "
                f"SELECT %s, %s, %s, %s, %s WHERE EXISTS (SELECT 1 FROM {_ORIGINALS} WHERE namespace = %s "
                "AND hash = %s) ON CONFLICT (namespace, hash) DO UPDATE SET size = EXCLUDED.size, "
                "original = EXCLUDED.original, created_at = EXCLUDED.created_at",
                (self.namespace, output, size, original, now, self.namespace, original),
            ),
        )

    def produced(self, output: str, size: int) -> str | None:
        row = self._tx(
            "look up an output",
            lambda conn, dropped: conn.execute(
                "SELECT original FROM headroom.outputs WHERE namespace = %s AND hash = %s AND size = %s",
                (self.namespace, output, size),
            ).fetchone(),
        )
        return None if row is None else str(row[0])

    # -- stats -----------------------------------------------------------------------------------------------

    def record(self, event: Event, at: float) -> None:
        self._tx("record a stats event", lambda conn, dropped: insert_event(_query(conn), event, at))

    def summarize(self, since: float | None, session: str | None, live_after: float) -> StatsSummary:
        def op(conn: Conn, dropped: list[tuple[str, str]]) -> StatsSummary:
            totals = conn.execute("SELECT * FROM headroom.namespace_totals()").fetchall()
            return summarize(
                _query(conn),
                since=since,
                session=session,
                live_after=live_after,
                namespace=self.namespace,
                namespaces=[tuple(row) for row in totals],
            )

        return self._tx("read stats", op)

    # -- the search index ------------------------------------------------------------------------------------

    def check_search_version(self, version: int) -> None:
        def stale(conn: Conn, dropped: list[tuple[str, str]]) -> bool:
            row = conn.execute(
                "SELECT terms_version FROM headroom.search_meta WHERE namespace = %s", (self.namespace,)
            ).fetchone()
            return row is None or int(row[0]) != version

        def rebuild(conn: Conn, dropped: list[tuple[str, str]]) -> None:
            self._lock_index(conn)
            if not stale(conn, dropped):
                return
            conn.execute("DELETE FROM headroom.chunks WHERE namespace = %s", (self.namespace,))
            conn.execute(
                f"UPDATE {_ORIGINALS} SET searchable = 0 WHERE namespace = %s AND searchable <> 0", (self.namespace,)
            )
            conn.execute(
                "INSERT INTO headroom.search_meta (namespace, terms_version) VALUES (%s, %s) "
                "ON CONFLICT (namespace) DO UPDATE SET terms_version = EXCLUDED.terms_version",
                (self.namespace, version),
            )

        if self._tx("read the search index", stale):
            self._tx("rebuild the search index", rebuild)

    def prune_search_index(self) -> None:
        """Nothing to do: a dropped original's chunks go with it (a foreign key)."""

    def _lock_index(self, conn: Conn) -> None:
        """Hold this namespace's indexer lock until the transaction ends: one indexer per namespace at a time."""
        conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (schema.LOCK_INDEX, self.namespace))

    def original_for_index(self, digest: str) -> tuple[bytes, str, str, int, int] | None:
        row = self._tx(
            "read an original for indexing",
            lambda conn, dropped: conn.execute(
                f"SELECT data, content_type, source, size, searchable FROM {_ORIGINALS} "
                "WHERE namespace = %s AND hash = %s",
                (self.namespace, digest),
                binary=True,
            ).fetchone(),
        )
        return None if row is None else (bytes(row[0]), str(row[1]), str(row[2]), int(row[3]), int(row[4]))

    def write_chunks(
        self, digest: str, rows: Sequence[tuple[SearchChunk, list[str]]], expect_done: int, done: int
    ) -> bool:
        literals = [(piece, tsvector_literal(words), len(words)) for piece, words in rows]

        def op(conn: Conn, dropped: list[tuple[str, str]]) -> bool:
            self._lock_index(conn)
            row = conn.execute(
                f"SELECT searchable FROM {_ORIGINALS} WHERE namespace = %s AND hash = %s FOR UPDATE",
                (self.namespace, digest),
            ).fetchone()
            if row is None or int(row[0]) != expect_done:
                return False
            if expect_done == 0:
                # Rows left by an indexing that stopped half-way are redone from the start.
                conn.execute("DELETE FROM headroom.chunks WHERE namespace = %s AND hash = %s", (self.namespace, digest))
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO headroom.chunks (namespace, hash, start_line, end_line, start_byte, end_byte, "
                    "length, terms) VALUES (%s, %s, %s, %s, %s, %s, %s, %s::tsvector)",
                    [
                        (self.namespace, digest, p.start_line, p.end_line, p.start_byte, p.end_byte, n, literal)
                        for p, literal, n in literals
                    ],
                )
            conn.execute(
                f"UPDATE {_ORIGINALS} SET searchable = %s WHERE namespace = %s AND hash = %s",
                (done, self.namespace, digest),
            )
            return True

        return self._tx("index an original for search", op)

    def pending_originals(self, limit: int, live_after: float) -> list[tuple[str, int, int]]:
        rows = self._tx(
            "read the search index",
            lambda conn, dropped: conn.execute(
                f"SELECT hash, size, searchable FROM {_ORIGINALS} WHERE namespace = %s AND searchable < size "
                "AND last_access > %s ORDER BY created_at DESC, hash DESC LIMIT %s",
                (self.namespace, live_after, limit),
            ).fetchall(),
        )
        return [(str(h), int(size), int(done)) for h, size, done in rows]

    def lexical_candidates(
        self, query: str, *, limit: int, live_after: float, since: float | None, content_type: str | None
    ) -> list[Candidate]:
        return self._tx(
            "search the store",
            lambda conn, dropped: lexical_candidates(
                conn, self.namespace, query, limit=limit, live_after=live_after, since=since, content_type=content_type
            ),
        )

    def last_chunks(self, hashes: Sequence[str]) -> list[Candidate]:
        return self._tx("search the store", lambda conn, dropped: last_chunks(conn, self.namespace, hashes))

    def chunks_holding(self, ids: Sequence[int], words: Sequence[str]) -> set[int]:
        return self._tx("search the store", lambda conn, dropped: chunks_holding(conn, self.namespace, ids, words))

    def metadata(self, hashes: Sequence[str]) -> dict[str, Meta]:
        rows = self._tx(
            "search the store",
            lambda conn, dropped: conn.execute(
                "SELECT o.hash, o.content_type, o.source, o.created_at, o.last_access, coalesce(("
                "SELECT e.client FROM headroom.events e WHERE e.namespace = o.namespace AND e.hash = o.hash "
                f"AND e.kind <> 'retrieve' ORDER BY e.at LIMIT 1), '') FROM {_ORIGINALS} o "
                "WHERE o.namespace = %s AND o.hash = ANY(%s)",
                (self.namespace, list(dict.fromkeys(hashes))),
            ).fetchall(),
        )
        return {str(h): Meta(str(ct), str(src), float(c), float(la), str(cl)) for h, ct, src, c, la, cl in rows}

    def read_piece(self, digest: str, start_byte: int, end_byte: int) -> bytes | None:
        row = self._tx(
            "read a search hit",
            lambda conn, dropped: conn.execute(
                f"SELECT substring(data FROM %s FOR %s) FROM {_ORIGINALS} WHERE namespace = %s AND hash = %s",
                (start_byte + 1, end_byte - start_byte, self.namespace, digest),
                binary=True,
            ).fetchone(),
        )
        return None if row is None else bytes(row[0])

    def unindexed_originals(self, live_after: float) -> int:
        row = self._tx(
            "read the search index",
            lambda conn, dropped: conn.execute(
                f"SELECT count(*) FROM {_ORIGINALS} WHERE namespace = %s AND searchable < size AND last_access > %s",
                (self.namespace, live_after),
            ).fetchone(),
        )
        return int(row[0]) if row else 0

    def live_originals(self, live_after: float) -> list[tuple[str, bool]]:
        rows = self._tx(
            "list originals",
            lambda conn, dropped: conn.execute(
                f"SELECT hash, searchable >= size FROM {_ORIGINALS} WHERE namespace = %s AND last_access > %s "
                "ORDER BY created_at DESC, hash DESC",
                (self.namespace, live_after),
            ).fetchall(),
        )
        return [(str(h), bool(done)) for h, done in rows]

    # -- copying between stores -------------------------------------------------------------------------------

    def handles(self) -> list[str]:
        rows = self._tx(
            "list originals",
            lambda conn, dropped: conn.execute(
                f"SELECT hash FROM {_ORIGINALS} WHERE namespace = %s ORDER BY created_at, hash", (self.namespace,)
            ).fetchall(),
        )
        return [str(h) for (h,) in rows]

    def export(self, digest: str) -> tuple[InfoRow, bytes] | None:
        row = self._tx(
            "read an original",
            lambda conn, dropped: conn.execute(
                "SELECT size, tokens, lines, content_type, source, created_at, last_access, data "
                f"FROM {_ORIGINALS} WHERE namespace = %s AND hash = %s",
                (self.namespace, digest),
                binary=True,
            ).fetchone(),
        )
        if row is None:
            return None
        info = InfoRow(int(row[0]), int(row[1]), int(row[2]), str(row[3]), str(row[4]), float(row[5]), float(row[6]))
        return info, bytes(row[7])

    def import_original(self, digest: str, raw: bytes, row: InfoRow) -> bool:
        def op(conn: Conn, dropped: list[tuple[str, str]]) -> bool:
            return self._add(conn, digest, raw, row)

        return self._tx("copy an original in", op)

    # -- plumbing --------------------------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._pool.close()

    def _tx(self, action: str, op: Callable[[Conn, list[tuple[str, str]]], T]) -> T:
        """`op(conn, dropped)` in one transaction, retried after a deadlock, a serialization failure or a lost
        connection; what it dropped is announced after the commit. psycopg's errors become `StoreError` here."""
        if self._closed:
            raise StoreError(f"the store at {self.where} is closed")
        delay = 0.01
        for attempt in range(_RETRIES):
            dropped: list[tuple[str, str]] = []
            try:
                with self._pool.connection() as conn, conn.transaction():
                    result = op(conn, dropped)
                break
            except HeadroomError:
                raise
            except (
                psycopg.errors.DeadlockDetected,
                psycopg.errors.SerializationFailure,
                psycopg.OperationalError,
            ) as exc:
                if attempt == _RETRIES - 1 or self._closed:
                    raise StoreError(f"cannot {action} in the team store at {self.where}: {_message(exc)}") from exc
                _log.info("retrying %s after: %s", action, _message(exc))
            except PoolTimeout as exc:
                raise StoreError(f"cannot {action}: no connection to the team store at {self.where} ({exc})") from exc
            except psycopg.Error as exc:
                raise StoreError(f"cannot {action} in the team store at {self.where}: {_message(exc)}") from exc
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.5)
        if dropped:
            self._on_drop(dropped)
        return result


def _message(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _query(conn: Conn) -> Callable[[str, Sequence[object]], list[tuple[Any, ...]]]:
    """The stats module's portable SQL (``?`` placeholders) run on `conn`."""

    def run(sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        cur = conn.execute(sql.replace("?", "%s"), params)
        return cur.fetchall() if cur.description is not None else []

    return run


def _namespace_role(conn: Conn, namespace: str, where: str) -> tuple[str, str | None]:
    """The namespace this connection works in and the role to switch to (None: the user is that role).

    A user named like a namespace's role works in that namespace alone. Any other user works through the
    namespace's role, created here (with membership for the user) when it may create roles.

    Raises:
        StoreError: HEADROOM_NAMESPACE names another namespace than the user's own, or the role cannot be made.
    """
    (user,) = conn.execute("SELECT current_user").fetchone() or ("",)
    if user.startswith(schema.NAMESPACE_ROLE_PREFIX):
        own = user[len(schema.NAMESPACE_ROLE_PREFIX) :]
        if namespace not in (own, DEFAULT_NAMESPACE):
            raise StoreError(
                f"the team store user {user} works in the namespace {own!r}, not {namespace!r} (HEADROOM_NAMESPACE)"
            )
        return own, None
    role = schema.namespace_role(namespace)
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (schema.LOCK_ROLES,))
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None:
                conn.execute(f'CREATE ROLE "{role}" NOLOGIN IN ROLE {schema.GROUP_ROLE}')
            member = conn.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", (role,)).fetchone()
            if not (member and member[0]):
                conn.execute(f'GRANT "{role}" TO "{user}"')
    except psycopg.Error as exc:
        raise StoreError(
            f"cannot use the namespace {namespace!r} in the team store at {where}: the user {user} needs the role "
            f"{role} (create it with CREATE ROLE {role} NOLOGIN IN ROLE {schema.GROUP_ROLE}; GRANT {role} TO {user}), "
            f"or connect as a user of that name ({_message(exc)})"
        ) from exc
    return namespace, role
