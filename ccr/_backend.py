"""The seam under `ccr.Store`: what a database must do for it, and which database a setting names.

`Store` holds the policy written once (handles, validation, the TTL rule, the
size cap's arithmetic, error wording, the line model, excerpts, ranking,
listeners); a `Backend` holds the rows: originals, tombstones, totals, stats
events and the search index, in one SQLite file (`ccr._sqlite_backend`) or a
PostgreSQL database shared by a team (`ccr._pg_backend`). Both behave alike and
one test suite runs against both.

Every method is one transaction, thread-safe, and raises only the store's
errors (`StoreError` and its kin): the backend is the one place its driver's
errors are translated. Times are Unix seconds; ``live_after`` is the TTL rule
turned into a cut-off (an original last used at or before it is expired).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol
from urllib.parse import urlsplit, urlunsplit

from ccr._exceptions import HashCollisionError, StoreError

if TYPE_CHECKING:
    from ccr._chunk_search import Candidate, SearchChunk
    from ccr._config import Settings
    from ccr._stats import Event, StatsSummary

__all__ = [
    "Backend",
    "DropListener",
    "InfoRow",
    "Meta",
    "NewOriginal",
    "SweepCounts",
    "Tombstone",
    "collision_error",
    "describe_url",
    "open_backend",
]

# Called with [(hash, "expired" | "evicted"), ...] after a transaction that dropped originals commits.
DropListener = Callable[[list[tuple[str, str]]], None]
_URL_SCHEMES = ("postgresql://", "postgres://")


class InfoRow(NamedTuple):
    size: int
    tokens: int
    lines: int
    content_type: str
    source: str
    created_at: float
    last_access: float


class Tombstone(NamedTuple):
    """Why an original left: reason ("expired" or "evicted"), when, its size, and when it was last used."""

    reason: str
    at: float
    size: int
    last_access: float


@dataclass(frozen=True, slots=True)
class NewOriginal:
    """An original to add, with what the store counted of it."""

    digest: str
    raw: bytes
    tokens: int
    lines: int
    content_type: str
    source: str


@dataclass(frozen=True, slots=True)
class Meta:
    """What a search hit shows of its original, beside the chunk."""

    content_type: str
    source: str
    created_at: float
    last_access: float
    client: str = ""


class SweepCounts(NamedTuple):
    expired: int
    evicted: int
    freed_bytes: int


class Backend(Protocol):
    """The rows under one `Store` (see the module docstring)."""

    @property
    def kind(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        ...

    @property
    def where(self) -> str:
        """Shown in messages: the file, or the URL without its password."""
        ...

    @property
    def namespace(self) -> str | None:
        """The team namespace (PostgreSQL); None for a local file."""
        ...

    def refresh(self, digest: str, raw: bytes, now: float) -> bool:
        """Whether `raw` is stored under `digest` (its last access is then moved to `now`).

        Raises:
            HashCollisionError: other bytes are stored under `digest`.
        """
        ...

    def insert(self, new: NewOriginal, now: float, cap: int) -> bool:
        """Add `new` (False, only refreshing it, when it is there already), then evict the least recently used
        others until the total fits `cap`."""
        ...

    def touch(self, digest: str, now: float, live_after: float, ttl: float, *, with_data: bool) -> bytes | None:
        """Restart the TTL of `digest`, returning its bytes (b"" unless `with_data`); None when it is not live.
        An original found expired becomes a tombstone here (expired at its last access + `ttl`)."""
        ...

    def info(self, digest: str) -> InfoRow | None: ...

    def tombstone(self, digest: str) -> Tombstone | None: ...

    def sweep(self, now: float, live_after: float, ttl: float, cap: int, max_tombstones: int) -> SweepCounts:
        """Expire what is past its TTL, evict down to `cap`, keep the newest `max_tombstones` tombstones."""
        ...

    def remember_output(self, output: str, size: int, original: str, now: float) -> None:
        """Remember that the text with content hash `output` (of `size` bytes) was produced from `original`
        (forgotten when `original` leaves; nothing is kept when it is gone already)."""
        ...

    def produced(self, output: str, size: int) -> str | None:
        """The original the text `output` (of `size` bytes) was produced from, if remembered."""
        ...

    def record(self, event: Event, at: float) -> None: ...

    def summarize(self, since: float | None, session: str | None, live_after: float) -> StatsSummary: ...

    # -- the search index (see `ccr._search`) --

    def check_search_version(self, version: int) -> None:
        """Empty the search index when it was built by another version of the term splitter."""
        ...

    def prune_search_index(self) -> None:
        """Drop what the search index keeps of originals that are gone, when that has grown large."""
        ...

    def original_for_index(self, digest: str) -> tuple[bytes, str, str, int, int] | None:
        """(bytes, content type, source, size, bytes chunked already) of a stored original, live or not yet
        swept."""
        ...

    def write_chunks(
        self, digest: str, rows: Sequence[tuple[SearchChunk, list[str]]], expect_done: int, done: int
    ) -> bool:
        """Add chunks with their terms and record `done` bytes chunked; False (writing nothing) when the
        original is gone or another writer moved its progress away from `expect_done`."""
        ...

    def pending_originals(self, limit: int, live_after: float) -> list[tuple[str, int, int]]:
        """(hash, size, bytes chunked) of live originals not fully chunked, newest first."""
        ...

    def lexical_candidates(
        self, query: str, *, limit: int, live_after: float, since: float | None, content_type: str | None
    ) -> list[Candidate]:
        """The best `limit` chunks of live originals for `query` by BM25 over the chunks' terms, best first."""
        ...

    def last_chunks(self, hashes: Sequence[str]) -> list[Candidate]:
        """The last chunk of each of the originals `hashes` that is fully indexed (score 0)."""
        ...

    def chunks_holding(self, ids: Sequence[int], words: Sequence[str]) -> set[int]:
        """Those of the chunks `ids` whose indexed terms (their text's and their context's) hold `words` in
        order (`ccr._chunk_search.name_words`)."""
        ...

    def metadata(self, hashes: Sequence[str]) -> dict[str, Meta]: ...

    def read_piece(self, digest: str, start_byte: int, end_byte: int) -> bytes | None: ...

    def unindexed_originals(self, live_after: float) -> int:
        """How many live originals are not fully chunked."""
        ...

    def live_originals(self, live_after: float) -> list[tuple[str, bool]]:
        """Every live original's handle, newest first, with whether it is fully chunked."""
        ...

    # -- copying between stores (`ccr._migrate`) --

    def handles(self) -> list[str]:
        """Every stored original's handle (live or not yet swept), oldest first."""
        ...

    def export(self, digest: str) -> tuple[InfoRow, bytes] | None:
        """An original's metadata and bytes, as stored (no access counted); None when it is gone."""
        ...

    def import_original(self, digest: str, raw: bytes, row: InfoRow) -> bool:
        """Keep `raw` under `digest` with the times and counts of `row` (True), or, when it is there already,
        move its last access to the later of the two (False). The cap is enforced afterwards by a sweep.

        Raises:
            HashCollisionError: other bytes are stored under `digest`.
        """
        ...

    def close(self) -> None: ...


