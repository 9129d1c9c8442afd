"""Search across every stored original: chunk indexing for search, and the search itself.

`Store.search` finds the chunks of earlier tool outputs that best answer a
query, whichever process or agent stored them (they all share one store):
lexically through the FTS5 chunk table (`ccr._chunk_search`). Chunks holding
what the query names exactly (`ccr._hybrid.identifiers`) come first. With
semantic ranking on (``HEADROOM_EMBEDDINGS=1``), the best lexical candidates
are also ranked by meaning, embedded at query time, and the two rankings are
fused by rank (`ccr._hybrid.fuse_ranks`). Before it searches it chunks
originals nobody indexed yet, up to a byte budget, so output stored by a
one-shot ``headroom compress`` is found too.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ccr._chunk_context import chunk_contexts, source_subject
from ccr._chunk_search import (
    BATCH_BYTES,
    TERMS_VERSION,
    Candidate,
    SearchChunk,
    chunk_lines,
    name_words,
)
from ccr._exceptions import HeadroomError, InputError
from ccr._excerpt import render_rows
from ccr._hybrid import definition_pattern, exact_counts, fuse_ranks, identifiers
from ccr._intents import asks_for_newest
from ccr._lines import LineIndex, Row, split_lines
from ccr._retrieval import rank, terms

if TYPE_CHECKING:
    from ccr._backend import Meta
    from ccr._store import Store

__all__ = [
    "CATCH_UP_BYTES",
    "HIT_ROWS",
    "MAX_SEARCH_LIMIT",
    "SearchHit",
    "SearchResult",
    "SemanticSource",
    "index_original",
    "live_originals",
    "search_store",
    "unindexed",
]

_log = logging.getLogger(__name__)

MAX_SEARCH_LIMIT = 50
# A search chunks at most this many bytes of not-yet-indexed originals before it answers (about 3 s of one core).
CATCH_UP_BYTES = 8 * 1024**2
# Lexical candidates taken from the FTS table.
_CANDIDATES = 200
# The best lexical candidates ranked by meaning too, when semantic ranking is on: each costs an embedding of its
# first 64 tokens, about 15 ms of one core (fp32) the first time its text is seen.
RERANK = 10
# The candidates checked for the identifiers the query names (each is read back from its original).
_EXACT_CHECKED = 50
# What a chunk that defines a name the query gives (`definition_pattern`) adds to its score, as half a name.
DEFINITION = 0.5
# What the last chunk of an original adds to its score when the question asks for the newest entries: above the
# best match by words alone (1), below a chunk holding a name the question gives as well as its words (2).
NEWEST = 1.5
# Each further hit from an original already shown counts at this share of its score (again for the next), so
# one long log cannot fill the whole answer and a question asked alike of several outputs gets several of them,
# while an original that answers far better than the rest still gives its next chunks.
AGAIN = 0.8
# A hit shows at most this many rows of its chunk (a chunk may hold 40 lines); the header names the whole span.
HIT_ROWS = 12


class SemanticSource(Protocol):
    """Similarity by meaning, computed on demand (`ccr.SemanticIndex` implements it)."""

    def similarities(self, query: str, texts: Sequence[str], *, max_tokens: int = ...) -> list[float] | None:
        """Cosine similarity of each of `texts` (each read by its first `max_tokens` model tokens) to `query`;
        None when semantic ranking cannot be done now (see `semantic_note`)."""
        ...

    def semantic_note(self) -> str | None:
        """Why semantic ranking is unavailable, or None when it is available."""
        ...


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One chunk of one original that answers the query (times are Unix seconds)."""

    hash: str
    start_line: int
    end_line: int
    rows: tuple[Row, ...]
    score: float
    lexical: float
    semantic: float | None
    content_type: str
    source: str
    client: str
    created_at: float
    last_access: float

    def to_dict(self, now: float) -> dict[str, Any]:
        return {
            "hash": self.hash,
            "lines": [self.start_line, self.end_line],
            "score": round(self.score, 4),
            "lexical": round(self.lexical, 4),
            "semantic": None if self.semantic is None else round(self.semantic, 4),
            "content_type": self.content_type,
            "source": self.source,
            "client": self.client,
            "created_at": self.created_at,
            "age_seconds": round(max(now - self.created_at, 0.0), 1),
            "text": "\n".join(text for _, text in self.rows),
        }


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The hits of a search, best first; `mode` is "hybrid" when vectors took part, else "lexical"."""

    query: str
    hits: tuple[SearchHit, ...]
    mode: str
    at: float
    notes: tuple[str, ...] = ()
    pending: int = 0
    _rendered: list[str] = field(default_factory=list, repr=False, compare=False)

    def render(self) -> str:
        """Each hit as a header line (handle, lines, type, source, client, age) and its numbered rows."""
        if not self._rendered:
            out: list[str] = []
            for n, hit in enumerate(self.hits, start=1):
                who = f"{hit.source}, {hit.client}" if hit.client else hit.source
                out.append(
                    f"[{n}] hash={hit.hash} lines={hit.start_line}-{hit.end_line} ({hit.content_type}; {who}; "
                    f"{age_text(self.at - hit.created_at)} ago; score {hit.score:.2f})"
                )
                out.append(render_rows(hit.rows))
            if not self.hits:
                out.append(f"no stored output matches {self.query!r}")
            out.extend(f"[{note}]" for note in self.notes)
            self._rendered.append("\n".join(out))
        return self._rendered[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "mode": self.mode,
            "hits": [hit.to_dict(self.at) for hit in self.hits],
            "notes": list(self.notes),
            "pending": self.pending,
            "text": self.render(),
        }


def age_text(seconds: float) -> str:
    """A short age: "40 s", "12 min", "3 h", "5 d"."""
    seconds = max(seconds, 0.0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return f"{int(seconds)} s"


# --- indexing -------------------------------------------------------------------------------------------------


def _batches(pieces: Sequence[SearchChunk], start: int) -> Iterator[range]:
    """Runs of `pieces` of about `BATCH_BYTES` each, from the first one that starts at `start` or later."""
    lo = next((k for k, piece in enumerate(pieces) if piece.start_byte >= start), len(pieces))
    size = 0
    for k in range(lo, len(pieces)):
        size += pieces[k].end_byte - pieces[k].start_byte
        if size >= BATCH_BYTES:
            yield range(lo, k + 1)
            lo, size = k + 1, 0
    if lo < len(pieces):
        yield range(lo, len(pieces))


def ensure_terms_version(store: Store) -> None:
    """Rebuild the search index when it was built by another `terms`, or is mostly orphans."""
    store._backend.check_search_version(TERMS_VERSION)


def index_original(store: Store, digest: str) -> int | None:
    """Chunk the original `digest` for search (nothing to do when done already); the number of chunks this call
    wrote, or None when it is no longer stored. Does not count as an access.

    Memory stays within a small multiple of the original: its text and line offsets, the chunks' places (a
    few dozen bytes each, and chunks hold at least ~1,000 bytes past `BY_CHARS_FROM`, see
    `ccr._chunk_search.max_lines_for`), and one batch of chunk texts and terms at a time.
    """

    ensure_terms_version(store)
    backend = store._backend
    found = backend.original_for_index(digest)
    if found is None:
        return None
    raw, content_type, source, size, done = found
    del found
    if done >= size:
        return 0
    backend.prune_search_index()
    # The places first, while the text and its line offsets are held: the contexts need every chunk's first line.
    doc = LineIndex(raw.decode("utf-8", errors="surrogateescape"))
    places = [piece._replace(text="") for piece in chunk_lines(doc, content_type, len(raw))]
    contexts = chunk_contexts(doc, places, content_type)
    del doc
    subject = source_subject(source)
    # Restarting after a rebuild or a half-done run: `write_batch` checks progress under the write lock.
    progress = done
    written = 0
    for batch in _batches(places, progress):
        # Terms counted outside the lock; each chunk is filed under its context too (see ccr._chunk_context).
        rows = [(places[k], terms(f"{subject}\n{contexts[k]}\n{_piece_text(raw, places[k])}")) for k in batch]
        end = size if batch[-1] == len(places) - 1 else places[batch[-1]].end_byte
        if not backend.write_chunks(digest, rows, progress, end):
            break
        progress = end
        written += len(rows)
    return written


def _piece_text(raw: bytes, piece: SearchChunk) -> str:
    """A chunk's text as search shows it (undecodable bytes replaced), read from the original's bytes."""
    return raw[piece.start_byte : piece.end_byte].decode("utf-8", errors="replace")


# --- searching ------------------------------------------------------------------------------------------------


def _pick(order: list[int], candidates: dict[int, Candidate], score: dict[int, float], limit: int) -> list[int]:
    """The best `limit` of `order` (best first), one at a time: a chunk of an original `k` of whose chunks are
    chosen already counts at `AGAIN ** k` of its `score` (ties keep `order`)."""
    chosen: list[int] = []
    taken: dict[str, int] = {}
    left = list(order)
    while left and len(chosen) < limit:
        best = max(left, key=lambda i: score[i] * AGAIN ** taken.get(candidates[i].hash, 0))
        chosen.append(best)
        left.remove(best)
        taken[candidates[best].hash] = taken.get(candidates[best].hash, 0) + 1
    return chosen


def _rows_of(
    piece: bytes, start_line: int, query: str, defines: re.Pattern[str] | None, *, tail: bool = False
) -> tuple[Row, ...]:
    """The chunk's rows; past `HIT_ROWS`, its last non-blank rows where `tail` (the end of an output, asked for
    the newest entries), else the rows matching `query` with the nearest non-blank line either side (else its
    first rows), those that define a name it gives (`defines`) first, then the rows after the best matches while
    there is room."""
    text = piece.decode("utf-8", errors="replace")
    rows = list(enumerate(split_lines(text) or [""], start=start_line))
    if len(rows) <= HIT_ROWS:
        return tuple(rows)
    if tail:
        return tuple(row for row in rows if row[1].strip())[-HIT_ROWS:]
    scores = rank([t for _, t in rows], query)
    if defines is not None:
        top = max(scores, default=0.0)
        scores = [s + top if s > 0 and defines.search(t) else s for s, (_, t) in zip(scores, rows, strict=True)]
    best = sorted((k for k, v in enumerate(scores) if v > 0), key=lambda k: (-scores[k], k))
    filled = [k for k, (_, line) in enumerate(rows) if line.strip()]
    # The chunk's first line says what it is (the definition, heading, hunk or record it starts with).
    keep: set[int] = set(filled[:1])
    for k in best:
        # The match and the nearest lines with something on them either side: a heading's text follows a blank.
        at = bisect.bisect_left(filled, k)
        wanted = {k, *(j for j in filled[max(at - 1, 0) : at + 2] if abs(j - k) <= 3)} - keep
        if len(keep) + len(wanted) > HIT_ROWS:
            break
        keep |= wanted
    if keep == set(filled[:1]):
        keep = set(range(HIT_ROWS))
    # Rows left over go to what the best matches introduce: the lines after them (a hunk's changed lines under
    # its `@@` header, a section's text under its heading, a traceback under its error line).
    after = (j for k in best for j in filled[bisect.bisect_right(filled, k) :])
    while len(keep) < HIT_ROWS and (j := next(after, None)) is not None:
        keep.add(j)
    return tuple(rows[k] for k in sorted(keep))


def search_store(
    store: Store,
    query: str,
    *,
    limit: int,
    since: float | None,
    content_type: str | None,
    semantic: SemanticSource | None,
    catch_up_bytes: int = CATCH_UP_BYTES,
) -> SearchResult:
    """See `Store.search`."""
    if not query or not query.strip():
        raise InputError("the search query is empty: say what you are looking for")
    if not 1 <= limit <= MAX_SEARCH_LIMIT:
        raise InputError(f"limit={limit} must be between 1 and {MAX_SEARCH_LIMIT}")
    now = store._clock()
    live_after = now - store.settings.ttl_seconds
    pending = _catch_up(store, live_after, catch_up_bytes)
    backend = store._backend
    found = backend.lexical_candidates(
        query, limit=_CANDIDATES, live_after=live_after, since=since, content_type=content_type
    )
    meta: dict[str, Meta] = backend.metadata([c.hash for c in found])
    candidates = {c.id: c for c in found if c.hash in meta}
    pieces: dict[int, bytes | None] = {}

    def text_of(i: int) -> str:
        if i not in pieces:
            c = candidates[i]
            pieces[i] = backend.read_piece(c.hash, c.start_byte, c.end_byte)
        piece = pieces[i]
        return "" if piece is None else piece.decode("utf-8", errors="replace")

    order = list(candidates)  # best lexical match first
    top_lexical = max((c.score for c in candidates.values()), default=0.0) or 1.0
    score = {i: candidates[i].score / top_lexical for i in order}
    notes: list[str] = []
    similarity = _similarities(semantic, query, order[:RERANK], text_of, notes)
    if similarity:
        by_meaning = sorted(similarity, key=lambda i: -similarity[i])  # stable: lexical order among equals
        fused = fuse_ranks([order, by_meaning])
        best = max(fused.values())
        score = {i: fused[i] / best for i in order}
        order.sort(key=lambda i: -score[i])
    names = identifiers(query)
    defines = definition_pattern(query)
    if names or defines:
        # A name may lie in the chunk's context rather than its text (the file header above a diff hunk, the
        # heading above a section): the index holds both, so it is asked for every candidate.
        held = dict.fromkeys(order, 0.0)
        for name in names:
            words = name_words(name)
            if words:
                for i in backend.chunks_holding(order, words):
                    held[i] += 1
        head = order[:_EXACT_CHECKED]
        texts = [text_of(i) for i in head]
        counts = dict(zip(head, exact_counts(texts, names), strict=True))
        for i in order:
            count = max(counts.get(i, 0.0), held[i])
            defined = i in counts and defines is not None and defines.search(text_of(i)) is not None
            score[i] += count + (DEFINITION if defined else 0.0)
        order.sort(key=lambda i: -score[i])
    ends: set[int] = set()
    if asks_for_newest(query):
        # The end of an output answers "what are the newest entries?", whatever words it holds: the last chunk of
        # each original the question's words found, added when the words missed it.
        for c in backend.last_chunks(list(dict.fromkeys(candidates[i].hash for i in order))):
            if c.id not in candidates:
                candidates[c.id] = c
                order.append(c.id)
                score[c.id] = 0.0
            score[c.id] += NEWEST
            ends.add(c.id)
        order.sort(key=lambda i: -score[i])
    out = []
    for i in _pick(order, candidates, score, limit):
        c = candidates[i]
        text_of(i)
        piece = pieces[i]
        if piece is None:
            continue
        m = meta[c.hash]
        out.append(
            SearchHit(
                hash=c.hash,
                start_line=c.start_line,
                end_line=c.end_line,
                rows=_rows_of(piece, c.start_line, query, defines, tail=i in ends),
                score=score[i],
                lexical=c.score / top_lexical,
                semantic=similarity.get(i),
                content_type=m.content_type,
                source=m.source,
                client=m.client,
                created_at=m.created_at,
                last_access=m.last_access,
            )
        )
    if pending:
        notes.append(f"{pending} stored originals are not indexed for search yet; search again to include them")
    return SearchResult(query, tuple(out), "hybrid" if similarity else "lexical", now, tuple(notes), pending)


def _similarities(
    semantic: SemanticSource | None, query: str, ids: list[int], text_of: Callable[[int], str], notes: list[str]
) -> dict[int, float]:
    """Similarity by meaning of the candidates `ids` to `query`; {} (and a note saying why) when there is none."""
    if semantic is None:
        notes.append("lexical ranking only: the semantic index is not in use here")
        return {}
    if not ids:
        return {}
    try:
        values = semantic.similarities(query, [text_of(i) for i in ids])
    except HeadroomError as exc:
        _log.warning("semantic ranking failed, ranking lexically: %s", exc)
        notes.append(f"lexical ranking only: {exc}")
        return {}
    if values is None:
        notes.append(f"lexical ranking only: {semantic.semantic_note() or 'no embedding model'}")
        return {}
    return dict(zip(ids, values, strict=True))


def live_originals(store: Store) -> list[tuple[str, bool]]:
    """Every live original's handle, newest first, with whether it is fully chunked for search."""
    return store._backend.live_originals(store._clock() - store.settings.ttl_seconds)


def _catch_up(store: Store, live_after: float, budget: int) -> int:
    """Chunk not-yet-indexed originals, newest first, up to `budget` bytes; how many are still left."""
    ensure_terms_version(store)
    pending = store._backend.pending_originals(10_000, live_after)
    for digest, size, done in pending:
        if budget <= 0:
            break
        index_original(store, digest)
        budget -= size - done
    return unindexed(store)


def unindexed(store: Store) -> int:
    """How many live originals are not fully indexed for search yet (queued, or stored by another process)."""
    live_after = store._clock() - store.settings.ttl_seconds
    return store._backend.unindexed_originals(live_after)
