"""Handles as callers give them, originals as callers pass them, and why a handle cannot be redeemed.

Every message here is read by an agent or a person in the middle of a task, so
it says what happened, when, and what to do next.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import rustcore
from ccr._config import Settings
from ccr._exceptions import (
    CorruptedHashError,
    EvictedHashError,
    ExpiredHashError,
    HashError,
    InputError,
    MalformedHashError,
    UnknownHashError,
)

__all__ = ["as_bytes", "check_hash", "missing_error", "same_bytes"]


def check_hash(hash: object) -> str:
    """`hash` as a handle (surrounding space and upper case forgiven).

    Raises:
        MalformedHashError: it does not have the shape of a handle.
    """
    if isinstance(hash, str):
        candidate = hash.strip().lower()
        if rustcore.is_hash(candidate):
            return candidate
    shown = repr(hash) if not isinstance(hash, str) or len(hash) <= 80 else repr(hash[:80] + "…")
    raise MalformedHashError(
        f"{shown} is not a headroom handle: a handle is {rustcore.HASH_HEX_LEN} hex digits, "
        "as in 'retrieve hash=3f2a9c1e0b7d4a55' in a marker or the hash field of a compress result",
        hash=str(hash),
    )


def as_bytes(data: str | bytes) -> bytes:
    """The exact bytes to keep: text as UTF-8, with `surrogateescape`d bytes mapped back (as `content_hash` does).

    Raises:
        InputError: neither text nor bytes, or text with a lone surrogate that is no escaped byte.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    if not isinstance(data, str):
        raise InputError(f"expected text or bytes, got {type(data).__name__}")
    try:
        return data.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"the text cannot be stored as UTF-8 (a lone surrogate at position {exc.start}); pass the bytes instead"
        ) from exc


def same_bytes(conn: sqlite3.Connection, rowid: int, raw: bytes) -> bool:
    """Whether the original in row `rowid` is exactly `raw` (of equal length), read in slices."""
    step = 1 << 20
    with conn.blobopen("original_bytes", "data", rowid, readonly=True) as blob:
        for offset in range(0, len(raw), step):
            if blob.read(step) != raw[offset : offset + step]:
                return False
    return True


def missing_error(
    digest: str,
    tombstone: tuple[str, float, int, float] | None,
    settings: Settings,
    where: str,
    now: float,
) -> HashError:
    """The error for `digest` with no live original, given its tombstone (reason, at, size, last access) if any."""
    if tombstone is None:
        return UnknownHashError(
            f"no original with hash={digest} in this store ({where}). It was never stored here: it may "
            "come from another store (a different HEADROOM_HOME, machine or client), or its tombstone was "
            "pruned long ago. Run the tool that produced it again and compress the new output.",
            hash=digest,
        )
    reason, at, size, last_access = tombstone
    when = f"{_iso(at)} ({_ago(now - at)} ago)"
    if reason == "expired":
        ttl_h = settings.ttl_seconds / 3600
        return ExpiredHashError(
            f"the original for hash={digest} ({size:,} bytes) expired at {when}: it was not used for "
            f"{ttl_h:g} h (HEADROOM_TTL_HOURS={ttl_h:g}). Re-run the tool that produced it and compress "
            "again; raise HEADROOM_TTL_HOURS to keep originals longer.",
            hash=digest,
        )
    if reason == "corrupted":
        return CorruptedHashError(
            f"the original for hash={digest}{f' ({size:,} bytes)' if size else ''} was lost at {when}: the store "
            f"file {where} was found damaged and this original could not be read back from it (the damaged file "
            "is kept beside it as ccr.sqlite3.corrupt-<time>). Re-run the tool that produced it and compress "
            "again.",
            hash=digest,
        )
    cap_mb = settings.max_store_bytes / 1024**2
    return EvictedHashError(
        f"the original for hash={digest} ({size:,} bytes, last used {_iso(last_access)}) was evicted at "
        f"{when} to keep the store within its size cap (HEADROOM_MAX_STORE_MB={cap_mb:g}); it was among the "
        "least recently used. Re-run the tool that produced it and compress again; raise "
        "HEADROOM_MAX_STORE_MB to keep more originals.",
        hash=digest,
    )


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _ago(seconds: float) -> str:
    seconds = max(seconds, 0.0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"
