"""`headroom_search`: find earlier tool output across every original in the store, whoever stored it.

Every agent whose server shares one ``HEADROOM_HOME`` (Claude, Codex, Cursor,
a shell running ``headroom compress``) adds to one store, so the store is a
memory they share: a search here finds the log another agent compressed an
hour ago. Hits are chunks with their handle and line numbers, ready for
``headroom_retrieve(hash, lines=...)``; ranking is lexical, with the names the
query gives exactly first, and fused with meaning when ``HEADROOM_EMBEDDINGS=1``
(`ccr.Store.search`).

The lifespan's `SemanticIndex` (`mcp_server.server._state.open_semantic`) keeps the search index
filled: each new original is chunked into it on a background thread.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel, Field

from mcp_server._cmd_search import parse_since
from mcp_server.server._models import READ_ONLY
from mcp_server.server._state import AppState, state_of, tool_errors

if TYPE_CHECKING:
    from mcp.server import MCPServer
    from mcp_types import Icon

    from ccr import SearchResult, Store

__all__ = [
    "SearchHitOutput",
    "SearchOutput",
    "register_search_tool",
    "search_output",
]


Ctx = Context[AppState, Any]
# The router's content types (no "auto": a stored original has the type it was detected as).
SearchContentType = Literal[
    "json", "code", "log", "search", "diff", "html", "markdown", "text", "mixed", "listing", "config"
]


class SearchHitOutput(BaseModel):
    hash: str = Field(description="Handle of the original, for headroom_retrieve.")
    lines: list[int] = Field(description="[start, end]: the chunk's 1-based line range in the original.")
    text: str = Field(description="The chunk's matching lines, verbatim (long chunks: the lines around the match).")
    score: float = Field(
        description="Rank score, higher is better: 1 for the best match (lexical, or fused with meaning), plus 1 for "
        "each name the query gives exactly (a dotted name, path, identifier, version, hash, quoted text) it holds."
    )
    lexical: float = Field(description="Lexical (BM25) score relative to the best lexical hit, 0-1.")
    semantic: float | None = Field(
        description="Cosine similarity to the query; null when not ranked by meaning (off, or not a top candidate)."
    )
    content_type: str
    source: str = Field(
        description="What stored it: mcp:compress, mcp:read:<path>, mcp:run, cli:<file>, exec:<command>, hook:<tool>"
    )
    client: str = Field(description="The MCP client (agent) that stored it, when known.")
    stored_at: str = Field(description="When it was first stored, ISO 8601 UTC.")
    age_seconds: float


class SearchOutput(BaseModel):
    query: str
    mode: Literal["hybrid", "lexical"] = Field(
        description="hybrid: lexical fused with meaning; lexical: words only (the default; see notes for why)."
    )
    hits: list[SearchHitOutput]
    notes: list[str] = Field(description="Why ranking was lexical only, or what is not indexed yet.")
    pending: int = Field(description="Stored originals not yet indexed for search (included in a later search).")


def search_output(result: SearchResult) -> SearchOutput:
    hits = []
    for hit in result.hits:
        d = hit.to_dict(result.at)
        hits.append(
            SearchHitOutput(
                hash=hit.hash,
                lines=d["lines"],
                text=d["text"],
                score=d["score"],
                lexical=d["lexical"],
                semantic=d["semantic"],
                content_type=hit.content_type,
                source=hit.source,
                client=hit.client,
                stored_at=datetime.fromtimestamp(hit.created_at, UTC).isoformat(timespec="seconds"),
                age_seconds=d["age_seconds"],
            )
        )
    mode: Literal["hybrid", "lexical"] = "hybrid" if result.mode == "hybrid" else "lexical"
    return SearchOutput(query=result.query, mode=mode, hits=hits, notes=list(result.notes), pending=result.pending)


async def headroom_search(
    query: Annotated[
        str, Field(description="What you are looking for, in words or identifiers: 'ConnectionResetError in worker'.")
    ],
    ctx: Ctx,
    limit: Annotated[int, Field(ge=1, le=50, description="How many chunks to return, best first.")] = 5,
    since: Annotated[
        str | None,
        Field(description="Only output stored or used since then: an age (30m, 2h, 3d, 1w) or an ISO 8601 time."),
    ] = None,
    content_type: Annotated[SearchContentType | None, Field(description="Only originals of this content type.")] = None,
) -> Annotated[CallToolResult, SearchOutput]:
    state = state_of(ctx)
    with tool_errors():
        after = parse_since(since, time.time()) if since else None
        result = await state.call(_search, state.store, query, limit, after, content_type)
    output = search_output(result)
    return CallToolResult(
        content=[TextContent(type="text", text=result.render())],
        structured_content=output.model_dump(mode="json"),
    )


def _search(store: Store, query: str, limit: int, since: float | None, content_type: str | None) -> SearchResult:
    return store.search(query, limit=limit, since=since, content_type=content_type)


_SEARCH_DOC = (
    "Search earlier tool output: every log, JSON response, diff, file and command output compressed or read "
    "through headroom, by any agent sharing this store (Claude, Codex, Cursor...), is searchable here. Returns the "
    "best-matching chunks, each with its hash, line range, content type, source, client and age; fetch more of one "
    "with headroom_retrieve(hash, lines='A-B') or headroom_retrieve(hash, query=...). Use it before re-running a "
    "command or re-reading a file you (or another agent) already looked at. Ranking is lexical: use the words and "
    "names (identifiers, paths, error messages) the output would contain; chunks holding a name you give exactly "
    "come first."
)


def register_search_tool(server: MCPServer[AppState], *, icons: list[Icon]) -> None:
    """Add headroom_search to `server`."""
    server.add_tool(
        headroom_search,
        name="headroom_search",
        title="Search earlier output",
        description=_SEARCH_DOC,
        icons=icons,
        annotations=READ_ONLY,
    )
