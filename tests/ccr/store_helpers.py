"""Helpers shared by the store tests: a clock tests can move, the store factory's type, and a way behind a
store's back on either backend."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from ccr import Store

# 2023-11-14 22:13:20 UTC: a fixed, realistic "now", so messages show plausible dates.
START = 1_700_000_000.0

StoreFactory = Callable[..., Store]


class FakeClock:
    """Unix time that only moves when a test says so."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = 0.0, *, hours: float = 0.0, days: float = 0.0) -> None:
        self.now += seconds + hours * 3600 + days * 86400


class Backdoor:
    """Reads and alters a store's rows behind its back, on either backend, to stand in for damage or to look
    at the search index (PostgreSQL: as the server's superuser, which row-level security does not limit;
    ``{ns}`` in its SQL is the store's namespace)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def run(self, sqlite_sql: str, pg_sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        if self.store.path is not None:
            with sqlite3.connect(self.store.path) as conn:
                return conn.execute(sqlite_sql, params).fetchall()
        import psycopg

        url = self.store._backend.url  # type: ignore[attr-defined]
        with psycopg.connect(url, autocommit=True) as conn:
            cur = conn.execute(pg_sql.replace("{ns}", f"'{self.store.namespace}'"), params)  # type: ignore[arg-type]
            return cur.fetchall() if cur.description is not None else []

    def replace_bytes(self, handle: str, data: bytes) -> None:
        self.run(
            "UPDATE original_bytes SET data = ? WHERE id = (SELECT id FROM originals WHERE hash = ?)",
            "UPDATE headroom.originals SET data = %s WHERE hash = %s AND namespace = {ns}",
            (data, handle),
        )

    def set_size(self, handle: str, size: int) -> None:
        self.run(
            "UPDATE originals SET size = ? WHERE hash = ?",
            "UPDATE headroom.originals SET size = %s WHERE hash = %s AND namespace = {ns}",
            (size, handle),
        )

    def chunk_count(self) -> int:
        rows = self.run("SELECT count(*) FROM chunks", "SELECT count(*) FROM headroom.chunks WHERE namespace = {ns}")
        return int(rows[0][0])

    def searchable(self, handle: str) -> int:
        rows = self.run(
            "SELECT searchable FROM originals WHERE hash = ?",
            "SELECT searchable FROM headroom.originals WHERE hash = %s AND namespace = {ns}",
            (handle,),
        )
        return int(rows[0][0])

    def chunk_spans(self, handle: str) -> list[tuple[int, int]]:
        rows = self.run(
            "SELECT start_byte, end_byte FROM chunks WHERE hash = ? ORDER BY id",
            "SELECT start_byte, end_byte FROM headroom.chunks WHERE hash = %s AND namespace = {ns} ORDER BY id",
            (handle,),
        )
        return [(int(a), int(b)) for a, b in rows]
