"""Content detection: which compressor a text needs."""

from __future__ import annotations

from dataclasses import dataclass

from ccr import CompressorError
from compressors._base import CONTENT_TYPES

__all__ = ["COMPRESSOR_FOR_TYPE", "Detection", "detect", "resolve_content_type"]

# Which compressor serves each content type; the first one registered wins.
COMPRESSOR_FOR_TYPE: dict[str, str] = {
    "json": "fallback",
    "code": "code",
    "log": "fallback",
    "search": "fallback",
    "diff": "fallback",
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
    """The content type of `text` (and its language for code)."""
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        return Detection("json")
    if stripped.startswith(("diff --git", "--- ", "commit ")):
        return Detection("diff")
    return Detection("text")


def resolve_content_type(content_type: str | None, text: str) -> Detection:
    """`content_type` as given (validated), or detected when it is None or "auto"."""
    if content_type in (None, "auto"):
        return detect(text)
    if content_type not in CONTENT_TYPES:
        raise CompressorError(f"unknown content type {content_type!r}; use auto or one of {', '.join(CONTENT_TYPES)}")
    return Detection(content_type)
