"""The store remembers the texts headroom produced, and forgets each with its original."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from store_helpers import Backdoor, FakeClock, StoreFactory

import rustcore
from ccr import Settings, Store
from ccr._database import MIGRATIONS, SCHEMA_VERSION, _statements


def test_a_remembered_output_is_known_by_its_exact_bytes_only(store: Store) -> None:
    h = store.put("the original\n" * 50)
    out = "[headroom hash=...]\nthe original\n[49 lines omitted]\n"
    assert store.produced(out) is None
    assert store.remember_output(out, h) == rustcore.content_hash(out.encode())
    assert store.produced(out) == h
    assert store.produced(out.encode()) == h
    assert store.produced(out + " ") is None
    assert store.produced(out[:-1]) is None


def test_an_output_goes_when_its_original_expires(make_store: StoreFactory, clock: FakeClock) -> None:
    store = make_store(ttl_seconds=60.0)
    h = store.put("kept a minute\n")
    store.remember_output("shown", h)
    clock.advance(30)
    assert store.produced("shown") == h  # and the original's minute starts again
    clock.advance(45)
    assert store.produced("shown") == h
    clock.advance(61)
    assert store.produced("shown") is None
    store.sweep()
    assert Backdoor(store).run(
        "SELECT count(*) FROM outputs", "SELECT count(*) FROM headroom.outputs WHERE namespace = {ns}"
    ) == [(0,)]


def test_a_version_3_store_gains_the_outputs_table_and_keeps_its_originals(
    headroom_home: Path, clock: FakeClock
) -> None:
    path = headroom_home / "ccr.sqlite3"
    original = b"stored by schema version 3\n"
    handle = rustcore.content_hash(original)
    with sqlite3.connect(path, isolation_level=None) as conn:
        for script in MIGRATIONS[:3]:
            for statement in _statements(script):
                conn.execute(statement)
        conn.execute("PRAGMA user_version = 3")
        conn.execute(
            "INSERT INTO originals (id, hash, size, tokens, lines, content_type, source, created_at, last_access)"
            " VALUES (1, ?, ?, 5, 1, 'text', 'v3', ?, ?)",
            (handle, len(original), clock(), clock()),
        )
        conn.execute("INSERT INTO original_bytes (id, data) VALUES (1, ?)", (original,))
    with Store(Settings(home=headroom_home), clock=clock) as store:
        assert store.get(handle) == original
        store.remember_output("its output", handle)
        assert store.produced("its output") == handle
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
