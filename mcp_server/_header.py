"""The header line above every compressed text headroom hands an agent: `compressors._header` writes it,
`read_header` reads it back (the demo, the benchmarks and tests read answers with it)."""

from __future__ import annotations

from typing import Any

from compressors._header import header_line, percent

__all__ = ["header_line", "percent", "read_header"]

_HEADER = (
    r"\[headroom hash=(?P<hash>[0-9a-f]{16})[^:\]\n]*: (?:[^;\]\n]*; )?(?P<before>[\d,]+) -> (?P<after>[\d,]+) tokens "
    r"\([^)]*\), (?P<content_type>[\w-]+) via (?P<compressor>[\w-]+)(?:, (?P<markers>\d+) markers?)?\]\n"
)


def read_header(text: str) -> dict[str, Any] | None:
    """What a `header_line` at the start of `text` says (hash, tokens_before, tokens_after, content_type,
    compressor, markers) and the text after it (compressed); None when `text` does not start with one."""
    import re  # only readers pay for it: the exec and hook paths start without `re`

    m = re.match(_HEADER, text)
    if m is None:
        return None
    return {
        "hash": m["hash"],
        "tokens_before": int(m["before"].replace(",", "")),
        "tokens_after": int(m["after"].replace(",", "")),
        "content_type": m["content_type"],
        "compressor": m["compressor"],
        "markers": int(m["markers"] or 0),
        "compressed": text[m.end() :],
    }
