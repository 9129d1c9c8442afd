"""Stats events and their totals, kept in the store file so they outlive the process.

Every compress and retrieve (and later read, run and search) is one row in
``events``. `summarize` adds them up: calls by kind, tokens before and after
for everything that compressed, the tokens retrieval gave back, and the
retrieval rate (retrieves per compress), which says whether compression cut
too deep.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ccr._exceptions import InputError

__all__ = [
    "RETRIEVE",
    "ClientStats",
    "CompressorStats",
    "Event",
    "NamespaceStats",
    "Query",
    "StatsSummary",
    "insert_event",
    "summarize",
]

# Runs one statement (``?`` placeholders, SQL both SQLite and PostgreSQL read alike) and returns its rows.
Query = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]

RETRIEVE = "retrieve"
COMPRESS = "compress"
_KIND = re.compile(r"[a-z][a-z0-9_]{0,31}")


@dataclass(frozen=True, slots=True)
class Event:
    """One call worth counting.

    Attributes:
        kind: ``"compress"``, ``"retrieve"``, or another lowercase word (``"read"``, ``"run"``, ``"search"``).
        hash: the original the call was about, if any.
        tokens_before: tokens of the original (for a retrieve: of the original's part asked for).
        tokens_after: tokens handed to the agent.
        compressor: which compressor produced the output ("" for a retrieve).
        client: the MCP client or "cli".
        elapsed_ms: wall time of the call.
        session: the client session, when known.
        at: Unix time of the call; None means "now" by the store's clock.
    """

    kind: str
    hash: str | None = None
    tokens_before: int = 0
    tokens_after: int = 0
    compressor: str = ""
    client: str = ""
    elapsed_ms: float = 0.0
    session: str | None = None
    at: float | None = None

    def __post_init__(self) -> None:
        if not _KIND.fullmatch(self.kind):
            raise InputError(f"event kind {self.kind!r} must be a lowercase word such as 'compress' or 'retrieve'")
        if self.tokens_before < 0 or self.tokens_after < 0:
            raise InputError(f"token counts cannot be negative ({self.tokens_before}, {self.tokens_after})")
        if not math.isfinite(self.elapsed_ms) or self.elapsed_ms < 0:
            raise InputError(f"elapsed_ms={self.elapsed_ms!r} must be a finite, non-negative number")


@dataclass(frozen=True, slots=True)
class CompressorStats:
    calls: int
    tokens_before: int
    tokens_after: int
    elapsed_ms: float

    @property
    def tokens_saved(self) -> int:
        return self.tokens_before - self.tokens_after

    @property
    def savings_pct(self) -> float:
        return _pct(self.tokens_saved, self.tokens_before)

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "tokens_before": self.tokens_before,
            "tokens_after": self.tokens_after,
            "tokens_saved": self.tokens_saved,
            "savings_pct": round(self.savings_pct, 2),
            "mean_ms": round(self.elapsed_ms / self.calls, 3) if self.calls else 0.0,
        }


@dataclass(frozen=True, slots=True)
class ClientStats:
    """One client's calls in the period: compress-like calls with their tokens, and retrieves."""

    calls: int
    tokens_before: int
    tokens_after: int
    retrievals: int
    tokens_retrieved: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "tokens_before": self.tokens_before,
            "tokens_after": self.tokens_after,
            "tokens_saved": self.tokens_before - self.tokens_after,
            "retrievals": self.retrievals,
            "tokens_retrieved": self.tokens_retrieved,
        }


@dataclass(frozen=True, slots=True)
class NamespaceStats:
    """All-time totals of one namespace of a team store (counts only)."""

    entries: int
    store_bytes: int
    compressions: int
    retrievals: int
    tokens_before: int
    tokens_after: int
    tokens_retrieved: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "entries": self.entries,
            "store_bytes": self.store_bytes,
            "compressions": self.compressions,
            "retrievals": self.retrievals,
            "tokens_before": self.tokens_before,
            "tokens_after": self.tokens_after,
            "tokens_saved": self.tokens_before - self.tokens_after,
            "tokens_retrieved": self.tokens_retrieved,
        }


