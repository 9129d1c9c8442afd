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


# Types a caller's hint may name: the outputs a command line tells apart (a test run or build, a diff, a search).
HINT_TYPES = ("log", "diff", "search")


def resolve_content_type(content_type: str | None, text: str, hint: str | None = None) -> Detection:
    """`content_type` as given (validated), or detected when it is None or "auto".

    `hint` is what the producer of the text usually prints (`headroom exec` reads it from the command line). It
    never overrides what the scan found: it settles only an input the scan left as plain text (no type's signals).
    """
    if content_type in (None, "auto"):
        found = detect(text)
        if hint in HINT_TYPES and found.content_type == "text":
            return Detection(hint)
        return found
    if content_type not in CONTENT_TYPES:
        raise CompressorError(f"unknown content type {content_type!r}; use auto or one of {', '.join(CONTENT_TYPES)}")
    if content_type == "code":
        # The caller said what it is, not which language: take the language when the scan agrees it is code.
        found = detect(text)
        return Detection("code", found.language if found.content_type == "code" else None)
    return Detection(content_type)
