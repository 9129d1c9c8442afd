"""The tools on text the agent already holds: headroom_compress, headroom_retrieve, headroom_stats.

Each tool is an async function whose signature is its input schema. The text
tools (compress, retrieve, and read/run beside them) answer in plain text: one
header line with the handle and the counts, then the body, and declare no output
schema: a client forwards a structured result to the model instead of the text
(Claude Code sends it as one JSON-escaped string, about 13% more tokens and no
header line). headroom_stats keeps its structured output. Every text a tool
answers with is remembered by the store (`Store.remember_output`), so handing it
back to headroom (a hook, the proxy, headroom_compress) passes it through as it
is. Blocking work (SQLite, compressors, file reads) runs on worker threads.
"""

from __future__ import annotations

import contextlib
import time
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, TextContent
from pydantic import Field

from compressors import MIN_BUDGET
from mcp_server._header import header_line
from mcp_server.server._models import READ_ONLY, StatsOutput
from mcp_server.server._retrieve import resolve_ref, retrieve
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
    "answer",
    "compress_text",
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
    Field(description="A line range 'A-B' (1-based, inclusive), as a marker's lines=A-B says."),
]
Bytes = Annotated[
    str | None,
    Field(description="A byte range 'A-B' (0-based, inclusive), as a marker's bytes=A-B says: text cut inside a line."),
]
Template = Annotated[
    str | None,
    Field(
        description="A template key (8 hex digits), as a marker's template=T says: every line of that repeated "
        "pattern; add lines to keep to a range."
    ),
]

MARKER_NOTE = (
    "Whatever is left out is replaced by a marker that says how to get exactly that back: "
    "`[120 lines omitted: retrieve hash=3f2a9c1e0b7d4a55 lines=40-159]` (those lines), "
    "`[812 chars omitted: retrieve hash=3f2a9c1e0b7d4a55 bytes=5120-6931]` (the rest of a cut line or string), "
    "`[41 lines omitted: retrieve hash=3f2a9c1e0b7d4a55 template=9c1e0b7d]` (every line of a repeated pattern). "
    "Pass the marker's hash and its lines/bytes/template to headroom_retrieve (or the marker text itself as hash). "
    "Text reading `omitted: (quoted) retrieve` came from the input and is not a marker."
)


def answer(state: AppState, text: str, digest: str | None) -> CallToolResult:
    """A text tool's result: `text` alone (header line and body), no structured content. The store
    remembers it as produced from `digest`, so it passes through headroom unchanged if it comes back."""
    if digest is not None:
        state.store.remember_output(text, digest)
    return CallToolResult(content=[TextContent(type="text", text=text)])


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
) -> CallToolResult:
    state = state_of(ctx)
    with tool_errors():
        result = await compress_text(
            ctx, content, query=query, content_type=content_type, budget=max_tokens, source="mcp:compress"
        )
        return await state.call(answer, state, header_line(result) + result.compressed, result.hash)


async def headroom_retrieve(
    hash: Annotated[
        str,
        Field(
            description="The 16-hex-digit handle from a marker or a compress/read/run result; or the marker itself "
            "('hash=3f2a9c1e0b7d4a55 lines=40-159', or the whole '[... omitted: retrieve hash=... ]')."
        ),
    ],
    ctx: Ctx,
    query: Annotated[
        str | None, Field(description="Return only the lines relevant to this question (cheapest way to look).")
    ] = None,
    lines: Lines = None,
    bytes: Bytes = None,
    template: Template = None,
    max_tokens: Annotated[
        int | None,
        Field(
            ge=MIN_BUDGET,
            le=1_000_000,
            description="Most tokens to return (default 8,000; 2,000 with query); past it the text ends with a "
            "marker for the rest.",
        ),
    ] = None,
) -> CallToolResult:
    state = state_of(ctx)
    started = time.perf_counter()
    with tool_errors():
        ref = resolve_ref(hash, lines=lines, bytes=bytes, template=template)
        output = await state.call(partial(retrieve, query=query, max_tokens=max_tokens), state.store, ref)
        await state.call(record_event, state, "retrieve", output.hash, output.tokens, "", client_name(ctx), started)
        return await state.call(answer, state, output.render(), output.hash)


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
    "Get back, verbatim, what a headroom marker left out. Pass the hash from a marker (or the marker text itself) "
    "with the marker's selector: `lines` ('A-B') for those lines, `bytes` ('A-B') for the rest of a cut line or "
    "string, `template` (8 hex digits) for every line of a collapsed repeated pattern; or `query` for only the lines "
    "relevant to a question (the cheapest way to look). With none, the whole original comes back exactly, up to "
    "`max_tokens` (default 8,000), then a marker names the lines still to fetch. Lines come numbered (1-based). The "
    "answer is one header line, then the text. Retrieved text is never compressed again."
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
        annotations=READ_ONLY,
        structured_output=False,
    )
    server.add_tool(
        headroom_retrieve,
        name="headroom_retrieve",
        title="Retrieve an original",
        description=_RETRIEVE_DOC,
        icons=icons,
        annotations=READ_ONLY,
        structured_output=False,
    )
    server.add_tool(
        headroom_stats,
        name="headroom_stats",
        title="Compression savings",
        description=_STATS_DOC,
        icons=icons,
        annotations=READ_ONLY,
    )
