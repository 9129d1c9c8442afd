"""What the tools return: pydantic models that become each tool's outputSchema and structured content.

Field descriptions are written for the model reading the schema.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = [
    "CompressOutput",
    "CompressorInfo",
    "CompressorStats",
    "ReadOutput",
    "RetrieveOutput",
    "RunOutput",
    "StatsOutput",
]


class CompressOutput(BaseModel):
    compressed: str = Field(description="The compressed text; every omission is marked and retrievable.")
    hash: str = Field(description="Handle of the stored original, for headroom_retrieve.")
    tokens_before: int = Field(description="Tokens in the original.")
    tokens_after: int = Field(description="Tokens in `compressed`.")
    tokens_saved: int
    savings_percent: float = Field(description="100 * tokens_saved / tokens_before, one decimal.")
    compressor: str = Field(description="Which compressor ran; 'none' when nothing smaller was possible.")
    content_type: str = Field(description="Detected (or given) content type.")
    markers: int = Field(description="Number of omission markers in `compressed`.")
    elapsed_ms: float


class ReadOutput(CompressOutput):
    path: str = Field(description="The real path that was read, symlinks resolved.")
    bytes: int = Field(description="Size of the file.")


class RunOutput(BaseModel):
    command: str
    cwd: str = Field(description="Directory the command ran in.")
    exit_code: int | None = Field(description="The command's exit status; negative: killed by that signal.")
    timed_out: bool = Field(description="The command was killed at the timeout.")
    truncated: bool = Field(description="Output hit the size cap and the command was stopped.")
    output_bytes: int
    duration_ms: float
    confinement: str = Field(description="How the command was confined: 'confined by Landlock ABI N', or why not.")
    compressed: str = Field(description="The command's compressed output (stdout and stderr merged).")
    hash: str | None = Field(description="Handle of the full output for headroom_retrieve; null when it was empty.")
    tokens_before: int
    tokens_after: int
    tokens_saved: int
    compressor: str
    content_type: str
    markers: int


class RetrieveOutput(BaseModel):
    hash: str
    mode: Literal["whole", "lines", "query"] = Field(
        description="whole: the exact original; lines: the range asked for; query: the relevant lines."
    )
    text: str = Field(
        description="whole: the original exactly (unless `exact` is false); lines/query: lines prefixed with "
        "their 1-based line numbers."
    )
    exact: bool = Field(description="`text` is the original byte for byte (whole mode, valid UTF-8, not cut).")
    total_lines: int = Field(description="Lines in the whole original.")
    lines: list[list[int]] = Field(description="The [start, end] line ranges (1-based, inclusive) shown in `text`.")
    tokens: int = Field(description="Tokens in `text`.")
    truncated: bool = Field(description="`text` was cut to max_tokens; a marker says how to fetch the rest.")


class CompressorStats(BaseModel):
    compressor: str
    calls: int
    tokens_before: int
    tokens_after: int
    tokens_saved: int


class ClientTotals(BaseModel):
    client: str = Field(description="The MCP client (or 'cli') that made the calls.")
    calls: int = Field(description="Compressions and other calls that are not retrievals.")
    tokens_before: int
    tokens_after: int
    tokens_saved: int
    retrievals: int
    tokens_retrieved: int


class NamespaceTotals(BaseModel):
    namespace: str
    entries: int = Field(description="Originals held now.")
    store_bytes: int
    compressions: int
    retrievals: int
    tokens_before: int
    tokens_after: int
    tokens_saved: int
    tokens_retrieved: int


class StatsOutput(BaseModel):
    scope: Literal["session", "lifetime"]
    session_id: str = Field(description="This server process's session id.")
    calls: int = Field(description="Compressions (headroom_compress, headroom_read and headroom_run calls).")
    calls_by_kind: dict[str, int] = Field(description="Every recorded call, by kind (compress, retrieve, read, ...).")
    tokens_before: int
    tokens_after: int
    tokens_saved: int
    savings_percent: float
    retrievals: int
    retrieval_rate: float = Field(description="Retrievals per compression; high values mean too much was cut.")
    tokens_retrieved: int = Field(description="Tokens handed back by retrievals.")
    net_saved: int = Field(description="tokens_saved minus tokens_retrieved: what the context was really spared.")
    by_compressor: list[CompressorStats]
    store_entries: int = Field(description="Originals held in the store now.")
    store_bytes: int = Field(description="Bytes of originals held in the store now.")
    search_pending: int = Field(
        description="Originals not yet indexed for headroom_search (queued in the background, or stored by another "
        "process); a search indexes them first, a bounded amount per call."
    )
    search_ranking: Literal["hybrid", "lexical"] = Field(
        description="How headroom_search and query retrievals rank: lexical, or hybrid (lexical fused with "
        "meaning) when HEADROOM_EMBEDDINGS=1 and the embedding model is loaded."
    )
    model: str = Field(description="Model the savings are priced for (HEADROOM_MODEL).")
    usd_per_mtok: float = Field(description="Input price used, USD per million tokens (HEADROOM_PRICE_PER_MTOK).")
    cost_saved_usd: float = Field(description="Estimated input cost saved: net_saved tokens at usd_per_mtok.")
    store: str = Field(
        description="Where the originals are: 'sqlite' (this machine's file) or 'postgresql' (a team's)."
    )
    namespace: str | None = Field(description="The team namespace of a PostgreSQL store (HEADROOM_NAMESPACE).")
    by_client: list[ClientTotals] = Field(description="The same totals for each client in this scope.")
    by_namespace: list[NamespaceTotals] = Field(
        description="A team store's all-time totals for every namespace (counts only); empty for a local file."
    )


class CompressorInfo(BaseModel):
    name: str
    description: str
    content_types: list[str]
