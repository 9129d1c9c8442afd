"""The store file: private permissions, WAL, a versioned schema, and corruption that is moved aside, never deleted."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_helpers import FakeClock

import rustcore
from ccr import CorruptedHashError, EvictedHashError, Settings, Store, StoreCorruptError, StoreError, UnknownHashError
from ccr import _database as db
from ccr._database import MIGRATIONS, SCHEMA_VERSION, _statements

# The file itself: its mode, WAL, schema version, corruption. The team store's schema has its own tests.
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that lets everyone read, so the modes below must come from the store itself."""
    old = os.umask(0)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
def test_a_new_store_directory_is_0700_and_its_files_0600(tmp_path: Path) -> None:
    home = tmp_path / "fresh" / "headroom"
    with Store(Settings(home=home)) as store:
        store.put(b"secret token=abc123")
        assert _mode(home) == 0o700
        assert _mode(store.path) == 0o600
        sidecars = [home / "ccr.sqlite3-wal", home / "ccr.sqlite3-shm"]
        for side in sidecars:
            assert side.exists()
            assert _mode(side) == 0o600


def test_an_existing_store_file_with_loose_permissions_is_made_private(tmp_path: Path) -> None:
    with Store(Settings(home=tmp_path)) as store:
        store.put(b"x")
    (tmp_path / "ccr.sqlite3").chmod(0o644)
    with Store(Settings(home=tmp_path)) as store:
        assert _mode(store.path) == 0o600


def test_the_file_is_in_wal_mode_at_the_current_schema_version(store: Store) -> None:
    store.put(b"x")
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_an_empty_file_is_set_up_as_a_new_store(headroom_home: Path) -> None:
    (headroom_home / "ccr.sqlite3").write_bytes(b"")
    with Store(Settings(home=headroom_home)) as store:
        assert store.get(store.put(b"works")) == b"works"


def test_a_store_from_a_newer_version_is_refused_and_left_unchanged(headroom_home: Path) -> None:
    path = headroom_home / "ccr.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
        conn.execute("CREATE TABLE from_the_future (x)")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer") as info:
        Store(Settings(home=headroom_home))
    assert not isinstance(info.value, StoreCorruptError)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_database_is_moved_aside_and_the_error_says_where(
    headroom_home: Path, clock: FakeClock
) -> None:
    path = headroom_home / "ccr.sqlite3"
    garbage = b"this was never a SQLite database\n" * 200
    path.write_bytes(garbage)
    with pytest.raises(StoreCorruptError) as info:
        Store(Settings(home=headroom_home), clock=clock)
    moved = info.value.moved_to
    assert moved is not None
    assert moved.name == "ccr.sqlite3.corrupt-20231114T221320Z"
    assert str(moved) in str(info.value)
    assert moved.read_bytes() == garbage  # kept, byte for byte
    assert len(list(headroom_home.glob("ccr.sqlite3.corrupt-*"))) == 1
    with Store(Settings(home=headroom_home), clock=clock) as fresh:
        assert fresh.get(fresh.put(b"a fresh start")) == b"a fresh start"


def test_a_second_corrupt_file_in_the_same_second_gets_its_own_name(headroom_home: Path, clock: FakeClock) -> None:
    path = headroom_home / "ccr.sqlite3"
    moved = []
    for n in range(2):
        path.write_bytes(f"garbage {n}".encode() * 500)
        with pytest.raises(StoreCorruptError) as info:
            Store(Settings(home=headroom_home), clock=clock)
        moved.append(info.value.moved_to)
    assert moved[0] != moved[1]
    assert all(m is not None and m.exists() for m in moved)


def _damage(path: Path, first_page: int, pages: int, page: int = 4096) -> bytes:
    """Scribble over `pages` pages of the file from `first_page` (0-based), keeping the header page."""
    damaged = bytearray(path.read_bytes())
    assert len(damaged) >= (first_page + pages) * page
    damaged[first_page * page : (first_page + pages) * page] = b"\xa5" * (pages * page)
    path.write_bytes(bytes(damaged))
    return bytes(damaged)