def collision_error(digest: str) -> HashCollisionError:
    return HashCollisionError(
        f"another original is already stored under the handle {digest}: two different contents "
        "share one 64-bit handle (or the store was altered). The stored original is kept; "
        "this content was not stored."
    )


def describe_url(url: str) -> str:
    """`url` without its password (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host += f":{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ""
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


_SQLITE_URL = re.compile(r"sqlite:(?://)?(?P<path>.+)")


def open_backend(
    settings: Settings, path: Path | None, clock: Callable[[], float], on_drop: DropListener
) -> tuple[Backend, Path | None]:
    """The backend `settings.store_url` names (or the SQLite file at `path` / `settings.db_path`) and its file.

    Raises:
        StoreError: the URL names no supported database, or the PostgreSQL driver is not installed.
    """
    url = settings.store_url
    if path is None and url and url.startswith(_URL_SCHEMES):
        try:
            from ccr._pg_backend import PostgresBackend
        except ImportError as exc:
            raise StoreError(
                f"HEADROOM_STORE_URL names a PostgreSQL store ({describe_url(url)}) but its driver is not "
                f"installed ({exc.name or exc}): pip install 'headroom-mcp[team]' (psycopg and psycopg_pool)"
            ) from exc
        return PostgresBackend(url, settings.namespace, on_drop), None
    if path is None and url:
        match = _SQLITE_URL.fullmatch(url)
        if match is None:
            raise StoreError(
                f"store URL {describe_url(url)!r} is neither postgresql://USER@HOST/DB nor sqlite:PATH "
                "(HEADROOM_STORE_URL or --store)"
            )
        path = Path(match["path"]).expanduser()
    from ccr._sqlite_backend import SqliteBackend

    file = path if path is not None else settings.db_path
    return SqliteBackend(file, clock, on_drop, ttl_seconds=settings.ttl_seconds), file
