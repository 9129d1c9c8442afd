"""Originals outlive a working session: a sliding TTL, an LRU size cap, and tombstones that explain what went."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest
from store_helpers import START, FakeClock, StoreFactory

import ccr._sqlite_backend
import ccr._store
import rustcore
from ccr import EvictedHashError, ExpiredHashError, HashError, Store, UnknownHashError

HOUR = 3600.0


def test_defaults_keep_originals_a_week_and_two_gib(store: Store) -> None:
    assert store.settings.ttl_seconds == 7 * 24 * HOUR
    assert store.settings.max_store_bytes == 2 * 1024**3


def test_an_original_unused_for_the_ttl_expires_and_the_error_says_when_and_what_to_do(
    make_store: StoreFactory, clock: FakeClock
) -> None:
    store = make_store(ttl_seconds=HOUR)
    handle = store.put(b"build log")
    clock.advance(HOUR + 1)
    with pytest.raises(ExpiredHashError) as info:
        store.get(handle)
    message = str(info.value)
    assert handle in message
    assert "2023-11-14 23:13:20 UTC" in message  # START + 1 h: when it expired, not when we noticed
    assert "HEADROOM_TTL_HOURS" in message
    assert "compress again" in message
    assert isinstance(info.value, HashError)
    assert info.value.hash == handle


def test_an_original_is_still_there_just_before_its_ttl_runs_out(make_store: StoreFactory, clock: FakeClock) -> None:
    store = make_store(ttl_seconds=HOUR)
    handle = store.put(b"x")
    clock.advance(HOUR - 1)
    assert store.get(handle) == b"x"


ACCESSES: dict[str, Callable[[Store, str], object]] = {
    "get": lambda s, h: s.get(h),
    "text": lambda s, h: s.text(h),
    "lines": lambda s, h: s.lines(h, 1, 1),
    "query": lambda s, h: s.query(h, "needle"),
    "put again": lambda s, h: s.put(b"needle in a log\nsecond line\n"),
}


@pytest.mark.parametrize("access", ACCESSES.values(), ids=ACCESSES.keys())
def test_every_access_restarts_the_ttl(
    make_store: StoreFactory, clock: FakeClock, access: Callable[[Store, str], object]
) -> None:
    store = make_store(ttl_seconds=HOUR)
    handle = store.put(b"needle in a log\nsecond line\n")
    clock.advance(0.75 * HOUR)
    access(store, handle)
    clock.advance(0.75 * HOUR)  # 1.5 h after the put: alive only because the access restarted the TTL
    assert store.get(handle) == b"needle in a log\nsecond line\n"
    clock.advance(HOUR)
    with pytest.raises(ExpiredHashError):
        store.get(handle)


def test_reading_metadata_does_not_count_as_an_access(make_store: StoreFactory, clock: FakeClock) -> None:
    store = make_store(ttl_seconds=HOUR)
    handle = store.put(b"x")
    clock.advance(0.75 * HOUR)
    assert store.info(handle).expires_at == START + HOUR
    clock.advance(0.75 * HOUR)
    with pytest.raises(ExpiredHashError):
        store.info(handle)


def test_an_expired_original_stored_again_is_live_again(make_store: StoreFactory, clock: FakeClock) -> None:
    store = make_store(ttl_seconds=HOUR)
    handle = store.put(b"again")
    clock.advance(2 * HOUR)
    with pytest.raises(ExpiredHashError):
        store.get(handle)
    assert store.put(b"again") == handle
    assert store.get(handle) == b"again"


def test_sweep_expires_every_stale_original_and_counts_them(make_store: StoreFactory, clock: FakeClock) -> None:
    store = make_store(ttl_seconds=HOUR)
    stale = [store.put(f"old {i}".encode()) for i in range(3)]
    clock.advance(2 * HOUR)
    fresh = store.put(b"new")
    result = store.sweep()
    assert result.expired == 0  # the put above already swept (its first sweep is due at once)
    assert store.stats().entries == 1
    assert store.stats().expired == 3
    for handle in stale:
        with pytest.raises(ExpiredHashError):
            store.get(handle)
    assert store.get(fresh) == b"new"


def test_an_explicit_sweep_reports_what_it_expired(make_store: StoreFactory, clock: FakeClock) -> None:
    store = make_store(ttl_seconds=HOUR)
    for i in range(4):
        store.put(b"y" * (i + 1))
    clock.advance(2 * HOUR)
    result = store.sweep()
    assert (result.expired, result.evicted, result.freed_bytes) == (4, 0, 1 + 2 + 3 + 4)


def test_the_size_cap_evicts_the_least_recently_used_first(make_store: StoreFactory, clock: FakeClock) -> None:
    store = make_store(max_store_bytes=10_000)
    a = store.put(b"a" * 4000)
    clock.advance(60)
    b = store.put(b"b" * 4000)
    clock.advance(60)
    store.get(a)  # a is now more recent than b
    clock.advance(60)
    c = store.put(b"c" * 4000)  # 12,000 bytes > 10,000: one must go, and it is b
    assert store.get(a) == b"a" * 4000
    assert store.get(c) == b"c" * 4000
    with pytest.raises(EvictedHashError) as info:
        store.get(b)
    message = str(info.value)
    assert b in message
    assert "HEADROOM_MAX_STORE_MB" in message
    assert "least recently used" in message
    assert "compress again" in message


def test_the_original_just_stored_is_never_evicted_to_make_room_for_itself(make_store: StoreFactory) -> None:
    store = make_store(max_store_bytes=10_000)
    old = [store.put(bytes([i]) * 3000) for i in range(3)]
    newest = store.put(b"n" * 9000)
    assert store.get(newest) == b"n" * 9000
    for handle in old:
        with pytest.raises(EvictedHashError):
            store.get(handle)


def test_the_store_stays_within_its_cap_however_much_is_put(make_store: StoreFactory, clock: FakeClock) -> None:
    cap = 50_000
    store = make_store(max_store_bytes=cap)
    sizes = [(i * 7919) % 9000 + 1 for i in range(60)]
    for i, size in enumerate(sizes):
        store.put(f"{i:04d}".encode() * (size // 4 + 1))
        clock.advance(1)
        assert store.stats().store_bytes <= cap
    assert store.stats().evicted > 0


def test_tombstones_beyond_the_limit_are_pruned_oldest_first(
    make_store: StoreFactory, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ccr._store, "MAX_TOMBSTONES", 2)
    store = make_store(ttl_seconds=HOUR)
    handles = []
    for i in range(3):
        handles.append(store.put(f"entry {i}".encode()))
        clock.advance(HOUR / 2)
    clock.advance(2 * HOUR)
    store.sweep()
    with pytest.raises(UnknownHashError):
        store.get(handles[0])  # its tombstone was the oldest
    for handle in handles[1:]:
        with pytest.raises(ExpiredHashError):
            store.get(handle)


def test_expired_evicted_and_unknown_are_told_apart(make_store: StoreFactory, clock: FakeClock) -> None:
    store = make_store(ttl_seconds=HOUR, max_store_bytes=5000)
    expired = store.put(b"e" * 100)
    clock.advance(2 * HOUR)
    evicted = store.put(b"v" * 3000)
    clock.advance(1)
    store.put(b"w" * 3000)
    unknown = rustcore.content_hash(b"never here")
    errors = []
    for handle in (expired, evicted, unknown):
        with pytest.raises(HashError) as info:
            store.get(handle)
        errors.append(type(info.value))
    assert errors == [ExpiredHashError, EvictedHashError, UnknownHashError]


def test_a_sweep_runs_by_itself_on_put_every_few_minutes(make_store: StoreFactory, clock: FakeClock) -> None:
    store = make_store(ttl_seconds=HOUR)
    store.put(b"old")
    clock.advance(2 * HOUR)
    assert store.stats().expired == 0
    store.put(b"trigger")
    assert store.stats().expired == 1


@pytest.mark.sqlite_only
def test_freed_space_is_handed_back_to_the_file_system(
    make_store: StoreFactory, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ccr._sqlite_backend, "_VACUUM_AT_BYTES", 64 * 1024)
    store = make_store(ttl_seconds=HOUR)
    for i in range(8):
        store.put(bytes([i]) * 256 * 1024)
    full = _pages(store)
    clock.advance(2 * HOUR)
    assert store.sweep().expired == 8
    assert _pages(store) < full / 4


def _pages(store: Store) -> int:
    """The database's size in pages as a fresh reader sees it (WAL included)."""
    assert store.path is not None
    with sqlite3.connect(store.path) as conn:
        return int(conn.execute("PRAGMA page_count").fetchone()[0])


def test_drop_listeners_hear_which_originals_expired_or_were_evicted(
    make_store: StoreFactory, clock: FakeClock
) -> None:
    store = make_store(ttl_seconds=HOUR, max_store_bytes=5000)
    heard: list[tuple[list[str], str]] = []
    store.on_drop(lambda hashes, reason: heard.append((sorted(hashes), reason)))
    old = store.put(b"o" * 100)
    clock.advance(2 * HOUR)
    first = store.put(b"a" * 3000)  # sweeps: `old` expires
    clock.advance(1)
    store.put(b"b" * 3000)  # over the cap: `first` is evicted
    assert heard == [([old], "expired"), ([first], "evicted")]


def test_a_failing_drop_listener_does_not_break_the_store(
    make_store: StoreFactory, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    store = make_store(ttl_seconds=HOUR)

    def broken(hashes: list[str], reason: str) -> None:
        raise RuntimeError("listener bug")

    store.on_drop(broken)
    handle = store.put(b"x")
    clock.advance(2 * HOUR)
    with pytest.raises(ExpiredHashError):
        store.get(handle)
    assert "drop listener failed" in caplog.text
