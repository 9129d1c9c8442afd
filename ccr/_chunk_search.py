"""Lexical search over every stored original: their chunks in an FTS5 table in the store's own file.

Originals are cut with `ccr._chunks.iter_chunks` (the same pieces the semantic
index embeds). Each chunk is a row of ``chunks`` (its handle, lines and byte
span in the original) and a row of ``chunk_terms``, a contentless FTS5 table
holding the chunk's terms as `ccr._retrieval.terms` finds them, one token per
term (compound words such as ``Session.get`` stay whole beside their parts), so
a search matches what a query on one original matches.

The FTS table stores no text, only its index: a chunk's words are read back
from the original's bytes. Contentless FTS5 rows cannot be deleted without
their words, and re-reading gigabytes of expiring originals inside a put
would put that cost on a tool call, so a dropped original's chunk rows go (a
trigger) while its FTS entries stay as orphans that no longer join to a
chunk. When orphans outnumber live chunks the FTS table is emptied and every
original is chunked again, in the background or by the next searches.

``originals.searchable`` counts the bytes of an original already chunked (its
size once done): a large original is indexed a few megabytes per
transaction, so the store is never locked for long, and a search can catch up
on originals nobody indexed (those a one-shot CLI compress stored).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from ccr._chunks import DEFAULT_MAX_CHARS, DEFAULT_MAX_LINES, Chunk, iter_chunks
from ccr._lines import LineIndex
from ccr._retrieval import query_phrases, query_terms, terms

__all__ = [
    "BATCH_BYTES",
    "BY_CHARS_FROM",
    "TERMS_VERSION",
    "Candidate",
    "QueryPart",
    "SearchChunk",
    "as_chunks",
    "check_terms_version",
    "chunk_lines",
    "chunk_original",
    "chunks_holding",
    "fts_terms",
    "last_chunks",
    "lexical_candidates",
    "match_expression",
    "max_lines_for",
    "maybe_rebuild",
    "name_words",
    "pending_originals",
    "query_parts",
    "read_piece",
    "unindexed_originals",
    "write_batch",
]

# Bump when what the FTS table holds for a chunk changes: the table is then rebuilt.
# 2: the one term splitter in Rust (stems derived forms too: configuration/configure, validation/validate).
# 3: each chunk filed under its context too (ccr._chunk_context); Markdown sections in prose with fences.
# 4: a final e is stripped once (btree was btr).
# 5: configuration chunks filed under their [section], listing rows under their directory (ls -R).
# 6: underlined headings are sections; listing rows filed under their commit and their table's header row too;
#    a diff's `diff --git` line stays in the chunk of its `---`/`+++` lines.
# 7: each chunk filed under its original's source subject too (the command line or file it came from).
TERMS_VERSION = 7
# An original larger than this is chunked for search in several transactions of about this many bytes. The
# batch's terms (and FTS5's pending index of them) cost about 25 times its size: 4 MB batches peaked 100 MB.
BATCH_BYTES = 1024**2
# Past this size an original of very short lines is chunked by characters (`max_lines_for`).
BY_CHARS_FROM = 4 * 1024**2
# Orphaned FTS entries are tolerated up to the number of live chunks, and at least this many.
_MIN_ORPHANS_TO_REBUILD = 50_000
_TOKEN_SAFE = re.compile(r"[^\w._:/\-]+")
# A compound term (its parts follow it in the index): the joiners the FTS tokenizer keeps inside a token.
_JOINED = re.compile(r"[._:/\-]")


class SearchChunk(NamedTuple):
    """A chunk of an original with its place in the original's bytes (offsets into the stored bytes)."""

    start_line: int
    end_line: int
    start_byte: int
    end_byte: int
    text: str


class Candidate(NamedTuple):
    """A chunk row that matched: its id, handle, lines, byte span, and FTS5 BM25 score (higher is better)."""

    id: int
    hash: str
    start_line: int
    end_line: int
    start_byte: int
    end_byte: int
    score: float


def chunk_original(raw: bytes, content_type: str | None) -> Iterator[SearchChunk]:
    """The chunks of the original `raw`, each with its byte span (exact even where `raw` is not UTF-8)."""
    # surrogateescape keeps one code point per undecodable byte, so byte offsets can be recovered exactly.
    return chunk_lines(LineIndex(raw.decode("utf-8", errors="surrogateescape")), content_type, len(raw))


def chunk_lines(doc: LineIndex, content_type: str | None, size: int) -> Iterator[SearchChunk]:
    """`chunk_original` of the original whose text (decoded with surrogateescape) `doc` indexes; `size` is its
    length in bytes."""
    at = 0
    for chunk in iter_chunks(doc, content_type, max_lines=max_lines_for(size, len(doc))):
        piece = chunk.text.encode("utf-8", errors="surrogateescape")
        shown = piece.decode("utf-8", errors="replace") if not chunk.text.isascii() else chunk.text
        yield SearchChunk(chunk.start_line, chunk.end_line, at, at + len(piece), shown)
        at += len(piece)


