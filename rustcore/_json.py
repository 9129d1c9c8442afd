"""Python face of the JSON compressor in the Rust core.

The core scans the document, chooses the records, fields and string heads to
keep and returns the output as pieces copied from the input; the caller turns
each omission into a marker (it knows the handle). Defaults and input checks
live here.
"""

from __future__ import annotations

from dataclasses import dataclass

from rustcore import _native
from rustcore._text import clean, with_text

__all__ = [
    "JSON_MAX_LEVEL",
    "JsonBreaks",
    "JsonMembers",
    "JsonPlan",
    "compress_json",
    "json_chunk_breaks",
    "json_members",
]

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


@dataclass(frozen=True, slots=True)
class JsonMembers:
    """The members of one JSON container, as character offsets: the first ones' `starts` and `ends` (views of
    8-byte integers), how many it has (`count`), just past its closing bracket (`end`), and the value span of
    its largest member that is an array (the later of equals)."""

    end: int
    count: int
    starts: memoryview
    ends: memoryview
    largest_array: tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class JsonBreaks:
    """Where chunks of a JSON document may start (`offsets`, characters) and, one byte each, whether the
    member there lies in a container inside the document's own (`nested`: 1) or in it (0)."""

    offsets: memoryview
    nested: bytes


def json_members(text: str, at: int, *, limit: int) -> JsonMembers | None:
    """The members of the container starting at character `at`, the first `limit` of them listed, the whole
    value checked to be JSON (strict: no comments or trailing commas); None where it is not, or is no
    container. One pass over the value in the Rust core, however deep it nests."""
    level = with_text(lambda t: _native.json_members(t, at, limit), text)
    if level is None:
        return None
    return JsonMembers(
        level.end,
        level.count,
        memoryview(level.starts).cast("q"),
        memoryview(level.ends).cast("q"),
        level.largest_array,
    )


def json_chunk_breaks(text: str, *, max_chars: int, gap: int, max_depth: int) -> JsonBreaks | None:
    """Where chunks of the JSON document `text` may start: each member of its container (moved back to its
    line's start when only indentation is before it), and each member after the first of every container
    whose member spans more than `max_chars` characters, down to `max_depth` levels; members sharing a line at
    most one per `gap` characters. None where `text` is not one JSON container. One pass, memory of the
    breaks it returns."""
    found = with_text(lambda t: _native.json_chunk_breaks(t, max_chars, gap, max_depth), text)
    if found is None:
        return None
    return JsonBreaks(memoryview(found.offsets).cast("q"), found.nested)
