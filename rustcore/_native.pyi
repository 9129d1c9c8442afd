__all__ = [
    "ENCODINGS",
    "HASH_HEX_LEN",
    "JSON_MAX_LEVEL",
    "compress_json",
    "compress_lines",
    "content_hash",
    "count_tokens",
    "detect_content",
    "encode",
    "estimate_tokens",
    "is_hash",
]

ENCODINGS: list[str]
HASH_HEX_LEN: int
JSON_MAX_LEVEL: int

def count_tokens(text: str, encoding: str) -> int: ...
def encode(text: str, encoding: str) -> list[int]: ...
def estimate_tokens(text: str) -> int: ...
def content_hash(data: bytes) -> str: ...
def is_hash(text: str) -> bool: ...
def compress_json(
    text: str,
    query: str,
    budget: int | None,
    encoding: str,
    marker_tokens: int,
    min_level: int = 0,
) -> tuple[list[tuple[str, int, str, int, int]], str, int, int]: ...

# Line compressors (kind: "log", "search", "diff" or "fallback"): (text, count, unit, start, end)
# pieces; kept text has count 0.
def compress_lines(
    kind: str, text: str, query: str, budget: int, encoding: str, marker_tokens: int, exact: bool = True
) -> list[tuple[str, int, str, int, int]]: ...
def detect_content(text: str) -> tuple[str, str | None]: ...
