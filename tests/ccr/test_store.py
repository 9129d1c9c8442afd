"""The store keeps exact originals under their content hash, and says clearly when a handle cannot be redeemed."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import START, Backdoor, FakeClock, StoreFactory

import rustcore
from ccr import (
    HashCollisionError,
    HashError,
    InputError,
    InputTooLargeError,
    MalformedHashError,
    Settings,
    Store,
    StoreError,
    UnknownHashError,
)

SHARED_FIXTURES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@SHARED_FIXTURES
@given(data=st.binary(max_size=4096))
def test_any_bytes_come_back_exactly(store: Store, data: bytes) -> None:
    handle = store.put(data)
    assert store.get(handle) == data


@SHARED_FIXTURES
@given(data=st.binary(min_size=1, max_size=256).filter(lambda b: _not_utf8(b)))
def test_bytes_that_are_not_utf8_come_back_exactly(store: Store, data: bytes) -> None:
    assert store.get(store.put(data)) == data


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


@SHARED_FIXTURES
@given(text=st.text(max_size=2000))
def test_text_is_stored_as_its_utf8_bytes_under_the_same_handle_as_those_bytes(store: Store, text: str) -> None:
    handle = store.put(text)
    assert handle == rustcore.content_hash(text.encode("utf-8"))
    assert store.get(handle) == text.encode("utf-8")


def test_text_with_escaped_bytes_is_stored_as_the_original_bytes(store: Store) -> None:
    raw = b"caf\xe9 latin-1\n"
    handle = store.put(raw.decode("utf-8", errors="surrogateescape"))
    assert store.get(handle) == raw
    assert handle == rustcore.content_hash(raw)


def test_text_with_a_lone_surrogate_is_refused_with_input_error(store: Store) -> None:
    with pytest.raises(InputError, match="surrogate"):
        store.put("broken \ud800 text")


def test_empty_data_round_trips(store: Store) -> None:
    handle = store.put(b"")
    assert store.get(handle) == b""
    info = store.info(handle)
    assert (info.size, info.lines, info.tokens) == (0, 0, 0)


@pytest.mark.slow
def test_a_50_mb_original_round_trips(store: Store) -> None:
    block = bytes(range(256)) * 4096  # 1 MiB with every byte value, NUL and invalid UTF-8 included
    data = block * 50
    handle = store.put(data, tokens=1)
    assert handle == rustcore.content_hash(data)
    assert store.get(handle) == data
    assert store.info(handle).size == 50 * 1024 * 1024


def test_the_handle_is_the_content_hash_of_the_bytes(store: Store) -> None:
    data = b"GET /index.html 200\n"
    assert store.put(data) == rustcore.content_hash(data)


def test_putting_the_same_bytes_again_returns_the_same_handle_and_refreshes_last_access(
    store: Store, clock: FakeClock
) -> None:
    first = store.put(b"same bytes", source="first")
    clock.advance(hours=2)
    second = store.put(b"same bytes", source="second")
    assert first == second
    info = store.info(first)
    assert info.created_at == START
    assert info.last_access == START + 2 * 3600
    assert info.source == "first"
    assert store.stats().entries == 1


def test_different_bytes_under_a_stored_handle_raise_hash_collision_and_keep_the_stored_original(
    store: Store,
) -> None:
    original = b"the original bytes"
    handle = store.put(original)
    # Stand in for a 64-bit collision: the row under `handle` now holds other bytes of the same length.
    impostor = b"THE OTHER BYTES!!!"
    assert len(impostor) == len(original)
    Backdoor(store).replace_bytes(handle, impostor)
    with pytest.raises(HashCollisionError, match=handle):
        store.put(original)
    assert store.get(handle) == impostor


def test_a_stored_original_of_another_length_under_the_handle_is_also_a_collision(store: Store) -> None:
    handle = store.put(b"short")
    Backdoor(store).set_size(handle, 17)
    with pytest.raises(HashCollisionError):
        store.put(b"short")


def test_info_reports_size_tokens_lines_type_source_and_times(store: Store, clock: FakeClock) -> None:
    text = "alpha beta\ngamma\r\ndelta"  # three lines: the CRLF ends one, the last has no newline
    handle = store.put(text, content_type="log", source="cli:app.log")
    info = store.info(handle)
    assert info.hash == handle
    assert info.size == len(text.encode())
    assert info.tokens == rustcore.count_tokens(text, store.settings.encoding)
    assert info.lines == 3
    assert (info.content_type, info.source) == ("log", "cli:app.log")
    assert info.created_at == info.last_access == START
    assert info.expires_at == START + store.settings.ttl_seconds


def test_a_token_count_passed_in_is_kept_as_given(store: Store) -> None:
    handle = store.put(b"four words right here", tokens=123)
    assert store.info(handle).tokens == 123


def test_handles_are_accepted_in_upper_case_and_with_surrounding_space(store: Store) -> None:
    handle = store.put(b"payload")
    assert store.get(f"  {handle.upper()}\n") == b"payload"


@pytest.mark.parametrize("bad", ["", "xyz", "123", "0123456789abcdef0", "0123456789abcdeg", "hash=0123456789abcdef"])
def test_malformed_handles_raise_malformed_hash_error_explaining_the_shape(store: Store, bad: str) -> None:
    with pytest.raises(MalformedHashError, match="16 hex digits") as info:
        store.get(bad)
    assert isinstance(info.value, HashError)
    assert info.value.hash == bad


def test_a_handle_that_is_not_text_is_malformed(store: Store) -> None:
    with pytest.raises(MalformedHashError):
        store.get(12345)  # type: ignore[arg-type]


def test_a_handle_never_stored_here_is_unknown_and_the_message_points_at_other_stores(store: Store) -> None:
    stranger = rustcore.content_hash(b"stored somewhere else")
    with pytest.raises(UnknownHashError) as info:
        store.get(stranger)
    message = str(info.value)
    assert stranger in message
    assert "HEADROOM_HOME" in message
    assert store.location in message
    assert info.value.hash == stranger


def test_every_way_to_read_a_missing_handle_raises_the_same_error(store: Store) -> None:
    stranger = rustcore.content_hash(b"never stored")
    for read in (store.get, store.info, store.text, lambda h: store.lines(h, 1, 1), lambda h: store.query(h, "x")):
        with pytest.raises(UnknownHashError):
            read(stranger)


def test_membership_says_whether_a_handle_is_live(store: Store) -> None:
    handle = store.put(b"here")
    assert handle in store
    assert rustcore.content_hash(b"not here") not in store
    assert "not a handle" not in store


def test_text_replaces_invalid_utf8(store: Store) -> None:
    handle = store.put(b"ok \xff end")
    assert store.text(handle) == "ok \ufffd end"


def test_originals_survive_closing_and_reopening_the_store(make_store: StoreFactory) -> None:
    first = make_store()
    handle = first.put(b"kept across restarts")
    first.close()
    assert make_store().get(handle) == b"kept across restarts"


def test_store_open_uses_the_given_file(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere" / "mine.sqlite3"
    with Store.open(path) as store:
        handle = store.put(b"x")
        assert store.path == path
    assert path.is_file()
    with Store.open(path) as again:
        assert again.get(handle) == b"x"


def test_a_closed_store_refuses_to_be_used(store: Store) -> None:
    handle = store.put(b"x")
    store.close()
    store.close()  # idempotent
    with pytest.raises(StoreError, match="closed"):
        store.get(handle)


def test_content_larger_than_the_whole_store_cap_is_refused_and_nothing_is_stored(make_store: StoreFactory) -> None:
    store = make_store(max_store_bytes=1000)
    with pytest.raises(InputTooLargeError, match="HEADROOM_MAX_STORE_MB"):
        store.put(b"x" * 1001)
    assert store.stats().entries == 0


def test_threads_putting_and_getting_at_once_lose_nothing(store: Store) -> None:
    barrier = threading.Barrier(8)

    def work(worker: int) -> list[tuple[bytes, str]]:
        barrier.wait(timeout=30)
        done = []
        for i in range(40):
            # Every worker also stores the shared items, so puts of one handle race each other.
            data = f"shared {i}".encode() if i % 4 == 0 else f"worker {worker} item {i}\n".encode() * (i + 1)
            handle = store.put(data)
            assert store.get(handle) == data
            done.append((data, handle))
        return done

    with ThreadPoolExecutor(8) as pool:
        results = [item for batch in pool.map(work, range(8)) for item in batch]
    for data, handle in results:
        assert store.get(handle) == data
    assert store.stats().entries == len({h for _, h in results})


def test_settings_default_to_the_environment(headroom_home: Path) -> None:
    with Store() as store:
        assert store.path == headroom_home / "ccr.sqlite3"
        assert store.settings == Settings.from_env()
