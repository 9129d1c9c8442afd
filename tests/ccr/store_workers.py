"""Code that runs in child processes of the store tests (spawned, so it must live in an importable module)."""

from __future__ import annotations

import dataclasses
import random
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ccr import Settings, Store


def payload(seed: int, size: int) -> bytes:
    """Deterministic bytes for `seed`, so the parent can check what a child stored without being sent it."""
    return random.Random(seed).randbytes(size)


def put_and_get(settings: Settings, worker: int, seeds: list[int], size: int, out: Connection) -> None:
    """Put the payload of every seed (seeds overlap between workers), reading each back; report the handles."""
    with Store(settings) as store:
        handles = []
        for seed in seeds:
            data = payload(seed, size)
            handle = store.put(data, source=f"worker-{worker}")
            if store.get(handle) != data:
                raise AssertionError(f"worker {worker}: read back different bytes for seed {seed}")
            handles.append((seed, handle))
            # Read an earlier one again while other processes write, so readers and writers interleave.
            earlier_seed, earlier = handles[random.Random(seed).randrange(len(handles))]
            if store.get(earlier) != payload(earlier_seed, size):
                raise AssertionError(f"worker {worker}: seed {earlier_seed} changed in the store")
    out.send(handles)
    out.close()


def put_then_stop_inside_a_put(settings: Settings, size: int, committed: int, out: Connection) -> None:
    """Put `committed` large payloads, reporting each seed and handle once its put has returned (committed);
    then start one more put and stop inside its transaction, its rows written and its commit not yet run:
    report ("inside", seed) and wait there to be killed.

    The pause is the backend's eviction step, which both backends run inside the put's transaction, after
    the original's rows are written."""
    store = Store(dataclasses.replace(settings, max_store_bytes=1 << 40))
    for seed in range(committed):
        out.send((seed, store.put(payload(seed, size), source="stream")))
    backend: Any = store._backend
    evict = backend._evict

    def pause_inside(*args: Any, **kwargs: Any) -> Any:
        result = evict(*args, **kwargs)
        out.send(("inside", committed))
        threading.Event().wait()  # until the parent kills this process
        return result

    backend._evict = pause_inside
    store.put(payload(committed, size), source="stream")
    raise AssertionError("the put returned: the parent did not kill this process")


def hold_then_put(db_path: str, commands: Connection) -> None:
    """Open the store and keep it open; on each command (a handle, or None to stop) put a payload and try
    to read the handle; report (own handle, read ok)."""
    path = Path(db_path)
    with Store(Settings(home=path.parent), path=path) as store:
        commands.send("ready")
        while (handle := commands.recv()) is not None:
            mine = store.put(b"from the other process " + handle.encode())
            try:
                ok = store.get(handle) == b"from the recovering process"
            except Exception as exc:  # reported to the parent, which asserts on it
                ok = f"{type(exc).__name__}: {exc}"
            commands.send((mine, ok))
    commands.close()


def put_over_the_cap(settings: Settings, seeds: list[int], size: int, out: Connection) -> None:
    """Put the payload of every seed into a store whose cap holds a few; report the handles and what this
    process heard it evicted."""
    evicted: list[str] = []
    with Store(settings) as store:
        store.on_drop(lambda hashes, reason: evicted.extend(hashes) if reason == "evicted" else None)
        handles = [(seed, store.put(payload(seed, size), source="cap")) for seed in seeds]
    out.send((handles, evicted))
    out.close()
