"""The tools on text the agent already holds: headroom_compress, headroom_retrieve, headroom_stats.

Each tool is an async function whose signature is its input schema and whose
return annotation names the pydantic model of its structured output. The text
content is written for the model (the compressed text itself, one header line,
no JSON escaping to pay tokens for); the structured content carries the numbers.
Blocking work (SQLite, compressors, file reads) runs on worker threads.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import Field

from compressors import MIN_BUDGET
from mcp_server._header import header_line, percent
from mcp_server.server._models import CompressOutput, RetrieveOutput, StatsOutput
from mcp_server.server._retrieve import retrieve
from mcp_server.server._state import AppState, client_name, heartbeat, state_of, tool_errors
from mcp_server.server._stats import collect_stats

if TYPE_CHECKING:
    from mcp.server import MCPServer
    from mcp_types import Icon

    from compressors import CompressResult

__all__ = [
    "MARKER_NOTE",
    "PROGRESS_BYTES",
    "ContentType",
    "MaxTokens",
    "Query",
    "compress_fields",
    "compress_text",
    "header_line",
    "percent",
    "record_event",
    "register_tools",
]

# The router's CONTENT_TYPES plus "auto", spelled out so the input schema lists them (a test keeps them in step).
ContentType = Literal[
    "auto", "json", "code", "log", "search", "diff", "html", "markdown", "text", "mixed", "listing", "config"
]
# Inputs at least this large report progress while they are compressed.
PROGRESS_BYTES = 256 * 1024

Ctx = Context[AppState, Any]
Query = Annotated[
    str | None,
    Field(description="What you are looking for, e.g. 'why did test_login fail?'; parts relevant to it are kept."),
]
MaxTokens = Annotated[
    int | None,
    Field(ge=MIN_BUDGET, le=1_000_000, description="Hard ceiling on the size of the returned text, in tokens."),
]
Lines = Annotated[
    str | None,
    Field(description="A line range 'A-B' (1-based, inclusive), as written in a marker's lines=A-B."),
]

MARKER_NOTE = (
    "Whatever is left out is replaced by a marker such as "
    "`[120 lines omitted: retrieve hash=3f2a9c1e0b7d4a55 lines=40-159]`; pass its hash (and lines) to "
    "headroom_retrieve to get exactly that part back."
)


def compress_fields(result: CompressResult) -> dict[str, Any]:
    return {
        "compressed": result.compressed,
        "hash": result.hash,
        "tokens_before": result.tokens_before,
        "tokens_after": result.tokens_after,
        "tokens_saved": result.tokens_before - result.tokens_after,
        "savings_percent": percent(result.tokens_before, result.tokens_after),
        "compressor": result.compressor,
        "content_type": result.content_type,
        "markers": result.markers,
        "elapsed_ms": round(result.elapsed_ms, 3),
    }


async def compress_text(
    ctx: Ctx,
    data: str | bytes,
    *,
    query: str | None,
    content_type: str,
    budget: int | None,
    source: str,
    hint: str | None = None,
    name_hint: str | None = None,
) -> CompressResult:
    from compressors import compress

    state = state_of(ctx)
    client = client_name(ctx)

    def work() -> CompressResult:
        # The background search indexing waits for the call to end instead of running beside it.
        with state.semantic.indexer.busy() if state.semantic is not None else contextlib.nullcontext():
            return compress(
                data,
                store=state.store,
                query=query or None,
                content_type=content_type,
                budget=budget,
                source=source,
                client=client,
                session=state.session_id,
                hint=hint,
                name_hint=name_hint,
            )

    if len(data) >= PROGRESS_BYTES:
        return await heartbeat(ctx, state.call(work), label=f"compressing {len(data):,} bytes")
    return await state.call(work)


async def headroom_compress(
    content: Annotated[str, Field(description="The text to compress, exactly as produced; do not summarise it first.")],
    ctx: Ctx,
    query: Query = None,
    content_type: Annotated[
        ContentType, Field(description="Content type; leave 'auto' unless detection would get it wrong.")
    ] = "auto",
    max_tokens: MaxTokens = None,
) -> Annotated[CallToolResult, CompressOutput]:
    with tool_errors():
        result = await compress_text(
            ctx, content, query=query, content_type=content_type, budget=max_tokens, source="mcp:compress"
        )
    output = CompressOutput(**compress_fields(result))
    return CallToolResult(
        content=[TextContent(type="text", text=header_line(result) + result.compressed)],
        structured_content=output.model_dump(mode="json"),
    )


async def headroom_retrieve(
    hash: Annotated[str, Field(description="The 16-hex-digit handle from a marker or a compress/read/run result.")],
    ctx: Ctx,
    query: Annotated[
        str | None, Field(description="Return only the lines relevant to this question (cheapest way to look).")
    ] = None,
    lines: Lines = None,
    max_tokens: MaxTokens = None,
) -> Annotated[CallToolResult, RetrieveOutput]:
    state = state_of(ctx)
    started = time.perf_counter()
    with tool_errors():
        output = await state.call(retrieve, state.store, hash.strip().lower(), query, lines, max_tokens)
        await state.call(record_event, state, "retrieve", output.hash, output.tokens, "", client_name(ctx), started)
    return CallToolResult(
        content=[TextContent(type="text", text=output.text)],
        structured_content=output.model_dump(mode="json"),
    )


def record_event(
    state: AppState, kind: str, digest: str, tokens: int, compressor: str, client: str, started: float
) -> None:
    """Count a call that handed `tokens` tokens back unchanged (a retrieval, a verbatim read)."""
    from ccr import Event

    state.store.record(
        Event(
            kind=kind,
            hash=digest,
            tokens_before=tokens,
            tokens_after=tokens,
            compressor=compressor,
            client=client,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            session=state.session_id,
        )
    )


async def headroom_stats(
    ctx: Ctx,
    scope: Annotated[
        Literal["session", "lifetime"],
        Field(description="session: this server process only; lifetime: everything in the store."),
    ] = "session",
) -> Annotated[CallToolResult, StatsOutput]:
    state = state_of(ctx)
    with tool_errors():
        output = await state.call(collect_stats, state, scope)
    return CallToolResult(
        content=[TextContent(type="text", text=_render_stats(output))],
        structured_content=output.model_dump(mode="json"),
    )


def _render_stats(s: StatsOutput) -> str:
    rows = [
        f"headroom {s.scope} stats (session {s.session_id})",
        f"compressions: {s.calls:,}   tokens: {s.tokens_before:,} -> {s.tokens_after:,} "
        f"({s.tokens_saved:,} saved, {s.savings_percent:g}%)",
        f"retrievals: {s.retrievals:,} (rate {s.retrieval_rate:.2f} per compression), "
        f"{s.tokens_retrieved:,} tokens handed back; net saved {s.net_saved:,}",
        f"store: {s.store_entries:,} originals, {s.store_bytes:,} bytes; search: {s.search_ranking} ranking, "
        f"{s.search_pending:,} originals not indexed yet",
        f"estimated cost saved: ${s.cost_saved_usd:,.4f} at ${s.usd_per_mtok:g}/M input tokens ({s.model})",
    ]
    for c in s.by_compressor:
        rows.append(f"  {c.compressor:<12} {c.calls:>6,} calls  {c.tokens_before:>12,} -> {c.tokens_after:>12,}")
    return "\n".join(rows)


_COMPRESS_DOC = (
    "Shrink bulky text you already have (logs, JSON, grep/search results, diffs, stack traces, source files, "
    "docs, command output) before reasoning over it. Returns a much smaller text that keeps errors, anomalies, "
    "structure and whatever matches `query`. " + MARKER_NOTE + " Worth calling for anything over about 2,000 "
    "tokens; small or incompressible inputs come back unchanged. Identical input gives identical output."
)
_RETRIEVE_DOC = (
    "Get back, verbatim, what a headroom marker left out. Pass the hash from a marker or from a compress/read/run "
    "result; add `lines` ('A-B', as in the marker) for just that range, or `query` for only the lines relevant to a "
    "question (the cheapest way to look). With neither, the whole original comes back exactly. Line ranges and "
    "query results carry 1-based line numbers. Retrieved text is never compressed again."
)
_STATS_DOC = (
    "Show what headroom saved: compressions, tokens before/after, savings %, a per-compressor breakdown, "
    "retrievals and the retrieval rate, store size, and the estimated input cost saved."
)


def register_tools(server: MCPServer[AppState], *, icons: list[Icon]) -> None:
    """Add headroom_compress, headroom_retrieve and headroom_stats to `server`."""
    server.add_tool(
        headroom_compress,
        name="headroom_compress",
        title="Compress text",
        description=_COMPRESS_DOC,
        icons=icons,
        annotations=ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False),
    )
    server.add_tool(
        headroom_retrieve,
        name="headroom_retrieve",
        title="Retrieve an original",
        description=_RETRIEVE_DOC,
        icons=icons,
        annotations=ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False),
    )
    server.add_tool(
        headroom_stats,
        name="headroom_stats",
        title="Compression savings",
        description=_STATS_DOC,
        icons=icons,
        annotations=ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False),
    )
