"""Compressor registry, content router and the `compress()` pipeline."""

from compressors._base import CONTENT_TYPES, CompressContext, Compressor
from compressors._messages import (
    TOOL_RESULT_MIN_TOKENS,
    CompressedMessages,
    CompressedText,
    MessageStats,
    ToolText,
    compress_messages,
    compress_tool_text,
    tool_texts,
)
from compressors._pipeline import MIN_BUDGET, CompressResult, compress, warm_up
from compressors._registry import ENTRY_POINT_GROUP, available, get_compressor, register
from compressors._router import Detection, detect, type_for_name

__all__ = [
    "CONTENT_TYPES",
    "ENTRY_POINT_GROUP",
    "MIN_BUDGET",
    "TOOL_RESULT_MIN_TOKENS",
    "CompressContext",
    "CompressResult",
    "CompressedMessages",
    "CompressedText",
    "Compressor",
    "Detection",
    "MessageStats",
    "ToolText",
    "available",
    "compress",
    "compress_messages",
    "compress_tool_text",
    "detect",
    "get_compressor",
    "register",
    "tool_texts",
    "type_for_name",
    "warm_up",
]
