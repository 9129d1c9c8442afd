"""What the structured tools return: pydantic models that become each tool's outputSchema and structured content.

Only headroom_stats (and headroom_search, `_search.py`) answer with structured content; the text tools answer in
plain text (see `_tools`). Field descriptions are written for the model reading the schema.
"""

from __future__ import annotations

from typing import Literal

from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field

__all__ = ["READ_ONLY", "CompressorInfo", "CompressorStats", "StatsOutput"]

# What most of our tools are to a client: they change nothing it can see (the store only remembers
# originals), give the same answer for the same input, and reach nothing outside this machine.
READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)


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
        description="How headroom_search ranks: lexical, or hybrid (lexical fused with meaning) when "
        "HEADROOM_EMBEDDINGS=1 and the embedding model is loaded. Query retrievals and compression always rank "
        "by words."
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