@dataclass(frozen=True, slots=True)
class StatsSummary:
    """Totals over the events since `since` (Unix time; None: ever) of `session` (None: all sessions).

    Token totals cover every event that is not a retrieve (compress, and later read/run/search);
    `tokens_retrieved` is what retrieves handed back, so `net_saved` is what the agent's context
    was actually spared. `entries` and `store_bytes` describe the store now; `expired` and
    `evicted` count originals dropped in the period.
    """

    since: float | None
    session: str | None
    calls: dict[str, int]
    tokens_before: int
    tokens_after: int
    tokens_retrieved: int
    by_compressor: dict[str, CompressorStats]
    entries: int
    store_bytes: int
    expired: int
    evicted: int
    first_at: float | None = None
    last_at: float | None = None
    # Per client (the MCP client's name, or "cli") in the period; a team store's namespace and every
    # namespace's all-time totals (empty for a local file).
    by_client: dict[str, ClientStats] = field(default_factory=dict)
    namespace: str | None = None
    by_namespace: dict[str, NamespaceStats] = field(default_factory=dict)

    @property
    def compressions(self) -> int:
        return self.calls.get(COMPRESS, 0)

    @property
    def retrievals(self) -> int:
        return self.calls.get(RETRIEVE, 0)

    @property
    def tokens_saved(self) -> int:
        return self.tokens_before - self.tokens_after

    @property
    def net_saved(self) -> int:
        return self.tokens_saved - self.tokens_retrieved

    @property
    def savings_pct(self) -> float:
        return _pct(self.tokens_saved, self.tokens_before)

    @property
    def retrieval_rate(self) -> float:
        """Retrieves per compress (0.0 when nothing was compressed)."""
        return self.retrievals / self.compressions if self.compressions else 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view with stable keys."""
        return {
            "since": self.since,
            "session": self.session,
            "calls": dict(self.calls),
            "compressions": self.compressions,
            "retrievals": self.retrievals,
            "tokens_before": self.tokens_before,
            "tokens_after": self.tokens_after,
            "tokens_saved": self.tokens_saved,
            "savings_pct": round(self.savings_pct, 2),
            "tokens_retrieved": self.tokens_retrieved,
            "net_saved": self.net_saved,
            "retrieval_rate": round(self.retrieval_rate, 4),
            "by_compressor": {name: s.to_dict() for name, s in self.by_compressor.items()},
            "entries": self.entries,
            "store_bytes": self.store_bytes,
            "expired": self.expired,
            "evicted": self.evicted,
            "first_at": self.first_at,
            "last_at": self.last_at,
            "by_client": {name: c.to_dict() for name, c in self.by_client.items()},
            "namespace": self.namespace,
            "by_namespace": {name: n.to_dict() for name, n in self.by_namespace.items()},
        }

    def render(self) -> str:
        """A short plain-text report."""
        scope = "all sessions" if self.session is None else f"session {self.session}"
        if self.namespace is not None:
            scope += f", namespace {self.namespace}"
        period = "lifetime" if self.since is None else "since " + _iso(self.since)
        lines = [
            f"headroom stats ({period}, {scope})",
            f"  calls:      {_counts(self.calls) or 'none'}",
            f"  tokens:     {self.tokens_before:,} -> {self.tokens_after:,} "
            f"(saved {self.tokens_saved:,}, {self.savings_pct:.1f}%)",
            f"  retrieved:  {self.tokens_retrieved:,} tokens by {self.retrievals:,} retrieve calls "
            f"({self.retrieval_rate:.2f} per compress); net saved {self.net_saved:,}",
            f"  store:      {self.entries:,} originals, {_size(self.store_bytes)}"
            f"; dropped {self.expired:,} expired, {self.evicted:,} evicted",
        ]
        if self.by_compressor:
            lines.append("  by compressor:")
            width = max(len(name) for name in self.by_compressor)
            for name, s in sorted(self.by_compressor.items(), key=lambda kv: -kv[1].tokens_saved):
                lines.append(
                    f"    {name:<{width}}  {s.calls:>6,} calls  {s.tokens_before:>12,} -> {s.tokens_after:>12,}"
                    f"  ({s.savings_pct:5.1f}% saved)"
                )
        if len(self.by_client) > 1:
            lines.append("  by client:")
            width = max(len(name) for name in self.by_client)
            for name, c in sorted(self.by_client.items(), key=lambda kv: -(kv[1].tokens_before - kv[1].tokens_after)):
                lines.append(
                    f"    {name or '(unnamed)':<{width}}  {c.calls:>6,} calls  {c.tokens_before:>12,} -> "
                    f"{c.tokens_after:>12,}  {c.retrievals:>6,} retrieves"
                )
        if self.by_namespace:
            lines.append("  by namespace (all time):")
            width = max(len(name) for name in self.by_namespace)
            for name, n in sorted(self.by_namespace.items()):
                lines.append(
                    f"    {name:<{width}}  {n.entries:>6,} originals  {n.compressions:>6,} compressions  "
                    f"{n.tokens_before:>12,} -> {n.tokens_after:>12,} tokens"
                )
        return "\n".join(lines)


def insert_event(query: Query, event: Event, at: float) -> None:
    query(
        "INSERT INTO events (at, kind, hash, tokens_before, tokens_after, compressor, client, elapsed_ms, session)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            at,
            event.kind,
            event.hash,
            event.tokens_before,
            event.tokens_after,
            event.compressor,
            event.client,
            event.elapsed_ms,
            event.session,
        ),
    )


def summarize(
    query: Query,
    *,
    since: float | None,
    session: str | None,
    live_after: float,
    namespace: str | None = None,
    namespaces: Sequence[tuple[Any, ...]] = (),
) -> StatsSummary:
    """Totals over ``events`` (call inside one read transaction, so the numbers agree with each other).

    `live_after`: originals last accessed at or before this time count as expired, swept or not.
    `namespaces`: a team store's rows of (namespace, entries, bytes, compressions, retrievals, tokens before,
    tokens after, tokens retrieved).
    """
    where: list[str] = ["1 = 1"]
    params: list[float | str] = []
    if since is not None:
        where.append("at >= ?")
        params.append(since)
    if session is not None:
        where.append("session = ?")
        params.append(session)
    cond = " AND ".join(where)
    calls: dict[str, int] = {
        str(k): int(v)
        for k, v in query(f"SELECT kind, count(*) FROM events WHERE {cond} GROUP BY kind ORDER BY kind", params)
    }
    clients: dict[str, list[int]] = {}
    for client, kind, n, before, after in query(
        "SELECT client, kind, count(*), coalesce(sum(tokens_before), 0), coalesce(sum(tokens_after), 0)"
        f" FROM events WHERE {cond} GROUP BY client, kind ORDER BY client, kind",
        params,
    ):
        row = clients.setdefault(str(client), [0, 0, 0, 0, 0])
        if kind == RETRIEVE:
            row[3] += int(n)
            row[4] += int(after)
        else:
            row[0] += int(n)
            row[1] += int(before)
            row[2] += int(after)
    by_compressor = {
        name: CompressorStats(int(n), int(before), int(after), float(ms))
        for name, n, before, after, ms in query(
            "SELECT compressor, count(*), coalesce(sum(tokens_before), 0), coalesce(sum(tokens_after), 0),"
            " coalesce(sum(elapsed_ms), 0)"
            f" FROM events WHERE {cond} AND kind != ? GROUP BY compressor ORDER BY compressor",
            [*params, RETRIEVE],
        )
    }
    (retrieved,) = query(
        f"SELECT coalesce(sum(tokens_after), 0) FROM events WHERE {cond} AND kind = ?", [*params, RETRIEVE]
    )[0]
    first_at, last_at = query(f"SELECT min(at), max(at) FROM events WHERE {cond}", params)[0]
    entries, size = query(
        "SELECT count(*), coalesce(sum(size), 0) FROM originals WHERE last_access > ?", (live_after,)
    )[0]
    tomb_where, tomb_params = ("at >= ?", [since]) if since is not None else ("1 = 1", [])
    dropped: dict[str, int] = {
        str(k): int(v)
        for k, v in query(f"SELECT reason, count(*) FROM tombstones WHERE {tomb_where} GROUP BY reason", tomb_params)
    }
    return StatsSummary(
        since=since,
        session=session,
        calls=calls,
        tokens_before=sum(s.tokens_before for s in by_compressor.values()),
        tokens_after=sum(s.tokens_after for s in by_compressor.values()),
        tokens_retrieved=int(retrieved),
        by_compressor=by_compressor,
        entries=int(entries),
        store_bytes=int(size),
        expired=int(dropped.get("expired", 0)),
        evicted=int(dropped.get("evicted", 0)),
        first_at=first_at,
        last_at=last_at,
        by_client={name: ClientStats(*row) for name, row in clients.items()},
        namespace=namespace,
        by_namespace={str(row[0]): NamespaceStats(*(int(v) for v in row[1:])) for row in namespaces},
    )


def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def _counts(calls: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {kind}" for kind, n in sorted(calls.items()))


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    size = n / 1024
    for unit in ("KiB", "MiB"):
        if size < 1024:
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


def _iso(ts: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")
