"""Compressor registry, content router and the `compress()` pipeline."""

from compressors._base import CONTENT_TYPES, CompressContext, Compressor
from compressors._pipeline import MIN_BUDGET, CompressResult, compress, warm_up
from compressors._registry import ENTRY_POINT_GROUP, available, get_compressor, register
from compressors._router import Detection, detect, type_for_name

__all__ = [
    "CONTENT_TYPES",
    "ENTRY_POINT_GROUP",
    "MIN_BUDGET",
    "CompressContext",
    "CompressResult",
    "Compressor",
    "Detection",
    "available",
    "compress",
    "detect",
    "get_compressor",
    "register",
    "type_for_name",
    "warm_up",
]
