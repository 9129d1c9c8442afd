"""The one exception tree of headroom-mcp.

Every layer raises these; lower-level errors (sqlite3, OSError, parser
errors) are translated once, at one point per layer, with ``raise ... from``.
The MCP server turns any ``HeadroomError`` into an error result whose text is
the message, so every message says what happened and what to do next.

    HeadroomError
    ├── InputError (ValueError)            the caller's input cannot be compressed
    │   ├── EmptyInputError
    │   ├── BinaryInputError
    │   └── InputTooLargeError
    ├── HashError (LookupError)            a handle that cannot be redeemed
    │   ├── MalformedHashError
    │   ├── UnknownHashError
    │   ├── ExpiredHashError
    │   ├── EvictedHashError
    │   └── CorruptedHashError              lost when the store file was found damaged
    ├── RangeError (ValueError)            a line range outside the original
    ├── StoreError                         the SQLite store cannot be used
    │   ├── StoreCorruptError              the file was moved aside, see .moved_to
    │   └── HashCollisionError             two different originals, one handle
    ├── CompressorError
    │   └── UnknownCompressorError
    ├── EmbeddingError                     the embedding model is unavailable or failed
    ├── AccessError (PermissionError)      refused by policy
    │   ├── PathNotAllowedError
    │   └── RunDisabledError
    ├── (mcp_server._errors)               the command line's own work: client configs, bundles, servers
    └── (benchmarks.peer.PeerRunError)     the benchmark could not run the peer (headroom-ai)

Each layer keeps its own errors in its own module, under this root: a layer above the store raises its
own, and the translation points (the CLI's exit status, the MCP server's tool errors) catch the root.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "AccessError",
    "BinaryInputError",
    "CompressorError",
    "CorruptedHashError",
    "EmbeddingError",
    "EmptyInputError",
    "EvictedHashError",
    "ExpiredHashError",
    "HashCollisionError",
    "HashError",
    "HeadroomError",
    "InputError",
    "InputTooLargeError",
    "MalformedHashError",
    "PathNotAllowedError",
    "RangeError",
    "RunDisabledError",
    "StoreCorruptError",
    "StoreError",
    "UnknownCompressorError",
    "UnknownHashError",
]


class HeadroomError(Exception):
    """Base of every error headroom-mcp raises on purpose."""


class InputError(HeadroomError, ValueError):
    """The input cannot be compressed as given."""


class EmptyInputError(InputError):
    pass


class BinaryInputError(InputError):
    pass


class InputTooLargeError(InputError):
    pass


class HashError(HeadroomError, LookupError):
    """A handle that cannot be redeemed; ``hash`` is the handle as given."""

    def __init__(self, message: str, *, hash: str) -> None:
        super().__init__(message)
        self.hash = hash


class MalformedHashError(HashError):
    pass


class UnknownHashError(HashError):
    pass


class ExpiredHashError(HashError):
    pass


class EvictedHashError(HashError):
    pass


class CorruptedHashError(HashError):
    pass


class RangeError(HeadroomError, ValueError):
    pass


class StoreError(HeadroomError):
    """The store cannot be opened or written."""


class StoreCorruptError(StoreError):
    """The database file was unreadable; it was moved aside to ``moved_to``, and ``salvaged`` originals were
    copied from it into a new file (``lost`` could not be read and now have tombstones saying so)."""

    def __init__(self, message: str, *, moved_to: Path | None, salvaged: int = 0, lost: int = 0) -> None:
        super().__init__(message)
        self.moved_to = moved_to
        self.salvaged = salvaged
        self.lost = lost


class HashCollisionError(StoreError):
    pass


class CompressorError(HeadroomError):
    pass


class UnknownCompressorError(CompressorError, KeyError):
    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class EmbeddingError(HeadroomError):
    """Embeddings cannot be computed (model disabled, absent or broken); rank lexically instead."""


class AccessError(HeadroomError, PermissionError):
    pass


class PathNotAllowedError(AccessError):
    pass


class RunDisabledError(AccessError):
    pass
