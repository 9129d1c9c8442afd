"""The header line above every compressed text headroom hands an agent: `compressors._header` holds it."""

from compressors._header import header_line, percent

__all__ = ["header_line", "percent"]
