"""`SemanticIndex`: the store's search index and vectors, kept up to date in the background.

Attached to a `Store`, it listens: every new original is queued (`Store.on_put`)
for a background thread that chunks it into the store's FTS table (lexical
search, works without a model) and embeds the chunks into the vector index
(`vectors.sqlite3`), downloading the model there, never on a caller's thread,
when it is missing and ``HF_HUB_OFFLINE`` is not set. Originals leaving the
store (`Store.on_drop`) lose their vectors. `Store.query` and `Store.search`
ask it for the chunks nearest a query (`similar_chunks`), embedding the query
on demand with the model from the cache only.

The first time it is given work it also catches up, in its own thread, on
originals other processes stored without indexing them (a one-shot CLI
compress, a server that stopped first), newest first, and drops vectors whose
originals are gone.

Nothing heavy happens when it is made: the model, numpy, onnxruntime and
sqlite-vec are loaded by the first call that needs them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ccr._vectors import BackgroundIndexer, IndexerStats, VectorHit, VectorIndex, index_path

if TYPE_CHECKING:
    from ccr._embeddings import Embedder
    from ccr._store import Store

__all__ = ["SemanticIndex"]

_log = logging.getLogger(__name__)

# Originals the catch-up thread looks at, newest first; older ones wait for a later process (or a search).
_CATCH_UP_ORIGINALS = 2000


class SemanticIndex:
    """The semantic layer of one store. Use as a context manager, or call `close`.

    Args:
        store: the store to index; `attach` (done here unless ``attach=False``) registers the listeners.
        embedder: the model (default: `ccr.default_embedder()`, configured by ``HEADROOM_EMBED*``).
        path: the vector index file (default: `ccr.index_path(store.settings)`).
        max_pending: originals waiting for the background thread before new ones are dropped (a dropped
            original is still found lexically, and picked up by a later catch-up).
        catch_up: index originals found unindexed when the first new one arrives.
    """

    def __init__(
        self,
        store: Store,
        embedder: Embedder | None = None,
        *,
        path: str | Path | None = None,
        max_pending: int = 256,
        catch_up: bool = True,
        attach: bool = True,
    ) -> None:
        if embedder is None:
            from ccr._embeddings import default_embedder

            embedder = default_embedder()
        self.store = store
        self.embedder = embedder
        self.path = Path(path) if path is not None else index_path(store.settings)
        self._lock = threading.Lock()
        self._index: VectorIndex | None = None
        self._closed = False
        self._catch_up = catch_up
        self._catch_up_thread: threading.Thread | None = None
        self._forget: set[str] = set()
        self._submitted: set[str] = set()  # new originals already queued: the catch-up leaves them alone
        self.indexer = BackgroundIndexer(
            self._open_index, embedder, chunks_of=store.index_for_search, max_pending=max_pending
        )
        if attach:
            self.attach()

    def attach(self) -> SemanticIndex:
        """Listen to the store's puts and drops, and rank its queries and searches with vectors."""
        self.store.on_put(self._on_put)
        self.store.on_drop(self.forget)
        self.store.set_semantic(self)
        return self

    # -- filling and emptying ----------------------------------------------------------------------------------

    def submit(self, hash: str, content_type: str = "text") -> bool:
        """Queue the original `hash` for indexing in the background; False when it was dropped.

        The store calls it for each new original (`Store.on_put`).
        """
        del content_type  # the store knows it; the indexer reads it from there
        with self._lock:
            self._submitted.add(hash)
        if self._catch_up and self._catch_up_thread is None:
            self._start_catch_up()
        return self.indexer.submit(hash)

    def _on_put(self, hash: str, content_type: str) -> None:
        # A put starts a compress call: indexing waits until the calls pause.
        self.indexer.note_activity()
        self.submit(hash, content_type)

    def forget(self, hashes: list[str], reason: str = "dropped") -> None:
        """Drop the vectors of originals that left the store (called under the store's lock: quick)."""
        del reason
        with self._lock:
            index = self._index
            if index is None:
                # Not open in this process: deleted when it opens (the file may hold them from an earlier run).
                self._forget.update(hashes)
                return
        for digest in hashes:
            index.delete(digest)

    def flush(self, timeout: float) -> bool:
        """Wait for queued originals (and the catch-up) to be indexed, at most `timeout` seconds."""
        thread = self._catch_up_thread
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                return False
        return self.indexer.flush(timeout)

    def stats(self) -> IndexerStats:
        return self.indexer.stats()

    def _open_index(self) -> VectorIndex:
        """The vector index, opened on first need with the model's vector length (the model must be loaded)."""
        with self._lock:
            if self._index is None:
                if self._closed:
                    from ccr._exceptions import StoreError

                    raise StoreError("the semantic index is closed")
                index = VectorIndex(self.path, dim=self.embedder.dim, model=self.embedder.config.model)
                for digest in sorted(self._forget):
                    index.delete(digest)
                self._forget.clear()
                self._index = index
            return self._index

    def _start_catch_up(self) -> None:
        with self._lock:
            if self._catch_up_thread is not None or self._closed:
                return
            self._catch_up_thread = threading.Thread(target=self._run_catch_up, name="headroom-catch-up", daemon=True)
            self._catch_up_thread.start()

    def _run_catch_up(self) -> None:
        # Its first steps import the model hub and scan the store, which would slow the calls under way.
        self.indexer.wait_quiet()
        if self._closed:
            return
        try:
            self._catch_up_originals()
        except Exception:
            _log.warning("catching up on unindexed originals failed", exc_info=True)

    def _catch_up_originals(self) -> None:
        from ccr._search import live_originals

        live = live_originals(self.store)  # newest first, with whether each is chunked for search
        with_vectors: set[str] = set()
        if self.embedder.available(download=True):
            index = self._open_index()
            with_vectors = index.hashes()
            for digest in sorted(with_vectors - {h for h, _ in live}):
                index.delete(digest)
        embedding = self.embedder.loaded()
        todo = [
            h for h, searchable in live[:_CATCH_UP_ORIGINALS] if not searchable or (embedding and h not in with_vectors)
        ]
        if todo:
            _log.debug("catching up on %d originals stored without indexing", len(todo))
        for digest in todo:
            if self._closed:
                return
            with self._lock:
                if digest in self._submitted:
                    continue
            # Leave room for new originals: wait while the queue is half full.
            while not self._closed and self.indexer.stats().pending >= self.indexer.max_pending // 2:
                self.indexer.flush(timeout=1.0)
            self.indexer.submit(digest)

    # -- asking ------------------------------------------------------------------------------------------------

    def similar_chunks(self, query: str, *, limit: int, hashes: Sequence[str] | None = None) -> list[VectorHit] | None:
        """The indexed chunks nearest `query` (of `hashes` only, when given), nearest first.

        None when semantic ranking cannot be done now: no vector index yet, or no model in the cache
        (this never downloads: it answers a caller). [] when the index holds nothing for `hashes`.

        Raises:
            EmbeddingError: the model failed on the query.
            StoreError: the index cannot be read.
        """
        if self._closed or not self.path.exists():
            return None
        if not self.embedder.available():
            return None
        index = self._open_index()
        wanted = None if hashes is None else [h for h in hashes if index.has(h)]
        if wanted == []:
            return []
        return index.search(self.embedder.embed_query(query), limit, wanted)

    def semantic_note(self) -> str | None:
        """Why semantic ranking is not available now, or None when it is."""
        if self._closed:
            return "the semantic index is closed"
        status = self.embedder.status()
        if not status.available:
            return status.reason
        if not self.path.exists():
            return "no original has been embedded yet (embedding runs in the background after each compress)"
        return None

    # -- lifetime ----------------------------------------------------------------------------------------------

    def close(self, timeout: float = 5.0) -> bool:
        """Stop indexing (work in flight finishes its current slice), detach from the store, close the index.

        Returns True when the background threads ended within `timeout` seconds.
        """
        self._closed = True
        self.store.set_semantic(None)
        ended = self.indexer.close(timeout)
        thread = self._catch_up_thread
        if thread is not None:
            thread.join(timeout)
            ended = ended and not thread.is_alive()
        with self._lock:
            index, self._index = self._index, None
        if index is not None and ended:
            index.close()
        return ended

    def __enter__(self) -> SemanticIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
