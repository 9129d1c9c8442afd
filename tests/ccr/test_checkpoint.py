"""WAL checkpoints run on the store's background thread, never inside a commit."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from ccr import Settings, Store
from ccr import _database as db
from ccr._checkpoint import Checkpointer

MB = 1024**2


def _write(path: Path, nbytes: int) -> None:
    conn = db.connect(path)
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS filler (data BLOB)")
        conn.execute("INSERT INTO filler VALUES (?)", (os.urandom(nbytes),))
    finally:
        # Another connection stays open in the tests, so closing this one does not checkpoint.
        conn.close()


def test_a_commit_leaves_its_pages_in_the_wal_for_the_background_thread(tmp_path: Path) -> None:
    path = tmp_path / "ccr.sqlite3"
    keeper = db.connect(path)
    try:
        before = path.stat().st_size
        # Past SQLite's automatic checkpoint (1,000 pages of 4 KiB), which would have copied it by now.
        _write(path, 6 * MB)
        assert path.stat().st_size < before + MB
        assert path.with_name(path.name + "-wal").stat().st_size > 6 * MB
    finally:
        keeper.close()


def test_writing_past_the_threshold_copies_the_wal_into_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "ccr.sqlite3"
    keeper = db.connect(path)
    checkpointer = Checkpointer(path, wal_bytes=MB)
    try:
        _write(path, 2 * MB)
        checkpointer.wrote(MB // 2)
        assert checkpointer.wait_idle(10)
        assert checkpointer.checkpoints == 0
        assert path.stat().st_size < MB
        checkpointer.wrote(MB // 2)
        assert checkpointer.wait_idle(10)
        assert checkpointer.checkpoints == 1
        assert path.stat().st_size > 2 * MB
    finally:
        checkpointer.close()
        keeper.close()


def test_a_checkpointer_never_creates_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite3"
    checkpointer = Checkpointer(path, wal_bytes=1)
    try:
        checkpointer.wrote(1)
        assert checkpointer.wait_idle(10)
        assert not path.exists()
    finally:
        checkpointer.close()


def test_closing_the_store_stops_its_checkpoint_thread(tmp_path: Path) -> None:
    def threads() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name.startswith("headroom-checkpoint:")}

    before = threads()
    store = Store(Settings(home=tmp_path))
    assert store.get(store.put(b"x" * 5 * MB)) == b"x" * 5 * MB
    started = threads() - before
    assert started
    store.close()
    assert not threads() - before
