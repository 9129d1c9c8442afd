"""Copying the originals of one store into another: a user's local file into the team store (or back).

Each original is read as stored, checked against its handle (the content hash
of its bytes), and kept in the target with its token and line counts, its type
and source, and its creation and last-access times, so its TTL goes on where it
was. Running it again copies nothing twice: an original the target has already
only gets the later of the two access times. Originals already past the
target's TTL are left behind. Stats events stay where they were recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import rustcore
from ccr._exceptions import StoreError

if TYPE_CHECKING:
    from ccr._store import Store

__all__ = ["MigrateResult", "migrate_store"]


@dataclass(frozen=True, slots=True)
class MigrateResult:
    """What a copy did: originals copied, already there, left behind as expired; bytes copied."""

    copied: int
    present: int
    expired: int
    copied_bytes: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "copied": self.copied,
            "present": self.present,
            "expired": self.expired,
            "copied_bytes": self.copied_bytes,
        }


def migrate_store(source: Store, target: Store, *, progress: Callable[[int, int], None] | None = None) -> MigrateResult:
    """Copy every live original of `source` into `target` (see the module docstring), then sweep `target`
    so its size cap holds. `progress(done, total)` is called after each original.

    Raises:
        StoreError: an original in `source` does not match its handle (the source is damaged), or either store
            fails.
        HashCollisionError: `target` holds other bytes under one of the handles.
    """
    handles = source._backend.handles()
    live_after = target._clock() - target.settings.ttl_seconds
    copied = present = expired = copied_bytes = 0
    for n, digest in enumerate(handles, start=1):
        found = source._backend.export(digest)
        if found is not None:
            row, raw = found
            if len(raw) != row.size or rustcore.content_hash(raw) != digest:
                raise StoreError(
                    f"the original under {digest} in {source.location} does not match its handle; "
                    "nothing more was copied"
                )
            if row.last_access <= live_after:
                expired += 1
            elif target._backend.import_original(digest, raw, row):
                copied += 1
                copied_bytes += len(raw)
            else:
                present += 1
        if progress is not None:
            progress(n, len(handles))
    target.sweep()
    return MigrateResult(copied, present, expired, copied_bytes)
