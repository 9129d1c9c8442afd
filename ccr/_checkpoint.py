"""WAL checkpoints on a background thread, so no compress call waits for one.

With SQLite's automatic checkpoints, the commit that takes the write-ahead log
past 1,000 pages copies the whole log into the database file and syncs it
before it returns: a 10 MB original took about 90 ms to keep instead of about
30 ms, and every few megabytes one small call paid 20-40 ms. The store's
connections turn automatic checkpoints off (`ccr._database.connect`) and a
`Checkpointer` runs passive checkpoints on a connection of its own once this
process has written enough, which never blocks writers or readers. It also
checkpoints now and then regardless, for what other processes wrote to the
same file (a passive checkpoint with nothing to copy costs next to nothing).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

__all__ = ["Checkpointer"]

_log = logging.getLogger(__name__)

# Checkpoint once this process has written this much (SQLite's own default is 1,000 pages of 4 KiB).
CHECKPOINT_WAL_BYTES = 4 * 1024**2
# Checkpoint at least this often, for what other processes wrote.
_CHECKPOINT_EVERY_S = 60.0


class Checkpointer:
    """Checkpoints the WAL of the database at `path` from a daemon thread until `close()`."""

    def __init__(self, path: Path, *, wal_bytes: int = CHECKPOINT_WAL_BYTES) -> None:
        self.path = path
        self.wal_bytes = wal_bytes
        self.checkpoints = 0
        self._written = 0
        self._wake = threading.Event()
        self._stop = False
        self._idle = threading.Condition()
        self._busy = False
        self._thread = threading.Thread(target=self._run, name=f"headroom-checkpoint:{path.name}", daemon=True)
        self._thread.start()

    def wrote(self, nbytes: int) -> None:
        """Note that about `nbytes` went into the WAL; wakes the thread once enough has."""
        self._written += nbytes
        if self._written >= self.wal_bytes:
            self._written = 0
            self._wake.set()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no checkpoint is pending or running; False on timeout (tests use it to observe the thread)."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._busy and not self._wake.is_set(), timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread (a checkpoint in progress finishes first)."""
        self._stop = True
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while True:
                self._wake.wait(_CHECKPOINT_EVERY_S)
                with self._idle:
                    self._wake.clear()
                    if self._stop:
                        return
                    self._busy = True
                try:
                    if conn is None:
                        # Read-write but never create: a store that failed to open must not gain a file.
                        uri = self.path.absolute().as_uri() + "?mode=rw"
                        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    self.checkpoints += 1
                except sqlite3.Error as exc:
                    # The store keeps working without it; the next commit after a restart may checkpoint.
                    _log.warning("background WAL checkpoint of %s failed: %s", self.path, exc)
                finally:
                    with self._idle:
                        self._busy = False
                        self._idle.notify_all()
        finally:
            if conn is not None:
                conn.close()
