"""`SemanticIndex`: a store's search index kept up to date in the background, and meaning on demand.

Attached to a `Store`, it listens: every new original is queued (`Store.on_put`)
for a background thread that chunks it into the store's FTS table, so searches
find it without chunking it themselves. The first time it is given work it
also catches up, in its own thread, on originals other processes stored
without indexing them (a one-shot CLI compress, a server that stopped first),
newest first.

Meaning is computed lazily, at query time, for the candidates only:
`similarities` embeds the question and the few texts a ranker hands it (the
best lexical matches), never whole originals, so storing output costs no
embedding at all and nothing waits for an index of vectors to fill. Vectors of
texts seen before come from the embedder's cache. Semantic ranking is off
unless ``HEADROOM_EMBEDDINGS=1``: on the questions measured (see README) it did
not rank answers better than lexical ranking alone. When it is on, the model is
loaded (downloaded first, where allowed) on a background thread as soon as the
index is made; until it is loaded, ranking is lexical and says so.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ccr._indexer import BackgroundIndexer, IndexerStats

if TYPE_CHECKING:
    from ccr._embeddings import Embedder
    from ccr._store import Store

__all__ = ["SemanticIndex"]

_log = logging.getLogger(__name__)

# Originals the catch-up thread looks at, newest first; older ones wait for a later process (or a search).
_CATCH_UP_ORIGINALS = 2000
# Tokens of each candidate the model reads unless the caller says otherwise: the start of a chunk says what it
# is about, and a candidate costs about 15 ms of one core at this length (fp32) against 60 ms at the full 256.
CANDIDATE_TOKENS = 64
# What an earlier version kept beside the store: vectors of every chunk, no longer read.
_OLD_VECTOR_FILES = ("vectors.sqlite3", "vectors.sqlite3-wal", "vectors.sqlite3-shm")


class SemanticIndex:
    """The search index upkeep and semantic ranking of one store. Use as a context manager, or call `close`.

    Args:
        store: the store to index; `attach` (done here unless ``attach=False``) registers the listeners.
        embedder: the model (default: `ccr.default_embedder()`, configured by ``HEADROOM_EMBED*``).
        max_pending: originals waiting for the background thread before new ones are dropped (a dropped
            original is still found: a search chunks it first, or a later catch-up does).
        catch_up: index originals found unindexed when the first new one arrives.
        attach: listen to the store now.
        load: when semantic ranking is on, load the model on a background thread now (a server does;
            a one-shot command leaves it to the first question, which loads it from the cache).
    """

    def __init__(
        self,
        store: Store,
        embedder: Embedder | None = None,
        *,
        max_pending: int = 256,
        catch_up: bool = True,
        attach: bool = True,
        load: bool = True,
    ) -> None:
        if embedder is None:
            from ccr._embeddings import default_embedder

            embedder = default_embedder()
        self.store = store
        self.embedder = embedder
        self._lock = threading.Lock()
        self._closed = False
        self._catch_up = catch_up
        self._catch_up_thread: threading.Thread | None = None
        self._submitted: set[str] = set()  # new originals already queued: the catch-up leaves them alone
        self.indexer = BackgroundIndexer(store.index_for_search, max_pending=max_pending)
        self._loader: threading.Thread | None = None
        if load and embedder.config.enabled:
            self._loader = threading.Thread(target=self._load, name="headroom-embedder", daemon=True)
            self._loader.start()
        if attach:
            self.attach()

    def attach(self) -> SemanticIndex:
        """Listen to the store's puts, and rank its queries and searches with meaning when that is on."""
        self.store.on_put(self._on_put)
        self.store.set_semantic(self)
        return self

    # -- the search index ----------------------------------------------------------------------------------------

    def submit(self, hash: str, content_type: str = "text") -> bool:
        """Queue the original `hash` for search indexing in the background; False when it was dropped.

        The store calls it for each new original (`Store.on_put`).
        """
        del content_type  # the store knows it; indexing reads it from there
        with self._lock:
            self._submitted.add(hash)
        if self._catch_up and self._catch_up_thread is None:
            self._start_catch_up()
        return self.indexer.submit(hash)

    def _on_put(self, hash: str, content_type: str) -> None:
        # A put starts a compress call: indexing waits until the calls pause.
        self.indexer.note_activity()
        self.submit(hash, content_type)

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

    def _start_catch_up(self) -> None:
        with self._lock:
            if self._catch_up_thread is not None or self._closed:
                return
            self._catch_up_thread = threading.Thread(target=self._run_catch_up, name="headroom-catch-up", daemon=True)
            self._catch_up_thread.start()

    def _run_catch_up(self) -> None:
        # Its first step scans the store, which would slow the calls under way.
        self.indexer.wait_quiet()
        if self._closed:
            return
        try:
            self._catch_up_originals()
        except Exception:
            _log.warning("catching up on unindexed originals failed", exc_info=True)

    def _catch_up_originals(self) -> None:
        from ccr._search import live_originals

        _remove_old_vectors(self.store.settings.home)
        todo = [h for h, searchable in live_originals(self.store)[:_CATCH_UP_ORIGINALS] if not searchable]
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

    # -- meaning -------------------------------------------------------------------------------------------------

    def _load(self) -> None:
        # Downloads the model where that is allowed and it is missing: only ever on this thread.
        self.embedder.available(download=True)

    def similarities(
        self, query: str, texts: Sequence[str], *, max_tokens: int = CANDIDATE_TOKENS
    ) -> list[float] | None:
        """Cosine similarity of each of `texts` to `query`, each read by its first `max_tokens` tokens.

        None when semantic ranking cannot be done now: it is off, the index is closed, the model is still
        loading in the background, or it is not in the cache (this never downloads: it answers a caller).
        Without a background loader, loads a cached model on first use.

        Raises:
            EmbeddingError: the model failed.
        """
        if self._closed or not self.embedder.config.enabled or self._loading():
            return None
        if not self.embedder.available():
            return None
        if not texts:
            return []
        asked = self.embedder.embed_query(query, max_tokens=max_tokens)
        vectors = self.embedder.embed(list(texts), max_tokens=max_tokens)
        return [float(v) for v in vectors @ asked]

    def semantic_note(self) -> str | None:
        """Why semantic ranking is not available now, or None when it is (loads a cached model unless the
        background loader is at it)."""
        if self._closed:
            return "the semantic index is closed"
        if self.embedder.config.enabled and self._loading():
            return "the embedding model is still loading in the background; ranking is lexical until it is"
        status = self.embedder.status()
        return None if status.available else status.reason

    def _loading(self) -> bool:
        loader = self._loader
        return loader is not None and loader.is_alive() and not self.embedder.loaded()

    # -- lifetime ------------------------------------------------------------------------------------------------

    def close(self, timeout: float = 5.0) -> bool:
        """Stop indexing (the original in hand is finished) and detach from the store.

        Returns True when the background threads ended within `timeout` seconds (a model still loading
        is left to finish on its daemon thread).
        """
        self._closed = True
        self.store.set_semantic(None)
        ended = self.indexer.close(timeout)
        thread = self._catch_up_thread
        if thread is not None:
            thread.join(timeout)
            ended = ended and not thread.is_alive()
        return ended

    def __enter__(self) -> SemanticIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _remove_old_vectors(home: Path) -> None:
    """Delete the vector file an earlier version kept beside the store (derived data nothing reads now)."""
    for name in _OLD_VECTOR_FILES:
        path = home / name
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            _log.info("could not remove %s, which nothing uses now: %s", path, exc)
            continue
        _log.info("removed %s: vectors are no longer kept for every chunk (see HEADROOM_EMBEDDINGS)", path)
