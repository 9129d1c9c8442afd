"""The one header line above every compressed text headroom hands an agent (tools, `headroom exec`, hooks).

    [headroom hash=<h>: 12,345 -> 1,234 tokens (90% saved), log via log, 3 markers]

It lives with the pipeline because the library call on message lists (`compressors._messages`) writes it
too; the MCP tools, `headroom exec` and the hooks import it from here (or through `mcp_server._header`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compressors import CompressResult

__all__ = ["header_line", "percent"]


def percent(before: int, after: int) -> float:
    return round(100 * (before - after) / before, 1) if before else 0.0


def header_line(result: CompressResult, extra: str = "", status: str = "") -> str:
    """``[headroom hash=H<extra>: <status>; 12,345 -> 1,234 tokens (90% saved), log via log, 3 markers]`` and a newline
    (`extra` such as `` path=P`` after the handle; `status` such as ``exit code 1`` before the counts)."""
    saved = percent(result.tokens_before, result.tokens_after)
    markers = f", {result.markers} marker{'s' if result.markers != 1 else ''}" if result.markers else ""
    lead = f"{status}; " if status else ""
    return (
        f"[headroom hash={result.hash}{extra}: {lead}{result.tokens_before:,} -> {result.tokens_after:,} tokens "
        f"({saved:g}% saved), {result.content_type} via {result.compressor}{markers}]\n"
    )
