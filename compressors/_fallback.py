"""For content no other compressor understands: drop repeated lines, keep the head and the tail."""

from __future__ import annotations

from compressors._base import CompressContext, Compressor

__all__ = ["FallbackCompressor"]

_HEAD = 60
_TAIL = 30


class FallbackCompressor(Compressor):
    name = "fallback"
    description = "line dedup, then the first and last lines with a marker for the middle"

    def compress(self, text: str, ctx: CompressContext) -> str:
        lines = text.splitlines(keepends=True)
        if len(lines) <= _HEAD + _TAIL:
            return text
        head, tail = lines[:_HEAD], lines[-_TAIL:]
        first_omitted, last_omitted = _HEAD + 1, len(lines) - _TAIL
        marker = ctx.marker(last_omitted - first_omitted + 1, "lines", (first_omitted, last_omitted))
        if head and not head[-1].endswith("\n"):
            head[-1] += "\n"
        return "".join([*head, marker, "\n", *tail])
