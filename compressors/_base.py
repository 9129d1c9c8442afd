"""What every compressor is given and must honour."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import rustcore
from ccr import format_marker

__all__ = ["CONTENT_TYPES", "CompressContext", "Compressor"]

# What the router can detect (and what `content_type` may name).
CONTENT_TYPES = ("json", "code", "log", "search", "diff", "html", "markdown", "text", "mixed")


@dataclass(frozen=True, slots=True)
class CompressContext:
    """Per-call facts a compressor needs.

    `hash` is the handle of the whole original, already stored: every marker
    must carry it. `budget` is a hard ceiling on output tokens when set.
    """

    hash: str
    query: str | None = None
    budget: int | None = None
    content_type: str = "text"
    language: str | None = None
    encoding: str = rustcore.DEFAULT_ENCODING

    def marker(self, count: int, unit: str, lines: tuple[int, int] | None = None) -> str:
        """The marker for `count` `unit` of the original left out (lines 1-based, inclusive)."""
        return format_marker(count, unit, self.hash, lines)

    def tokens(self, text: str) -> int:
        return rustcore.count_tokens(text, self.encoding)


class Compressor(ABC):
    """One way of shrinking one kind of content.

    Implementations must be deterministic (same text and context give the same
    output), must never raise on odd input (fall back to returning it), and
    must mark every omission with `ctx.marker(...)`. The pipeline checks the
    budget and the "only if smaller" rule; a compressor may still use the
    budget to choose how much to keep.
    """

    name: ClassVar[str]
    description: ClassVar[str]

    @abstractmethod
    def compress(self, text: str, ctx: CompressContext) -> str: ...
