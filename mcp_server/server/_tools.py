"""The five tools: compress, retrieve, stats, read and run.

Each tool is an async function whose signature is its input schema and whose
return annotation names the pydantic model of its structured output. The text
content is written for the model (the compressed text itself, one header line,
no JSON escaping to pay tokens for); the structured content carries the numbers.
Blocking work (SQLite, compressors, file reads) runs on worker threads.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import Context, ListRoots, Resolve
from mcp_types import CallToolResult, ListRootsResult, TextContent, ToolAnnotations
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import Field

from ccr import InputError, RunDisabledError
from compressors import MIN_BUDGET
from mcp_server.server._models import (
    CompressOutput,
    ReadOutput,
    RetrieveOutput,
    RunOutput,
    StatsOutput,
)
from mcp_server.server._options import MAX_RUN_TIMEOUT_S
from mcp_server.server._paths import allowed_roots, confine, file_uri_paths, read_confined
from mcp_server.server._retrieve import retrieve
from mcp_server.server._state import AppState, client_name, heartbeat, state_of, tool_errors
from mcp_server.server._stats import collect_stats

if TYPE_CHECKING:
    from mcp.server import MCPServer
    from mcp_types import Icon

    from compressors import CompressResult

__all__ = ["CONTENT_TYPES", "PROGRESS_BYTES", "register_tools"]

CONTENT_TYPES = ("auto", "json", "code", "log", "search", "diff", "html", "markdown", "text", "mixed")
ContentType = Literal["auto", "json", "code", "log", "search", "diff", "html", "markdown", "text", "mixed"]
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

_MARKER_NOTE = (
    "Whatever is left out is replaced by a marker such as "
    "`[120 lines omitted: retrieve hash=3f2a9c1e0b7d4a55 lines=40-159]`; pass its hash (and lines) to "
    "headroom_retrieve to get exactly that part back."
)

_CODE_SUFFIXES = frozenset(
    {
        *(".py", ".pyi", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".go", ".rs", ".java", ".kt", ".c", ".h"),
        *(".cc", ".cpp", ".cxx", ".hpp", ".hh", ".cs", ".rb", ".php", ".swift", ".scala", ".lua", ".sh", ".bash"),
    }
)
_SUFFIX_TYPES = {
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".rst": "text",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".log": "log",
    ".diff": "diff",
    ".patch": "diff",
}


def _type_for_path(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _CODE_SUFFIXES:
        return "code"
    return _SUFFIX_TYPES.get(suffix, "auto")


def _percent(before: int, after: int) -> float:
    return round(100 * (before - after) / before, 1) if before else 0.0


def _header(result: CompressResult, extra: str = "") -> str:
    saved = _percent(result.tokens_before, result.tokens_after)
    markers = f", {result.markers} marker{'s' if result.markers != 1 else ''}" if result.markers else ""
    return (
        f"[headroom hash={result.hash}{extra}: {result.tokens_before:,} -> {result.tokens_after:,} tokens "
        f"({saved:g}% saved), {result.content_type} via {result.compressor}{markers}]\n"
    )


def _compress_fields(result: CompressResult) -> dict[str, Any]:
    return {
        "compressed": result.compressed,
        "hash": result.hash,
        "tokens_before": result.tokens_before,
        "tokens_after": result.tokens_after,
        "tokens_saved": result.tokens_before - result.tokens_after,
        "savings_percent": _percent(result.tokens_before, result.tokens_after),
        "compressor": result.compressor,
        "content_type": result.content_type,
        "markers": result.markers,
        "elapsed_ms": round(result.elapsed_ms, 3),
    }


async def _compress(
    ctx: Ctx,
    data: str | bytes,
    *,
    query: str | None,
    content_type: str,
    budget: int | None,
    source: str,
) -> CompressResult:
    from compressors import compress

    state = state_of(ctx)
    client = client_name(ctx)

    def work() -> CompressResult:
        return compress(
            data,
            store=state.store,
            query=query or None,
            content_type=content_type,
            budget=budget,
            source=source,
            client=client,
            session=state.session_id,
        )

    if len(data) >= PROGRESS_BYTES:
        return await heartbeat(ctx, state.call(work), label=f"compressing {len(data):,} bytes")
    return await state.call(work)


async def _client_roots(ctx: Ctx) -> ListRoots | None:
    """Ask the client for its roots when it declared it has some and the connection can carry the question."""
    caps = ctx.client_capabilities
    if caps is None or caps.roots is None:
        return None
    if ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS and not ctx.session.can_send_request:
        return None
    return ListRoots()


ClientRoots = Annotated[ListRootsResult | None, Resolve(_client_roots)]


def _roots(state: AppState, answer: ListRootsResult | None) -> tuple[Path, ...]:
    declared = file_uri_paths(str(root.uri) for root in answer.roots) if answer is not None else ()
    return allowed_roots(state.options.roots, state.options.cwd, declared)


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
        result = await _compress(
            ctx, content, query=query, content_type=content_type, budget=max_tokens, source="mcp:compress"
        )
    output = CompressOutput(**_compress_fields(result))
    return CallToolResult(
        content=[TextContent(type="text", text=_header(result) + result.compressed)],
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
        await state.call(_record_retrieval, state, output, client_name(ctx), started)
    return CallToolResult(
        content=[TextContent(type="text", text=output.text)],
        structured_content=output.model_dump(mode="json"),
    )


def _record_retrieval(state: AppState, output: RetrieveOutput, client: str, started: float) -> None:
    from ccr import Event

    state.store.record(
        Event(
            kind="retrieve",
            hash=output.hash,
            tokens_before=output.tokens,
            tokens_after=output.tokens,
            compressor="",
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
        f"store: {s.store_entries:,} originals, {s.store_bytes:,} bytes",
        f"estimated cost saved: ${s.cost_saved_usd:,.4f} at ${s.usd_per_mtok:g}/M input tokens ({s.model})",
    ]
    for c in s.by_compressor:
        rows.append(f"  {c.compressor:<12} {c.calls:>6,} calls  {c.tokens_before:>12,} -> {c.tokens_after:>12,}")
    return "\n".join(rows)


async def headroom_read(
    path: Annotated[
        str, Field(description="The file to read; relative paths start at the first allowed root (the project).")
    ],
    ctx: Ctx,
    roots: ClientRoots,
    query: Query = None,
    lines: Annotated[
        str | None,
        Field(description="Only these lines 'A-B' (1-based, inclusive), verbatim with line numbers, not compressed."),
    ] = None,
    max_tokens: MaxTokens = None,
) -> Annotated[CallToolResult, ReadOutput]:
    state = state_of(ctx)
    with tool_errors():
        allowed = _roots(state, roots)
        real, data = await state.call(read_confined, path, allowed, state.settings.max_input_bytes)
        if lines is not None:
            return await _read_lines(ctx, real, data, lines, max_tokens)
        result = await _compress(
            ctx, data, query=query, content_type=_type_for_path(real), budget=max_tokens, source=f"mcp:read:{real}"
        )
    output = ReadOutput(path=str(real), bytes=len(data), **_compress_fields(result))
    return CallToolResult(
        content=[TextContent(type="text", text=_header(result, f" path={real}") + result.compressed)],
        structured_content=output.model_dump(mode="json"),
    )


async def _read_lines(ctx: Ctx, real: Path, data: bytes, lines: str, max_tokens: int | None) -> CallToolResult:
    from mcp_server.server._retrieve import store_original

    state = state_of(ctx)
    started = time.perf_counter()
    digest, tokens_before = await state.call(
        store_original, state.store, data, _type_for_path(real), f"mcp:read:{real}"
    )
    excerpt = await state.call(retrieve, state.store, digest, None, lines, max_tokens)
    await state.call(_record_retrieval, state, excerpt, client_name(ctx), started)
    output = ReadOutput(
        path=str(real),
        bytes=len(data),
        compressed=excerpt.text,
        hash=digest,
        tokens_before=tokens_before,
        tokens_after=excerpt.tokens,
        tokens_saved=max(tokens_before - excerpt.tokens, 0),
        savings_percent=_percent(tokens_before, min(excerpt.tokens, tokens_before)),
        compressor="lines",
        content_type=_type_for_path(real),
        markers=0,
        elapsed_ms=round((time.perf_counter() - started) * 1000, 3),
    )
    header = f"[headroom hash={digest} path={real} lines {lines} of {excerpt.total_lines}]\n"
    return CallToolResult(
        content=[TextContent(type="text", text=header + excerpt.text)],
        structured_content=output.model_dump(mode="json"),
    )


async def headroom_run(
    command: Annotated[str, Field(description="A shell command line, run with /bin/sh -c, e.g. 'pytest -x -q'.")],
    ctx: Ctx,
    roots: ClientRoots,
    cwd: Annotated[
        str | None, Field(description="Directory to run in, inside the allowed roots (default: the first root).")
    ] = None,
    query: Query = None,
    timeout_s: Annotated[
        float | None,
        Field(gt=0, le=MAX_RUN_TIMEOUT_S, description="Kill the command after this many seconds (default 120)."),
    ] = None,
    max_tokens: MaxTokens = None,
) -> Annotated[CallToolResult, RunOutput]:
    from mcp_server.server._run import run_command

    state = state_of(ctx)
    with tool_errors():
        if not state.options.allow_run:
            raise RunDisabledError(
                "headroom_run is disabled on this server; restart it with `headroom mcp serve --allow-run` "
                "or set HEADROOM_ALLOW_RUN=1 in its environment (then it runs shell commands inside the allowed roots)"
            )
        allowed = _roots(state, roots)
        workdir = confine(cwd or ".", allowed)
        if not workdir.is_dir():
            raise InputError(f"cwd {workdir} is not a directory; pass a directory inside the allowed roots")
        outcome = await heartbeat(
            ctx,
            run_command(
                command,
                cwd=workdir,
                timeout_s=timeout_s or state.options.run_timeout_s,
                output_cap=state.settings.max_input_bytes,
            ),
            label=f"running {command[:60]}",
        )
        result = None
        if outcome.output.strip():
            result = await _compress(
                ctx, outcome.output, query=query, content_type="auto", budget=max_tokens, source="mcp:run"
            )
    status = _run_status(
        outcome.exit_code, outcome.timed_out, outcome.truncated, timeout_s or state.options.run_timeout_s
    )
    output = RunOutput(
        command=command,
        cwd=str(workdir),
        exit_code=outcome.exit_code,
        timed_out=outcome.timed_out,
        truncated=outcome.truncated,
        output_bytes=len(outcome.output),
        duration_ms=round(outcome.elapsed_ms, 3),
        compressed=result.compressed if result else "",
        hash=result.hash if result else None,
        tokens_before=result.tokens_before if result else 0,
        tokens_after=result.tokens_after if result else 0,
        tokens_saved=(result.tokens_before - result.tokens_after) if result else 0,
        compressor=result.compressor if result else "none",
        content_type=result.content_type if result else "text",
        markers=result.markers if result else 0,
    )
    text = f"[{status}]\n" + (_header(result) + result.compressed if result else "(no output)")
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=output.model_dump(mode="json"),
    )


def _run_status(exit_code: int | None, timed_out: bool, truncated: bool, timeout_s: float) -> str:
    if timed_out:
        return f"killed after the {timeout_s:g} s timeout; output so far below"
    if truncated:
        return "stopped: output exceeded the size cap (HEADROOM_MAX_INPUT_MB); output so far below"
    if exit_code is not None and exit_code < 0:
        return f"killed by signal {-exit_code}"
    return f"exit code {exit_code}"


_COMPRESS_DOC = (
    "Shrink bulky text you already have (logs, JSON, grep/search results, diffs, stack traces, source files, "
    "docs, command output) before reasoning over it. Returns a much smaller text that keeps errors, anomalies, "
    "structure and whatever matches `query`. " + _MARKER_NOTE + " Worth calling for anything over about 2,000 "
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
_READ_DOC = (
    "Read a local text file and get it back compressed, so the whole file never enters your context: source files "
    "come back as a skeleton (imports, signatures, docstrings) with the parts relevant to `query` in full; logs, "
    "JSON and docs as headroom_compress would return them. Prefer this to your own file-reading tool for files over "
    "a couple of hundred lines or when you need only part of one; pass `lines` to read an exact range verbatim. "
    + _MARKER_NOTE
    + " Only files inside the client's roots (or the server's working directory and --root directories) are readable."
)
_RUN_DOC = (
    "Run a shell command on the user's machine (test suites, builds, linters, grep, git log/diff, package managers) "
    "and get its output compressed: failures, errors and lines relevant to `query` are kept; the rest is marked and "
    "retrievable. Prefer this to your own shell tool for commands whose output can be long. Returns the exit code. "
    "Runs with /bin/sh -c in `cwd` (default: the first allowed root), stdin closed, stderr merged into stdout; the "
    "whole process group is killed at `timeout_s`. " + _MARKER_NOTE
)


def register_tools(server: MCPServer[AppState], *, allow_run: bool, icons: list[Icon]) -> None:
    """Add the five tools to `server`."""
    run_doc = _RUN_DOC if allow_run else _RUN_DOC + " Disabled on this server: it was not started with --allow-run."
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
    server.add_tool(
        headroom_read,
        name="headroom_read",
        title="Read a file, compressed",
        description=_READ_DOC,
        icons=icons,
        annotations=ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False),
    )
    server.add_tool(
        headroom_run,
        name="headroom_run",
        title="Run a command, output compressed",
        description=run_doc,
        icons=icons,
        annotations=ToolAnnotations(
            read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True
        ),
    )
