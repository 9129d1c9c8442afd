"""What the proxy sent upstream in place of each tool result it compressed, kept so it sends the same bytes again.

A provider's prompt cache hits only when a request starts with exactly the bytes of the one before, and clients
resend the whole conversation every turn. So the proxy decides about a tool result once, the first time it
forwards it, and then keeps to that decision for as long as the conversation is resent:

- A result is known by the id of the call it answers (``tool_use_id``, ``tool_call_id``, ``call_id``: unique
  within a conversation), the place of the text in the result and the text itself (`memory_key`). Not by the whole
  conversation prefix: clients rewrite earlier messages in ways that do not change what the model reads (Claude
  Code moves its ``cache_control`` breakpoints every turn), and a prefix key would then send every earlier result
  at full size again.
- What was sent compressed is remembered here, with the exact text sent, and sent again as it was: the same bytes
  even after an upgrade of headroom changed what the compressors write.
- A result that is not remembered and is not in the newest turn (after the model's last message) went upstream
  before without being compressed: before the proxy started, with compression turned off, or when compressing
  failed. It keeps going as it is. Only results in the newest turn are compressed for the first time.

The memory lives in ``$HEADROOM_HOME/proxy.sqlite3`` (owner-only, like the store) so a restarted proxy, or a second
one, keeps to the same decisions; an entry unused for `RETENTION_DAYS` days is dropped. Recent entries are also held
in memory (`CACHE_BYTES`), and so is what is known to be absent.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import rustcore

__all__ = ["CACHE_BYTES", "RETENTION_DAYS", "ForwardMemory", "Remembered", "memory_key"]

RETENTION_DAYS = 30
CACHE_BYTES = 64 * 1024 * 1024
_DAY = 86400.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS forwarded (
    key TEXT PRIMARY KEY,   -- memory_key(): call id, part, text
    text TEXT NOT NULL,     -- exactly what was sent in place of the text
    hash TEXT NOT NULL,     -- the original's handle in the store
    used INTEGER NOT NULL   -- day (days since the epoch) it was last sent
) WITHOUT ROWID
"""


@dataclass(frozen=True, slots=True)
class Remembered:
    """What was sent in place of a tool result's text, and the handle of the original it came from."""

    text: str
    hash: str


def memory_key(call_id: str, part: int, text: str) -> str:
    """The key of one tool-result text: the call it answers, its place in the result, and its exact content."""
    head = f"{call_id}\0{part}\0".encode("utf-8", errors="surrogatepass")
    return str(rustcore.content_hash(head + text.encode("utf-8", errors="surrogatepass")))


class ForwardMemory:
    """The remembered replacements, shared by every proxy that uses the same ``path``. Thread-safe."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time, cache_bytes: int = CACHE_BYTES) -> None:
        from ccr._access import ensure_private_dir

        ensure_private_dir(path.parent)
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Remembered | None] = OrderedDict()
        self._cache_bytes = 0
        self._cache_limit = cache_bytes
        self._touched: dict[str, int] = {}
        self._pruned_day = -1
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        self._conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(_SCHEMA)
        self._prune()

    def _today(self) -> int:
        return int(self._clock() // _DAY)

    def lookup(self, keys: Iterable[str]) -> dict[str, Remembered]:
        """The remembered replacements among ``keys`` (absent keys are left out)."""
        found: dict[str, Remembered] = {}
        missing: list[str] = []
        with self._lock:
            for key in dict.fromkeys(keys):
                if key in self._cache:
                    self._cache.move_to_end(key)
                    hit = self._cache[key]
                    if hit is not None:
                        found[key] = hit
                else:
                    missing.append(key)
            for start in range(0, len(missing), 500):
                batch = missing[start : start + 500]
                marks = ",".join("?" * len(batch))
                rows = self._conn.execute(f"SELECT key, text, hash FROM forwarded WHERE key IN ({marks})", batch)
                for key, text, digest in rows:
                    found[key] = Remembered(text, digest)
            for key in missing:
                self._cache_put(key, found.get(key))
            self._touch(list(found))
        return found

    def remember(self, entries: Sequence[tuple[str, Remembered]]) -> dict[str, Remembered]:
        """Remember each ``(key, replacement)`` unless the key is remembered already (another request got there
        first); returns what is remembered for each key now, which is what must be sent.

        Raises:
            sqlite3.Error: the file cannot be written (the caller then forwards the request unchanged).
        """
        if not entries:
            return {}
        today = self._today()
        with self._lock:
            with self._transaction():
                self._conn.executemany(
                    "INSERT OR IGNORE INTO forwarded (key, text, hash, used) VALUES (?, ?, ?, ?)",
                    [(key, r.text, r.hash, today) for key, r in entries],
                )
                keys = [key for key, _ in entries]
                marks = ",".join("?" * len(keys))
                rows = self._conn.execute(f"SELECT key, text, hash FROM forwarded WHERE key IN ({marks})", keys)
                stored = {key: Remembered(text, digest) for key, text, digest in rows}
            for key, value in stored.items():
                self._cache_put(key, value)
                self._touched[key] = today
            if today != self._pruned_day:
                self._prune()
        return stored

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _touch(self, keys: Sequence[str]) -> None:
        """Mark entries as used today (at most one write per entry and day)."""
        today = self._today()
        stale = [k for k in keys if self._touched.get(k) != today]
        if not stale:
            return
        try:
            self._conn.executemany(
                "UPDATE forwarded SET used = ? WHERE key = ? AND used < ?", [(today, k, today) for k in stale]
            )
        except sqlite3.Error:  # a busy or read-only file only delays the pruning of these entries
            return
        if len(self._touched) > 1_000_000:
            self._touched.clear()
        for k in stale:
            self._touched[k] = today

    def _cache_put(self, key: str, value: Remembered | None) -> None:
        old = self._cache.pop(key, None)
        if old is not None:
            self._cache_bytes -= len(old.text)
        self._cache[key] = value
        self._cache_bytes += len(value.text) if value is not None else 0
        while (self._cache_bytes > self._cache_limit or len(self._cache) > 1_000_000) and self._cache:
            _, dropped = self._cache.popitem(last=False)
            if dropped is not None:
                self._cache_bytes -= len(dropped.text)

    def _prune(self) -> None:
        today = self._today()
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("DELETE FROM forwarded WHERE used < ?", (today - RETENTION_DAYS,))
            self._pruned_day = today

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM forwarded").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()