def _checkpointed(store: Store) -> None:
    """Every commit in the main file (a damaged WAL is another story)."""
    with store._backend._lock:  # type: ignore[attr-defined]
        conn = store._backend._conn_or_raise()  # type: ignore[attr-defined]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_a_damaged_page_costs_only_the_originals_on_it_the_rest_are_salvaged(
    headroom_home: Path, clock: FakeClock
) -> None:
    settings = Settings(home=headroom_home)
    with Store(settings, clock=clock) as store:
        handles = [store.put(bytes([65 + i % 26]) * 20_000 + str(i).encode()) for i in range(40)]
        _checkpointed(store)
    path = settings.db_path
    size = path.stat().st_size
    damaged = _damage(path, size // 4096 // 2, 2)

    store = Store(settings, clock=clock)
    try:
        with pytest.raises(StoreCorruptError) as info:
            for handle in handles:
                store.get(handle)
        error = info.value
        assert error.moved_to is not None and error.moved_to.read_bytes() == damaged  # the evidence, kept
        assert error.lost >= 1 and error.salvaged + error.lost == len(handles)
        assert f"{error.salvaged:,} of {len(handles):,} originals" in str(error)
        # The same Store object carries on: every original is either back intact or known to be lost.
        kept = lost = 0
        for i, handle in enumerate(handles):
            try:
                assert store.get(handle) == bytes([65 + i % 26]) * 20_000 + str(i).encode()
                kept += 1
            except CorruptedHashError as gone:
                assert "found damaged" in str(gone)
                lost += 1
        assert (kept, lost) == (error.salvaged, error.lost)
        assert store.get(store.put(b"after")) == b"after"
    finally:
        store.close()


def test_a_damaged_page_costs_no_row_of_the_page_before_it(headroom_home: Path, clock: FakeClock) -> None:
    settings = Settings(home=headroom_home)
    with Store(settings, clock=clock) as store:
        handles = [store.put(f"original number {i}\n".encode() * 3) for i in range(300)]
        _checkpointed(store)
    path = settings.db_path
    with sqlite3.connect(path) as conn:
        leaves = conn.execute(
            "SELECT pageno, ncell FROM dbstat WHERE name = 'originals' AND pagetype = 'leaf' ORDER BY path"
        ).fetchall()
    assert len(leaves) >= 3
    # The second leaf in key order: the last row of the first one is where a scan steps onto it.
    pageno, cells = leaves[1]
    _damage(path, pageno - 1, 1)

    store = Store(settings, clock=clock)
    try:
        with pytest.raises(StoreCorruptError) as info:
            for handle in handles:
                store.get(handle)
        assert (info.value.salvaged, info.value.lost) == (len(handles) - cells, cells)
    finally:
        store.close()


def test_another_store_on_the_same_file_sees_the_salvaged_file_and_both_write_into_it(
    headroom_home: Path, clock: FakeClock
) -> None:
    settings = Settings(home=headroom_home)
    with Store(settings, clock=clock) as writer:
        handles = [writer.put(bytes([i]) * 30_000) for i in range(1, 21)]
        _checkpointed(writer)
    _damage(settings.db_path, settings.db_path.stat().st_size // 4096 - 6, 3)
    first, second = Store(settings, clock=clock), Store(settings, clock=clock)
    try:
        assert second.stats().calls == {}
        with pytest.raises(StoreCorruptError):
            for handle in handles:
                first.get(handle)
        from_first = first.put(b"written by the store that recovered")
        from_second = second.put(b"written by the other store")
        assert second.get(from_first) == b"written by the store that recovered"
        assert first.get(from_second) == b"written by the other store"
        for handle in handles:
            assert (handle in first) == (handle in second)
    finally:
        first.close()
        second.close()


def test_a_store_file_replaced_under_an_open_store_is_reopened_not_written_behind(
    headroom_home: Path, clock: FakeClock
) -> None:
    settings = Settings(home=headroom_home)
    with Store(settings, clock=clock) as store:
        before = store.put(b"before the move")
        # Another process moves the file aside (as an older version's recovery did) and a new file appears.
        moved = db.move_aside(settings.db_path, clock())
        with Store(settings, clock=clock) as other:
            after = other.put(b"in the new file")
        written = store.put(b"written after the move")
        assert store.get(after) == b"in the new file"
        with pytest.raises(UnknownHashError):
            store.get(before)
    with Store(settings, clock=clock) as reopened:
        assert reopened.get(written) == b"written after the move"
    assert moved.exists()


def test_a_store_file_truncated_to_nothing_is_a_loud_loss_not_a_quiet_fresh_start(
    headroom_home: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(home=headroom_home)
    with Store(settings, clock=clock) as store:
        handle = store.put(b"kept for a while")
    settings.db_path.write_bytes(b"")
    for side in db.sidecars(settings.db_path):
        side.unlink(missing_ok=True)
    with pytest.raises(StoreCorruptError, match=r"is empty \(0 bytes\), but a store was created there"):
        Store(settings, clock=clock)
    assert "was truncated" in caplog.text
    with Store(settings, clock=clock) as fresh:
        with pytest.raises(UnknownHashError):
            fresh.get(handle)
        assert fresh.get(fresh.put(b"new")) == b"new"


def test_the_directory_cannot_be_created_gives_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="cannot create the store"):
        Store(Settings(home=blocker / "home"))


def test_a_version_1_store_is_migrated_and_keeps_its_originals(headroom_home: Path, clock: FakeClock) -> None:
    path = headroom_home / "ccr.sqlite3"
    original = b"stored by schema version 1\n"
    handle = rustcore.content_hash(original)
    with sqlite3.connect(path, isolation_level=None) as conn:
        for statement in _statements(MIGRATIONS[0]):
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO originals (hash, size, tokens, lines, content_type, source, created_at, last_access, data)"
            " VALUES (?, ?, 5, 1, 'text', 'v1', ?, ?, ?)",
            (handle, len(original), clock(), clock(), original),
        )
    with Store(Settings(home=headroom_home, max_store_bytes=60), clock=clock) as store:
        assert store.get(handle) == original
        assert store.info(handle).source == "v1"
        store.put(b"x" * 50)  # over the cap: the v1 original is evicted, bytes and all
        with pytest.raises(EvictedHashError):
            store.get(handle)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
        assert conn.execute("SELECT count(*) FROM original_bytes").fetchone()[0] == 1
        columns = [row[1] for row in conn.execute("PRAGMA table_info(originals)")]
        assert "data" not in columns


def test_reading_an_original_does_not_rewrite_its_bytes(store: Store) -> None:
    handle = store.put(bytes(range(256)) * 4096)  # 1 MiB
    wal = store.path.with_name(store.path.name + "-wal")
    store.sweep()
    with sqlite3.connect(store.path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = wal.stat().st_size
    for _ in range(5):
        store.get(handle)
    # Each read updates the last access: a few small pages, not another copy of the megabyte.
    assert wal.stat().st_size - before < 256 * 1024