def max_lines_for(size: int, lines: int) -> int:
    """The most lines a chunk of an original of `size` bytes and `lines` lines spans.

    Past `BY_CHARS_FROM`, an original whose lines average under DEFAULT_MAX_CHARS / DEFAULT_MAX_LINES bytes (a
    million `y` lines, a column of ids) is chunked by characters alone: 40 two-byte lines to a chunk would make
    a row, an FTS entry and a Python object for every 80 bytes, 800,000 of them for 64 MB. Smaller originals,
    and those of ordinary lines, keep line-sized chunks.
    """
    if size <= BY_CHARS_FROM or lines == 0:
        return DEFAULT_MAX_LINES
    return max(DEFAULT_MAX_LINES, DEFAULT_MAX_CHARS * lines // size)


def as_chunks(pieces: Iterable[SearchChunk]) -> list[Chunk]:
    return [Chunk(p.start_line, p.end_line, p.text) for p in pieces]


def fts_terms(text: str) -> str:
    """What the FTS table indexes for a chunk: its terms, space-separated, each one FTS5 token."""
    return " ".join(terms(text))


class QueryPart(NamedTuple):
    """One thing a search looks for: a term, a prefix (a hash-like word or one quoted word), or a phrase."""

    kind: str  # "term", "prefix" or "phrase"
    words: tuple[str, ...]


def query_parts(query: str) -> list[QueryPart]:
    """What a search for `query` matches, in either backend: any of its terms, quoted phrases as phrases,
    hash-like words as prefixes (empty when the query has nothing to look for)."""
    parts: list[QueryPart] = [QueryPart("term", (term,)) for term in query_terms(query)]
    for phrase in query_phrases(query):
        words = terms(phrase)
        if len(words) == 1 and words[0] == phrase and _TOKEN_SAFE.search(phrase) is None:
            parts.append(QueryPart("prefix", (phrase,)))
        elif len(words) > 1:
            parts.append(QueryPart("phrase", tuple(words)))
    return list(dict.fromkeys(p for p in parts if all(p.words) and not any('"' in w for w in p.words)))


def name_words(name: str) -> tuple[str, ...]:
    """The terms a chunk's index holds one after another where the chunk (or its context) holds `name`: its
    parts without the compounds, so ``src/app.py`` is found inside ``a/src/app.py`` too. Empty when the index
    cannot tell: a single word the splitter stems (``extras`` is filed as ``extra``, as ``extra`` is), or text
    of several words (a quoted sentence: its common words make the index look through most chunks)."""
    words = terms(name)
    if (len(words) == 1 and words[0] != name.lower()) or any(c.isspace() for c in name):
        return ()
    parts = tuple(w for w in words if _JOINED.search(w) is None)
    return () if any('"' in w for w in parts) else parts


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression for `query` (see `query_parts`); None when it has nothing to look for."""
    out = []
    for part in query_parts(query):
        quoted = '"' + " ".join(part.words) + '"'
        out.append(quoted + "*" if part.kind == "prefix" else quoted)
    return " OR ".join(out) or None


def check_terms_version(conn: sqlite3.Connection) -> None:
    """Empty the FTS table when it was built by another `terms` (call inside a write transaction)."""
    row = conn.execute("SELECT value FROM search_meta WHERE key = 'terms_version'").fetchone()
    if row is not None and int(row[0]) == TERMS_VERSION:
        return
    _reset(conn)
    conn.execute("INSERT OR REPLACE INTO search_meta (key, value) VALUES ('terms_version', ?)", (TERMS_VERSION,))


def _reset(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO chunk_terms (chunk_terms) VALUES ('delete-all')")
    conn.execute("DELETE FROM chunks")
    conn.execute("UPDATE originals SET searchable = 0 WHERE searchable != 0")
    conn.execute("UPDATE search_meta SET value = 0 WHERE key = 'orphans'")


def maybe_rebuild(conn: sqlite3.Connection) -> bool:
    """Empty the FTS table when orphaned entries outnumber live chunks; True when it did (write transaction)."""
    (orphans,) = conn.execute("SELECT value FROM search_meta WHERE key = 'orphans'").fetchone()
    if orphans < _MIN_ORPHANS_TO_REBUILD:
        return False
    (live,) = conn.execute("SELECT count(*) FROM chunks").fetchone()
    if orphans <= live:
        return False
    _reset(conn)
    return True


def pending_originals(conn: sqlite3.Connection, limit: int, live_after: float) -> list[tuple[str, int, int]]:
    """(hash, size, bytes already chunked) of live originals not fully chunked for search, newest first."""
    rows = conn.execute(
        "SELECT hash, size, searchable FROM originals WHERE searchable < size AND last_access > ? "
        "ORDER BY created_at DESC, id DESC LIMIT ?",
        (live_after, limit),
    ).fetchall()
    return [(str(h), int(size), int(done)) for h, size, done in rows]


def unindexed_originals(conn: sqlite3.Connection, live_after: float) -> int:
    """How many live originals are not fully chunked for search."""
    (count,) = conn.execute(
        "SELECT count(*) FROM originals WHERE searchable < size AND last_access > ?", (live_after,)
    ).fetchone()
    return int(count)


def write_batch(
    conn: sqlite3.Connection, digest: str, rows: Sequence[tuple[SearchChunk, str]], expect_done: int, done: int
) -> bool:
    """Add chunks of `digest` with their `fts_terms` to the search tables and record `done` bytes chunked
    (inside a write transaction). False, writing nothing, when the original is gone or another writer moved
    its progress away from `expect_done` (it indexed these chunks already)."""
    row = conn.execute("SELECT searchable FROM originals WHERE hash = ?", (digest,)).fetchone()
    if row is None or int(row[0]) != expect_done:
        return False
    if expect_done == 0:
        # Rows left by an indexing that stopped half-way (its process ended) are redone from the start.
        conn.execute("DELETE FROM chunks WHERE hash = ?", (digest,))
    for piece, words in rows:
        cursor = conn.execute(
            "INSERT INTO chunks (hash, start_line, end_line, start_byte, end_byte) VALUES (?, ?, ?, ?, ?)",
            (digest, piece.start_line, piece.end_line, piece.start_byte, piece.end_byte),
        )
        conn.execute("INSERT INTO chunk_terms (rowid, terms) VALUES (?, ?)", (cursor.lastrowid, words))
    conn.execute("UPDATE originals SET searchable = ? WHERE hash = ?", (done, digest))
    return True


def lexical_candidates(
    conn: sqlite3.Connection,
    expression: str,
    *,
    limit: int,
    live_after: float,
    since: float | None,
    content_type: str | None,
) -> list[Candidate]:
    """The best `limit` chunks of live originals matching `expression`, by FTS5 BM25, best first."""
    where = ["chunk_terms MATCH ?", "o.last_access > ?"]
    params: list[object] = [expression, live_after]
    if since is not None:
        where.append("o.last_access >= ?")
        params.append(since)
    if content_type is not None:
        where.append("o.content_type = ?")
        params.append(content_type)
    params.append(limit)
    rows = conn.execute(
        "SELECT c.id, c.hash, c.start_line, c.end_line, c.start_byte, c.end_byte, bm25(chunk_terms) AS score "
        "FROM chunk_terms JOIN chunks c ON c.id = chunk_terms.rowid JOIN originals o ON o.hash = c.hash "
        f"WHERE {' AND '.join(where)} ORDER BY score, c.id LIMIT ?",
        params,
    ).fetchall()
    # FTS5's bm25() is negative, more negative for better matches.
    return [
        Candidate(int(i), str(h), int(a), int(b), int(s), int(e), -float(score)) for i, h, a, b, s, e, score in rows
    ]


def last_chunks(conn: sqlite3.Connection, hashes: Sequence[str]) -> list[Candidate]:
    """The last chunk of each of the originals `hashes` that is fully chunked, as a candidate of score 0."""
    out = []
    for digest in dict.fromkeys(hashes):
        row = conn.execute(
            "SELECT c.id, c.hash, c.start_line, c.end_line, c.start_byte, c.end_byte FROM chunks c "
            "JOIN originals o ON o.hash = c.hash WHERE c.hash = ? AND o.searchable >= o.size "
            "ORDER BY c.start_byte DESC LIMIT 1",
            (digest,),
        ).fetchone()
        if row is not None:
            i, h, a, b, s, e = row
            out.append(Candidate(int(i), str(h), int(a), int(b), int(s), int(e), 0.0))
    return out


def chunks_holding(conn: sqlite3.Connection, ids: Sequence[int], words: Sequence[str]) -> set[int]:
    """Those of the chunks `ids` whose indexed terms (their text's and their context's) hold `words` in order."""
    found: set[int] = set()
    if not words:
        return found
    # In slices: a statement takes at most 999 parameters in older SQLite builds.
    for at in range(0, len(ids), 500):
        part = list(ids[at : at + 500])
        rows = conn.execute(
            f"SELECT rowid FROM chunk_terms WHERE chunk_terms MATCH ? AND rowid IN ({','.join('?' * len(part))})",
            ['"' + " ".join(words) + '"', *part],
        ).fetchall()
        found.update(int(r[0]) for r in rows)
    return found


def read_piece(conn: sqlite3.Connection, digest: str, start_byte: int, end_byte: int) -> bytes | None:
    """Bytes `start_byte`..`end_byte` of the original `digest` (None when it is gone), without reading the rest."""
    row = conn.execute(
        "SELECT substr(b.data, ?, ?) FROM originals o JOIN original_bytes b ON b.id = o.id WHERE o.hash = ?",
        (start_byte + 1, end_byte - start_byte, digest),
    ).fetchone()
    return None if row is None else bytes(row[0])
