"""Several processes on one store (a file, or a team namespace in PostgreSQL): concurrent writers lose nothing,
evict nothing twice, and a killed writer corrupts nothing."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import sqlite3
import time

import pytest
import store_workers
from store_workers import payload

import rustcore
from ccr import EvictedHashError, Settings, Store, UnknownHashError

pytestmark = pytest.mark.slow

SPAWN = multiprocessing.get_context("spawn")
DEADLINE_S = 240.0


def test_several_processes_putting_and_getting_at_once_lose_nothing(store_settings: Settings) -> None:
    workers, per_worker, size = 4, 25, 64 * 1024
    receivers, procs = [], []
    for w in range(workers):
        # Seeds overlap between neighbours, so the same handle is put by two processes at once.
        seeds = list(range(w * per_worker // 2, w * per_worker // 2 + per_worker))
        recv, send = SPAWN.Pipe(duplex=False)
        proc = SPAWN.Process(target=store_workers.put_and_get, args=(store_settings, w, seeds, size, send))
        proc.start()
        send.close()
        receivers.append(recv)
        procs.append(proc)
    reported: list[tuple[int, str]] = []
    for recv, proc in zip(receivers, procs, strict=True):
        assert recv.poll(DEADLINE_S), f"worker {proc.pid} reported nothing in {DEADLINE_S} s"
        reported.extend(recv.recv())
        proc.join(DEADLINE_S)
        assert proc.exitcode == 0
    assert len(reported) == workers * per_worker
    with Store(store_settings) as store:
        for seed, handle in reported:
            data = payload(seed, size)
            assert handle == rustcore.content_hash(data)
            assert store.get(handle) == data
        assert store.stats().entries == len({seed for seed, _ in reported})


def test_a_writer_killed_inside_a_put_leaves_a_store_that_opens_with_every_committed_original_and_not_that_one(
    store_settings: Settings,
) -> None:
    size, committed_puts = 4 * 1024 * 1024, 3
    recv, send = SPAWN.Pipe(duplex=False)
    proc = SPAWN.Process(
        target=store_workers.put_then_stop_inside_a_put, args=(store_settings, size, committed_puts, send)
    )
    proc.start()
    send.close()
    committed: list[tuple[int, str]] = []
    settings = dataclasses.replace(store_settings, max_store_bytes=1 << 40)
    in_flight = rustcore.content_hash(payload(committed_puts, size))
    deadline = time.monotonic() + DEADLINE_S
    try:
        while len(committed) < committed_puts:
            assert recv.poll(max(deadline - time.monotonic(), 0)), "the writer stopped reporting"
            committed.append(recv.recv())
        assert recv.poll(max(deadline - time.monotonic(), 0)), "the writer never reached its last put"
        assert recv.recv() == ("inside", committed_puts)
        # The writer holds its transaction open: another connection does not see its original yet.
        with Store(settings) as reader:
            assert reader.stats().entries == committed_puts
        assert proc.pid is not None
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(DEADLINE_S)
    finally:
        if proc.is_alive():
            proc.kill()
    assert proc.exitcode == -signal.SIGKILL

    with Store(settings) as store:
        for seed, handle in committed:
            assert store.get(handle) == payload(seed, size)
        with pytest.raises(UnknownHashError):
            store.get(in_flight)
        assert store.stats().entries == committed_puts
        path = store.path
    if path is not None:
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_processes_evicting_at_once_never_evict_one_original_twice_nor_lose_a_live_one(
    store_settings: Settings,
) -> None:
    workers, per_worker, size = 4, 20, 16 * 1024
    settings = dataclasses.replace(store_settings, max_store_bytes=10 * size)
    receivers, procs = [], []
    for w in range(workers):
        seeds = list(range(w * 1000, w * 1000 + per_worker))
        recv, send = SPAWN.Pipe(duplex=False)
        proc = SPAWN.Process(target=store_workers.put_over_the_cap, args=(settings, seeds, size, send))
        proc.start()
        send.close()
        receivers.append(recv)
        procs.append(proc)
    handles: list[tuple[int, str]] = []
    evicted: list[str] = []
    for recv, proc in zip(receivers, procs, strict=True):
        assert recv.poll(DEADLINE_S), f"worker {proc.pid} reported nothing in {DEADLINE_S} s"
        put, heard = recv.recv()
        handles.extend(put)
        evicted.extend(heard)
        proc.join(DEADLINE_S)
        assert proc.exitcode == 0
    assert len(evicted) == len(set(evicted)), "an original was evicted by two processes"
    with Store(settings) as store:
        live = [(seed, h) for seed, h in handles if h in store]
        for seed, handle in live:
            assert store.get(handle) == payload(seed, size)
        for _, handle in handles:
            if handle not in dict(live).values():
                with pytest.raises(EvictedHashError):
                    store.get(handle)
        stats = store.stats()
    assert not {h for _, h in live} & set(evicted)
    assert len(live) + len(evicted) == len(handles)
    assert stats.entries == len(live)
    assert stats.store_bytes == len(live) * size <= settings.max_store_bytes
