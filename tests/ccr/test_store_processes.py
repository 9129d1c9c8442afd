"""Several processes on one store file: concurrent writers lose nothing, and a killed writer corrupts nothing."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest
import store_workers
from store_workers import payload

import rustcore
from ccr import Settings, Store

pytestmark = pytest.mark.slow

SPAWN = multiprocessing.get_context("spawn")
DEADLINE_S = 240.0


def test_several_processes_putting_and_getting_at_once_lose_nothing(headroom_home: Path) -> None:
    path = headroom_home / "ccr.sqlite3"
    workers, per_worker, size = 4, 25, 64 * 1024
    receivers, procs = [], []
    for w in range(workers):
        # Seeds overlap between neighbours, so the same handle is put by two processes at once.
        seeds = list(range(w * per_worker // 2, w * per_worker // 2 + per_worker))
        recv, send = SPAWN.Pipe(duplex=False)
        proc = SPAWN.Process(target=store_workers.put_and_get, args=(str(path), w, seeds, size, send))
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
    with Store(Settings(home=headroom_home)) as store:
        for seed, handle in reported:
            data = payload(seed, size)
            assert handle == rustcore.content_hash(data)
            assert store.get(handle) == data
        assert store.stats().entries == len({seed for seed, _ in reported})


def test_a_writer_killed_mid_stream_leaves_a_store_that_opens_with_every_committed_original(
    headroom_home: Path,
) -> None:
    path = headroom_home / "ccr.sqlite3"
    size = 4 * 1024 * 1024
    recv, send = SPAWN.Pipe(duplex=False)
    proc = SPAWN.Process(target=store_workers.stream_puts, args=(str(path), size, send))
    proc.start()
    send.close()
    committed: list[tuple[int, str]] = []
    deadline = time.monotonic() + DEADLINE_S
    try:
        while len(committed) < 6:
            assert recv.poll(max(deadline - time.monotonic(), 0)), "the writer stopped reporting"
            committed.append(recv.recv())
        # The writer is already inside its next 4 MiB put: kill it there.
        assert proc.pid is not None
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(DEADLINE_S)
    finally:
        if proc.is_alive():
            proc.kill()
    assert proc.exitcode == -signal.SIGKILL
    while recv.poll(0):  # puts that returned before the kill are committed too
        try:
            committed.append(recv.recv())
        except EOFError:
            break

    with Store(Settings(home=headroom_home, max_store_bytes=1 << 40)) as store:
        for seed, handle in committed:
            assert store.get(handle) == payload(seed, size)
        assert store.stats().entries >= len(committed)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
