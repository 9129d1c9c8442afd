"""`BackgroundIndexer`: the thread that indexes new originals for search, off the caller's path.

Chunking an original into the search index takes the store's lock and the
GIL; during a burst of compress calls it waits for the burst to end
(`note_activity`), so no call pays for the indexing of another. ``submit``
never blocks: past ``max_pending`` waiting originals a new one is dropped
(and indexed later by a search's catch-up, which counts it as pending meanwhile).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["BackgroundIndexer", "IndexerStats"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IndexerStats:
    """What a background indexer has done: originals indexed, skipped (gone before their turn), failed
    (logged), dropped (the queue was full or the indexer closed), and still waiting."""

    indexed: int
    skipped: int
    failed: int
    dropped: int
    pending: int


class BackgroundIndexer:
    """Runs ``index(hash)`` for each submitted original in a daemon thread, one at a time.

    Args:
        index: indexes one original; returns None when the original is gone. A failure is logged and
            counted; the thread carries on.
        max_pending: originals that may wait before new ones are dropped.
        quiet_s: how long after the last `note_activity()` work may start.
        name: the thread's name.
    """

    def __init__(
        self,
        index: Callable[[str], object],
        *,
        max_pending: int = 256,
        quiet_s: float = 0.25,
        name: str = "headroom-indexer",
    ) -> None:
        self._index = index
        self._max_pending = max_pending
        self._quiet_s = quiet_s
        self._name = name
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._cond = threading.Condition()
        self._queued: set[str] = set()
        self._counts = {"indexed": 0, "skipped": 0, "failed": 0, "dropped": 0}
        self._pending = 0
        self._closed = False
        self._thread: threading.Thread | None = None
        self._last_activity = float("-inf")
        self._busy = 0

    @property
    def max_pending(self) -> int:
        """How many originals may wait before new ones are dropped."""
        return self._max_pending

    def submit(self, hash: str) -> bool:
        """Queue an original; False when it was dropped (queue full, indexer closed)."""
        with self._cond:
            if hash in self._queued:
                return True
            if self._closed or self._pending >= self._max_pending:
                self._counts["dropped"] += 1
                return False
            self._queued.add(hash)
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
        self._queue.put(hash)
        return True

    def note_activity(self) -> None:
        """The caller is busy now (e.g. a compress call is running): hold new work back for `quiet_s`."""
        with self._cond:
            self._last_activity = time.monotonic()

    @contextmanager
    def busy(self) -> Iterator[None]:
        """A call runs inside: no new work starts before it ends and `quiet_s` more have passed. (A put only
        starts a compress call; the call may run for seconds after it, and indexing beside it would add the
        two peaks of memory.)"""
        with self._cond:
            self._busy += 1
        try:
            yield
        finally:
            with self._cond:
                self._busy -= 1
                self._last_activity = time.monotonic()
                self._cond.notify_all()

    def wait_quiet(self) -> None:
        """Return once no `busy()` call runs and `quiet_s` have passed since the last activity (or the indexer
        is closed)."""
        with self._cond:
            while not self._closed:
                if self._busy:
                    self._cond.wait()
                    continue
                left = self._last_activity + self._quiet_s - time.monotonic()
                if left <= 0:
                    return
                self._cond.wait(left)

    def flush(self, timeout: float) -> bool:
        """Wait until everything submitted is done, at most `timeout` seconds; True when it is."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout)

    def stats(self) -> IndexerStats:
        with self._cond:
            return IndexerStats(pending=self._pending, **self._counts)

    def close(self, timeout: float = 5.0) -> bool:
        """Stop taking work, finish the original in hand and stop; True when the thread ended in `timeout`."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        self._queue.put(None)
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def _run(self) -> None:
        while True:
            digest = self._queue.get()
            if digest is None:
                with self._cond:
                    self._counts["dropped"] += self._pending
                    self._pending = 0
                    self._queued.clear()
                    self._cond.notify_all()
                return
            self.wait_quiet()
            outcome = "dropped"
            if not self._stopping():
                try:
                    outcome = "skipped" if self._index(digest) is None else "indexed"
                except Exception:
                    outcome = "failed"
                    _log.warning("indexing %s for search failed", digest, exc_info=True)
            with self._cond:
                if digest in self._queued:
                    self._queued.discard(digest)
                    self._pending -= 1
                    self._counts[outcome] += 1
                self._cond.notify_all()

    def _stopping(self) -> bool:
        with self._cond:
            return self._closed
