"""What every compressor is given and must honour."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import rustcore
from ccr import format_marker

__all__ = ["CONTENT_TYPES", "CompressContext", "Compressor"]

# What the router can detect (and what `content_type` may name).
CONTENT_TYPES = ("json", "code", "log", "search", "diff", "html", "markdown", "text", "mixed", "listing", "config")


@dataclass(frozen=True, slots=True)
class CompressContext:
    """Per-call facts a compressor needs.

    `hash` is the handle of the whole original, already stored: every marker
    must carry it. `budget` is a hard ceiling on output tokens when set.
    `exact_bytes` says the text is the original's own UTF-8 (it was valid UTF-8),
    so byte offsets in it are byte offsets in the original; when it is False a
    byte selector cannot be trusted and a marker falls back to its lines.
    """

    hash: str
    query: str | None = None
    budget: int | None = None
    content_type: str = "text"
    language: str | None = None
    encoding: str = rustcore.DEFAULT_ENCODING
    exact_bytes: bool = True

    def marker(
        self,
        count: int,
        unit: str,
        lines: tuple[int, int] | None = None,
        *,
        span: tuple[int, int] | None = None,
        template: str | None = None,
    ) -> str:
        """The marker for `count` `unit` of the original left out, with the selector that redeems them.

        - `lines` alone: those whole lines (1-based, inclusive);
        - `span`: text cut from inside a line, as an inclusive byte range of the original
          (``bytes=A-B``); `lines` then names the line(s) holding it, used instead when
          byte offsets cannot be trusted (`exact_bytes` False);
        - `template`: every line of that collapsed template (`rustcore.template_keys`), within
          `lines` when given.

        Raises:
            ValueError: no selector at all, or a malformed one.
        """
        if template is not None:
            return format_marker(count, unit, self.hash, lines, template=template)
        if span is not None and (self.exact_bytes or lines is None):
            if not self.exact_bytes:
                raise ValueError("a byte selector needs exact byte offsets; give the lines that hold the text too")
            return format_marker(count, unit, self.hash, bytes=span)
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
