from collections.abc import Sequence
from typing import final

__all__ = [
    "ENCODINGS",
    "HASH_HEX_LEN",
    "JSON_MAX_LEVEL",
    "RANK_EXACT_CANDIDATES",
    "CodeFile",
    "PreparedCode",
    "compress_json",
    "compress_lines",
    "content_hash",
    "count_tokens",
    "detect_content",
    "encode",
    "estimate_tokens",
    "index_terms",
    "is_hash",
    "line_starts",
    "prose_blocks",
    "prose_gaps",
    "prose_select",
    "prose_texts",
    "query_parts",
    "rank_chunks",
    "sentence_density",
    "sentence_spans",
    "template_keys",
    "template_lines",
    "trim_heap",
]

ENCODINGS: list[str]
HASH_HEX_LEN: int
JSON_MAX_LEVEL: int
RANK_EXACT_CANDIDATES: int

def count_tokens(text: str, encoding: str) -> int: ...
def encode(text: str, encoding: str) -> list[int]: ...
def trim_heap() -> bool: ...
def estimate_tokens(text: str) -> int: ...
def content_hash(data: bytes) -> str: ...
def is_hash(text: str) -> bool: ...

# A piece: (text, count, unit, start, end, bytes, template); kept text has count 0.
_NativePiece = tuple[str, int, str, int, int, tuple[int, int] | None, int | None]

def compress_json(
    text: str,
    query: str,
    budget: int | None,
    encoding: str,
    marker_tokens: int,
    min_level: int = 0,
) -> tuple[list[_NativePiece], str, int, int]: ...

# Line compressors (kind: "log", "search", "diff", "listing", "config", "fallback" or "bounded").
def compress_lines(
    kind: str, text: str, query: str, budget: int, encoding: str, marker_tokens: int, exact: bool = True
) -> list[_NativePiece]: ...
def template_keys(text: str) -> list[str | None]: ...
def template_lines(text: str, id: int) -> list[int]: ...
def detect_content(text: str, hint: str | None = None, name_hint: str | None = None) -> tuple[str, str | None]: ...
def line_starts(text: str, chars: bool) -> tuple[bytes, int]: ...

# Source outline and elision plan (rustcore._code has the typed face); lines are 0-based, elisions
# (first, last, before, after, closing), plans (elisions, bodies, proven, kept text, line ends).
@final
class CodeFile:
    def __new__(cls, text: str, language: str) -> CodeFile: ...
    @property
    def problems(self) -> int: ...
    @property
    def definition_count(self) -> int: ...
    @property
    def longest_line(self) -> int: ...
    def definitions(
        self,
    ) -> list[tuple[str, str, list[str], int, int, tuple[int, int] | None, bool, bool]]: ...
    def prepare(
        self,
        encoding: str,
        marker_tokens: int,
        paths: list[list[str]],
        strong: list[str],
        weak: list[str],
    ) -> PreparedCode: ...

@final
class PreparedCode:
    @property
    def tokens(self) -> int: ...
    def whole(self) -> tuple[list[int], bool]: ...
    def plan(
        self, whole: list[int], collapse_types: bool
    ) -> tuple[list[tuple[int, int, str, str, str]], list[bool], bool, list[str], list[str]]: ...
    def drop(
        self,
        elisions: list[tuple[int, int, str, str, str]],
        proven: bool,
        target: float,
        whole: list[int],
    ) -> tuple[list[tuple[int, int, str, str, str]], list[bool], bool, list[str], list[str]] | None: ...

# Lexical ranking (BM25 over identifier-aware terms) and prose selection; lines are 0-based.
def rank_chunks(chunks: Sequence[str], query: str, exact_candidates: int) -> list[float]: ...
def index_terms(text: str) -> list[str]: ...
def query_parts(query: str) -> tuple[list[str], list[str]]: ...

# (kind, first, last, level, section or -1, title) blocks; (heading block, level, title, parent or -1) sections.
def prose_blocks(
    lines: str | Sequence[str],
) -> tuple[list[tuple[str, int, int, int, int, str]], list[tuple[int, int, str, int]]]: ...
def prose_texts(lines: str | Sequence[str]) -> list[str]: ...
def prose_select(
    lines: str | Sequence[str],
    query: str | None,
    target: int | None,
    exact: bool,
    encoding: str,
    marker_tokens: int,
    signals: Sequence[tuple[str, float, Sequence[float] | None]],
    fence_costs: Sequence[tuple[int, int]],
) -> tuple[list[bool], list[int]]: ...
def prose_gaps(
    lines: str | Sequence[str], kept: Sequence[bool], headings: Sequence[int], marker_tokens: int, encoding: str
) -> list[tuple[int, int, list[int]]]: ...
def sentence_spans(text: str) -> list[tuple[int, int]]: ...
def sentence_density(sentences: Sequence[str]) -> list[float]: ...
