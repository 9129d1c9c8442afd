"""Python face of the JSON compressor in the Rust core.

The core scans the document, chooses the records, fields and string heads to
keep and returns the output as pieces copied from the input; the caller turns
each omission into a marker (it knows the handle). Defaults and input checks
live here.
"""

from __future__ import annotations

from rustcore import _native
from rustcore._text import clean, with_text

__all__ = ["JSON_MAX_LEVEL", "JsonPlan", "compress_json"]

# The highest level the core knows; each level keeps less than the one before.
JSON_MAX_LEVEL: int = _native.JSON_MAX_LEVEL

# The JSON compressor's answer, made by the core: `mode` is "json" (records and fields selected),
# "table" (a lossless rows re-encoding, no omissions) or "not-json" (nothing parsed as JSON: no
# pieces; handle the text as lines); `tokens` the core's count of the output with each marker at
# `marker_tokens`.
JsonPlan = _native.JsonPlan


def compress_json(
    text: str,
    *,
    query: str | None,
    budget: int | None,
    encoding: str,
    marker_tokens: int,
    min_level: int = 0,
) -> JsonPlan:
    """JSON, JSON Lines and API responses: odd, matching and sample records kept verbatim, the rest marked.

    Args:
        budget: ceiling in tokens for the whole output, or None to let the core pick a size.
        marker_tokens: what one marker costs in `encoding` (the caller formats markers).
        min_level: start at this level (0..JSON_MAX_LEVEL); a caller whose exact count
            overshot the budget asks again one level higher.

    Raises:
        ValueError: unknown `encoding`, a negative budget, or a level out of range.
    """
    if budget is not None and budget < 0:
        raise ValueError(f"budget must be at least 0, got {budget}")
    if marker_tokens < 1:
        raise ValueError(f"marker_tokens must be at least 1, got {marker_tokens}")
    if not 0 <= min_level <= JSON_MAX_LEVEL:
        raise ValueError(f"min_level must be between 0 and {JSON_MAX_LEVEL}, got {min_level}")
    q = clean(query or "")
    return with_text(lambda t: _native.compress_json(t, q, budget, encoding, marker_tokens, min_level), text)
