"""Content detection: which compressor a text needs.

The scan runs in the Rust core (`rustcore.detect_content`): one pass over a
bounded sample plus cheap whole-input checks, so routing a 10 MB log costs
about as much as routing a 64 KB one.
"""

from __future__ import annotations

from dataclasses import dataclass

import rustcore
from ccr import CompressorError
from compressors._base import CONTENT_TYPES

__all__ = ["COMPRESSOR_FOR_TYPE", "Detection", "detect", "resolve_content_type"]

# Which compressor serves each content type; the first one registered wins.
COMPRESSOR_FOR_TYPE: dict[str, str] = {
    "json": "json",
    "code": "code",
    "log": "log",
    "search": "search",
    "diff": "diff",
    "html": "html",
    "markdown": "prose",
    "text": "prose",
    "mixed": "mixed",
}


@dataclass(frozen=True, slots=True)
class Detection:
    content_type: str
    language: str | None = None


def detect(text: str) -> Detection:
    """The content type of `text` (one of `CONTENT_TYPES`) and, for code, its language."""
    content_type, language = rustcore.detect_content(text)
    return Detection(content_type, language)


def resolve_content_type(content_type: str | None, text: str) -> Detection:
    """`content_type` as given (validated), or detected when it is None or "auto"."""
    if content_type in (None, "auto"):
        return detect(text)
    if content_type not in CONTENT_TYPES:
        raise CompressorError(f"unknown content type {content_type!r}; use auto or one of {', '.join(CONTENT_TYPES)}")
    if content_type == "code":
        # The caller said what it is, not which language: take the language when the scan agrees it is code.
        found = detect(text)
        return Detection("code", found.language if found.content_type == "code" else None)
    return Detection(content_type)
