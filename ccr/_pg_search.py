"""Lexical search in the team store: BM25 over the chunks' terms, computed by PostgreSQL.

A chunk's terms are the project's one term splitter's (`ccr._retrieval.terms`),
stored as a ``tsvector`` literal with their positions (no PostgreSQL parser or
dictionary touches them, as with the 'simple' configuration but without its
re-splitting), so the GIN index finds the chunks holding a query part and the
positions give each term's frequency. The score is SQLite FTS5's ``bm25()``
(k1 1.2, b 0.75, IDF ln((N - n + 0.5) / (n + 0.5)), at least 1e-6) over the
same parts (`ccr._chunk_search.query_parts`): both backends rank alike. A
phrase counts once per chunk that holds it (FTS5 counts each occurrence).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from ccr._chunk_search import Candidate, QueryPart, query_parts

__all__ = ["chunks_holding", "last_chunks", "lexical_candidates", "tsquery_literal", "tsvector_literal"]

# tsvector limits: a lexeme of at most 2,047 bytes, positions 1..16,383.
_MAX_LEXEME_BYTES = 2047
_MAX_POSITION = 16383


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(words: list[str]) -> str:
    """`words` (a chunk's terms, in order) as a tsvector literal with each term's positions."""
    positions: dict[str, list[int]] = defaultdict(list)
    for n, word in enumerate(words, start=1):
        if word and len(word.encode("utf-8", errors="surrogatepass")) <= _MAX_LEXEME_BYTES:
            positions[word].append(min(n, _MAX_POSITION))
    return " ".join(f"{_quote(w)}:{','.join(map(str, sorted(set(p))))}" for w, p in positions.items())


def tsquery_literal(part: QueryPart) -> str:
    """One query part as a tsquery: a lexeme, a prefix (``'ab12':*``) or a phrase (``'a' <-> 'b'``)."""
    if part.kind == "prefix":
        return _quote(part.words[0]) + ":*"
    return " <-> ".join(_quote(w) for w in part.words)


def lexical_candidates(
    conn: Any,
    namespace: str,
    query: str,
    *,
    limit: int,
    live_after: float,
    since: float | None,
    content_type: str | None,
) -> list[Candidate]:
    """The best `limit` chunks of live originals for `query`, by BM25, best first (one transaction's work)."""
    parts = [p for p in query_parts(query) if p.words]
    if not parts:
        return []
    queries = [tsquery_literal(p) for p in parts]
    where = ["c.namespace = %(ns)s", "c.terms @@ %(any)s::tsquery", "o.last_access > %(live)s"]
    params: dict[str, Any] = {
        "ns": namespace,
        "any": " | ".join(f"({q})" for q in queries),
        "live": live_after,
        "k": list(range(len(parts))),
        "q": queries,
        "lexeme": [p.words[0] for p in parts],
        "prefix": [p.kind == "prefix" for p in parts],
        "phrase": [p.kind == "phrase" for p in parts],
        "limit": limit,
    }
    if since is not None:
        where.append("o.last_access >= %(since)s")
        params["since"] = since
    if content_type is not None:
        where.append("o.content_type = %(ct)s")
        params["ct"] = content_type
    rows = conn.execute(
        f"""
        WITH parts AS (
            SELECT * FROM unnest(%(k)s::int[], %(q)s::text[], %(lexeme)s::text[], %(prefix)s::bool[],
                                 %(phrase)s::bool[]) AS p(k, q, lexeme, prefix, phrase)
        ),
        corpus AS (
            SELECT count(*)::float8 AS n, coalesce(avg(length), 1)::float8 AS avgdl
            FROM headroom.chunks WHERE namespace = %(ns)s
        ),
        idf AS (
            SELECT p.*, greatest(ln((s.n - d.n + 0.5) / (d.n + 0.5)), 1e-6) AS w
            FROM parts p CROSS JOIN corpus s
            CROSS JOIN LATERAL (
                SELECT count(*)::float8 AS n FROM headroom.chunks c
                WHERE c.namespace = %(ns)s AND c.terms @@ p.q::tsquery
            ) d
        ),
        hits AS (
            SELECT c.id, c.hash, c.start_line, c.end_line, c.start_byte, c.end_byte, c.length, c.terms
            FROM headroom.chunks c
            JOIN headroom.originals o ON o.namespace = c.namespace AND o.hash = c.hash
            WHERE {" AND ".join(where)}
        )
        SELECT h.id, h.hash, h.start_line, h.end_line, h.start_byte, h.end_byte,
               sum(i.w * f.tf * 2.2 / (f.tf + 1.2 * (0.25 + 0.75 * h.length / s.avgdl))) AS score
        FROM hits h CROSS JOIN corpus s CROSS JOIN idf i
        CROSS JOIN LATERAL (
            SELECT CASE
                WHEN i.phrase THEN (CASE WHEN h.terms @@ i.q::tsquery THEN 1 ELSE 0 END)
                ELSE coalesce((
                    SELECT sum(cardinality(u.positions)) FROM unnest(h.terms) u
                    WHERE CASE WHEN i.prefix THEN starts_with(u.lexeme, i.lexeme) ELSE u.lexeme = i.lexeme END
                ), 0)
            END::float8 AS tf
        ) f
        WHERE f.tf > 0
        GROUP BY h.id, h.hash, h.start_line, h.end_line, h.start_byte, h.end_byte
        ORDER BY score DESC, h.id
        LIMIT %(limit)s
        """,
        params,
    ).fetchall()
    return [Candidate(int(i), str(h), int(a), int(b), int(s), int(e), float(score)) for i, h, a, b, s, e, score in rows]


def last_chunks(conn: Any, namespace: str, hashes: Sequence[str]) -> list[Candidate]:
    """The last chunk of each of the originals `hashes` that is fully chunked, as a candidate of score 0."""
    if not hashes:
        return []
    rows = conn.execute(
        "SELECT DISTINCT ON (c.hash) c.id, c.hash, c.start_line, c.end_line, c.start_byte, c.end_byte "
        "FROM headroom.chunks c JOIN headroom.originals o ON o.namespace = c.namespace AND o.hash = c.hash "
        "WHERE c.namespace = %s AND c.hash = ANY(%s) AND o.searchable >= o.size "
        "ORDER BY c.hash, c.start_byte DESC",
        (namespace, list(dict.fromkeys(hashes))),
    ).fetchall()
    return [Candidate(int(i), str(h), int(a), int(b), int(s), int(e), 0.0) for i, h, a, b, s, e in rows]


def chunks_holding(conn: Any, namespace: str, ids: Sequence[int], words: Sequence[str]) -> set[int]:
    """Those of the chunks `ids` whose terms (their text's and their context's) hold `words` in order."""
    if not ids or not words:
        return set()
    rows = conn.execute(
        "SELECT id FROM headroom.chunks WHERE namespace = %s AND id = ANY(%s) AND terms @@ %s::tsquery",
        (namespace, list(ids), tsquery_literal(QueryPart("phrase", tuple(words)))),
    ).fetchall()
    return {int(r[0]) for r in rows}
