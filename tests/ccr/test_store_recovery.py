"""Recovery seen from two processes: after one salvages a damaged store, both use the same file."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from store_workers import hold_then_put

from ccr import Settings, Store, StoreCorruptError

pytestmark = pytest.mark.slow


def _damage_middle(path: Path, pages: int = 3, page: int = 4096) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // page // 2
    data[middle * page : (middle + pages) * page] = b"\x5a" * (pages * page)
    path.write_bytes(bytes(data))


def test_a_process_holding_the_store_open_writes_into_the_salvaged_file_not_the_damaged_one(tmp_path: Path) -> None:
    path = tmp_path / "home" / "ccr.sqlite3"
    settings = Settings(home=path.parent)
    with Store(settings, path=path) as store:
        handles = [store.put(bytes([i]) * 40_000 + bytes([i])) for i in range(30)]
        with store._backend._lock:  # type: ignore[attr-defined]
            store._backend._conn_or_raise().execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[attr-defined]
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    other = ctx.Process(target=hold_then_put, args=(str(path), child), daemon=True)
    other.start()
    try:
        assert parent.poll(60) and parent.recv() == "ready"
        _damage_middle(path)
        with Store(settings, path=path) as recovering:
            with pytest.raises(StoreCorruptError):
                for handle in handles:
                    recovering.get(handle)
            mine = recovering.put(b"from the recovering process")
            parent.send(mine)
            assert parent.poll(60)
            theirs, read_ok = parent.recv()
            assert read_ok is True
            assert recovering.get(theirs) == b"from the other process " + mine.encode()
        parent.send(None)
        other.join(30)
        assert other.exitcode == 0
    finally:
        if other.is_alive():
            other.kill()
